"""ObservabilityDashboard provider against the emulator: adopt/create, read, update, replace, delete (reset),
check failures per field with nothing sent, and a failed item update after create leaving nothing of ours."""

from __future__ import annotations

from typing import Any

import dill
import pytest

from emulator.testing import RunningEmulator
from providers.railway.resources import EnvironmentProvider, ObservabilityDashboardProvider
from tests.providers.railway.support import (
    TOKEN,
    CheckFailed,
    Engine,
    clear_ambient_credentials,
    configure,
    project_with_service,
    sent,
)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_ambient_credentials(monkeypatch)


def items(service_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "p95",
            "name": "p95 latency",
            "type": "HTTP_METRICS_ITEM",
            "http_metric": "LATENCY",
            "resource_ids": [service_id],
        },
        {
            "id": "memory",
            "name": "Memory",
            "type": "SERVICE_METRICS_ITEM",
            "measurements": ["MEMORY_USAGE_GB", "MEMORY_LIMIT_GB"],
            "resource_ids": [service_id],
            "w": 12,
        },
    ]


def live_dashboards(emulator: RunningEmulator, environment_id: str) -> list[dict[str, Any]]:
    rows = emulator.state()["railway"]["observabilityDashboards"]
    return [r for r in rows if r["environmentId"] == environment_id]


def item_names(dashboard: dict[str, Any]) -> list[str]:
    return [i["dashboardItem"]["name"] for i in dashboard["items"]]


def test_create_makes_the_dashboard_with_our_items_and_read_sees_no_drift(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    outs = engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})

    [dashboard] = live_dashboards(emulator, ids["environment_id"])
    assert engine.id == dashboard["id"]
    assert item_names(dashboard) == ["p95 latency", "Memory"]
    p95, memory = dashboard["items"]
    assert p95["dashboardItem"]["config"]["httpMetric"] == "LATENCY"
    assert p95["dashboardItem"]["config"]["resourceIds"] == [ids["service_id"]]
    # Inferred grid: a half-width chart at the origin, then a full-width one on the next free row.
    assert p95["displayConfig"] == {"x": 0, "y": 0, "w": 6, "h": 4}
    assert memory["displayConfig"] == {"x": 0, "y": 4, "w": 12, "h": 4}

    assert engine.read_inputs() == engine.check(outs)
    assert not engine.diff(engine.read_inputs()).changes


def test_an_existing_dashboard_is_adopted_not_created_twice(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    configure(ObservabilityDashboardProvider(), emulator).client().observability_dashboard_create(
        ids["environment_id"]
    )
    [existing] = live_dashboards(emulator, ids["environment_id"])

    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})

    assert engine.id == existing["id"]
    [dashboard] = live_dashboards(emulator, ids["environment_id"])
    assert item_names(dashboard) == ["p95 latency", "Memory"]
    assert len(sent(emulator, "observabilityDashboardCreate")) == 1  # only the one made above


def test_update_replaces_the_items_and_refresh_catches_drift(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})

    cpu = {"id": "cpu", "name": "CPU", "type": "SERVICE_METRICS_ITEM", "measurements": ["CPU_USAGE"]}
    engine.update({"environment_id": ids["environment_id"], "items": [cpu]})
    [dashboard] = live_dashboards(emulator, ids["environment_id"])
    assert item_names(dashboard) == ["CPU"]

    # A teammate resets the dashboard in Railway: refresh reports Railway's items, so the next up restores.
    engine.provider.client().observability_dashboard_reset(str(engine.id))
    refreshed = engine.refresh()
    assert [i["id"] for i in refreshed["items"]] != ["cpu"]
    assert engine.diff({"environment_id": ids["environment_id"], "items": [cpu]}).changes


def test_a_new_environment_replaces_and_delete_resets_to_the_defaults(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})
    staging = Engine(configure(EnvironmentProvider(), emulator))
    staging.create({"project_id": ids["project_id"], "name": "staging"})

    diff = engine.diff({"environment_id": str(staging.id), "items": items(ids["service_id"])})
    assert diff.replaces == ["environment_id"]

    engine.delete()
    [dashboard] = live_dashboards(emulator, ids["environment_id"])
    assert "p95 latency" not in item_names(dashboard) and dashboard["items"]
    assert len(sent(emulator, "observabilityDashboardReset")) == 1
    engine.delete()  # a second delete (already reset) is harmless


def test_read_of_a_removed_environment_reports_the_dashboard_gone(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    staging = Engine(configure(EnvironmentProvider(), emulator))
    staging.create({"project_id": ids["project_id"], "name": "staging"})
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    engine.create({"environment_id": str(staging.id), "items": items(ids["service_id"])})
    staging.delete()
    assert engine.read().id is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "PIE_CHART"}, "items[0].type"),
        ({"http_metric": "THROUGHPUT"}, "items[0].http_metric"),
        ({"type": "SERVICE_METRICS_ITEM", "http_metric": None}, "items[0]"),
        ({"measurements": ["CPU_USAGE", "DISK_IO"]}, "items[0].measurements[1]"),
        ({"x": 12}, "items[0].x"),
        ({"w": 0}, "items[0].w"),
        ({"name": ""}, "items[0].name"),
    ],
)
def test_bad_items_fail_check_per_field_with_nothing_sent(
    emulator: RunningEmulator, change: dict[str, Any], field: str
) -> None:
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    item = {**items("svc")[0], **change}
    item = {k: v for k, v in item.items() if v is not None}
    with pytest.raises(CheckFailed) as failed:
        engine.check({"environment_id": "env", "items": [item]})
    assert field in [name for name, _ in failed.value.args[0]], failed.value.args[0]
    assert sent(emulator) == []


def test_duplicate_item_ids_and_an_empty_list_fail_check(emulator: RunningEmulator) -> None:
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    with pytest.raises(CheckFailed, match="unique"):
        engine.check({"environment_id": "env", "items": [items("s")[0], items("s")[0]]})
    with pytest.raises(CheckFailed):
        engine.check({"environment_id": "env", "items": []})
    assert sent(emulator) == []


def test_a_failed_item_update_after_create_resets_the_new_dashboard_and_says_so(
    emulator: RunningEmulator,
) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    emulator.inject(vendor="railway", operation="observabilityDashboardUpdate", count=1, status=400)

    with pytest.raises(Exception, match="none of our items were kept"):
        engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})

    [dashboard] = live_dashboards(emulator, ids["environment_id"])
    assert "p95 latency" not in item_names(dashboard)
    assert len(sent(emulator, "observabilityDashboardReset")) == 1


def test_a_failed_item_update_on_an_adopted_dashboard_leaves_it_as_it_was(emulator: RunningEmulator) -> None:
    ids = project_with_service(emulator, project="dash", service="web", image="nginx:1")
    engine = Engine(configure(ObservabilityDashboardProvider(), emulator))
    engine.provider.client().observability_dashboard_create(ids["environment_id"])
    [before] = live_dashboards(emulator, ids["environment_id"])
    emulator.inject(vendor="railway", operation="observabilityDashboardUpdate", count=1, status=400)

    with pytest.raises(Exception, match="adopted, left unchanged"):
        engine.create({"environment_id": ids["environment_id"], "items": items(ids["service_id"])})

    assert live_dashboards(emulator, ids["environment_id"]) == [before]
    assert sent(emulator, "observabilityDashboardReset") == []


def test_a_pickled_provider_holds_no_token(emulator: RunningEmulator) -> None:
    provider = configure(ObservabilityDashboardProvider(), emulator)
    provider.client()
    blob = dill.dumps(provider, recurse=True)
    assert TOKEN.encode() not in blob
    assert isinstance(dill.loads(blob), ObservabilityDashboardProvider)
