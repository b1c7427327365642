"""Every Railway resource against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.railway.client import RailwayClient
from providers.railway.resources import (
    CustomDomainProvider,
    EnvironmentProvider,
    NotificationRuleProvider,
    ProjectProvider,
    ServiceDomainProvider,
    ServiceProvider,
    TcpProxyProvider,
    VariablesProvider,
    VolumeProvider,
)
from tests.providers.railway_support import (
    Engine,
    clear_ambient_credentials,
    configure,
    live,
    nulls_in,
    sent,
    variables_of,
)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_ambient_credentials(monkeypatch)


def engine(cls: type, emulator: RunningEmulator) -> Engine:
    return Engine(configure(cls(), emulator))


def client(emulator: RunningEmulator) -> RailwayClient:
    provider = configure(ProjectProvider(), emulator)
    return provider.client()


@pytest.fixture
def project(emulator: RunningEmulator) -> Engine:
    e = engine(ProjectProvider, emulator)
    e.create({"name": "sentia"})
    return e


@pytest.fixture
def service(emulator: RunningEmulator, project: Engine) -> Engine:
    e = engine(ServiceProvider, emulator)
    e.create({"project_id": project.id, "name": "web", "image": "ghcr.io/acme/web:1"})
    return e


def env_id(project: Engine) -> str:
    return str(project.outs["default_environment_id"])


# -- Project ----------------------------------------------------------------------------------------------
def test_project_lifecycle(emulator: RunningEmulator) -> None:
    e = engine(ProjectProvider, emulator)
    outs = e.create({"name": "nestsync", "description": "NestSync backend"})
    [row] = live(emulator, "projects")
    assert row["id"] == e.id and row["name"] == "nestsync" and row["description"] == "NestSync backend"
    envs = [x for x in live(emulator, "environments") if x["projectId"] == e.id]
    assert outs["default_environment_id"] == envs[0]["id"]
    assert outs["workspace_id"] == row["workspaceId"]

    read = e.read()
    assert read.id == e.id
    # The workspace Railway chose reads back too; leaving it unset stays "no change" (below).
    assert read.inputs == {
        "name": "nestsync",
        "description": "NestSync backend",
        "workspace_id": row["workspaceId"],
    }

    # An unset workspace is filled in by Railway: no change, no replacement.
    assert not e.diff({"name": "nestsync", "description": "NestSync backend"}).changes
    assert e.diff({"name": "nestsync", "workspace_id": "another-ws"}).replaces == ["workspace_id"]

    emulator.clear_requests()
    e.update({"name": "nestsync-app"})  # description removed: cleared, not kept
    [request] = sent(emulator, "projectUpdate")
    assert variables_of(request)["input"] == {"name": "nestsync-app", "description": None}
    [row] = live(emulator, "projects")
    assert row["name"] == "nestsync-app" and not row["description"]
    assert e.outs["default_environment_id"] == outs["default_environment_id"]

    e.delete()
    assert live(emulator, "projects") == []
    e.delete()  # already gone: fine
    assert e.read().id is None


def test_project_named_default_environment(emulator: RunningEmulator) -> None:
    e = engine(ProjectProvider, emulator)
    outs = e.create({"name": "omni", "default_environment_name": "prod"})
    [env] = [x for x in live(emulator, "environments") if x["projectId"] == e.id]
    assert env["name"] == "prod" and outs["default_environment_id"] == env["id"]
    assert e.diff({"name": "omni", "default_environment_name": "main"}).replaces == [
        "default_environment_name"
    ]


# -- Environment ------------------------------------------------------------------------------------------
def test_environment_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(EnvironmentProvider, emulator)
    e.create({"project_id": project.id, "name": "staging"})
    assert any(x["id"] == e.id and x["name"] == "staging" for x in live(emulator, "environments"))
    assert e.read().inputs == {"project_id": project.id, "name": "staging"}

    # Renamed in place.
    emulator.clear_requests()
    e.update({"project_id": project.id, "name": "qa"})
    assert [r["operation"] for r in sent(emulator)] == ["environmentRename"]
    assert any(x["id"] == e.id and x["name"] == "qa" for x in live(emulator, "environments"))

    # A fork is a different environment: replace.
    diff = e.diff({"project_id": project.id, "name": "qa", "source_environment_id": env_id(project)})
    assert diff.replaces == ["source_environment_id"]
    assert e.diff({"project_id": "other", "name": "qa"}).replaces == ["project_id"]

    e.delete()
    assert not any(x["id"] == e.id for x in live(emulator, "environments"))
    e.delete()
    assert e.read().id is None


def test_environment_fork_reads_back_its_source(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(EnvironmentProvider, emulator)
    e.create({"project_id": project.id, "name": "pr-1", "source_environment_id": env_id(project)})
    assert e.read_inputs()["source_environment_id"] == env_id(project)


# -- Service ----------------------------------------------------------------------------------------------
def test_service_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(ServiceProvider, emulator)
    emulator.clear_requests()
    e.create(
        {
            "project_id": project.id,
            "name": "api",
            "image": "ghcr.io/acme/api:1",
            "variables": {"PORT": "8080", "TZ": "America/Toronto"},
        }
    )
    # The first variables travel with serviceCreate, so the first build has them.
    [create] = sent(emulator, "serviceCreate")
    assert variables_of(create)["input"]["variables"] == {"PORT": "8080", "TZ": "America/Toronto"}
    assert nulls_in(variables_of(create)) == []
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=e.id) == {
        "PORT": "8080",
        "TZ": "America/Toronto",
    }
    assert e.read_inputs()["name"] == "api"

    emulator.clear_requests()
    e.update(
        {
            "project_id": project.id,
            "name": "backend",
            "image": "ghcr.io/acme/api:2",
            "variables": {"PORT": "9090", "TZ": "America/Toronto"},
        }
    )
    assert [r["operation"] for r in sent(emulator)][:3] == ["serviceUpdate", "serviceConnect", "project"]
    assert len(sent(emulator, "variableCollectionUpsert")) == 1
    assert variables_of(sent(emulator, "variableCollectionUpsert")[0])["input"]["variables"] == {
        "PORT": "9090"
    }
    assert c.service(str(e.id))["name"] == "backend"
    instance = c.service_instance(service_id=str(e.id), environment_id=env_id(project))
    assert instance["source"]["image"] == "ghcr.io/acme/api:2"

    assert e.diff({"project_id": "elsewhere", "name": "backend"}).replaces == ["project_id"]

    e.delete()
    assert not any(x["id"] == e.id for x in live(emulator, "services"))
    e.delete()
    assert e.read().id is None


def test_service_from_repo_and_removed_variable(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(ServiceProvider, emulator)
    e.create(
        {
            "project_id": project.id,
            "name": "worker",
            "repo": "acme/worker",
            "branch": "main",
            "variables": {"A": "1", "B": "2"},
            "environment_id": env_id(project),
        }
    )
    emulator.clear_requests()
    e.update(
        {
            "project_id": project.id,
            "name": "worker",
            "repo": "acme/worker",
            "branch": "main",
            "variables": {"A": "1"},
            "environment_id": env_id(project),
        }
    )
    assert [r["operation"] for r in sent(emulator)] == ["variableDelete"]
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=e.id) == {
        "A": "1"
    }


# -- Variables --------------------------------------------------------------------------------------------
def test_variables_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(VariablesProvider, emulator)
    base = {"project_id": project.id, "environment_id": env_id(project), "service_id": service.id}
    emulator.clear_requests()
    e.create({**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "info"}})
    assert [r["operation"] for r in sent(emulator)] == ["variableCollectionUpsert"]
    c = client(emulator)

    def current() -> dict[str, str]:
        return c.variables(project_id=str(project.id), environment_id=env_id(project), service_id=service.id)

    assert current() == {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "info"}

    # A change (one changed, one added) is one request carrying only what changed.
    emulator.clear_requests()
    e.update(
        {**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "debug", "X": "1"}}
    )
    assert [r["operation"] for r in sent(emulator)] == ["variableCollectionUpsert"]
    assert variables_of(sent(emulator)[0])["input"]["variables"] == {"LOG_LEVEL": "debug", "X": "1"}

    # Removed names are deleted.
    emulator.clear_requests()
    e.update({**base, "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "debug"}})
    assert [r["operation"] for r in sent(emulator)] == ["variableDelete"]
    assert "X" not in current()

    # Read compares: a value changed outside shows up as drift; names owned by others are ignored.
    c.variable_collection_upsert(
        project_id=str(project.id),
        environment_id=env_id(project),
        service_id=service.id,
        variables={"LOG_LEVEL": "warn", "OTHER": "x"},
    )
    read = e.read()
    assert read.inputs is not None
    assert read.inputs["variables"] == {"DATABASE_URL": "${{Postgres.DATABASE_URL}}", "LOG_LEVEL": "warn"}

    assert e.diff({**base, "service_id": "other", "variables": {}}).replaces == ["service_id"]

    e.delete()
    assert current() == {"OTHER": "x"}
    e.delete()  # names already gone: fine


def test_shared_variables(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(VariablesProvider, emulator)
    e.create(
        {"project_id": project.id, "environment_id": env_id(project), "variables": {"SENTRY_ENV": "prod"}}
    )
    c = client(emulator)
    assert c.variables(project_id=str(project.id), environment_id=env_id(project)) == {"SENTRY_ENV": "prod"}
    assert e.read().inputs == {
        "project_id": project.id,
        "environment_id": env_id(project),
        "variables": {"SENTRY_ENV": "prod"},
    }


# -- ServiceDomain -----------------------------------------------------------------------------------------
def test_service_domain_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(ServiceDomainProvider, emulator)
    base = {"service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "target_port": 8080})
    assert outs["domain"].endswith(".up.railway.app")
    assert outs["url"] == f"https://{outs['domain']}"
    read = e.read()
    assert read.inputs == {**base, "target_port": 8080}

    e.update({**base, "target_port": 3001})
    [row] = live(emulator, "serviceDomains")
    assert row["targetPort"] == 3001 and row["domain"] == outs["domain"]
    assert e.outs["domain"] == outs["domain"]

    assert sorted(e.diff({"service_id": "s2", "environment_id": "e2"}).replaces or []) == [
        "environment_id",
        "service_id",
    ]

    e.delete()
    assert live(emulator, "serviceDomains") == []
    e.delete()
    assert e.read().id is None


# -- CustomDomain ------------------------------------------------------------------------------------------
def test_custom_domain_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(CustomDomainProvider, emulator)
    base = {"project_id": project.id, "service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "domain": "API.Kars.example.com", "target_port": 3001})
    assert outs["domain"] == "api.kars.example.com"  # normalised by check
    assert outs["dns_records"], "the DNS records to create are an output"
    assert {r["record_type"] for r in outs["dns_records"]} >= {"CNAME"}
    assert outs["verification_host"] and outs["verification_token"]

    read = e.read()
    assert read.inputs == {**base, "domain": "api.kars.example.com", "target_port": 3001}

    e.update({**base, "domain": "api.kars.example.com", "target_port": 8080})
    [row] = live(emulator, "customDomains")
    assert row["targetPort"] == 8080

    assert e.diff({**base, "domain": "www.kars.example.com", "target_port": 8080}).replaces == ["domain"]

    e.delete()
    assert live(emulator, "customDomains") == []
    e.delete()
    assert e.read().id is None


# -- Volume ------------------------------------------------------------------------------------------------
def test_volume_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(VolumeProvider, emulator)
    base = {"project_id": project.id, "service_id": service.id, "environment_id": env_id(project)}
    outs = e.create(
        {**base, "mount_path": "/data", "region": "us-east4-eqdc4a", "backup_schedules": ["WEEKLY", "DAILY"]}
    )
    [instance] = live(emulator, "volumeInstances")
    assert instance["mountPath"] == "/data" and instance["region"] == "us-east4-eqdc4a"
    assert outs["volume_instance_id"] == instance["id"]
    assert outs["backup_schedules"] == ["DAILY", "WEEKLY"]
    c = client(emulator)
    assert {s["kind"] for s in c.volume_instance_backup_schedules(instance["id"])} == {"DAILY", "WEEKLY"}

    read = e.read()
    assert read.inputs == {
        **base,
        "mount_path": "/data",
        "region": "us-east4-eqdc4a",
        "backup_schedules": ["DAILY", "WEEKLY"],
    }

    e.update(
        {**base, "mount_path": "/var/lib/data", "region": "us-east4-eqdc4a", "backup_schedules": ["MONTHLY"]}
    )
    [instance] = live(emulator, "volumeInstances")
    assert instance["mountPath"] == "/var/lib/data"
    assert {s["kind"] for s in c.volume_instance_backup_schedules(instance["id"])} == {"MONTHLY"}

    assert e.diff({**base, "mount_path": "/var/lib/data", "region": "us-west2"}).replaces == ["region"]

    e.delete()
    assert live(emulator, "volumes") == []
    e.delete()
    assert e.read().id is None


def test_volume_region_left_to_railway_is_not_a_change(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    e = engine(VolumeProvider, emulator)
    base = {
        "project_id": project.id,
        "service_id": service.id,
        "environment_id": env_id(project),
        "mount_path": "/d",
    }
    outs = e.create(base)
    assert outs["region"] in ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
    assert not e.diff(base).changes


# -- TcpProxy ----------------------------------------------------------------------------------------------
def test_tcp_proxy_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(TcpProxyProvider, emulator)
    base = {"service_id": service.id, "environment_id": env_id(project)}
    outs = e.create({**base, "application_port": 5432})
    assert outs["domain"] and isinstance(outs["proxy_port"], int)
    assert e.read().inputs == {**base, "application_port": 5432}
    assert e.diff({**base, "application_port": 6379}).replaces == ["application_port"]
    e.delete()
    assert live(emulator, "tcpProxies") == []
    e.delete()
    assert e.read().id is None


# -- NotificationRule --------------------------------------------------------------------------------------
def test_notification_rule_lifecycle(emulator: RunningEmulator, project: Engine) -> None:
    e = engine(NotificationRuleProvider, emulator)
    base: dict[str, Any] = {"workspace_id": project.outs["workspace_id"], "project_id": project.id}
    e.create(
        {
            **base,
            "event_types": ["Deployment.failed", "Deployment.crashed"],
            "severities": ["CRITICAL"],
            "webhook_url": "https://hooks.example.com/railway",
            "emails": ["oncall@example.com"],
        }
    )
    [row] = live(emulator, "notificationRules")
    assert row["eventTypes"] == ["Deployment.failed", "Deployment.crashed"]

    read = e.read()
    assert read.inputs is not None
    assert read.inputs["webhook_url"] == "https://hooks.example.com/railway"
    assert read.inputs["emails"] == ["oncall@example.com"]
    assert read.inputs["severities"] == ["CRITICAL"]

    emulator.clear_requests()
    e.update(
        {**base, "event_types": ["Deployment.failed"], "webhook_url": "https://hooks.example.com/railway"}
    )
    [request] = sent(emulator, "notificationRuleUpdate")
    update_input = variables_of(request)["input"]
    assert update_input["eventTypes"] == ["Deployment.failed"]
    assert update_input["severities"] is None  # removed: cleared
    assert update_input["channelConfigs"] == [{"type": "webhook", "url": "https://hooks.example.com/railway"}]

    assert e.diff({**base, "workspace_id": "w2", "event_types": ["x.y"], "emails": ["a@b.co"]}).replaces == [
        "workspace_id"
    ]
    e.delete()
    assert live(emulator, "notificationRules") == []
    e.delete()
    assert e.read().id is None
