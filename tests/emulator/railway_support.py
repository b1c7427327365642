"""Plain-HTTP helpers for the Railway emulator tests: one GraphQL document per call, as a client sends it."""

from __future__ import annotations

from typing import Any

import httpx

from emulator.testing import RunningEmulator

TOKEN = "test-account-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
# One client for every call: a fresh httpx connection per request costs more than the emulator's work.
_CLIENT = httpx.Client(timeout=10)


def post(
    emulator: RunningEmulator,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    operation_name: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name is not None:
        body["operationName"] = operation_name
    return _CLIENT.post(emulator.railway_url, json=body, headers=BEARER if headers is None else headers)


def gql(
    emulator: RunningEmulator,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The `data` of a successful document; fails the test on any GraphQL error."""
    response = post(emulator, query, variables, headers)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert "errors" not in payload, payload
    data: dict[str, Any] = payload["data"]
    return data


def gql_error(
    emulator: RunningEmulator,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> str:
    """The message of the GraphQL error a document gets (HTTP 200, `data: null`)."""
    response = post(emulator, query, variables, headers)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload.get("data") is None, payload
    assert payload["errors"], payload
    return str(payload["errors"][0]["message"])


PROJECT_CREATE = (
    "mutation projectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) "
    "{ id name description workspaceId environments { edges { node { id name } } } } }"
)
SERVICE_CREATE = (
    "mutation serviceCreate($input: ServiceCreateInput!) "
    "{ serviceCreate(input: $input) { id name projectId } }"
)
ENVIRONMENT_CREATE = (
    "mutation environmentCreate($input: EnvironmentCreateInput!) "
    "{ environmentCreate(input: $input) { id name projectId sourceEnvironment { id } } }"
)
SERVICE_INSTANCE = (
    "query serviceInstance($serviceId: String!, $environmentId: String!) "
    "{ serviceInstance(serviceId: $serviceId, environmentId: $environmentId) { id serviceId environmentId "
    "serviceName buildCommand builder cronSchedule healthcheckPath healthcheckTimeout numReplicas region "
    "restartPolicyType restartPolicyMaxRetries sleepApplication startCommand preDeployCommand watchPatterns "
    "rootDirectory source { image repo } latestDeployment { id status meta } } }"
)
SERVICE_INSTANCE_UPDATE = (
    "mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, "
    "$input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, "
    "environmentId: $environmentId, input: $input) }"
)
DEPLOY = (
    "mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) "
    "{ serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }"
)
DEPLOYMENT = (
    "query deployment($id: String!) { deployment(id: $id) { id status meta serviceId environmentId } }"
)
VARIABLES = (
    "query variables($projectId: String!, $environmentId: String!, $serviceId: String, $unrendered: Boolean) "
    "{ variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, "
    "unrendered: $unrendered) }"
)
VARIABLE_COLLECTION_UPSERT = (
    "mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) "
    "{ variableCollectionUpsert(input: $input) }"
)
DEPLOYMENTS = (
    "query deployments($input: DeploymentListInput!) "
    "{ deployments(input: $input) { edges { node { id status meta } } } }"
)


def create_project(emulator: RunningEmulator, name: str = "demo", **extra: Any) -> tuple[str, str]:
    """(project id, id of its default environment)."""
    project = gql(emulator, PROJECT_CREATE, {"input": {"name": name, **extra}})["projectCreate"]
    return project["id"], project["environments"]["edges"][0]["node"]["id"]


def create_service(emulator: RunningEmulator, project_id: str, name: str = "web", **extra: Any) -> str:
    data = gql(emulator, SERVICE_CREATE, {"input": {"projectId": project_id, "name": name, **extra}})
    service_id: str = data["serviceCreate"]["id"]
    return service_id


def instance(emulator: RunningEmulator, service_id: str, environment_id: str) -> dict[str, Any]:
    data = gql(emulator, SERVICE_INSTANCE, {"serviceId": service_id, "environmentId": environment_id})
    found: dict[str, Any] = data["serviceInstance"]
    return found


def update_instance(
    emulator: RunningEmulator, service_id: str, environment_id: str | None, settings: dict[str, Any]
) -> None:
    variables = {"serviceId": service_id, "environmentId": environment_id, "input": settings}
    assert gql(emulator, SERVICE_INSTANCE_UPDATE, variables) == {"serviceInstanceUpdate": True}


def deploy(emulator: RunningEmulator, service_id: str, environment_id: str) -> str:
    data = gql(emulator, DEPLOY, {"serviceId": service_id, "environmentId": environment_id})
    deployment_id: str = data["serviceInstanceDeployV2"]
    return deployment_id


def deployment(emulator: RunningEmulator, deployment_id: str) -> dict[str, Any]:
    found: dict[str, Any] = gql(emulator, DEPLOYMENT, {"id": deployment_id})["deployment"]
    return found


def deployments(emulator: RunningEmulator, service_id: str, environment_id: str) -> list[dict[str, Any]]:
    data = gql(emulator, DEPLOYMENTS, {"input": {"serviceId": service_id, "environmentId": environment_id}})
    return [edge["node"] for edge in data["deployments"]["edges"]]


def variables(
    emulator: RunningEmulator,
    project_id: str,
    environment_id: str,
    service_id: str | None,
    unrendered: bool = True,
) -> dict[str, str]:
    data = gql(
        emulator,
        VARIABLES,
        {
            "projectId": project_id,
            "environmentId": environment_id,
            "serviceId": service_id,
            "unrendered": unrendered,
        },
    )
    values: dict[str, str] = data["variables"]
    return values
