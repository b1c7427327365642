"""Railway providers: bad input stopped before any request, nothing orphaned, no token in state, no nulls."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi import dynamic

from emulator.testing import RunningEmulator
from providers.base import UNKNOWN, CredentialsMissingError
from providers.railway.resources import (
    ALL_PROVIDERS,
    CustomDomainProvider,
    EnvironmentProvider,
    NotificationRuleProvider,
    ProjectProvider,
    RailwayProvider,
    ServiceDomainProvider,
    ServiceInstanceProvider,
    ServiceProvider,
    TcpProxyProvider,
    VariablesProvider,
    VolumeProvider,
)
from tests.providers.railway.support import (
    TOKEN,
    Engine,
    clear_ambient_credentials,
    configure,
    live,
    nulls_in,
    project_with_service,
    sent,
    variables_of,
)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_ambient_credentials(monkeypatch)


@pytest.fixture
def ids(emulator: RunningEmulator) -> dict[str, str]:
    return project_with_service(emulator, project="kars", service="backend", image="ghcr.io/kars/backend:1")


def failures(provider: RailwayProvider, news: dict[str, Any]) -> dict[str, str]:
    result = provider.check({}, news)
    return {f.property: f.reason for f in result.failures}


# -- check -----------------------------------------------------------------------------------------
def test_check_reports_every_bad_field_and_sends_nothing(emulator: RunningEmulator) -> None:
    provider = configure(ServiceInstanceProvider(), emulator)
    found = failures(
        provider,
        {
            "service_id": "s",
            "environment_id": "e",
            "restart_policy_type": "SOMETIMES",
            "builder": "DOCKER",
            "healthcheck_timeout": 0,
            "healthcheck_path": "health",
            "regions": {"ca-central-1": 1, "us-west2": 1},
            "overlap_seconds": -1,
            "unknown_setting": 1,
        },
    )
    assert set(found) == {
        "restart_policy_type",
        "builder",
        "healthcheck_timeout",
        "healthcheck_path",
        "regions",
        "overlap_seconds",
        "unknown_setting",
    }
    assert "ON_FAILURE" in found["restart_policy_type"]
    assert "RAILPACK" in found["builder"]
    # The region error names the regions Railway has.
    for region in ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a"):
        assert region in found["regions"]
    assert "ca-central-1" in found["regions"]
    assert emulator.requests("railway") == []


@pytest.mark.parametrize(
    ("news", "fragment"),
    [
        ({"replicas": 51}, "50"),
        ({"replicas": 0}, "1"),
        ({"regions": {"us-west2": 30, "us-east4-eqdc4a": 21}}, "at most 50"),
        ({"regions": {}}, "at least one region"),
        ({"replicas": 2, "cron_schedule": "0 * * * *"}, "exactly one replica"),
        ({"regions": {"us-west2": 2}, "cron_schedule": "0 * * * *"}, "exactly one replica"),
        ({"cron_schedule": "every hour"}, "cron"),
        ({"replicas": 2, "regions": {"us-west2": 2}}, "not both"),
        ({"restart_policy_type": "ALWAYS", "restart_policy_max_retries": 3}, "ON_FAILURE"),
    ],
)
def test_service_instance_rules(emulator: RunningEmulator, news: dict[str, Any], fragment: str) -> None:
    provider = configure(ServiceInstanceProvider(), emulator)
    found = failures(provider, {"service_id": "s", "environment_id": "e", **news})
    assert found, news
    assert any(fragment in reason for reason in found.values()), found


@pytest.mark.parametrize(
    ("provider_cls", "news", "bad_field"),
    [
        (ProjectProvider, {"name": ""}, "name"),
        (ServiceProvider, {"project_id": "p", "name": "w", "image": "i", "repo": "r"}, "inputs"),
        (ServiceProvider, {"project_id": "p", "name": "w", "branch": "main"}, "inputs"),
        (ServiceProvider, {"project_id": "p", "name": "w", "variables": {"1BAD": "x"}}, "variables"),
        (
            VariablesProvider,
            {"project_id": "p", "environment_id": "e", "variables": {"A B": "x"}},
            "variables",
        ),
        (
            ServiceDomainProvider,
            {"service_id": "s", "environment_id": "e", "target_port": 70000},
            "target_port",
        ),
        (
            CustomDomainProvider,
            {"project_id": "p", "service_id": "s", "environment_id": "e", "domain": "not a domain"},
            "domain",
        ),
        (
            VolumeProvider,
            {
                "project_id": "p",
                "service_id": "s",
                "environment_id": "e",
                "mount_path": "/d",
                "backup_schedules": ["HOURLY"],
            },
            "backup_schedules[0]",
        ),
        (
            VolumeProvider,
            {
                "project_id": "p",
                "service_id": "s",
                "environment_id": "e",
                "mount_path": "/d",
                "region": "yyz",
            },
            "region",
        ),
        (
            VolumeProvider,
            {"project_id": "p", "service_id": "s", "environment_id": "e", "mount_path": "data"},
            "mount_path",
        ),
        (
            TcpProxyProvider,
            {"service_id": "s", "environment_id": "e", "application_port": 0},
            "application_port",
        ),
        (NotificationRuleProvider, {"workspace_id": "w", "event_types": ["Deployment.failed"]}, "inputs"),
        (
            NotificationRuleProvider,
            {
                "workspace_id": "w",
                "event_types": ["x.y"],
                "webhook_url": "http://insecure",
                "severities": ["LOUD"],
            },
            "webhook_url",
        ),
        (EnvironmentProvider, {"project_id": "p"}, "name"),
    ],
)
def test_check_rejects_bad_values(
    emulator: RunningEmulator, provider_cls: type[RailwayProvider], news: dict[str, Any], bad_field: str
) -> None:
    found = failures(configure(provider_cls(), emulator), news)
    assert bad_field in found, found
    assert emulator.requests("railway") == []


def test_check_tolerates_unknown_values_in_preview(emulator: RunningEmulator) -> None:
    provider = configure(ServiceInstanceProvider(), emulator)
    news = {
        "service_id": UNKNOWN,
        "environment_id": UNKNOWN,
        "replicas": UNKNOWN,
        "cron_schedule": "0 * * * *",
    }
    assert failures(provider, news) == {}
    # A known bad value is still reported while others are unknown.
    assert set(failures(provider, {**news, "builder": "DOCKER"})) == {"builder"}


def test_check_normalises(emulator: RunningEmulator) -> None:
    result = configure(VolumeProvider(), emulator).check(
        {},
        {
            "project_id": "p",
            "service_id": "s",
            "environment_id": "e",
            "mount_path": "/d",
            "backup_schedules": ["MONTHLY", "DAILY"],
        },
    )
    assert result.inputs["backup_schedules"] == ["DAILY", "MONTHLY"]
    instance = configure(ServiceInstanceProvider(), emulator).check(
        {}, {"service_id": "s", "environment_id": "e"}
    )
    assert instance.inputs["deploy"] is True and instance.inputs["deploy_timeout_seconds"] == 900


# -- all or nothing --------------------------------------------------------------------------------
def test_volume_create_failing_half_way_removes_the_volume(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = Engine(configure(VolumeProvider(), emulator))
    emulator.inject(
        vendor="railway",
        operation="volumeInstanceBackupScheduleUpdate",
        status=400,
        body={"data": None, "errors": [{"message": "Backups are not available on this plan"}]},
    )
    with pytest.raises(Exception) as caught:
        e.create(
            {
                "project_id": ids["project_id"],
                "service_id": ids["service_id"],
                "environment_id": ids["environment_id"],
                "mount_path": "/data",
                "backup_schedules": ["DAILY"],
            }
        )
    assert "Backups are not available" in str(caught.value)
    assert "removed again" in str(caught.value)
    assert [r["operation"] for r in sent(emulator)][-3:] == [
        "volumeCreate",
        "volumeInstanceBackupScheduleUpdate",
        "volumeDelete",
    ]
    assert live(emulator, "volumes") == []
    assert live(emulator, "volumeInstances") == []


def test_ambiguous_create_that_took_effect_adopts_the_object(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    # Railway created the service, but the answer was lost: look it up, never create a second one.
    e = Engine(configure(ServiceProvider(), emulator))
    emulator.inject(vendor="railway", operation="serviceCreate", status=502, when="after")
    e.create({"project_id": ids["project_id"], "name": "worker", "image": "w:1"})
    workers = [s for s in live(emulator, "services") if s["name"] == "worker"]
    assert len(workers) == 1 and workers[0]["id"] == e.id
    assert len(sent(emulator, "serviceCreate")) == 2  # the fixture's service, and this one once


def test_ambiguous_create_that_did_not_happen_is_sent_again(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = Engine(configure(EnvironmentProvider(), emulator))
    emulator.inject(vendor="railway", operation="environmentCreate", status=500)
    e.create({"project_id": ids["project_id"], "name": "staging"})
    assert [x["id"] for x in live(emulator, "environments") if x["name"] == "staging"] == [e.id]
    assert len(sent(emulator, "environmentCreate")) == 2


def test_ambiguous_tcp_proxy_create_is_adopted(emulator: RunningEmulator, ids: dict[str, str]) -> None:
    e = Engine(configure(TcpProxyProvider(), emulator))
    emulator.inject(vendor="railway", operation="tcpProxyCreate", status=504, when="after")
    outs = e.create(
        {"service_id": ids["service_id"], "environment_id": ids["environment_id"], "application_port": 5432}
    )
    [proxy] = live(emulator, "tcpProxies")
    assert proxy["id"] == e.id and outs["proxy_port"] == proxy["proxyPort"]


def test_rate_limited_create_is_retried_after_the_wait(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    provider = configure(ServiceProvider(), emulator)
    waits: list[float] = []
    provider.sleep = waits.append
    e = Engine(provider)
    emulator.inject(vendor="railway", operation="serviceCreate", status=429, retry_after=3)
    e.create({"project_id": ids["project_id"], "name": "worker", "image": "w:1"})
    assert len([s for s in live(emulator, "services") if s["name"] == "worker"]) == 1
    assert waits and 3 <= waits[0] <= 3.25


# -- credentials -----------------------------------------------------------------------------------
def test_missing_credentials_fail_in_create_not_in_check_or_diff(emulator: RunningEmulator) -> None:
    provider = configure(ProjectProvider(), emulator, token=None)
    assert provider.check({}, {"name": "x"}).failures == []
    assert provider.diff("id", {"name": "x"}, {"name": "y"}).changes
    with pytest.raises(CredentialsMissingError) as caught:
        provider.create({"name": "x"})
    assert "railway:token" in str(caught.value) and "RAILWAY_API_TOKEN" in str(caught.value)
    assert emulator.requests("railway") == []


def test_environment_variables_are_the_fallback(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAILWAY_API_TOKEN", TOKEN)
    monkeypatch.setenv("RAILWAY_API_URL", emulator.railway_url)
    provider = ProjectProvider()
    provider.configure(dynamic.ConfigureRequest(dynamic.Config({}, "platform")))
    provider.sleep = lambda _s: None
    result = provider.create(provider.check({}, {"name": "from-env"}).inputs)
    assert result.id == live(emulator, "projects")[0]["id"]


def test_project_token_is_sent_as_project_access_token(emulator: RunningEmulator) -> None:
    provider = ProjectProvider()
    config = {"railway:projectToken": "pt-123456", "railway:apiUrl": emulator.railway_url}
    provider.configure(dynamic.ConfigureRequest(dynamic.Config(config, "platform")))
    assert set(provider.client()._http._auth_headers) == {"Project-Access-Token"}


@pytest.mark.parametrize("provider_cls", ALL_PROVIDERS, ids=lambda c: c.__name__)
def test_pickled_provider_carries_no_token(
    emulator: RunningEmulator, provider_cls: type[RailwayProvider]
) -> None:
    provider = configure(provider_cls(), emulator)
    provider.client()  # a built client must not leak either
    blob = dill.dumps(provider, recurse=True)
    assert TOKEN.encode() not in blob
    assert base64.b64encode(TOKEN.encode()) not in base64.b64encode(blob)
    assert emulator.railway_url.encode() not in blob  # nothing from configure() at all
    copy = dill.loads(blob)
    assert isinstance(copy, provider_cls)
    with pytest.raises(CredentialsMissingError):
        copy.client()


# -- null versus omitted ---------------------------------------------------------------------------
def test_no_null_is_sent_for_fields_the_user_did_not_set(emulator: RunningEmulator) -> None:
    project = Engine(configure(ProjectProvider(), emulator))
    project.create({"name": "minimal"})
    env = str(project.outs["default_environment_id"])
    service = Engine(configure(ServiceProvider(), emulator))
    service.create({"project_id": project.id, "name": "svc", "image": "redis:7"})
    sid = str(service.id)
    cases: list[tuple[type[RailwayProvider], dict[str, Any]]] = [
        (EnvironmentProvider, {"project_id": project.id, "name": "staging"}),
        (ServiceInstanceProvider, {"service_id": sid, "environment_id": env, "replicas": 1}),
        (VariablesProvider, {"project_id": project.id, "environment_id": env, "variables": {"A": "1"}}),
        (ServiceDomainProvider, {"service_id": sid, "environment_id": env}),
        (
            CustomDomainProvider,
            {"project_id": project.id, "service_id": sid, "environment_id": env, "domain": "a.example.com"},
        ),
        (
            VolumeProvider,
            {"project_id": project.id, "service_id": sid, "environment_id": env, "mount_path": "/d"},
        ),
        (TcpProxyProvider, {"service_id": sid, "environment_id": env, "application_port": 6379}),
        (
            NotificationRuleProvider,
            {
                "workspace_id": project.outs["workspace_id"],
                "event_types": ["Deployment.failed"],
                "emails": ["a@example.com"],
            },
        ),
    ]
    for cls, news in cases:
        Engine(configure(cls(), emulator)).create(news)
    requests = sent(emulator)
    assert len({r["operation"] for r in requests}) >= 12
    for request in requests:
        assert nulls_in(variables_of(request)) == [], request["operation"]


def test_refresh_costs_one_request_per_resource(emulator: RunningEmulator) -> None:
    project = Engine(configure(ProjectProvider(), emulator))
    project.create({"name": "budget"})
    env = str(project.outs["default_environment_id"])
    service = Engine(configure(ServiceProvider(), emulator))
    service.create({"project_id": project.id, "name": "svc", "image": "redis:7", "variables": {"A": "1"}})
    sid = str(service.id)
    engines = [project, service]
    cases: list[tuple[type[RailwayProvider], dict[str, Any]]] = [
        (EnvironmentProvider, {"project_id": project.id, "name": "staging"}),
        (
            ServiceInstanceProvider,
            {
                "service_id": sid,
                "environment_id": env,
                "regions": {"us-west2": 2},
                "vcpus": 1.0,
                "memory_gb": 2.0,
            },
        ),
        (VariablesProvider, {"project_id": project.id, "environment_id": env, "variables": {"A": "1"}}),
        (ServiceDomainProvider, {"service_id": sid, "environment_id": env}),
        (
            CustomDomainProvider,
            {"project_id": project.id, "service_id": sid, "environment_id": env, "domain": "a.example.com"},
        ),
        (
            VolumeProvider,
            {
                "project_id": project.id,
                "service_id": sid,
                "environment_id": env,
                "mount_path": "/d",
                "backup_schedules": ["DAILY"],
            },
        ),
        (TcpProxyProvider, {"service_id": sid, "environment_id": env, "application_port": 6379}),
        (
            NotificationRuleProvider,
            {
                "workspace_id": project.outs["workspace_id"],
                "event_types": ["x.y"],
                "emails": ["a@example.com"],
            },
        ),
    ]
    for cls, news in cases:
        engine = Engine(configure(cls(), emulator))
        engine.create(news)
        engines.append(engine)
    for engine in engines:
        emulator.clear_requests()
        before = dict(engine.outs)
        engine.refresh()
        assert len(sent(emulator)) == 1, (
            type(engine.provider).__name__,
            [r["operation"] for r in sent(emulator)],
        )
        # Nothing changed outside, so the refreshed state diffs clean against the same inputs.
        inputs = {k: v for k, v in before.items() if k in engine.provider.Inputs.model_fields}
        assert not engine.diff(inputs).changes, type(engine.provider).__name__
