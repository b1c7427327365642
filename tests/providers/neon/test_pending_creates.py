"""Neon resources resolving a pending create (`read` with an empty id or the id create reported): found by
the name unique in its branch or project, or (a project, a read-only endpoint) only if made since the create
started; the outputs are create's, secrets included (a role's password is revealed again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    DatabaseProvider,
    EndpointProvider,
    ProjectProvider,
    RoleProvider,
)
from providers.pending_create import PENDING_CREATE_KEY, AdoptionRefusedError
from tests.providers.neon.support import checked, configured, create, neon_state, new_project


def marker(emulator: RunningEmulator, seconds_ago: float = 0) -> dict[str, Any]:
    moment = datetime.fromtimestamp(emulator.app.clock.now(), UTC) - timedelta(seconds=seconds_ago)
    return {PENDING_CREATE_KEY: {"started": moment.isoformat()}}


def resolve(cls: type, emulator: RunningEmulator, inputs: dict[str, Any], id_: str = "", **mark: Any) -> Any:
    provider: Any = configured(cls, emulator)
    return provider.read(id_, {**checked(provider, inputs), **mark})


def test_a_project_is_found_by_name_only_if_made_since_the_create_started(emulator: RunningEmulator) -> None:
    older = new_project(emulator, name="orders")
    emulator.app.clock.advance(600)
    mark = marker(emulator)
    ours = new_project(emulator, name="orders")
    found = resolve(ProjectProvider, emulator, {"name": "orders"}, **mark)
    assert found.id == ours.id != older.id
    # The outputs create answers: the owner's password and the URIs, not just the project.
    for key in ("password", "connection_uri", "pooled_connection_uri", "default_branch_id", "host"):
        assert found.outs[key] == ours.outs[key], key
    # By the id create reported: the same.
    assert resolve(ProjectProvider, emulator, {"name": "orders"}, str(ours.id), **mark).outs["password"]
    with pytest.raises(AdoptionRefusedError, match="2 objects could be the one"):
        resolve(ProjectProvider, emulator, {"name": "orders"}, **marker(emulator, 3600))
    assert resolve(ProjectProvider, emulator, {"name": "elsewhere"}, **mark).id is None
    assert len(neon_state(emulator)["projects"]) == 2


def test_objects_inside_a_project_are_found_by_their_unique_names(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch_id = project.outs["default_branch_id"]
    on_branch = {"project_id": project.id, "branch_id": branch_id}
    mark = marker(emulator)
    cases = {
        BranchProvider: {"project_id": project.id, "name": "preview"},
        RoleProvider: {**on_branch, "name": "app"},
        DatabaseProvider: {**on_branch, "name": "appdb", "owner_name": "app"},
        EndpointProvider: {**on_branch, "type": "read_only"},
    }
    for cls, inputs in cases.items():
        made = create(configured(cls, emulator), inputs)
        found = resolve(cls, emulator, inputs, **mark)
        assert found.id == made.id, cls.__name__
        secret_keys = {"password"} & set(made.outs)
        assert {k: found.outs[k] for k in secret_keys} == {k: made.outs[k] for k in secret_keys}
    # Not made: an empty id.
    assert resolve(RoleProvider, emulator, {**on_branch, "name": "nobody"}, **mark).id is None
    # A read-only endpoint has no key: without a start time, one that exists cannot be told from an older one.
    with pytest.raises(AdoptionRefusedError, match="without the time it started"):
        resolve(EndpointProvider, emulator, cases[EndpointProvider])
