"""Neon Database against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    DatabaseProvider,
    NeonResourceError,
    RoleProvider,
)
from tests.providers.neon.support import (
    configured,
    create,
    neon_models,
    neon_state,
    new_project,
    read,
    update,
)


def test_database_lifecycle_rename_and_owner_change_in_place(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch_id = project.outs["default_branch_id"]
    roles = configured(RoleProvider, emulator)
    create(roles, {"project_id": project.id, "branch_id": branch_id, "name": "app"})
    provider = configured(DatabaseProvider, emulator)
    created = create(
        provider,
        {"project_id": project.id, "branch_id": branch_id, "name": "sentia", "owner_name": "neondb_owner"},
    )
    diff, updated = update(provider, created.id, created.outs, {"name": "sentia_app", "owner_name": "app"})
    assert diff.changes and not diff.replaces
    assert updated.outs["name"] == "sentia_app" and updated.outs["owner_name"] == "app"
    names = {d["name"]: d for d in neon_state(emulator)["databases"]}
    assert "sentia" not in names and names["sentia_app"]["owner_name"] == "app"
    assert str(names["sentia_app"]["id"]) == created.id

    # Renamed outside Pulumi: read finds it by id and reports the new name.
    models = neon_models(emulator)
    record = models.state["databases"].pop(f"{branch_id}/sentia_app")
    record["name"] = "console_name"
    models.state["databases"][f"{branch_id}/console_name"] = record
    refreshed = read(provider, created.id, updated.outs)
    assert refreshed.id == created.id and refreshed.inputs["name"] == "console_name"

    moved = provider.check(
        {}, {**{k: refreshed.outs[k] for k in provider.Inputs.model_fields}, "branch_id": "br-x-a1"}
    )
    assert provider.diff(created.id, refreshed.outs, moved.inputs).replaces == ["branch_id"]
    provider.delete(created.id, refreshed.outs)
    assert read(provider, created.id, refreshed.outs).id is None
    provider.delete(created.id, refreshed.outs)  # 204


def test_database_with_unknown_owner_fails_and_nothing_is_left(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(DatabaseProvider, emulator)
    with pytest.raises(NeonResourceError, match='owner role "ghost" does not exist'):
        create(
            provider,
            {
                "project_id": project.id,
                "branch_id": project.outs["default_branch_id"],
                "name": "x",
                "owner_name": "ghost",
            },
        )
    assert [d["name"] for d in neon_state(emulator)["databases"]] == ["neondb"]
