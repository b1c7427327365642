"""Railway emulator: staged environment changes (EnvironmentConfig patches), deployment restarts and
triggers, scheduled project deletion, `variablesForServiceDeployment`, environment meta and unmerged
changes, custom-domain certificates."""

from __future__ import annotations

import uuid

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import (
    create_project,
    create_service,
    deploy,
    deployment,
    deployments,
    gql,
    gql_error,
    instance,
    post,
    variables,
)

STAGE = (
    "mutation stage($environmentId: String!, $input: EnvironmentConfig!, $merge: Boolean) "
    "{ environmentStageChanges(environmentId: $environmentId, input: $input, merge: $merge) "
    "{ id status patch environmentId } }"
)
STAGED = (
    "query staged($environmentId: String!) { environmentStagedChanges(environmentId: $environmentId) "
    "{ id status patch } }"
)
COMMIT_STAGED = (
    "mutation commit($environmentId: String!, $skipDeploys: Boolean) "
    "{ environmentPatchCommitStaged(environmentId: $environmentId, skipDeploys: $skipDeploys) }"
)
COMMIT = (
    "mutation commitPatch($environmentId: String!, $patch: EnvironmentConfig) "
    "{ environmentPatchCommit(environmentId: $environmentId, patch: $patch) }"
)
CONFIG = "query config($id: String!) { environment(id: $id) { config(decryptVariables: true) } }"
TCP_PROXIES = (
    "query tcpProxies($environmentId: String!, $serviceId: String!) "
    "{ tcpProxies(environmentId: $environmentId, serviceId: $serviceId) { applicationPort } }"
)


def _web(emulator: RunningEmulator) -> tuple[str, str, str]:
    project_id, production = create_project(emulator)
    web = create_service(emulator, project_id, "web", source={"image": "nginx:1"}, variables={"A": "1"})
    deployment(emulator, deploy(emulator, web, production))
    return project_id, production, web


def test_staged_changes_merge_then_commit_sets_replicas_settings_variables_and_tcp_proxy(
    emulator: RunningEmulator,
) -> None:
    project_id, production, web = _web(emulator)
    before = len(deployments(emulator, web, production))
    first = gql(
        emulator,
        STAGE,
        {
            "environmentId": production,
            "input": {"services": {web: {"deploy": {"multiRegionConfig": {"us-west2": {"numReplicas": 3}}}}}},
        },
    )["environmentStageChanges"]
    assert first["status"] == "STAGED"
    second = gql(
        emulator,
        STAGE,
        {
            "environmentId": production,
            "merge": True,
            "input": {
                "services": {
                    web: {
                        "deploy": {"startCommand": "nginx -g 'daemon off;'"},
                        "variables": {"A": None, "B": {"value": "2"}},
                        "networking": {"tcpProxies": {"5432": {}}},
                    }
                }
            },
        },
    )["environmentStageChanges"]
    assert second["id"] == first["id"]
    staged = gql(emulator, STAGED, {"environmentId": production})["environmentStagedChanges"]
    assert staged["patch"]["services"][web]["deploy"] == {
        "multiRegionConfig": {"us-west2": {"numReplicas": 3}},
        "startCommand": "nginx -g 'daemon off;'",
    }
    # Nothing is applied while staged.
    assert instance(emulator, web, production)["numReplicas"] == 1

    patch_id = gql(emulator, COMMIT_STAGED, {"environmentId": production})["environmentPatchCommitStaged"]
    assert patch_id == first["id"]
    read = instance(emulator, web, production)
    assert read["numReplicas"] == 3 and read["startCommand"] == "nginx -g 'daemon off;'"
    assert variables(emulator, project_id, production, web) == {"B": "2"}
    assert gql(emulator, TCP_PROXIES, {"environmentId": production, "serviceId": web})["tcpProxies"] == [
        {"applicationPort": 5432}
    ]
    # The commit deployed the changed service, with the new settings.
    latest = deployments(emulator, web, production)
    assert len(latest) == before + 1
    assert latest[0]["meta"]["serviceManifest"]["deploy"]["multiRegionConfig"] == {
        "us-west2": {"numReplicas": 3}
    }
    # Committed: nothing staged any more, and a second commit has nothing to commit.
    assert gql(emulator, STAGED, {"environmentId": production})["environmentStagedChanges"]["patch"] == {}
    assert gql_error(emulator, COMMIT_STAGED, {"environmentId": production}) == "No staged changes to commit"


def test_patch_commit_removes_with_null_and_skip_deploys_deploys_nothing(emulator: RunningEmulator) -> None:
    project_id, production, web = _web(emulator)
    gql(
        emulator,
        COMMIT,
        {
            "environmentId": production,
            "patch": {
                "services": {
                    web: {
                        "deploy": {
                            "multiRegionConfig": {
                                "us-west2": {"numReplicas": 1},
                                "europe-west4-drams3a": {"numReplicas": 2},
                            }
                        }
                    }
                },
                "sharedVariables": {"SHARED": {"value": "x"}},
            },
        },
    )
    config = gql(emulator, CONFIG, {"id": production})["environment"]["config"]
    assert config["services"][web]["deploy"]["multiRegionConfig"] == {
        "us-west2": {"numReplicas": 1},
        "europe-west4-drams3a": {"numReplicas": 2},
    }
    assert config["sharedVariables"] == {"SHARED": {"value": "x"}}
    count = len(deployments(emulator, web, production))
    gql(
        emulator,
        STAGE,
        {
            "environmentId": production,
            "input": {"services": {web: {"deploy": {"multiRegionConfig": {"us-west2": None}}}}},
        },
    )
    gql(emulator, COMMIT_STAGED, {"environmentId": production, "skipDeploys": True})
    config = gql(emulator, CONFIG, {"id": production})["environment"]["config"]
    assert config["services"][web]["deploy"]["multiRegionConfig"] == {
        "europe-west4-drams3a": {"numReplicas": 2}
    }
    assert len(deployments(emulator, web, production)) == count
    del project_id


def test_a_bad_patch_changes_nothing_and_says_what_is_wrong(emulator: RunningEmulator) -> None:
    _, production, web = _web(emulator)
    before = emulator.state()["railway"]["serviceInstances"]
    bad_region = {
        "services": {web: {"deploy": {"startCommand": "x", "multiRegionConfig": {"ca-central": {}}}}}
    }
    assert gql_error(emulator, COMMIT, {"environmentId": production, "patch": bad_region}) == (
        "Invalid region: ca-central"
    )
    unknown = {"services": {web: {"deploy": {"startComand": "x"}}}}
    assert "unknown key services." in gql_error(
        emulator, COMMIT, {"environmentId": production, "patch": unknown}
    )
    unmodelled = post(emulator, COMMIT, {"environmentId": production, "patch": {"buckets": {}}}).json()
    assert unmodelled["errors"][0]["extensions"]["code"] == "NOT_EMULATED"
    missing = {"services": {str(uuid.uuid4()): {"deploy": {"startCommand": "x"}}}}
    assert gql_error(emulator, COMMIT, {"environmentId": production, "patch": missing}) == "Service not found"
    assert emulator.state()["railway"]["serviceInstances"] == before


def test_deployment_restart_variables_for_deployment_and_triggers(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    web = create_service(
        emulator, project_id, "web", source={"image": "nginx:1"}, variables={"A": "${{shared.S}}"}
    )
    gql(
        emulator,
        "mutation v($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }",
        {"input": {"projectId": project_id, "environmentId": production, "variables": {"S": "shared-value"}}},
    )
    listed = deployments(emulator, web, production)
    live = listed[0]
    assert deployment(emulator, live["id"])["status"] == "SUCCESS"
    restart = "mutation r($id: String!) { deploymentRestart(id: $id) }"
    assert gql(emulator, restart, {"id": live["id"]}) == {"deploymentRestart": True}
    # A restart makes no new deployment; a removed one cannot be restarted.
    assert [d["id"] for d in deployments(emulator, web, production)] == [d["id"] for d in listed]
    # The shared variable's change redeployed the service: the first deployment was replaced.
    assert len(listed) == 2 and listed[1]["status"] == "REMOVED"
    assert "restarted" in gql_error(emulator, restart, {"id": listed[1]["id"]})
    assert gql_error(emulator, restart, {"id": str(uuid.uuid4())}) == "Deployment not found"

    rendered = gql(
        emulator,
        "query v($p: String!, $e: String!, $s: String!) "
        "{ variablesForServiceDeployment(projectId: $p, environmentId: $e, serviceId: $s) }",
        {"p": project_id, "e": production, "s": web},
    )["variablesForServiceDeployment"]
    assert rendered["A"] == "shared-value" and rendered["RAILWAY_SERVICE_NAME"] == "web"

    triggers = (
        "query t($p: String!, $e: String!, $s: String!) { deploymentTriggers(projectId: $p, "
        "environmentId: $e, serviceId: $s) { edges { node { id branch repository provider } } } }"
    )
    ids = {"p": project_id, "e": production, "s": web}
    assert gql(emulator, triggers, ids)["deploymentTriggers"]["edges"] == []  # an image has no trigger
    gql(
        emulator,
        "mutation c($id: String!, $input: ServiceConnectInput!) "
        "{ serviceConnect(id: $id, input: $input) { id } }",
        {"id": web, "input": {"repo": "acme/api", "branch": "release"}},
    )
    [edge] = gql(emulator, triggers, ids)["deploymentTriggers"]["edges"]
    assert edge["node"]["branch"] == "release" and edge["node"]["repository"] == "acme/api"
    gql(
        emulator,
        "mutation u($id: String!, $input: DeploymentTriggerUpdateInput!) "
        "{ deploymentTriggerUpdate(id: $id, input: $input) { id } }",
        {"id": edge["node"]["id"], "input": {"branch": "main"}},
    )
    assert gql(emulator, triggers, ids)["deploymentTriggers"]["edges"][0]["node"]["branch"] == "main"
    gql(emulator, "mutation d($id: String!) { deploymentTriggerDelete(id: $id) }", {"id": edge["node"]["id"]})
    assert gql(emulator, triggers, ids)["deploymentTriggers"]["edges"] == []


def test_project_schedule_delete_keeps_it_for_the_grace_period(emulator: RunningEmulator) -> None:
    project_id, _ = create_project(emulator)
    emulator.app.clock.time_scale = 1.0
    project = "query p($id: String!) { project(id: $id) { id deletedAt } }"
    assert gql(emulator, "mutation s($id: String!) { projectScheduleDelete(id: $id) }", {"id": project_id})
    assert gql(emulator, project, {"id": project_id})["project"]["deletedAt"] is not None
    listed = "query { projects { edges { node { id } } } }"
    assert gql(emulator, listed)["projects"]["edges"] == []
    with_deleted = "query { projects(includeDeleted: true) { edges { node { id } } } }"
    assert [e["node"]["id"] for e in gql(emulator, with_deleted)["projects"]["edges"]] == [project_id]
    emulator.app.clock.advance(48 * 3600 + 1)
    assert gql_error(emulator, project, {"id": project_id}) == "Project not found"
    assert emulator.state()["railway"]["projects"] == []


def test_fork_meta_and_unmerged_changes(emulator: RunningEmulator) -> None:
    project_id, production, web = _web(emulator)
    fork = gql(
        emulator,
        "mutation f($input: EnvironmentCreateInput!) { environmentCreate(input: $input) { id } }",
        {
            "input": {
                "projectId": project_id,
                "name": "pr-1",
                "sourceEnvironmentId": production,
                "ephemeral": True,
            }
        },
    )["environmentCreate"]["id"]
    read = (
        "query e($id: String!) { environment(id: $id) { unmergedChangesCount meta { prNumber branch } "
        "deployments { edges { node { id } } } } }"
    )
    assert gql(emulator, read, {"id": production})["environment"]["unmergedChangesCount"] is None
    forked = gql(emulator, read, {"id": fork})["environment"]
    assert forked["unmergedChangesCount"] == 0
    assert forked["meta"] == {"prNumber": None, "branch": None}
    assert len(forked["deployments"]["edges"]) == 1  # the fork's initial deployment
    gql(
        emulator,
        COMMIT,
        {"environmentId": fork, "patch": {"services": {web: {"variables": {"X": {"value": "1"}}}}}},
    )
    assert gql(emulator, read, {"id": fork})["environment"]["unmergedChangesCount"] == 1


def test_custom_domain_certificate_once_verified(emulator: RunningEmulator) -> None:
    project_id, production, web = _web(emulator)
    created = gql(
        emulator,
        "mutation c($input: CustomDomainCreateInput!) { customDomainCreate(input: $input) "
        "{ id status { verified certificates { domainNames keyType expiresAt issuedAt } } } }",
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": web,
                "domain": "app.acme.com",
            }
        },
    )["customDomainCreate"]
    assert created["status"] == {"verified": False, "certificates": []}
    read = gql(
        emulator,
        "query d($id: String!, $p: String!) { customDomain(id: $id, projectId: $p) "
        "{ status { verified certificates { domainNames keyType expiresAt issuedAt } } } }",
        {"id": created["id"], "p": project_id},
    )["customDomain"]["status"]
    assert read["verified"] is True
    [certificate] = read["certificates"]
    assert certificate["domainNames"] == ["app.acme.com"] and certificate["keyType"] == "KEY_TYPE_ECDSA"
    assert certificate["expiresAt"] > certificate["issuedAt"]
