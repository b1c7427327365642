"""The Railway CLI's own documents (`../shared/api/railway-real-documents/cli`, railwayapp/cli 5.43.1)
against the emulator: a platform engineer's session from login to teardown, every document sent with the
variables the CLI sends, every answer valid against Railway's published schema."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from emulator.testing import RunningEmulator
from tests.clients.railway_documents import RailwayClient


@pytest.fixture
def cli(emulator: RunningEmulator, shared_api: Path) -> RailwayClient:
    return RailwayClient(emulator, shared_api, "cli")


def _deployed(cli: RailwayClient, deployment_id: str) -> str:
    """`railway up`'s wait: poll DeploymentStatus until the deployment ends."""
    status = {"value": ""}

    def done() -> bool:
        status["value"] = cli.data("DeploymentStatus", {"id": deployment_id})["deployment"]["status"]
        return status["value"] in ("SUCCESS", "FAILED", "CRASHED", "REMOVED", "SKIPPED")

    cli.wait(done, f"deployment {deployment_id}")
    return status["value"]


def test_cli_session_creates_lists_gets_updates_and_deletes_every_object(
    cli: RailwayClient, emulator: RunningEmulator
) -> None:
    assert cli.data("UserMeta")["me"]["email"]
    regions = {r["name"] for r in cli.data("Regions", {"projectId": None})["regions"]}
    assert {"us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a"} <= regions

    # railway init
    created = cli.data("ProjectCreate", {"name": "acme", "description": None, "workspaceId": None})
    project_id = created["projectCreate"]["id"]
    [production_edge] = created["projectCreate"]["environments"]["edges"]
    production = production_edge["node"]["id"]
    assert production_edge["node"]["name"] == "production"
    listed = cli.data("Projects", {"workspaceId": None})["projects"]["edges"]
    assert [p["node"]["id"] for p in listed] == [project_id]
    assert cli.data("Project", {"id": project_id})["project"]["environments"]["edges"][0]["node"] == {
        "id": production,
        "name": "production",
        "canAccess": True,
        "deletedAt": None,
        "unmergedChangesCount": None,
    }
    user_projects = cli.data("UserProjects")
    assert user_projects["externalWorkspaces"] == []
    [workspace] = user_projects["me"]["workspaces"]
    assert [p["node"]["id"] for p in workspace["projects"]["edges"]] == [project_id]

    # railway add --service web --image ...; railway variables --set
    service_id = cli.data(
        "ServiceCreate",
        {
            "name": "web",
            "projectId": project_id,
            "environmentId": production,
            "source": {"image": "ghcr.io/acme/api:1.4.2"},
            "branch": None,
            "variables": {"NODE_ENV": "production", "PORT": "5000"},
        },
    )["serviceCreate"]["id"]
    assert cli.data("ServiceInstance", {"environmentId": production, "serviceId": service_id})
    ids = {"projectId": project_id, "environmentId": production, "serviceId": service_id}
    cli.data("VariableCollectionUpsert", {**ids, "variables": {"OLD": "1"}, "skipDeploys": True})
    cli.data("VariableDelete", {**ids, "name": "OLD"})
    rendered = cli.data("VariablesForServiceDeployment", ids)["variablesForServiceDeployment"]
    assert rendered["NODE_ENV"] == "production" and "OLD" not in rendered
    assert rendered["RAILWAY_ENVIRONMENT_NAME"] == "production"

    # Service settings, replicas and a TCP proxy the way the CLI changes them: staged, then committed.
    cli.data(
        "ServiceInstanceUpdate",
        {"serviceId": service_id, "environmentId": production, "input": {"healthcheckPath": "/health"}},
    )
    staged = cli.data(
        "EnvironmentStageChanges",
        {
            "environmentId": production,
            "input": {
                "services": {service_id: {"deploy": {"multiRegionConfig": {"us-west2": {"numReplicas": 2}}}}}
            },
            "merge": True,
        },
    )["environmentStageChanges"]
    assert staged["status"] == "STAGED"
    cli.data(
        "EnvironmentStageChanges",
        {
            "environmentId": production,
            "input": {"services": {service_id: {"networking": {"tcpProxies": {"5000": {}}}}}},
            "merge": True,
        },
    )
    committed = cli.data(
        "EnvironmentPatchCommitStaged",
        {"environmentId": production, "commitMessage": "scale web", "skipDeploys": None},
    )["environmentPatchCommitStaged"]
    assert committed == staged["id"]
    cli.data(
        "EnvironmentPatchCommit",
        {
            "environmentId": production,
            "patch": {"services": {service_id: {"deploy": {"startCommand": "node server.js"}}}},
            "commitMessage": None,
        },
    )
    config = cli.data("EnvironmentConfig", {"id": production, "decryptVariables": True})["environment"][
        "config"
    ]
    service_config = config["services"][service_id]
    assert service_config["deploy"]["multiRegionConfig"] == {"us-west2": {"numReplicas": 2}}
    assert service_config["deploy"]["startCommand"] == "node server.js"
    assert service_config["deploy"]["healthcheckPath"] == "/health"
    assert service_config["variables"]["PORT"] == {"value": "5000"}
    assert list(service_config["networking"]["tcpProxies"]) == ["5000"]
    [proxy] = cli.data("TcpProxies", {"environmentId": production, "serviceId": service_id})["tcpProxies"]
    assert proxy["applicationPort"] == 5000 and proxy["syncStatus"] == "ACTIVE"

    # railway up / redeploy / restart / down, waiting for the deployment as the CLI does.
    deployment_id = cli.data("ServiceInstanceDeploy", {"environmentId": production, "serviceId": service_id})[
        "serviceInstanceDeployV2"
    ]
    assert _deployed(cli, deployment_id) == "SUCCESS"
    latest = cli.data("LatestDeployment", {"serviceId": service_id, "environmentId": production})
    assert latest["serviceInstance"]["latestDeployment"] == {"id": deployment_id, "status": "SUCCESS"}
    listed_deployments = cli.data(
        "Deployments", {"input": {"serviceId": service_id, "environmentId": production}, "first": 5}
    )
    assert listed_deployments["deployments"]["edges"][0]["node"]["id"] == deployment_id
    build = cli.data(
        "BuildLogs",
        {"deploymentId": deployment_id, "limit": 500, "startDate": None, "endDate": None, "filter": None},
    )
    assert build["buildLogs"] and all(line["message"] for line in build["buildLogs"])
    runtime = cli.data(
        "DeploymentLogs",
        {"deploymentId": deployment_id, "limit": 500, "filter": None, "startDate": None, "endDate": None},
    )
    assert any("listening" in line["message"] for line in runtime["deploymentLogs"])
    assert cli.data("DeploymentRestart", {"id": deployment_id}) == {"deploymentRestart": True}
    assert _deployed(cli, deployment_id) == "SUCCESS"
    redeployed = cli.data("DeploymentRedeploy", {"id": deployment_id})["deploymentRedeploy"]["id"]
    assert _deployed(cli, redeployed) == "SUCCESS"
    assert _deployed(cli, deployment_id) == "REMOVED"
    instances = cli.data(
        "EnvironmentInstances",
        {
            "environmentId": production,
            "projectId": project_id,
            "serviceInstancesFirst": 50,
            "serviceInstancesAfter": None,
            "volumeInstancesFirst": 50,
            "volumeInstancesAfter": None,
        },
    )["environment"]
    [web] = instances["serviceInstances"]["edges"]
    assert web["node"]["numReplicas"] == 2 and web["node"]["latestDeployment"]["id"] == redeployed
    assert [d["id"] for d in web["node"]["activeDeployments"]] == [redeployed]
    assert cli.data("DeploymentRemove", {"id": redeployed}) == {"deploymentRemove": True}
    assert _deployed(cli, redeployed) == "REMOVED"

    # railway domain: a Railway domain and a custom one.
    domain = cli.data("ServiceDomainCreate", {**_instance(ids), "targetPort": 5000})["serviceDomainCreate"]
    assert domain["domain"].endswith(".up.railway.app") and domain["targetPort"] == 5000
    cli.data(
        "ServiceDomainUpdate",
        {
            "input": {
                "serviceDomainId": domain["id"],
                "domain": "acme-web.up.railway.app",
                "environmentId": production,
                "serviceId": service_id,
                "targetPort": 8080,
            }
        },
    )
    custom = cli.data(
        "CustomDomainCreate",
        {
            "input": {
                "domain": "app.acme.com",
                "environmentId": production,
                "projectId": project_id,
                "serviceId": service_id,
                "targetPort": 5000,
            }
        },
    )["customDomainCreate"]
    assert custom["status"]["verified"] is False and custom["status"]["certificates"] == []
    assert {r["recordType"] for r in custom["status"]["dnsRecords"]} == {
        "DNS_RECORD_TYPE_CNAME",
        "DNS_RECORD_TYPE_TXT",
    }
    cli.data("CustomDomainUpdate", {"environmentId": production, "id": custom["id"], "targetPort": 8080})
    domains = cli.data("Domains", ids)["domains"]
    assert [(d["domain"], d["targetPort"]) for d in domains["serviceDomains"]] == [
        ("acme-web.up.railway.app", 8080)
    ]
    [read_custom] = domains["customDomains"]
    assert read_custom["targetPort"] == 8080 and read_custom["status"]["verified"] is True
    assert read_custom["status"]["certificates"][0]["domainNames"] == ["app.acme.com"]
    assert cli.data("CustomDomainDelete", {"id": custom["id"]}) == {"customDomainDelete": True}
    assert cli.data("ServiceDomainDelete", {"id": domain["id"]}) == {"serviceDomainDelete": True}
    assert cli.data("TcpProxyDelete", {"id": proxy["id"]}) == {"tcpProxyDelete": True}
    assert cli.data("Domains", ids)["domains"] == {"serviceDomains": [], "customDomains": []}
    assert cli.data("TcpProxies", _instance(ids))["tcpProxies"] == []

    # railway volume add / update / detach / attach / delete, with backups.
    volume = cli.data("VolumeCreate", {**ids, "mountPath": "/data"})["volumeCreate"]
    cli.data("VolumeMountPathUpdate", {**_instance(ids), "volumeId": volume["id"], "mountPath": "/var/data"})
    assert cli.data("VolumeNameUpdate", {"volumeId": volume["id"], "name": "web-data"})["volumeUpdate"] == {
        "name": "web-data"
    }
    cli.data("VolumeDetach", {"environmentId": production, "volumeId": volume["id"]})
    cli.data("VolumeAttach", {"environmentId": production, "volumeId": volume["id"], "serviceId": service_id})
    volumes = cli.data(
        "EnvironmentInstances",
        {
            "environmentId": production,
            "projectId": project_id,
            "serviceInstancesFirst": 1,
            "volumeInstancesFirst": 5,
        },
    )["environment"]["volumeInstances"]["edges"]
    [volume_instance] = [v["node"] for v in volumes]
    assert volume_instance["mountPath"] == "/var/data" and volume_instance["serviceId"] == service_id
    assert volume_instance["volume"] == {"name": "web-data", "id": volume["id"]}
    cli.data(
        "VolumeInstanceBackupScheduleUpdate",
        {"volumeInstanceId": volume_instance["id"], "kinds": ["DAILY", "WEEKLY"]},
    )
    schedules = cli.data("VolumeInstanceBackupScheduleList", {"volumeInstanceId": volume_instance["id"]})
    assert sorted(s["kind"] for s in schedules["volumeInstanceBackupScheduleList"]) == ["DAILY", "WEEKLY"]
    assert cli.data("VolumeDelete", {"id": volume["id"]}) == {"volumeDelete": True}

    # railway environment new staging --duplicate production; then a repo source.
    staging = cli.data(
        "EnvironmentCreate",
        {
            "projectId": project_id,
            "name": "staging",
            "sourceId": production,
            "applyChangesInBackground": None,
        },
    )["environmentCreate"]
    environments = cli.data(
        "Environments", {"projectId": project_id, "isEphemeral": None, "first": None, "after": None}
    )
    by_name = {e["node"]["name"]: e["node"] for e in environments["environments"]["edges"]}
    assert by_name["staging"]["sourceEnvironment"] == {"id": production, "name": "production"}
    assert by_name["staging"]["unmergedChangesCount"] == 0 and by_name["staging"]["isEphemeral"] is False
    assert by_name["staging"]["meta"]["prNumber"] is None
    cli.data("ServiceConnect", {"id": service_id, "input": {"repo": "acme/api", "branch": "main"}})
    assert cli.data("ServiceInstanceDeployLatestCommit", _instance(ids)) == {"serviceInstanceDeploy": True}
    cli.data("ServiceDisconnect", {"id": service_id})

    # Project tokens (RAILWAY_TOKEN) see one environment.
    token = httpx.post(
        emulator.railway_url,
        json={
            "query": "mutation t($input: ProjectTokenCreateInput!) { projectTokenCreate(input: $input) }",
            "variables": {"input": {"projectId": project_id, "environmentId": staging["id"], "name": "ci"}},
        },
        headers={"Authorization": "Bearer client-token"},
    ).json()["data"]["projectTokenCreate"]
    cli.project_token = token
    seen = cli.data("ProjectToken")["projectToken"]
    assert seen["project"]["id"] == project_id and seen["environment"] == {
        "id": staging["id"],
        "name": "staging",
    }
    cli.project_token = None

    # Teardown: railway service delete, environment delete, railway delete (scheduled, 48 h grace).
    assert cli.data("ServiceDelete", {"environmentId": staging["id"], "serviceId": service_id}) == {
        "serviceDelete": True
    }
    assert cli.data("EnvironmentDelete", {"id": staging["id"]}) == {"environmentDelete": True}
    assert cli.data("ProjectScheduleDelete", {"id": project_id}) == {"projectScheduleDelete": True}
    assert cli.error("Project", {"id": project_id})["message"] == "Project not found"  # time scale 0: over

    # Templates (`railway add --database`) are not emulated: a plain answer, not a refused document.
    for name, variables in (
        ("Template", {"id": None, "code": "postgres"}),
        ("TemplateDeployV2", {"input": {"templateId": "t", "serializedConfig": {}, "projectId": project_id}}),
        ("WorkflowStatus", {"workflowId": "w"}),
    ):
        assert cli.error(name, variables)["extensions"]["code"] == "NOT_EMULATED"
    assert cli.unsent() == set()


def _instance(ids: dict[str, str]) -> dict[str, str]:
    return {"environmentId": ids["environmentId"], "serviceId": ids["serviceId"]}


def test_cli_errors_unknown_ids_bad_region_and_bad_tokens(
    cli: RailwayClient, emulator: RunningEmulator, shared_api: Path
) -> None:
    missing = str(uuid.uuid4())
    assert cli.error("Project", {"id": missing})["message"] == "Project not found"
    assert cli.error("DeploymentStatus", {"id": missing})["message"] == "Deployment not found"
    assert cli.error("EnvironmentDelete", {"id": missing})["message"] == "Environment not found"
    created = cli.data("ProjectCreate", {"name": "acme"})["projectCreate"]
    production = created["environments"]["edges"][0]["node"]["id"]
    service_id = cli.data(
        "ServiceCreate", {"name": "web", "projectId": created["id"], "environmentId": production}
    )["serviceCreate"]["id"]
    before = emulator.state()["railway"]
    assert (
        cli.error(
            "ServiceInstanceUpdate",
            {"serviceId": service_id, "environmentId": production, "input": {"region": "ca-central-1"}},
        )["message"]
        == "Invalid region: ca-central-1"
    )
    bad_scale = {
        "services": {service_id: {"deploy": {"multiRegionConfig": {"canada-east": {"numReplicas": 1}}}}}
    }
    cli.data("EnvironmentStageChanges", {"environmentId": production, "input": bad_scale, "merge": True})
    assert cli.error("EnvironmentPatchCommitStaged", {"environmentId": production})["message"] == (
        "Invalid region: canada-east"
    )
    state = emulator.state()["railway"]
    assert state["serviceInstances"] == before["serviceInstances"]

    anonymous = RailwayClient(emulator, shared_api, "cli", token=None)
    assert anonymous.error("UserMeta")["message"] == "Not Authorized"
    # An emulator started with --token accepts only that one.
    emulator.app.settings.token = "the-real-token"
    try:
        assert cli.error("UserMeta")["message"] == "Not Authorized"
        assert RailwayClient(emulator, shared_api, "cli", token="the-real-token").data("UserMeta")["me"]
    finally:
        emulator.app.settings.token = None
    cli.project_token = "not-a-project-token"
    assert cli.error("ProjectToken")["message"] == "Not Authorized"
