"""Railway emulator: projects, environments (forks), services and their instance settings."""

from __future__ import annotations

import uuid

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import (
    ENVIRONMENT_CREATE,
    PROJECT_CREATE,
    create_project,
    create_service,
    deploy,
    deployment,
    gql,
    gql_error,
    instance,
    update_instance,
    variables,
)

PROJECT = (
    "query project($id: String!) { project(id: $id) { id name description isPublic prDeploys workspaceId "
    "baseEnvironmentId environments { edges { node { id name } } } "
    "services { edges { node { id name } } } } }"
)
PROJECT_UPDATE = (
    "mutation projectUpdate($id: String!, $input: ProjectUpdateInput!) "
    "{ projectUpdate(id: $id, input: $input) { id name description isPublic } }"
)
PROJECT_DELETE = "mutation projectDelete($id: String!) { projectDelete(id: $id) }"
ENVIRONMENTS = (
    "query environments($projectId: String!) { environments(projectId: $projectId) "
    "{ edges { node { id name serviceInstances { edges { node { serviceId } } } } } } }"
)
ENVIRONMENT = "query environment($id: String!) { environment(id: $id) { id name projectId config } }"
DOMAIN_CREATE = (
    "mutation serviceDomainCreate($input: ServiceDomainCreateInput!) "
    "{ serviceDomainCreate(input: $input) { id } }"
)
SERVICE = "query service($id: String!) { service(id: $id) { id name icon projectId } }"


def test_project_create_makes_a_production_environment_with_uuid_ids(emulator: RunningEmulator) -> None:
    project = gql(emulator, PROJECT_CREATE, {"input": {"name": "shop", "description": "the shop"}})[
        "projectCreate"
    ]
    uuid.UUID(project["id"])
    environments = [edge["node"] for edge in project["environments"]["edges"]]
    assert [e["name"] for e in environments] == ["production"]
    uuid.UUID(environments[0]["id"])
    read = gql(emulator, PROJECT, {"id": project["id"]})["project"]
    assert read["name"] == "shop"
    assert read["description"] == "the shop"
    assert read["isPublic"] is False
    assert read["baseEnvironmentId"] == environments[0]["id"]
    workspaces = gql(emulator, "query me { me { workspaces { id } } }")["me"]["workspaces"]
    assert read["workspaceId"] == workspaces[0]["id"]


def test_project_create_honours_default_environment_name(emulator: RunningEmulator) -> None:
    project = gql(emulator, PROJECT_CREATE, {"input": {"name": "x", "defaultEnvironmentName": "dev"}})
    edges = project["projectCreate"]["environments"]["edges"]
    assert [edge["node"]["name"] for edge in edges] == ["dev"]


def test_projects_lists_every_project(emulator: RunningEmulator) -> None:
    first, _ = create_project(emulator, "a")
    second, _ = create_project(emulator, "b")
    data = gql(emulator, "query projects { projects { edges { node { id name } } } }")
    assert {edge["node"]["id"] for edge in data["projects"]["edges"]} == {first, second}


def test_project_update_keeps_omitted_fields_and_clears_null_ones(emulator: RunningEmulator) -> None:
    project_id, _ = create_project(emulator, "before", description="kept")
    renamed = gql(emulator, PROJECT_UPDATE, {"id": project_id, "input": {"name": "after"}})["projectUpdate"]
    assert renamed == {"id": project_id, "name": "after", "description": "kept", "isPublic": False}
    cleared = gql(emulator, PROJECT_UPDATE, {"id": project_id, "input": {"description": None}})[
        "projectUpdate"
    ]
    assert cleared["name"] == "after"
    assert cleared["description"] is None


def test_missing_project_is_a_graphql_error_with_http_200(emulator: RunningEmulator) -> None:
    assert gql_error(emulator, PROJECT, {"id": str(uuid.uuid4())}) == "Project not found"
    message = gql_error(emulator, PROJECT_UPDATE, {"id": str(uuid.uuid4()), "input": {"name": "x"}})
    assert message == "Project not found"


def test_project_delete_deletes_everything_under_it(emulator: RunningEmulator) -> None:
    project_id, environment_id = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx:1"}, variables={"A": "1"})
    gql(
        emulator,
        DOMAIN_CREATE,
        {"input": {"serviceId": service_id, "environmentId": environment_id}},
    )
    gql(
        emulator,
        "mutation volumeCreate($input: VolumeCreateInput!) { volumeCreate(input: $input) { id } }",
        {
            "input": {
                "projectId": project_id,
                "environmentId": environment_id,
                "serviceId": service_id,
                "mountPath": "/data",
            }
        },
    )
    other_project, _ = create_project(emulator, "other")
    assert gql(emulator, PROJECT_DELETE, {"id": project_id}) == {"projectDelete": True}
    state = emulator.state()["railway"]
    assert [p["id"] for p in state["projects"]] == [other_project]
    leftovers = {
        kind: rows
        for kind, rows in state.items()
        if kind not in ("workspaces", "projects", "environments") and rows
    }
    assert leftovers == {}
    assert all(e["projectId"] == other_project for e in state["environments"])
    assert gql_error(emulator, PROJECT, {"id": project_id}) == "Project not found"


def test_environment_create_rename_and_delete(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    staging = gql(emulator, ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": "staging"}})[
        "environmentCreate"
    ]
    assert staging["sourceEnvironment"] is None
    # A plain environment gets an instance of every existing service.
    assert instance(emulator, service_id, staging["id"])["environmentId"] == staging["id"]
    duplicate = gql_error(
        emulator, ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": "staging"}}
    )
    assert "already exists" in duplicate
    renamed = gql(
        emulator,
        "mutation environmentRename($id: String!, $input: EnvironmentRenameInput!) "
        "{ environmentRename(id: $id, input: $input) { id name } }",
        {"id": staging["id"], "input": {"name": "qa"}},
    )
    assert renamed["environmentRename"] == {"id": staging["id"], "name": "qa"}
    listed = gql(emulator, ENVIRONMENTS, {"projectId": project_id})["environments"]["edges"]
    assert [edge["node"]["name"] for edge in listed] == ["production", "qa"]
    assert gql(
        emulator,
        "mutation environmentDelete($id: String!) { environmentDelete(id: $id) }",
        {"id": staging["id"]},
    ) == {"environmentDelete": True}
    assert gql_error(emulator, ENVIRONMENT, {"id": staging["id"]}) == "Environment not found"
    assert {i["environmentId"] for i in emulator.state()["railway"]["serviceInstances"]} == {production}


def test_fork_copies_services_settings_variables_and_volumes(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(
        emulator, project_id, source={"image": "ghcr.io/acme/api:1"}, variables={"A": "1"}
    )
    update_instance(emulator, service_id, production, {"startCommand": "serve", "numReplicas": 3})
    gql(
        emulator,
        VARIABLE_SHARED_UPSERT,
        {"input": {"projectId": project_id, "environmentId": production, "variables": {"SHARED": "yes"}}},
    )
    gql(
        emulator,
        "mutation volumeCreate($input: VolumeCreateInput!) { volumeCreate(input: $input) { id } }",
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": service_id,
                "mountPath": "/data",
            }
        },
    )
    fork = gql(
        emulator,
        ENVIRONMENT_CREATE,
        {"input": {"projectId": project_id, "name": "staging", "sourceEnvironmentId": production}},
    )["environmentCreate"]
    assert fork["sourceEnvironment"] == {"id": production}
    copied = instance(emulator, service_id, fork["id"])
    assert copied["startCommand"] == "serve"
    assert copied["numReplicas"] == 3
    assert copied["source"] == {"image": "ghcr.io/acme/api:1", "repo": None}
    assert variables(emulator, project_id, fork["id"], service_id) == {"A": "1"}
    assert variables(emulator, project_id, fork["id"], None) == {"SHARED": "yes"}
    volume_instances = emulator.state()["railway"]["volumeInstances"]
    assert {v["environmentId"] for v in volume_instances} == {production, fork["id"]}
    # The fork is deployed with the copied settings.
    assert copied["latestDeployment"]["meta"]["serviceManifest"]["deploy"]["startCommand"] == "serve"
    # A service created in the fork exists only there; one created in production, in every non-fork.
    only_fork = create_service(emulator, project_id, "fork-only", environmentId=fork["id"])
    everywhere = create_service(emulator, project_id, "everywhere", environmentId=production)
    instances = emulator.state()["railway"]["serviceInstances"]
    assert {i["environmentId"] for i in instances if i["serviceId"] == only_fork} == {fork["id"]}
    assert {i["environmentId"] for i in instances if i["serviceId"] == everywhere} == {production}


VARIABLE_SHARED_UPSERT = (
    "mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) "
    "{ variableCollectionUpsert(input: $input) }"
)


def test_service_create_sets_source_variables_and_instances(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    staging = gql(emulator, ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": "staging"}})[
        "environmentCreate"
    ]["id"]
    service_id = create_service(
        emulator,
        project_id,
        "api",
        source={"repo": "acme/api"},
        branch="release",
        variables={"PORT": "8080"},
        registryCredentials={"username": "bot", "password": "s3cret"},
    )
    for environment_id in (production, staging):
        read = instance(emulator, service_id, environment_id)
        assert read["source"] == {"image": None, "repo": "acme/api"}
        assert read["serviceName"] == "api"
        assert read["latestDeployment"]["meta"]["branch"] == "release"
        assert variables(emulator, project_id, environment_id, service_id) == {"PORT": "8080"}
    assert "s3cret" not in str(emulator.state())
    assert gql(emulator, SERVICE, {"id": service_id})["service"]["name"] == "api"


def test_service_update_connect_and_missing_service(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    assert instance(emulator, service_id, production)["latestDeployment"] is None
    updated = gql(
        emulator,
        "mutation serviceUpdate($id: String!, $input: ServiceUpdateInput!) "
        "{ serviceUpdate(id: $id, input: $input) { id name icon } }",
        {"id": service_id, "input": {"name": "renamed", "icon": "🚀"}},
    )["serviceUpdate"]
    assert updated == {"id": service_id, "name": "renamed", "icon": "🚀"}
    gql(
        emulator,
        "mutation serviceConnect($id: String!, $input: ServiceConnectInput!) "
        "{ serviceConnect(id: $id, input: $input) { id } }",
        {"id": service_id, "input": {"image": "redis:7"}},
    )
    connected = instance(emulator, service_id, production)
    assert connected["source"]["image"] == "redis:7"
    assert connected["latestDeployment"]["meta"]["image"] == "redis:7"
    assert gql_error(emulator, SERVICE, {"id": str(uuid.uuid4())}) == "Service not found"


def test_service_delete_removes_instances_variables_domains_proxies_deployments(
    emulator: RunningEmulator,
) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"}, variables={"A": "1"})
    keep_id = create_service(emulator, project_id, "keep", source={"image": "nginx"})
    gql(
        emulator,
        DOMAIN_CREATE,
        {"input": {"serviceId": service_id, "environmentId": production}},
    )
    gql(
        emulator,
        "mutation tcpProxyCreate($input: TCPProxyCreateInput!) { tcpProxyCreate(input: $input) { id } }",
        {"input": {"serviceId": service_id, "environmentId": production, "applicationPort": 6379}},
    )
    assert gql(
        emulator, "mutation serviceDelete($id: String!) { serviceDelete(id: $id) }", {"id": service_id}
    ) == {"serviceDelete": True}
    state = emulator.state()["railway"]
    for kind in ("services", "serviceInstances", "variables", "deployments", "serviceDomains", "tcpProxies"):
        assert all(row.get("serviceId", row.get("id")) != service_id for row in state[kind]), kind
    assert [s["id"] for s in state["services"]] == [keep_id]
    assert gql_error(emulator, SERVICE, {"id": service_id}) == "Service not found"


def test_service_instance_update_absent_keeps_null_clears_value_sets(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    defaults = instance(emulator, service_id, production)
    assert defaults["restartPolicyType"] == "ON_FAILURE"
    assert defaults["restartPolicyMaxRetries"] == 10
    assert defaults["numReplicas"] == 1
    assert defaults["watchPatterns"] == []
    update_instance(
        emulator,
        service_id,
        production,
        {
            "startCommand": "uvicorn app:app",
            "healthcheckPath": "/health",
            "healthcheckTimeout": 120,
            "restartPolicyType": "ALWAYS",
            "restartPolicyMaxRetries": 3,
            "preDeployCommand": ["alembic upgrade head"],
            "sleepApplication": True,
        },
    )
    update_instance(emulator, service_id, production, {"healthcheckPath": "/ready"})
    read = instance(emulator, service_id, production)
    assert read["startCommand"] == "uvicorn app:app"  # absent: kept
    assert read["healthcheckPath"] == "/ready"  # value: set
    assert read["preDeployCommand"] == ["alembic upgrade head"]
    update_instance(emulator, service_id, production, {"startCommand": None, "restartPolicyType": None})
    read = instance(emulator, service_id, production)
    assert read["startCommand"] is None  # null: cleared
    assert read["restartPolicyType"] == "ON_FAILURE"  # null: back to Railway's default
    assert read["healthcheckTimeout"] == 120
    assert read["restartPolicyMaxRetries"] == 3
    assert read["sleepApplication"] is True


def test_service_instance_update_without_environment_applies_to_every_environment(
    emulator: RunningEmulator,
) -> None:
    project_id, production = create_project(emulator)
    staging = gql(emulator, ENVIRONMENT_CREATE, {"input": {"projectId": project_id, "name": "staging"}})[
        "environmentCreate"
    ]["id"]
    service_id = create_service(emulator, project_id)
    update_instance(emulator, service_id, None, {"rootDirectory": "/api"})
    assert instance(emulator, service_id, production)["rootDirectory"] == "/api"
    assert instance(emulator, service_id, staging)["rootDirectory"] == "/api"
    update_instance(emulator, service_id, staging, {"rootDirectory": "/other"})
    assert instance(emulator, service_id, production)["rootDirectory"] == "/api"


def test_regions_and_replicas_through_multi_region_config(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx"})
    update_instance(
        emulator,
        service_id,
        production,
        {"multiRegionConfig": {"us-west2": {"numReplicas": 2}, "europe-west4-drams3a": {"numReplicas": 1}}},
    )
    assert instance(emulator, service_id, production)["numReplicas"] == 3
    # A region set to null inside multiRegionConfig is removed; the others are kept.
    update_instance(emulator, service_id, production, {"multiRegionConfig": {"us-west2": None}})
    config = gql(emulator, ENVIRONMENT, {"id": production})["environment"]["config"]
    deploy_config = config["services"][service_id]["deploy"]
    assert deploy_config["multiRegionConfig"] == {"europe-west4-drams3a": {"numReplicas": 1}}
    # Single-region form: region + numReplicas.
    update_instance(emulator, service_id, production, {"region": "us-east4-eqdc4a", "numReplicas": 4})
    read = instance(emulator, service_id, production)
    assert (read["region"], read["numReplicas"]) == ("us-east4-eqdc4a", 4)


def test_bad_settings_are_refused_and_change_nothing(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    update_instance(emulator, service_id, production, {"startCommand": "keep me"})
    message = gql_error(
        emulator,
        "mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, "
        "$input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, "
        "environmentId: $environmentId, input: $input) }",
        {
            "serviceId": service_id,
            "environmentId": production,
            "input": {"startCommand": "changed", "region": "ca-central-1"},
        },
    )
    assert message == "Invalid region: ca-central-1"
    assert instance(emulator, service_id, production)["startCommand"] == "keep me"
    too_many = gql_error(
        emulator,
        "mutation serviceInstanceUpdate($serviceId: String!, $input: ServiceInstanceUpdateInput!) "
        "{ serviceInstanceUpdate(serviceId: $serviceId, input: $input) }",
        {"serviceId": service_id, "input": {"numReplicas": 51}},
    )
    assert "at most 50" in too_many


def test_settings_are_staged_until_the_next_deployment(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx:1"})
    first = instance(emulator, service_id, production)["latestDeployment"]
    assert first["meta"]["serviceManifest"]["deploy"]["numReplicas"] == 1
    update_instance(
        emulator,
        service_id,
        production,
        {"numReplicas": 2, "source": {"image": "nginx:2"}, "startCommand": "go"},
    )
    staged = instance(emulator, service_id, production)
    assert staged["numReplicas"] == 2  # the configuration changed at once...
    assert staged["latestDeployment"]["id"] == first["id"]  # ...what runs did not
    assert staged["latestDeployment"]["meta"]["serviceManifest"]["deploy"]["numReplicas"] == 1
    deployment_id = deploy(emulator, service_id, production)
    live = deployment(emulator, deployment_id)
    assert live["meta"]["serviceManifest"]["deploy"]["numReplicas"] == 2
    assert live["meta"]["serviceManifest"]["deploy"]["startCommand"] == "go"
    assert live["meta"]["image"] == "nginx:2"
    assert instance(emulator, service_id, production)["latestDeployment"]["id"] == deployment_id


def test_redeploy_reruns_the_previous_source_with_current_settings(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, source={"image": "nginx:1"})
    update_instance(emulator, service_id, production, {"source": {"image": "nginx:2"}, "startCommand": "new"})
    redeploy = (
        "mutation serviceInstanceRedeploy($serviceId: String!, $environmentId: String!) "
        "{ serviceInstanceRedeploy(serviceId: $serviceId, environmentId: $environmentId) }"
    )
    assert gql(emulator, redeploy, {"serviceId": service_id, "environmentId": production}) == {
        "serviceInstanceRedeploy": True
    }
    latest = instance(emulator, service_id, production)["latestDeployment"]
    assert latest["meta"]["image"] == "nginx:1"
    assert latest["meta"]["serviceManifest"]["deploy"]["startCommand"] == "new"


def test_limits_update_and_read(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id)
    limits = (
        "query serviceInstanceLimits($serviceId: String!, $environmentId: String!) "
        "{ serviceInstanceLimits(serviceId: $serviceId, environmentId: $environmentId) }"
    )
    update = (
        "mutation serviceInstanceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) "
        "{ serviceInstanceLimitsUpdate(input: $input) }"
    )
    ids = {"serviceId": service_id, "environmentId": production}
    default = gql(emulator, limits, ids)["serviceInstanceLimits"]
    assert set(default) == {"vCPUs", "memoryGB"}
    gql(emulator, update, {"input": {**ids, "vCPUs": 2, "memoryGB": 4}})
    assert gql(emulator, limits, ids)["serviceInstanceLimits"] == {"vCPUs": 2.0, "memoryGB": 4.0}
    gql(emulator, update, {"input": {**ids, "memoryGB": None}})
    assert gql(emulator, limits, ids)["serviceInstanceLimits"] == {
        "vCPUs": 2.0,
        "memoryGB": default["memoryGB"],
    }
    assert "must be between" in gql_error(emulator, update, {"input": {**ids, "vCPUs": 1000}})


def test_regions_lists_metal_regions_and_deprecated_legacy_ones(emulator: RunningEmulator) -> None:
    regions = gql(
        emulator,
        "query regions { regions { name region country location "
        "deploymentConstraints { deprecationInfo { isDeprecated replacementRegion } } } }",
        headers={},
    )["regions"]
    current = {r["name"] for r in regions if r["deploymentConstraints"] is None}
    assert current == {"us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a"}
    legacy = {
        r["name"]: r["deploymentConstraints"]["deprecationInfo"]["replacementRegion"]
        for r in regions
        if r["deploymentConstraints"]
    }
    assert legacy == {
        "us-west1": "us-west2",
        "us-east4": "us-east4-eqdc4a",
        "europe-west4": "europe-west4-drams3a",
        "asia-southeast1": "asia-southeast1-eqsg3a",
    }
    assert not any(r["country"].lower() == "ca" for r in regions)
