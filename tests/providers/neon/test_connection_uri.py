"""Neon ConnectionUri against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    ConnectionUriProvider,
    DatabaseProvider,
    EndpointProvider,
    RoleProvider,
)
from tests.providers.neon.support import (
    configured,
    create,
    new_project,
    read,
    update,
)


def test_connection_uri_follows_password_rotation(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch = create(configured(BranchProvider, emulator), {"project_id": project.id, "name": "dev"})
    endpoint = create(
        configured(EndpointProvider, emulator), {"project_id": project.id, "branch_id": branch.id}
    )
    roles = configured(RoleProvider, emulator)
    role = create(roles, {"project_id": project.id, "branch_id": branch.id, "name": "app"})
    create(
        configured(DatabaseProvider, emulator),
        {"project_id": project.id, "branch_id": branch.id, "name": "app", "owner_name": "app"},
    )
    provider = configured(ConnectionUriProvider, emulator)
    props = {
        "project_id": project.id,
        "branch_id": branch.id,
        "database_name": "app",
        "role_name": "app",
        "password": role.outs["password"],
    }
    created = create(provider, props)
    host = endpoint.outs["host"]
    assert (
        created.outs["connection_uri"]
        == f"postgresql://app:{role.outs['password']}@{host}/app?sslmode=require"
    )
    assert created.outs["pooled_connection_uri"] == created.outs["connection_uri"].replace(
        host, endpoint.outs["pooler_host"]
    )
    assert (created.outs["host"], created.outs["port"]) == (host, 5432)

    _, rotated = update(roles, role.id, role.outs, {"password_version": "next"})
    diff, refreshed = update(provider, created.id, created.outs, {"password": rotated.outs["password"]})
    assert diff.changes and not diff.replaces
    assert rotated.outs["password"] in refreshed.outs["connection_uri"]
    assert rotated.outs["password"] in refreshed.outs["pooled_connection_uri"]
    assert (
        read(provider, created.id, refreshed.outs).outs["connection_uri"] == refreshed.outs["connection_uri"]
    )
    provider.delete(created.id, refreshed.outs)  # a lookup: nothing to delete


def test_default_branch_connection_uri_matches_project_outputs(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(ConnectionUriProvider, emulator)
    created = create(
        provider, {"project_id": project.id, "database_name": "neondb", "role_name": "neondb_owner"}
    )
    assert created.outs["connection_uri"] == project.outs["connection_uri"]
    assert created.outs["pooled_connection_uri"] == project.outs["pooled_connection_uri"]
