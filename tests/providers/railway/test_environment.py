"""Railway Environment against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    EnvironmentProvider,
)
from tests.providers.railway.helpers import engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
    sent,
)


def test_environment_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(EnvironmentProvider, emulator)
    e.create({"project_id": project.id, "name": "staging"})
    assert any(x["id"] == e.id and x["name"] == "staging" for x in live(emulator, "environments"))
    assert e.read().inputs == {"project_id": project.id, "name": "staging"}

    # Renamed in place.
    emulator.clear_requests()
    e.update({"project_id": project.id, "name": "qa"})
    assert [r["operation"] for r in sent(emulator)] == ["environmentRename"]
    assert any(x["id"] == e.id and x["name"] == "qa" for x in live(emulator, "environments"))

    # A fork is a different environment: replace.
    diff = e.diff({"project_id": project.id, "name": "qa", "source_environment_id": env_id(project)})
    assert diff.replaces == ["source_environment_id"]
    assert e.diff({"project_id": "other", "name": "qa"}).replaces == ["project_id"]

    e.delete()
    assert not any(x["id"] == e.id for x in live(emulator, "environments"))
    e.delete()
    assert e.read().id is None


def test_environment_fork_reads_back_its_source(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(EnvironmentProvider, emulator)
    e.create({"project_id": project.id, "name": "pr-1", "source_environment_id": env_id(project)})
    assert e.read_inputs()["source_environment_id"] == env_id(project)
