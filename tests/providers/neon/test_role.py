"""Neon Role against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    RoleProvider,
)
from tests.providers.neon.support import (
    configured,
    create,
    neon_models,
    new_project,
    read,
    update,
)


def test_role_lifecycle_and_rotation(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(RoleProvider, emulator)
    branch_id = project.outs["default_branch_id"]
    created = create(provider, {"project_id": project.id, "branch_id": branch_id, "name": "app"})
    password = created.outs["password"]
    assert password
    models = neon_models(emulator)
    assert models.state["roles"][f"{branch_id}/app"]["_password"] == password

    unchanged = provider.check({}, {"project_id": project.id, "branch_id": branch_id, "name": "app"}).inputs
    assert provider.diff(created.id, created.outs, unchanged).changes is False
    diff, rotated = update(provider, created.id, created.outs, {"password_version": 2})
    assert diff.changes and not diff.replaces
    assert rotated.outs["password"] != password
    assert models.state["roles"][f"{branch_id}/app"]["_password"] == rotated.outs["password"]
    assert rotated.outs["password_version"] == "2"

    renamed = provider.check({}, {"project_id": project.id, "branch_id": branch_id, "name": "app2"}).inputs
    assert provider.diff(created.id, rotated.outs, renamed).replaces == ["name"]
    refreshed = read(provider, created.id, rotated.outs)
    assert refreshed.outs["password"] == rotated.outs["password"]
    provider.delete(created.id, rotated.outs)
    assert read(provider, created.id, rotated.outs).id is None
    provider.delete(created.id, rotated.outs)  # 204
