"""Neon Branch against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    NeonResourceError,
    RoleProvider,
)
from tests.providers.neon.support import (
    configured,
    create,
    neon_state,
    new_project,
    read,
    update,
)


def test_branch_lifecycle(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(BranchProvider, emulator)
    created = create(provider, {"project_id": project.id, "name": "staging"})
    assert created.outs["parent_id"] == project.outs["default_branch_id"]
    assert created.outs["default"] is False
    diff, updated = update(provider, created.id, created.outs, {"name": "staging-2", "protected": True})
    assert diff.changes and not diff.replaces
    branch = next(b for b in neon_state(emulator)["branches"] if b["id"] == created.id)
    assert branch["name"] == "staging-2" and branch["protected"] is True
    assert updated.outs["name"] == "staging-2" and updated.outs["branch_id"] == created.id
    refreshed = read(provider, created.id, updated.outs)
    assert refreshed.inputs["name"] == "staging-2"
    provider.delete(created.id, updated.outs)
    assert all(b["id"] != created.id for b in neon_state(emulator)["branches"])
    provider.delete(created.id, updated.outs)  # 204: success
    assert read(provider, created.id, updated.outs).id is None


def test_branch_parent_change_replaces_but_unset_parent_does_not(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(BranchProvider, emulator)
    first = create(provider, {"project_id": project.id, "name": "a"})
    unset = provider.check({}, {"project_id": project.id, "name": "a"}).inputs
    assert provider.diff(first.id, first.outs, unset).changes is False
    moved = provider.check(
        {}, {"project_id": project.id, "name": "a", "parent_id": "br-other-a1234567"}
    ).inputs
    assert provider.diff(first.id, first.outs, moved).replaces == ["parent_id"]


def test_branch_inherits_parent_roles_so_same_role_name_conflicts(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch = create(configured(BranchProvider, emulator), {"project_id": project.id, "name": "dev"})
    with pytest.raises(NeonResourceError, match="role already exists"):
        create(
            configured(RoleProvider, emulator),
            {"project_id": project.id, "branch_id": branch.id, "name": "neondb_owner"},
        )
