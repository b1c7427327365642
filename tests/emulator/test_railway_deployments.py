"""Railway emulator: the deployment lifecycle, injected failures, logs, and variables (which redeploy)."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import (
    _CLIENT,
    VARIABLE_COLLECTION_UPSERT,
    create_project,
    create_service,
    deploy,
    deployment,
    deployments,
    gql,
    gql_error,
    variables,
)

LOGS = (
    "query deploymentLogs($deploymentId: String!, $limit: Int) "
    "{ deploymentLogs(deploymentId: $deploymentId, limit: $limit) { timestamp message severity } }"
)
BUILD_LOGS = (
    "query buildLogs($deploymentId: String!) { buildLogs(deploymentId: $deploymentId) { message severity } }"
)


def _slow_time(emulator: RunningEmulator) -> None:
    """Time scale 1: statuses follow emulated time, which the test moves with `/_emulator/clock`."""
    _CLIENT.post(f"{emulator.url}/_emulator/settings", json={"time_scale": 1}).raise_for_status()


def _advance(emulator: RunningEmulator, seconds: float) -> None:
    _CLIENT.post(f"{emulator.url}/_emulator/clock", json={"advance_seconds": seconds}).raise_for_status()


def test_deployment_moves_through_its_lifecycle_in_emulated_time(emulator: RunningEmulator) -> None:
    _slow_time(emulator)
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"repo": "acme/api"}, branch="main")
    deployment_id = deploy(emulator, service_id, production)
    seen = [deployment(emulator, deployment_id)["status"]]
    for _ in range(20):
        _advance(emulator, 10)
        seen.append(deployment(emulator, deployment_id)["status"])
        if seen[-1] == "SUCCESS":
            break
    assert seen[0] == "INITIALIZING"
    assert seen[-1] == "SUCCESS"
    order = ["INITIALIZING", "BUILDING", "DEPLOYING", "SUCCESS"]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
    assert {"BUILDING", "DEPLOYING"} <= set(seen)


def test_at_time_scale_zero_a_deployment_is_done_on_the_next_look(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"})
    deployment_id = deploy(emulator, service_id, production)
    found = deployment(emulator, deployment_id)
    assert found["status"] == "SUCCESS"
    assert found["serviceId"] == service_id
    assert found["environmentId"] == production
    multi_region = found["meta"]["serviceManifest"]["deploy"]["multiRegionConfig"]
    assert multi_region == {"us-west2": {"numReplicas": 1}}
    # The deployment it replaced is taken down once the new one is live.
    statuses = [d["status"] for d in deployments(emulator, service_id, production)]
    assert statuses == ["SUCCESS", "REMOVED"]


def test_injected_deployment_failure_ends_failed_with_error_logs(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"})
    good = instance_latest(emulator, service_id, production)
    emulator.inject(vendor="railway", operation="serviceInstanceDeployV2", effect="deployment_failed")
    deployment_id = deploy(emulator, service_id, production)
    assert deployment(emulator, deployment_id)["status"] == "FAILED"
    logs = gql(emulator, BUILD_LOGS, {"deploymentId": deployment_id})["buildLogs"]
    assert any(line["severity"] == "error" for line in logs)
    # The deployment that was live stays live.
    assert deployment(emulator, good)["status"] == "SUCCESS"
    # The fault was used up: the next deployment succeeds.
    assert deployment(emulator, deploy(emulator, service_id, production))["status"] == "SUCCESS"


def test_injected_crash_ends_crashed(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"})
    emulator.inject(vendor="railway", operation="serviceInstanceDeployV2", effect="deployment_crashed")
    deployment_id = deploy(emulator, service_id, production)
    assert deployment(emulator, deployment_id)["status"] == "CRASHED"
    logs = gql(emulator, LOGS, {"deploymentId": deployment_id, "limit": 50})["deploymentLogs"]
    assert [line["severity"] for line in logs if line["severity"] == "error"]
    assert all(line["timestamp"].endswith("Z") for line in logs)


def test_successful_deployment_logs_and_missing_deployment(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, "api", source={"image": "nginx"})
    deployment_id = deploy(emulator, service_id, production)
    deployment(emulator, deployment_id)
    logs = gql(emulator, LOGS, {"deploymentId": deployment_id})["deploymentLogs"]
    assert logs and all(line["severity"] == "info" for line in logs)
    assert any("api" in line["message"] for line in logs)
    missing = gql_error(emulator, LOGS, {"deploymentId": "00000000-0000-0000-0000-000000000000"})
    assert missing == "Deployment not found"


def test_deploying_a_service_without_a_source_is_refused(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    message = gql_error(
        emulator,
        "mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) "
        "{ serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }",
        {"serviceId": service_id, "environmentId": production},
    )
    assert "no source" in message
    assert emulator.state()["railway"]["deployments"] == []


def instance_latest(emulator: RunningEmulator, service_id: str, environment_id: str) -> str:
    latest = deployments(emulator, service_id, environment_id)[0]
    deployment_id: str = latest["id"]
    return deployment_id


def test_variable_collection_upsert_merges_replaces_and_redeploys(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"}, variables={"A": "1"})
    before = len(deployments(emulator, service_id, production))
    ids = {"projectId": project_id, "environmentId": production, "serviceId": service_id}
    gql(
        emulator, VARIABLE_COLLECTION_UPSERT, {"input": {**ids, "variables": {"B": "2"}, "skipDeploys": True}}
    )
    assert variables(emulator, project_id, production, service_id) == {"A": "1", "B": "2"}
    assert len(deployments(emulator, service_id, production)) == before  # skipDeploys: no deployment
    gql(emulator, VARIABLE_COLLECTION_UPSERT, {"input": {**ids, "variables": {"C": "3"}, "replace": True}})
    assert variables(emulator, project_id, production, service_id) == {"C": "3"}
    after = deployments(emulator, service_id, production)
    assert len(after) == before + 1  # a change without skipDeploys redeploys the service
    assert after[0]["meta"]["reason"] == "redeploy"


def test_variable_upsert_delete_and_shared_variables(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, "api")
    upsert = "mutation variableUpsert($input: VariableUpsertInput!) { variableUpsert(input: $input) }"
    delete = "mutation variableDelete($input: VariableDeleteInput!) { variableDelete(input: $input) }"
    ids = {"projectId": project_id, "environmentId": production}
    gql(emulator, upsert, {"input": {**ids, "name": "REGION", "value": "ca"}})  # shared: no serviceId
    gql(
        emulator,
        upsert,
        {"input": {**ids, "serviceId": service_id, "name": "URL", "value": "${{shared.REGION}}-x"}},
    )
    gql(
        emulator,
        upsert,
        {"input": {**ids, "serviceId": service_id, "name": "SELF", "value": "${{api.URL}}!"}},
    )
    assert variables(emulator, project_id, production, None) == {"REGION": "ca"}
    assert variables(emulator, project_id, production, service_id) == {
        "URL": "${{shared.REGION}}-x",
        "SELF": "${{api.URL}}!",
    }
    rendered = variables(emulator, project_id, production, service_id, unrendered=False)
    assert rendered["URL"] == "ca-x"
    assert rendered["SELF"] == "ca-x!"
    assert rendered["RAILWAY_SERVICE_NAME"] == "api"  # Railway's own variables appear only rendered
    gql(emulator, delete, {"input": {**ids, "serviceId": service_id, "name": "URL"}})
    assert variables(emulator, project_id, production, service_id) == {"SELF": "${{api.URL}}!"}
    bad = gql_error(
        emulator, upsert, {"input": {**ids, "serviceId": service_id, "name": "1BAD", "value": "x"}}
    )
    assert "Invalid variable name" in bad


def test_deployments_filter_by_status(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"})
    emulator.inject(vendor="railway", operation="serviceInstanceDeployV2", effect="deployment_failed")
    failed = deploy(emulator, service_id, production)
    deployment(emulator, failed)
    data = gql(
        emulator,
        "query deployments($input: DeploymentListInput!) "
        "{ deployments(input: $input) { edges { node { id } } } }",
        {"input": {"serviceId": service_id, "environmentId": production, "status": {"in": ["FAILED"]}}},
    )
    assert [edge["node"]["id"] for edge in data["deployments"]["edges"]] == [failed]


def test_the_deployment_index_follows_every_change_to_the_table() -> None:
    from emulator.core.clock import Clock
    from emulator.railway.models import RailwayModel

    model = RailwayModel(Clock(time_scale=0))
    instance = {"serviceId": "s", "environmentId": "e"}

    def row(ident: str, created: str, service: str = "s") -> dict[str, str]:
        return {"id": ident, "serviceId": service, "environmentId": "e", "createdAt": created}

    assert model.deployments_of(instance) == []
    table = model.data["deployments"]
    table["b"] = row("b", "2026-01-02")
    table["a"] = row("a", "2026-01-01")
    table["x"] = row("x", "2026-01-03", service="other")
    assert [d["id"] for d in model.deployments_of(instance)] == ["a", "b"]  # oldest first, its own only
    table.pop("a")
    table["c"] = row("c", "2026-01-04")  # one out, one in: the same size, still seen
    assert [d["id"] for d in model.deployments_of(instance)] == ["b", "c"]
    workspaces = model.data["workspaces"]
    model.load({"workspaces": workspaces, "deployments": {"z": row("z", "2026-02-01")}})
    assert [d["id"] for d in model.deployments_of(instance)] == ["z"]
