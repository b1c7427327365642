"""Railway emulator: environment forks as a pull-request environment makes them (`environmentCreate` with
`sourceEnvironmentId`, `ephemeral`, `skipInitialDeploys`)."""

from __future__ import annotations

import uuid

from emulator.testing import RunningEmulator
from tests.emulator.railway_support import (
    VARIABLE_COLLECTION_UPSERT,
    create_project,
    create_service,
    deploy,
    deployment,
    deployments,
    gql,
    gql_error,
    instance,
    update_instance,
    variables,
)

FORK = (
    "mutation environmentCreate($input: EnvironmentCreateInput!) { environmentCreate(input: $input) "
    "{ id name isEphemeral sourceEnvironment { id name } } }"
)
ENVIRONMENTS = (
    "query environments($projectId: String!, $isEphemeral: Boolean) "
    "{ environments(projectId: $projectId, isEphemeral: $isEphemeral) "
    "{ edges { node { id name isEphemeral sourceEnvironment { id } } } } }"
)
DOMAIN_CREATE = (
    "mutation serviceDomainCreate($input: ServiceDomainCreateInput!) "
    "{ serviceDomainCreate(input: $input) { id domain } }"
)
CUSTOM_DOMAIN_CREATE = (
    "mutation customDomainCreate($input: CustomDomainCreateInput!) "
    "{ customDomainCreate(input: $input) { id } }"
)
TCP_PROXY_CREATE = (
    "mutation tcpProxyCreate($input: TCPProxyCreateInput!) { tcpProxyCreate(input: $input) { id } }"
)
DOMAINS = (
    "query domains($projectId: String!, $environmentId: String!, $serviceId: String!) "
    "{ domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) "
    "{ serviceDomains { domain targetPort } customDomains { domain } } }"
)
TCP_PROXIES = (
    "query tcpProxies($environmentId: String!, $serviceId: String!) "
    "{ tcpProxies(environmentId: $environmentId, serviceId: $serviceId) { applicationPort proxyPort } }"
)


def _staging_with_web(emulator: RunningEmulator) -> tuple[str, str, str]:
    """A project whose `production` runs a configured, deployed web service with variables and networking."""
    project_id, production = create_project(emulator)
    web = create_service(
        emulator,
        project_id,
        "web",
        source={"image": "ghcr.io/acme/api:1"},
        variables={"DATABASE_URL": "postgres://staging-db/app", "NODE_ENV": "staging"},
    )
    update_instance(
        emulator, web, production, {"startCommand": "node server.js", "healthcheckPath": "/health"}
    )
    update_instance(emulator, web, production, {"multiRegionConfig": {"us-west2": {"numReplicas": 3}}})
    gql(
        emulator,
        VARIABLE_COLLECTION_UPSERT,
        {"input": {"projectId": project_id, "environmentId": production, "variables": {"SHARED": "1"}}},
    )
    gql(
        emulator,
        DOMAIN_CREATE,
        {"input": {"serviceId": web, "environmentId": production, "targetPort": 5000}},
    )
    gql(
        emulator,
        CUSTOM_DOMAIN_CREATE,
        {
            "input": {
                "projectId": project_id,
                "environmentId": production,
                "serviceId": web,
                "domain": "app.acme.com",
            }
        },
    )
    gql(
        emulator,
        TCP_PROXY_CREATE,
        {"input": {"serviceId": web, "environmentId": production, "applicationPort": 5432}},
    )
    deployment(emulator, deploy(emulator, web, production))
    return project_id, production, web


def test_ephemeral_fork_copies_instances_settings_variables_and_networking_without_deploying(
    emulator: RunningEmulator,
) -> None:
    project_id, production, web = _staging_with_web(emulator)
    source_deployments = deployments(emulator, web, production)
    fork = gql(
        emulator,
        FORK,
        {
            "input": {
                "projectId": project_id,
                "name": "pr-7",
                "sourceEnvironmentId": production,
                "ephemeral": True,
                "skipInitialDeploys": True,
            }
        },
    )["environmentCreate"]
    assert fork["isEphemeral"] is True
    assert fork["sourceEnvironment"] == {"id": production, "name": "production"}

    copied = instance(emulator, web, fork["id"])
    assert copied["startCommand"] == "node server.js"
    assert copied["healthcheckPath"] == "/health"
    assert copied["numReplicas"] == 3
    assert copied["source"] == {"image": "ghcr.io/acme/api:1", "repo": None}
    assert variables(emulator, project_id, fork["id"], web) == {
        "DATABASE_URL": "postgres://staging-db/app",
        "NODE_ENV": "staging",
    }
    assert variables(emulator, project_id, fork["id"], None) == {"SHARED": "1"}

    # skipInitialDeploys: nothing deploys until asked.
    assert copied["latestDeployment"] is None
    assert deployments(emulator, web, fork["id"]) == []

    # The fork's networking is its own: a new Railway domain on the same port, a new TCP proxy, and no
    # custom domain (that hostname stays with production).
    source_domains = gql(
        emulator, DOMAINS, {"projectId": project_id, "environmentId": production, "serviceId": web}
    )
    fork_domains = gql(
        emulator, DOMAINS, {"projectId": project_id, "environmentId": fork["id"], "serviceId": web}
    )
    [source_domain] = source_domains["domains"]["serviceDomains"]
    [fork_domain] = fork_domains["domains"]["serviceDomains"]
    assert fork_domain["targetPort"] == 5000
    assert fork_domain["domain"] != source_domain["domain"]
    assert fork_domains["domains"]["customDomains"] == []
    [proxy] = gql(emulator, TCP_PROXIES, {"environmentId": fork["id"], "serviceId": web})["tcpProxies"]
    assert proxy["applicationPort"] == 5432

    # Variables overridden before the first deployment are what that deployment runs with.
    gql(
        emulator,
        VARIABLE_COLLECTION_UPSERT,
        {
            "input": {
                "projectId": project_id,
                "environmentId": fork["id"],
                "serviceId": web,
                "variables": {"DATABASE_URL": "postgres://pr-7-branch/app"},
                "skipDeploys": True,
            }
        },
    )
    assert deployments(emulator, web, fork["id"]) == []
    first = deployment(emulator, deploy(emulator, web, fork["id"]))
    assert first["environmentId"] == fork["id"]
    assert first["meta"]["serviceManifest"]["deploy"]["startCommand"] == "node server.js"
    rendered = variables(emulator, project_id, fork["id"], web, unrendered=False)
    assert rendered["DATABASE_URL"] == "postgres://pr-7-branch/app"
    # The source keeps its own value and its deployments.
    assert variables(emulator, project_id, production, web)["DATABASE_URL"] == "postgres://staging-db/app"
    assert [d["id"] for d in deployments(emulator, web, production)] == [d["id"] for d in source_deployments]


def test_fork_without_skip_deploys_and_listing_by_ephemeral(emulator: RunningEmulator) -> None:
    project_id, production, web = _staging_with_web(emulator)
    deployed = gql(
        emulator,
        FORK,
        {"input": {"projectId": project_id, "name": "qa", "sourceEnvironmentId": production}},
    )["environmentCreate"]
    assert deployed["isEphemeral"] is False
    assert instance(emulator, web, deployed["id"])["latestDeployment"] is not None
    ephemeral = gql(
        emulator,
        FORK,
        {
            "input": {
                "projectId": project_id,
                "name": "pr-8",
                "sourceEnvironmentId": production,
                "ephemeral": True,
            }
        },
    )["environmentCreate"]
    listed = gql(emulator, ENVIRONMENTS, {"projectId": project_id, "isEphemeral": True})
    assert [e["node"]["id"] for e in listed["environments"]["edges"]] == [ephemeral["id"]]
    everything = gql(emulator, ENVIRONMENTS, {"projectId": project_id})["environments"]["edges"]
    assert {e["node"]["name"] for e in everything} == {"production", "qa", "pr-8"}
    assert (
        next(e["node"] for e in everything if e["node"]["name"] == "production")["sourceEnvironment"] is None
    )


def test_fork_of_an_unknown_or_foreign_environment_is_refused_and_creates_nothing(
    emulator: RunningEmulator,
) -> None:
    project_id, production, _ = _staging_with_web(emulator)
    other_project, other_production = create_project(emulator, "other")
    before = emulator.state()["railway"]
    for source in (str(uuid.uuid4()), other_production):
        message = gql_error(
            emulator,
            FORK,
            {
                "input": {
                    "projectId": project_id,
                    "name": "pr-9",
                    "sourceEnvironmentId": source,
                    "ephemeral": True,
                }
            },
        )
        assert message == "Environment not found"
    assert emulator.state()["railway"] == before
    del production, other_project
