"""Every Neon resource's create, read, update, replace and delete, against the in-process emulator."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    ConnectionUriProvider,
    DatabaseProvider,
    EndpointProvider,
    NeonResourceError,
    ProjectProvider,
    RoleProvider,
)
from tests.providers.neon_support import (
    configured,
    create,
    neon_models,
    neon_state,
    new_project,
    read,
    update,
)


# -- Project ---------------------------------------------------------------------------------------------
def test_project_create_makes_default_branch_endpoint_role_database_and_uris(
    emulator: RunningEmulator,
) -> None:
    result = new_project(
        emulator, autoscaling_min_cu=0.5, autoscaling_max_cu=4, history_retention_seconds=2592000
    )
    outs = result.outs
    state = neon_state(emulator)
    [project] = state["projects"]
    assert result.id == project["id"] == outs["project_id"]
    assert project["default_endpoint_settings"]["autoscaling_limit_max_cu"] == 4
    assert project["history_retention_seconds"] == 2592000
    [endpoint] = state["endpoints"]
    assert endpoint["autoscaling_limit_min_cu"] == 0.5 and endpoint["type"] == "read_write"
    assert outs["default_endpoint_id"] == endpoint["id"]
    assert outs["host"] == endpoint["host"]
    assert outs["pooler_host"].startswith(endpoint["id"] + "-pooler.")
    assert outs["database_name"] == "neondb" and outs["role_name"] == "neondb_owner"
    assert outs["connection_uri"] == (
        f"postgresql://neondb_owner:{outs['password']}@{endpoint['host']}/neondb?sslmode=require"
    )
    assert outs["pooled_connection_uri"] == outs["connection_uri"].replace(
        endpoint["host"], outs["pooler_host"]
    )
    # Every operation of the create was waited for.
    assert {o["status"] for o in state["operations"]} == {"finished"}


def test_project_custom_database_and_role_names(emulator: RunningEmulator) -> None:
    outs = new_project(emulator, database_name="sentia").outs
    assert outs["role_name"] == "sentia_owner"
    assert outs["connection_uri"].startswith("postgresql://sentia_owner:")
    assert outs["connection_uri"].endswith("/sentia?sslmode=require")


def test_project_update_in_place_patches_project_and_default_compute(emulator: RunningEmulator) -> None:
    provider = configured(ProjectProvider, emulator)
    created = new_project(emulator)
    diff, result = update(
        provider,
        created.id,
        created.outs,
        {
            "name": "sentia-renamed",
            "autoscaling_min_cu": 1,
            "autoscaling_max_cu": 2,
            "history_retention_seconds": 3600,
        },
    )
    assert diff.changes and not diff.replaces
    state = neon_state(emulator)
    [project], [endpoint] = state["projects"], state["endpoints"]
    assert project["name"] == "sentia-renamed"
    assert project["history_retention_seconds"] == 3600
    assert (endpoint["autoscaling_limit_min_cu"], endpoint["autoscaling_limit_max_cu"]) == (1, 2)
    outs = result.outs
    assert outs["name"] == "sentia-renamed" and outs["autoscaling_max_cu"] == 2
    # Full outputs: the computed values survive an update.
    assert outs["connection_uri"] == created.outs["connection_uri"]
    assert outs["default_branch_id"] == created.outs["default_branch_id"]


@pytest.mark.parametrize(
    ("key", "value"), [("region_id", "aws-eu-central-1"), ("pg_version", 16), ("org_id", "org-other-123")]
)
def test_project_region_postgres_and_org_changes_replace(
    emulator: RunningEmulator, key: str, value: object
) -> None:
    provider = configured(ProjectProvider, emulator)
    created = new_project(emulator)
    news = provider.check({}, {"name": "sentia-dev", key: value}).inputs
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == [key]


def test_project_unset_vendor_defaults_are_not_changes(emulator: RunningEmulator) -> None:
    provider = configured(ProjectProvider, emulator)
    created = new_project(emulator)
    assert created.outs["history_retention_seconds"] == 86400  # Neon's default, recorded
    news = provider.check({}, {"name": "sentia-dev"}).inputs
    assert provider.diff(created.id, created.outs, news).changes is False


def test_project_password_rotation(emulator: RunningEmulator) -> None:
    provider = configured(ProjectProvider, emulator)
    created = new_project(emulator)
    _, result = update(provider, created.id, created.outs, {"password_version": "2"})
    assert result.outs["password"] != created.outs["password"]
    assert result.outs["password"] in result.outs["connection_uri"]
    assert result.outs["password"] in result.outs["pooled_connection_uri"]


def test_project_read_refreshes_and_reports_gone(emulator: RunningEmulator) -> None:
    provider = configured(ProjectProvider, emulator)
    created = new_project(emulator)
    neon_models(emulator).state["projects"][created.id]["name"] = "renamed-in-console"
    emulator.clear_requests()
    refreshed = read(provider, created.id, created.outs)
    assert refreshed.id == created.id
    assert refreshed.outs["name"] == "renamed-in-console" and refreshed.inputs["name"] == "renamed-in-console"
    assert refreshed.outs["password"] == created.outs["password"]
    assert len(emulator.requests("neon")) == 1  # refresh costs one read
    provider.delete(created.id, created.outs)
    gone = read(provider, created.id, created.outs)
    assert gone.id is None and gone.outs == {}
    provider.delete(created.id, created.outs)  # already gone: success


def test_project_plan_limit_reaches_user_verbatim_with_name(emulator: RunningEmulator) -> None:
    emulator.app.settings.vendor_options["neon"] = {"plan": "free"}
    provider = configured(ProjectProvider, emulator)
    with pytest.raises(NeonResourceError) as raised:
        create(provider, {"name": "sentia-prod", "history_retention_seconds": 86400})
    text = str(raised.value)
    assert "'sentia-prod'" in text
    assert (
        "requested history retention seconds exceeds allowed maximum; "
        'requested_history_retention_seconds:"86400", max:"21600"'
    ) in text
    assert neon_state(emulator)["projects"] == []


# -- Branch ----------------------------------------------------------------------------------------------
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


# -- Endpoint --------------------------------------------------------------------------------------------
def test_endpoint_lifecycle(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch = create(configured(BranchProvider, emulator), {"project_id": project.id, "name": "dev"})
    provider = configured(EndpointProvider, emulator)
    created = create(
        provider,
        {
            "project_id": project.id,
            "branch_id": branch.id,
            "autoscaling_min_cu": 0.25,
            "autoscaling_max_cu": 1,
        },
    )
    assert created.outs["host"].startswith(created.id + ".")
    assert created.outs["pooler_host"] == created.outs["host"].replace(created.id, created.id + "-pooler", 1)
    diff, updated = update(
        provider,
        created.id,
        created.outs,
        {"autoscaling_max_cu": 2, "suspend_timeout_seconds": 600, "pooler_enabled": True},
    )
    assert diff.changes and not diff.replaces
    endpoint = next(e for e in neon_state(emulator)["endpoints"] if e["id"] == created.id)
    assert endpoint["autoscaling_limit_max_cu"] == 2 and endpoint["suspend_timeout_seconds"] == 600
    assert endpoint["pooler_enabled"] is True
    assert updated.outs["pooler_enabled"] is True
    news = provider.check(
        {}, {**{k: updated.outs[k] for k in provider.Inputs.model_fields}, "type": "read_only"}
    )
    assert provider.diff(created.id, updated.outs, news.inputs).replaces == ["type"]
    assert read(provider, created.id, updated.outs).inputs["autoscaling_max_cu"] == 2
    provider.delete(created.id, updated.outs)
    assert read(provider, created.id, updated.outs).id is None
    provider.delete(created.id, updated.outs)  # 204


def test_second_read_write_endpoint_fails_clearly(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(EndpointProvider, emulator)
    with pytest.raises(NeonResourceError, match="already has a read_write endpoint"):
        create(provider, {"project_id": project.id, "branch_id": project.outs["default_branch_id"]})
    replica = create(
        provider,
        {"project_id": project.id, "branch_id": project.outs["default_branch_id"], "type": "read_only"},
    )
    assert replica.outs["type"] == "read_only"


# -- Role ------------------------------------------------------------------------------------------------
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


# -- Database --------------------------------------------------------------------------------------------
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


# -- ConnectionUri ---------------------------------------------------------------------------------------
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
