"""Railway Variables against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    VariablesProvider,
)
from tests.providers.railway.helpers import client, engine, env_id
from tests.providers.railway.support import (
    Engine,
    sent,
    variables_of,
)


def test_variables_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(VariablesProvider, emulator)
    base = {"project_id": project.id, "environment_id": env_id(project), "service_id": service.id}
    emulator.clear_requests()
    e.create({**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "info"}})
    assert [r["operation"] for r in sent(emulator)] == ["variableCollectionUpsert"]
    c = client(emulator)

    def current() -> dict[str, str]:
        return c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=service.id)

    assert current() == {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "info"}

    # A change (one changed, one added) is one request carrying only what changed.
    emulator.clear_requests()
    e.update(
        {**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "debug", "X": "1"}}
    )
    assert [r["operation"] for r in sent(emulator)] == ["variableCollectionUpsert"]
    assert variables_of(sent(emulator)[0])["input"]["variables"] == {"LOG_LEVEL": "debug", "X": "1"}

    # Removed names are deleted.
    emulator.clear_requests()
    e.update({**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "debug"}})
    assert [r["operation"] for r in sent(emulator)] == ["variableDelete"]
    assert "X" not in current()

    # Read compares: a value changed outside shows up as drift; names owned by others are ignored.
    c.variable_collection_upsert(
        project_id=str(project.id),
        environment_id=env_id(project),
        service_id=service.id,
        variables={"LOG_LEVEL": "warn", "OTHER": "x"},
    )
    read = e.read()
    assert read.inputs is not None
    assert read.inputs["variables"] == {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "warn"}

    assert e.diff({**base, "service_id": "other", "variables": {}}).replaces == ["service_id"]

    e.delete()
    assert current() == {"OTHER": "x"}
    e.delete()  # names already gone: fine


def test_shared_variables(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(VariablesProvider, emulator)
    e.create(
        {"project_id": project.id, "environment_id": env_id(project), "variables": {"SENTRY_ENV": "prod"}}
    )
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project)) == {"SENTRY_ENV": "prod"}
    assert e.read().inputs == {
        "project_id": project.id,
        "environment_id": env_id(project),
        "variables": {"SENTRY_ENV": "prod"},
    }
