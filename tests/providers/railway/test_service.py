"""Railway Service against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    ServiceProvider,
)
from tests.providers.railway.helpers import client, engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
    nulls_in,
    sent,
    variables_of,
)


def test_service_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(ServiceProvider, emulator)
    emulator.clear_requests()
    e.create(
        {
            "project_id": project.id,
            "name": "api",
            "image": "ghcr.io/acme/api:1",
            "variables": {"PORT": "8080", "TZ": "America/Toronto"},
        }
    )
    # The first variables travel with serviceCreate, so the first build has them.
    [create] = sent(emulator, "serviceCreate")
    assert variables_of(create)["input"]["variables"] == {"PORT": "8080", "TZ": "America/Toronto"}
    assert nulls_in(variables_of(create)) == []
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=e.id) == {
        "PORT": "8080",
        "TZ": "America/Toronto",
    }
    assert e.read_inputs()["name"] == "api"

    emulator.clear_requests()
    e.update(
        {
            "project_id": project.id,
            "name": "backend",
            "image": "ghcr.io/acme/api:2",
            "variables": {"PORT": "9090", "TZ": "America/Toronto"},
        }
    )
    assert [r["operation"] for r in sent(emulator)][:3] == ["serviceUpdate", "serviceConnect", "project"]
    assert len(sent(emulator, "variableCollectionUpsert")) == 1
    assert variables_of(sent(emulator, "variableCollectionUpsert")[0])["input"]["variables"] == {
        "PORT": "9090"
    }
    assert c.service(str(e.id))["name"] == "backend"
    instance = c.service_instance(service_id=str(e.id), environment_id=env_id(project))
    assert instance["source"]["image"] == "ghcr.io/acme/api:2"

    assert e.diff({"project_id": "elsewhere", "name": "backend"}).replaces == ["project_id"]

    e.delete()
    assert not any(x["id"] == e.id for x in live(emulator, "services"))
    e.delete()
    assert e.read().id is None


def test_service_from_repo_and_removed_variable(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(ServiceProvider, emulator)
    e.create(
        {
            "project_id": project.id,
            "name": "worker",
            "repo": "acme/worker",
            "branch": "main",
            "variables": {"A": "1", "B": "2"},
            "environment_id": env_id(project),
        }
    )
    emulator.clear_requests()
    e.update(
        {
            "project_id": project.id,
            "name": "worker",
            "repo": "acme/worker",
            "branch": "main",
            "variables": {"A": "1"},
            "environment_id": env_id(project),
        }
    )
    assert [r["operation"] for r in sent(emulator)] == ["variableDelete"]
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=e.id) == {
        "A": "1"
    }
