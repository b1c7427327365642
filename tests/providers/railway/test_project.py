"""Railway Project against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    ProjectProvider,
)
from tests.providers.railway.helpers import engine
from tests.providers.railway.support import (
    live,
    sent,
    variables_of,
)


def test_project_lifecycle(emulator: RunningEmulator) -> None:
    e = engine(ProjectProvider, emulator)
    outs = e.create({"name": "nestsync", "description": "NestSync backend"})
    [row] = live(emulator, "projects")
    assert row["id"] == e.id and row["name"] == "nestsync" and row["description"] == "NestSync backend"
    envs = [x for x in live(emulator, "environments") if x["projectId"] == e.id]
    assert outs["default_environment_id"] == envs[0]["id"]
    assert outs["workspace_id"] == row["workspaceId"]

    read = e.read()
    assert read.id == e.id
    # The workspace Railway chose reads back too; leaving it unset stays "no change" (below).
    assert read.inputs == {
        "name": "nestsync",
        "description": "NestSync backend",
        "workspace_id": row["workspaceId"],
    }

    # An unset workspace is filled in by Railway: no change, no replacement.
    assert not e.diff({"name": "nestsync", "description": "NestSync backend"}).changes
    assert e.diff({"name": "nestsync", "workspace_id": "another-ws"}).replaces == ["workspace_id"]

    emulator.clear_requests()
    e.update({"name": "nestsync-app"})  # description removed: cleared, not kept
    [request] = sent(emulator, "projectUpdate")
    assert variables_of(request)["input"] == {"name": "nestsync-app", "description": None}
    [row] = live(emulator, "projects")
    assert row["name"] == "nestsync-app" and not row["description"]
    assert e.outs["default_environment_id"] == outs["default_environment_id"]

    e.delete()
    assert live(emulator, "projects") == []
    e.delete()  # already gone: fine
    assert e.read().id is None


def test_project_named_default_environment(emulator: RunningEmulator) -> None:
    e = engine(ProjectProvider, emulator)
    outs = e.create({"name": "omni", "default_environment_name": "prod"})
    [env] = [x for x in live(emulator, "environments") if x["projectId"] == e.id]
    assert env["name"] == "prod" and outs["default_environment_id"] == env["id"]
    assert e.diff({"name": "omni", "default_environment_name": "main"}).replaces == [
        "default_environment_name"
    ]
