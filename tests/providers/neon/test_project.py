"""Neon Project against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    NeonResourceError,
    ProjectProvider,
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
