"""Railway emulator: observability dashboards (one per environment; create, update, reset, query)."""

from __future__ import annotations

from typing import Any

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import (
    ENVIRONMENT_CREATE,
    create_project,
    create_service,
    gql,
    gql_error,
    post,
)

CREATE = (
    "mutation observabilityDashboardCreate($input: ObservabilityDashboardCreateInput!) "
    "{ observabilityDashboardCreate(input: $input) }"
)
UPDATE = (
    "mutation observabilityDashboardUpdate($id: String!, $input: [ObservabilityDashboardUpdateInput!]!) "
    "{ observabilityDashboardUpdate(id: $id, input: $input) }"
)
RESET = "mutation observabilityDashboardReset($id: String!) { observabilityDashboardReset(id: $id) }"
DASHBOARDS = (
    "query observabilityDashboards($environmentId: String!) "
    "{ observabilityDashboards(environmentId: $environmentId) { edges { node { id items { id displayConfig "
    "dashboardItem { id name description type config { httpMetric logsFilter measurements "
    "projectUsageProperties resourceIds } } } } } } }"
)
PROJECT_DELETE = "mutation projectDelete($id: String!) { projectDelete(id: $id) }"
ENVIRONMENT_DELETE = "mutation environmentDelete($id: String!) { environmentDelete(id: $id) }"


def item(item_id: str, kind: str = "SERVICE_METRICS_ITEM", **config: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "displayConfig": {"x": 0, "y": 0, "w": 6, "h": 4},
        "dashboardItem": {
            "id": f"{item_id}-item",
            "name": f"chart {item_id}",
            "type": kind,
            "config": config or {"measurements": ["CPU_USAGE"]},
        },
    }


def dashboards(emulator: RunningEmulator, environment_id: str) -> list[dict[str, Any]]:
    data = gql(emulator, DASHBOARDS, {"environmentId": environment_id})
    return [edge["node"] for edge in data["observabilityDashboards"]["edges"]]


def test_create_without_items_makes_the_default_dashboard_over_the_environments_services(
    emulator: RunningEmulator,
) -> None:
    project_id, environment_id = create_project(emulator)
    service_id = create_service(emulator, project_id)
    assert dashboards(emulator, environment_id) == []

    assert gql(emulator, CREATE, {"input": {"environmentId": environment_id}}) == {
        "observabilityDashboardCreate": True
    }

    [dashboard] = dashboards(emulator, environment_id)
    kinds = [i["dashboardItem"]["type"] for i in dashboard["items"]]
    assert "SERVICE_METRICS_ITEM" in kinds and "SERVICE_LOGS_ITEM" in kinds
    metrics = next(i for i in dashboard["items"] if i["dashboardItem"]["type"] == "SERVICE_METRICS_ITEM")
    assert metrics["dashboardItem"]["config"]["resourceIds"] == [service_id]
    assert set(metrics["displayConfig"]) == {"x", "y", "w", "h"}


def test_create_with_items_keeps_them_as_sent_and_a_second_create_is_refused(
    emulator: RunningEmulator,
) -> None:
    _, environment_id = create_project(emulator)
    latency = item("latency", "HTTP_METRICS_ITEM", httpMetric="LATENCY", resourceIds=["svc-1"])
    gql(emulator, CREATE, {"input": {"environmentId": environment_id, "items": [latency]}})

    [dashboard] = dashboards(emulator, environment_id)
    [stored] = dashboard["items"]
    assert stored["id"] == "latency" and stored["displayConfig"] == latency["displayConfig"]
    assert stored["dashboardItem"]["config"] == {
        "httpMetric": "LATENCY",
        "logsFilter": None,
        "measurements": None,
        "projectUsageProperties": None,
        "resourceIds": ["svc-1"],
    }
    message = gql_error(emulator, CREATE, {"input": {"environmentId": environment_id}})
    assert "already exists" in message
    assert len(dashboards(emulator, environment_id)) == 1


def test_update_replaces_the_item_list_and_reset_restores_the_defaults(emulator: RunningEmulator) -> None:
    project_id, environment_id = create_project(emulator)
    create_service(emulator, project_id)
    gql(emulator, CREATE, {"input": {"environmentId": environment_id}})
    [dashboard] = dashboards(emulator, environment_id)
    defaults = [i["dashboardItem"]["name"] for i in dashboard["items"]]

    gql(emulator, UPDATE, {"id": dashboard["id"], "input": [item("a"), item("b")]})
    [updated] = dashboards(emulator, environment_id)
    assert updated["id"] == dashboard["id"]
    assert [i["id"] for i in updated["items"]] == ["a", "b"]

    gql(emulator, UPDATE, {"id": dashboard["id"], "input": [item("c")]})
    assert [i["id"] for i in dashboards(emulator, environment_id)[0]["items"]] == ["c"]

    assert gql(emulator, RESET, {"id": dashboard["id"]}) == {"observabilityDashboardReset": True}
    [reset] = dashboards(emulator, environment_id)
    assert reset["id"] == dashboard["id"]
    assert [i["dashboardItem"]["name"] for i in reset["items"]] == defaults


def test_a_bad_update_changes_nothing(emulator: RunningEmulator) -> None:
    _, environment_id = create_project(emulator)
    gql(emulator, CREATE, {"input": {"environmentId": environment_id, "items": [item("keep")]}})
    [dashboard] = dashboards(emulator, environment_id)

    duplicate = gql_error(emulator, UPDATE, {"id": dashboard["id"], "input": [item("x"), item("x")]})
    assert "Duplicate" in duplicate
    no_metric = gql_error(
        emulator, UPDATE, {"id": dashboard["id"], "input": [item("h", "HTTP_METRICS_ITEM")]}
    )
    assert "httpMetric" in no_metric
    unknown_enum = post(
        emulator,
        UPDATE,
        {"id": dashboard["id"], "input": [item("m", measurements=["NOT_A_MEASUREMENT"])]},
    )
    assert unknown_enum.status_code == 400

    assert [i["id"] for i in dashboards(emulator, environment_id)[0]["items"]] == ["keep"]


def test_unknown_ids_are_not_found(emulator: RunningEmulator) -> None:
    assert gql_error(emulator, RESET, {"id": "nope"}) == "ObservabilityDashboard not found"
    assert gql_error(emulator, UPDATE, {"id": "nope", "input": []}) == "ObservabilityDashboard not found"
    assert gql_error(emulator, DASHBOARDS, {"environmentId": "nope"}) == "Environment not found"


def test_the_dashboard_goes_with_its_environment_and_its_project(emulator: RunningEmulator) -> None:
    project_id, environment_id = create_project(emulator)
    staging = gql(emulator, ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": "staging"}})
    staging_id = staging["environmentCreate"]["id"]
    for env in (environment_id, staging_id):
        gql(emulator, CREATE, {"input": {"environmentId": env}})
    assert len(emulator.state()["railway"]["observabilityDashboards"]) == 2

    gql(emulator, ENVIRONMENT_DELETE, {"id": staging_id})
    rows = emulator.state()["railway"]["observabilityDashboards"]
    assert [r["environmentId"] for r in rows] == [environment_id]

    gql(emulator, PROJECT_DELETE, {"id": project_id})
    assert emulator.state()["railway"]["observabilityDashboards"] == []
