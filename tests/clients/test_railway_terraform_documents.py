"""The Terraform provider's own documents (`../shared/api/railway-real-documents/terraform`,
terraform-community-providers/terraform-provider-railway 0.6.2, genqlient wire documents) against the
emulator: each resource's create, read, import-style list, update and delete as the provider runs them."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from emulator.testing import RunningEmulator
from tests.clients.railway_documents import RailwayClient


@pytest.fixture
def tf(emulator: RunningEmulator, shared_api: Path) -> RailwayClient:
    return RailwayClient(emulator, shared_api, "terraform")


def test_terraform_resources_create_read_update_delete(tf: RailwayClient, emulator: RunningEmulator) -> None:
    # railway_project
    project = tf.data(
        "createProject",
        {"input": {"name": "acme", "description": "", "isPublic": False, "prDeploys": False}},
    )["projectCreate"]
    project_id = project["id"]
    # The provider takes the oldest environment as the default one.
    [default] = sorted(project["environments"]["edges"], key=lambda e: e["node"]["createdAt"])
    production = default["node"]["id"]
    updated = tf.data(
        "updateProject",
        {"id": project_id, "input": {"name": "acme-platform", "description": "ours", "prDeploys": True}},
    )["projectUpdate"]
    assert (updated["name"], updated["description"], updated["prDeploys"]) == ("acme-platform", "ours", True)
    read = tf.data("getProject", {"id": project_id})["project"]
    assert read["workspace"]["id"] and read["isPublic"] is False

    # railway_environment (import by name through getEnvironments)
    staging = tf.data("createEnvironment", {"input": {"name": "staging", "projectId": project_id}})[
        "environmentCreate"
    ]
    assert tf.data("getEnvironment", {"id": staging["id"]})["environment"] == staging
    names = {
        e["node"]["name"]
        for e in tf.data("getEnvironments", {"projectId": project_id})["environments"]["edges"]
    }
    assert names == {"production", "staging"}

    # railway_service: create, settings for every environment (environmentId: null), source, regions.
    service = tf.data("createService", {"input": {"name": "web", "projectId": project_id}})["serviceCreate"]
    service_id = service["id"]
    tf.data(
        "updateServiceInstance",
        {
            "serviceId": service_id,
            "input": {
                "source": {"image": "ghcr.io/acme/api:1"},
                "rootDirectory": "/srv",
                # The provider sends the regions it drops as null (the default region here).
                "multiRegionConfig": {"us-west2": None, "us-east4-eqdc4a": {"numReplicas": 2}},
            },
        },
    )
    instances = tf.data("getServiceInstances", {"serviceId": service_id})["service"]["serviceInstances"][
        "edges"
    ]
    assert {i["node"]["environmentId"] for i in instances} == {production, staging["id"]}
    instance = tf.data("getServiceInstance", {"environmentId": production, "serviceId": service_id})[
        "serviceInstance"
    ]
    assert instance["source"] == {"image": "ghcr.io/acme/api:1", "repo": None}
    assert instance["rootDirectory"] == "/srv"
    assert (
        tf.data("updateService", {"id": service_id, "input": {"name": "api"}})["serviceUpdate"]["name"]
        == "api"
    )
    assert tf.data("getService", {"id": service_id})["service"] == {
        "id": service_id,
        "name": "api",
        "projectId": project_id,
    }

    # source_repo + branch: connect (a deployment trigger), read the branch back, disconnect.
    tf.data("connectService", {"id": service_id, "input": {"repo": "acme/api", "branch": "release"}})
    triggers = tf.data(
        "listDeploymentTriggers",
        {"projectId": project_id, "environmentId": production, "serviceId": service_id},
    )["deploymentTriggers"]["edges"]
    assert triggers[0]["node"]["branch"] == "release"
    assert tf.data("redeployServiceInstance", {"environmentId": production, "serviceId": service_id}) == {
        "serviceInstanceRedeploy": True
    }
    meta = tf.data("getServiceInstance", {"environmentId": production, "serviceId": service_id})[
        "serviceInstance"
    ]["latestDeployment"]["meta"]
    assert meta["serviceManifest"]["deploy"]["multiRegionConfig"] == {"us-east4-eqdc4a": {"numReplicas": 2}}
    assert tf.data("disconnectService", {"id": service_id}) == {"serviceDisconnect": {"id": service_id}}
    assert (
        tf.data(
            "listDeploymentTriggers",
            {"projectId": project_id, "environmentId": production, "serviceId": service_id},
        )["deploymentTriggers"]["edges"]
        == []
    )

    # railway_variable, railway_variable_collection, railway_shared_variable
    scope = {"projectId": project_id, "environmentId": production, "serviceId": service_id}
    tf.data("upsertVariable", {"input": {**scope, "name": "A", "value": "1"}})
    tf.data("upsertVariableCollection", {"input": {**scope, "variables": {"B": "2", "C": "3"}}})
    tf.data("deleteVariable", {"input": {**scope, "name": "C"}})
    assert tf.data("getVariables", scope)["variables"] == {"A": "1", "B": "2"}
    tf.data(
        "upsertVariable",
        {"input": {"projectId": project_id, "environmentId": production, "name": "S", "value": "x"}},
    )
    shared = tf.data("getSharedVariables", {"projectId": project_id, "environmentId": production})
    assert shared["variables"] == {"S": "x"}

    # railway_service_domain (rename through update), railway_custom_domain, railway_tcp_proxy
    where = {"environmentId": production, "serviceId": service_id}
    domain = tf.data("createServiceDomain", {"input": {**where, "targetPort": 8080}})["serviceDomainCreate"]
    tf.data(
        "updateServiceDomain",
        {
            "input": {
                **where,
                "serviceDomainId": domain["id"],
                "domain": "acme-api." + domain["suffix"],
                "targetPort": 8080,
            }
        },
    )
    listed = tf.data("listServiceDomains", {**where, "projectId": project_id})["domains"]["serviceDomains"]
    assert [d["domain"] for d in listed] == ["acme-api.up.railway.app"]
    custom = tf.data(
        "createCustomDomain",
        {"input": {**where, "projectId": project_id, "domain": "api.acme.com", "targetPort": 8080}},
    )["customDomainCreate"]
    assert custom["status"]["verificationToken"].startswith("railway-verify=")
    tf.data("updateCustomDomain", {"environmentId": production, "id": custom["id"], "targetPort": 9090})
    customs = tf.data("listCustomDomains", {**where, "projectId": project_id})["domains"]["customDomains"]
    assert [(d["domain"], d["targetPort"]) for d in customs] == [("api.acme.com", 9090)]
    proxy = tf.data("createTcpProxy", {"input": {**where, "applicationPort": 5432}})["tcpProxyCreate"]
    assert tf.data("getTcpProxy", where)["tcpProxies"] == [proxy]
    assert tf.data("deleteTcpProxy", {"id": proxy["id"]}) == {"tcpProxyDelete": True}
    assert tf.data("deleteCustomDomain", {"id": custom["id"]}) == {"customDomainDelete": True}
    assert tf.data("deleteServiceDomain", {"id": domain["id"]}) == {"serviceDomainDelete": True}
    assert (
        tf.data("listServiceDomains", {**where, "projectId": project_id})["domains"]["serviceDomains"] == []
    )

    # The service's volume block
    volume = tf.data(
        "createVolume",
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": service_id,
                "mountPath": "/data",
            }
        },
    )["volumeCreate"]
    assert volume["volumeInstances"]["edges"][0]["node"]["mountPath"] == "/data"
    tf.data("updateVolume", {"id": volume["id"], "input": {"name": "api-data"}})
    tf.data("updateVolumeInstance", {"id": volume["id"], "input": {"mountPath": "/var/data"}})
    volumes = tf.data("getVolumeInstances", {"id": project_id})["project"]["volumes"]["edges"]
    [node] = [v["node"] for v in volumes]
    assert node["name"] == "api-data"
    assert {i["node"]["mountPath"] for i in node["volumeInstances"]["edges"]} == {"/var/data"}
    assert tf.data("deleteVolume", {"id": volume["id"]}) == {"volumeDelete": True}

    # Destroy, in Terraform's order.
    assert tf.data("deleteService", {"id": service_id}) == {"serviceDelete": True}
    assert tf.data("deleteEnvironment", {"id": staging["id"]}) == {"environmentDelete": True}
    assert tf.data("deleteProject", {"id": project_id}) == {"projectDelete": True}
    assert tf.error("getProject", {"id": project_id})["message"] == "Project not found"
    state = emulator.state()["railway"]
    assert all(not rows for table, rows in state.items() if table != "workspaces")
    assert tf.unsent() == set()


def test_terraform_errors_unknown_ids_bad_region_and_bad_token(
    tf: RailwayClient, emulator: RunningEmulator, shared_api: Path
) -> None:
    missing = str(uuid.uuid4())
    assert tf.error("getService", {"id": missing})["message"] == "Service not found"
    assert tf.error("getEnvironment", {"id": missing})["message"] == "Environment not found"
    assert tf.error("deleteTcpProxy", {"id": missing})["message"] == "TCPProxy not found"
    project_id = tf.data("createProject", {"input": {"name": "acme"}})["projectCreate"]["id"]
    service_id = tf.data("createService", {"input": {"name": "web", "projectId": project_id}})[
        "serviceCreate"
    ]["id"]
    assert (
        tf.error(
            "updateServiceInstance",
            {"serviceId": service_id, "input": {"multiRegionConfig": {"ca-central-1": {"numReplicas": 1}}}},
        )["message"]
        == "Invalid region: ca-central-1"
    )
    no_token = RailwayClient(emulator, shared_api, "terraform", token=None)
    assert no_token.error("getProject", {"id": project_id})["message"] == "Not Authorized"
