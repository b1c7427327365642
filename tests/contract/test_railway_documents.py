"""Every GraphQL document the Railway client can send validates against Railway's published schema, and the
variables each client method sends are valid values of the operation's declared variable types.

The schema is read from `../shared/api/railway-schema.graphql` (never copied into the project).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from graphql.execution.values import get_variable_values

from providers.http import Secret
from providers.railway.client import CLEAR, DOCUMENTS, RailwayClient
from providers.railway.resources import ObservabilityDashboardInputs


@functools.cache
def _load_schema(path: Path) -> graphql.GraphQLSchema:
    # Railway's own SDL trips graphql-core's stricter interface checks (a deprecated `Team.id`);
    # that is about the schema, not our documents, so build it as valid.
    return graphql.build_schema(path.read_text(), assume_valid=True)


@pytest.fixture
def schema(shared_api: Path) -> graphql.GraphQLSchema:
    return _load_schema(shared_api / "railway-schema.graphql")


def _operation(document: str) -> graphql.OperationDefinitionNode:
    parsed = graphql.parse(document)
    operations = [d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    assert len(operations) == 1
    return operations[0]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_railway_schema(schema: graphql.GraphQLSchema, name: str) -> None:
    document = DOCUMENTS[name]
    errors = graphql.validate(schema, graphql.parse(document))
    assert not errors, f"{name}: {[e.message for e in errors]}"
    operation = _operation(document)
    assert operation.name is not None and operation.name.value == name
    roots = operation.selection_set.selections
    assert len(roots) == 1
    root = roots[0]
    assert isinstance(root, graphql.FieldNode) and root.name.value == name
    root_type = (
        schema.mutation_type if operation.operation == graphql.OperationType.MUTATION else schema.query_type
    )
    assert root_type is not None and name in root_type.fields


# -- every client method, recorded ---------------------------------------------------------------------------
def _fake_value(schema: graphql.GraphQLSchema, name: str, is_mutation: bool) -> Any:
    root = schema.mutation_type if is_mutation else schema.query_type
    assert root is not None
    field_type = graphql.get_nullable_type(root.fields[name].type)
    if isinstance(field_type, graphql.GraphQLList):
        return []
    if isinstance(field_type, graphql.GraphQLObjectType):
        return {"id": f"{name}-id", "environments": {"edges": []}, "volumeInstances": {"edges": []}}
    if isinstance(field_type, graphql.GraphQLScalarType) and field_type.name == "Boolean":
        return True
    if isinstance(field_type, graphql.GraphQLScalarType) and field_type.name == "String":
        return f"{name}-id"
    return {}


# What ObservabilityDashboardProvider sends: item inputs built from its typed items.
DASHBOARD_ITEMS = ObservabilityDashboardInputs.model_validate(
    {
        "environment_id": "e",
        "items": [
            {
                "id": "p95",
                "name": "p95",
                "type": "HTTP_METRICS_ITEM",
                "http_metric": "LATENCY",
                "resource_ids": ["s"],
            },
            {
                "id": "mem",
                "name": "Memory",
                "type": "SERVICE_METRICS_ITEM",
                "measurements": ["MEMORY_USAGE_GB"],
            },
        ],
    }
).to_railway()
CALLS: list[tuple[str, Callable[[RailwayClient], Any]]] = [
    ("project", lambda c: c.project("p")),
    (
        "projectCreate",
        lambda c: c.project_create(
            name="app", description="d", workspace_id="w", default_environment_name="prod"
        ),
    ),
    ("projectCreate-minimal", lambda c: c.project_create(name="app")),
    ("projectUpdate", lambda c: c.project_update("p", name="n", description=CLEAR)),
    ("projectDelete", lambda c: c.project_delete("p")),
    ("environment", lambda c: c.environment("e")),
    (
        "environmentCreate",
        lambda c: c.environment_create(project_id="p", name="staging", source_environment_id="e"),
    ),
    ("environmentRename", lambda c: c.environment_rename("e", "qa")),
    ("environmentDelete", lambda c: c.environment_delete("e")),
    ("service", lambda c: c.service("s")),
    (
        "serviceCreate",
        lambda c: c.service_create(
            project_id="p",
            name="web",
            image="ghcr.io/acme/web:1",
            environment_id="e",
            registry_credentials={"username": "u", "password": "pw"},
            variables={"PORT": "8080"},
        ),
    ),
    (
        "serviceCreate-repo",
        lambda c: c.service_create(project_id="p", name="w", repo="acme/web", branch="main"),
    ),
    ("serviceUpdate", lambda c: c.service_update("s", name="api")),
    ("serviceConnect", lambda c: c.service_connect("s", repo="acme/web", branch="main")),
    ("serviceDisconnect", lambda c: c.service_disconnect("s")),
    ("serviceDelete", lambda c: c.service_delete("s")),
    ("serviceInstance", lambda c: c.service_instance(service_id="s", environment_id="e")),
    (
        "serviceInstanceUpdate",
        lambda c: c.service_instance_update(
            service_id="s",
            environment_id="e",
            settings={
                "startCommand": "uvicorn app:app",
                "preDeployCommand": ["alembic upgrade head"],
                "healthcheckPath": "/health",
                "healthcheckTimeout": 120,
                "restartPolicyType": "ON_FAILURE",
                "restartPolicyMaxRetries": 3,
                "builder": "RAILPACK",
                "watchPatterns": ["src/**"],
                "multiRegionConfig": {"us-west2": {"numReplicas": 2}, "us-east4-eqdc4a": CLEAR},
                "cronSchedule": CLEAR,
                "sleepApplication": False,
                "overlapSeconds": 30,
                "drainingSeconds": 10,
                "registryCredentials": {"username": "u", "password": "p"},
            },
        ),
    ),
    ("serviceInstanceLimits", lambda c: c.service_instance_limits(service_id="s", environment_id="e")),
    (
        "serviceInstanceLimitsUpdate",
        lambda c: c.service_instance_limits_update(
            service_id="s", environment_id="e", vcpus=2.0, memory_gb=CLEAR
        ),
    ),
    ("serviceInstanceDeployV2", lambda c: c.service_instance_deploy(service_id="s", environment_id="e")),
    ("deployment", lambda c: c.deployment("d")),
    ("deploymentLogs", lambda c: c.deployment_logs("d", limit=20)),
    ("buildLogs", lambda c: c.build_logs("d", limit=20)),
    ("variables", lambda c: c.variables(project_id="p", environment_id="e", service_id="s")),
    (
        "variableCollectionUpsert",
        lambda c: c.variable_collection_upsert(
            project_id="p", environment_id="e", service_id="s", variables={"A": "1"}, skip_deploys=True
        ),
    ),
    ("variableDelete", lambda c: c.variable_delete(project_id="p", environment_id="e", name="A")),
    (
        "serviceDomainCreate",
        lambda c: c.service_domain_create(service_id="s", environment_id="e", target_port=80),
    ),
    (
        "serviceDomainUpdate",
        lambda c: c.service_domain_update(
            service_domain_id="d",
            service_id="s",
            environment_id="e",
            domain="x.up.railway.app",
            target_port=CLEAR,
        ),
    ),
    ("serviceDomainDelete", lambda c: c.service_domain_delete("d")),
    ("customDomain", lambda c: c.custom_domain("d", project_id="p")),
    (
        "customDomainCreate",
        lambda c: c.custom_domain_create(
            project_id="p", service_id="s", environment_id="e", domain="api.example.com", target_port=3001
        ),
    ),
    ("customDomainUpdate", lambda c: c.custom_domain_update("d", environment_id="e", target_port=8080)),
    ("customDomainDelete", lambda c: c.custom_domain_delete("d")),
    (
        "volumeCreate",
        lambda c: c.volume_create(
            project_id="p", service_id="s", environment_id="e", mount_path="/data", region="us-west2"
        ),
    ),
    ("volumeInstance", lambda c: c.volume_instance("vi")),
    (
        "volumeInstanceUpdate",
        lambda c: c.volume_instance_update(volume_id="v", environment_id="e", mount_path="/d"),
    ),
    ("volumeDelete", lambda c: c.volume_delete("v")),
    ("volumeInstanceBackupScheduleList", lambda c: c.volume_instance_backup_schedules("vi")),
    (
        "volumeInstanceBackupScheduleUpdate",
        lambda c: c.volume_instance_backup_schedule_update("vi", ["DAILY"]),
    ),
    ("tcpProxies", lambda c: c.tcp_proxies(service_id="s", environment_id="e")),
    (
        "tcpProxyCreate",
        lambda c: c.tcp_proxy_create(service_id="s", environment_id="e", application_port=5432),
    ),
    ("tcpProxyDelete", lambda c: c.tcp_proxy_delete("t")),
    ("notificationRules", lambda c: c.notification_rules(workspace_id="w", project_id="p")),
    ("projects", lambda c: c.projects(workspace_id="w")),
    ("projects-any-workspace", lambda c: c.projects()),
    ("domains", lambda c: c.domains(project_id="p", service_id="s", environment_id="e")),
    (
        "notificationRuleCreate",
        lambda c: c.notification_rule_create(
            workspace_id="w",
            project_id="p",
            event_types=["Deployment.failed"],
            severities=["CRITICAL"],
            channel_configs=[{"type": "webhook", "url": "https://hooks.example/x"}],
        ),
    ),
    (
        "notificationRuleUpdate",
        lambda c: c.notification_rule_update("r", severities=CLEAR, event_types=["A.b"]),
    ),
    ("notificationRuleDelete", lambda c: c.notification_rule_delete("r")),
    ("observabilityDashboards", lambda c: c.observability_dashboards("e")),
    ("observabilityDashboardCreate", lambda c: c.observability_dashboard_create("e")),
    (
        "observabilityDashboardCreate-with-items",
        lambda c: c.observability_dashboard_create("e", DASHBOARD_ITEMS),
    ),
    ("observabilityDashboardUpdate", lambda c: c.observability_dashboard_update("d", DASHBOARD_ITEMS)),
    ("observabilityDashboardReset", lambda c: c.observability_dashboard_reset("d")),
]


def validate_request(schema: graphql.GraphQLSchema, body: dict[str, Any]) -> list[str]:
    """Problems with one recorded GraphQL request: its document, and its variables against their types."""
    document = graphql.parse(body["query"])
    problems = [e.message for e in graphql.validate(schema, document)]
    operation = _operation(body["query"])
    coerced = get_variable_values(schema, operation.variable_definitions or (), body.get("variables") or {})
    if isinstance(coerced, list):
        problems.extend(e.message for e in coerced)
    if body.get("operationName") != (operation.name.value if operation.name else None):
        problems.append(f"operationName {body.get('operationName')} does not name the operation")
    return problems


def test_every_document_is_exercised_by_a_call() -> None:
    called = {name.split("-")[0] for name, _ in CALLS}
    assert called == set(DOCUMENTS)


@pytest.mark.parametrize(("label", "call"), CALLS, ids=[label for label, _ in CALLS])
def test_variables_sent_validate_against_input_types(
    schema: graphql.GraphQLSchema, label: str, call: Callable[[RailwayClient], Any]
) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        name = body["operationName"]
        return httpx.Response(
            200, json={"data": {name: _fake_value(schema, name, DOCUMENTS[name].startswith("m"))}}
        )

    client = RailwayClient(
        token=Secret("t0ken-for-tests"), api_url="https://x", transport=httpx.MockTransport(handler)
    )
    call(client)
    assert len(sent) == 1
    assert sent[0]["operationName"] == label.split("-")[0]
    assert validate_request(schema, sent[0]) == []


def test_invalid_variables_are_caught_by_this_check(schema: graphql.GraphQLSchema) -> None:
    # The check itself must be able to fail: a wrong enum value and a missing required field.
    body = {
        "query": DOCUMENTS["serviceInstanceUpdate"],
        "operationName": "serviceInstanceUpdate",
        "variables": {"serviceId": "s", "input": {"restartPolicyType": "SOMETIMES"}},
    }
    assert validate_request(schema, body)
    body = {
        "query": DOCUMENTS["tcpProxyCreate"],
        "operationName": "tcpProxyCreate",
        "variables": {"input": {"serviceId": "s", "environmentId": "e"}},
    }
    assert validate_request(schema, body)


# -- what the providers really send ----------------------------------------------------------------------
def test_every_request_of_a_full_provider_lifecycle_validates(
    schema: graphql.GraphQLSchema, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Create, update (including cleared settings), read and delete every resource against the emulator,
    then validate each GraphQL request it logged against Railway's schema."""
    from providers.railway import resources as r
    from tests.providers.railway.support import Engine, configure

    for name in ("RAILWAY_API_TOKEN", "RAILWAY_TOKEN", "RAILWAY_API_URL"):
        monkeypatch.delenv(name, raising=False)

    def engine(cls: type[r.RailwayProvider]) -> Engine:
        return Engine(configure(cls(), emulator))

    project = engine(r.ProjectProvider)
    project.create({"name": "contract", "description": "d"})
    project.update({"name": "contract-2"})
    env = str(project.outs["default_environment_id"])
    environment = engine(r.EnvironmentProvider)
    environment.create({"project_id": project.id, "name": "staging"})
    environment.update({"project_id": project.id, "name": "qa"})
    service = engine(r.ServiceProvider)
    service.create(
        {"project_id": project.id, "name": "api", "image": "a:1", "variables": {"A": "1", "B": "2"}}
    )
    service.update(
        {
            "project_id": project.id,
            "name": "api2",
            "repo": "acme/api",
            "branch": "main",
            "variables": {"A": "3"},
        }
    )
    base = {"service_id": service.id, "environment_id": env}
    instance = engine(r.ServiceInstanceProvider)
    instance.create(
        {**base, "start_command": "run", "regions": {"us-west2": 2}, "vcpus": 1.0, "builder": "RAILPACK"}
    )
    instance.update({**base, "regions": {"europe-west4-drams3a": 1}, "cron_schedule": "0 * * * *"})
    variables = engine(r.VariablesProvider)
    variables.create({"project_id": project.id, "environment_id": env, "variables": {"X": "1", "Y": "2"}})
    variables.update({"project_id": project.id, "environment_id": env, "variables": {"X": "9"}})
    domain = engine(r.ServiceDomainProvider)
    domain.create({**base, "target_port": 8080})
    domain.update(dict(base))
    custom = engine(r.CustomDomainProvider)
    custom.create({**base, "project_id": project.id, "domain": "api.example.com", "target_port": 80})
    custom.update({**base, "project_id": project.id, "domain": "api.example.com"})
    volume = engine(r.VolumeProvider)
    volume.create({**base, "project_id": project.id, "mount_path": "/d", "backup_schedules": ["DAILY"]})
    volume.update({**base, "project_id": project.id, "mount_path": "/e"})
    proxy = engine(r.TcpProxyProvider)
    proxy.create({**base, "application_port": 5432})
    rule = engine(r.NotificationRuleProvider)
    rule.create(
        {
            "workspace_id": project.outs["workspace_id"],
            "event_types": ["Deployment.failed"],
            "severities": ["CRITICAL"],
            "webhook_url": "https://h.example.com/x",
        }
    )
    rule.update(
        {
            "workspace_id": project.outs["workspace_id"],
            "event_types": ["Deployment.crashed"],
            "emails": ["a@example.com"],
        }
    )
    everything = [project, environment, service, instance, variables, domain, custom, volume, proxy, rule]
    for item in everything:
        item.read()
    for item in reversed(everything):
        item.delete()

    requests = emulator.requests("railway")
    operations = {req["operation"] for req in requests}
    assert len(operations) >= 35, sorted(set(DOCUMENTS) - operations)
    for req in requests:
        assert req["status"] == 200, (req["operation"], req["response"])
        assert validate_request(schema, req["request"]) == [], req["operation"]
