"""WebService under Pulumi mocks: Railway service, instance settings, domains and smoke check."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.web_service import SmokeCheckArgs, WebService, WebServiceArgs
from tests.mocks import Recorder, is_secret, reveal, run


def build(**changes: Any) -> Recorder:
    args: dict[str, Any] = {
        "project_id": "proj-1",
        "environment_id": "env-1",
        "regions": {"us-west2": 2},
        "image": "ghcr.io/acme/api:1.4.2",
        "start_command": "node server.js",
        "healthcheck_path": "/api/health",
        "healthcheck_timeout": 120,
        "restart_policy_type": "ON_FAILURE",
        "restart_policy_max_retries": 5,
        "vcpus": 1.0,
        "memory_gb": 2.0,
        "port": 5000,
        "variables": {"NODE_ENV": "production"},
        "secret_variables": {"JWT_SECRET": "jwt-value"},
        "domains": ["app.acme.com"],
        "smoke": SmokeCheckArgs(path="/api/health"),
        **changes,
    }
    return run(lambda: WebService("web", WebServiceArgs(**args)))


def test_children_are_named_after_the_component_and_parented_to_it() -> None:
    rec = build()
    component = rec.named("web")
    assert component.type == "platform:components:WebService"
    children = {r.name: r.type.rsplit("/", 1)[-1] for r in rec.children_of(component)}
    assert children == {
        "web-service": "railway:Service",
        "web-instance": "railway:ServiceInstance",
        "web-domain": "railway:ServiceDomain",
        "web-domain-app-acme-com": "railway:CustomDomain",
        "web-smoke": "command:local:Command",
    }


def test_service_is_created_from_the_image_with_its_variables() -> None:
    service = build().named("web-service")
    assert service.plain("image") == "ghcr.io/acme/api:1.4.2"
    assert service.plain("name") == "web"
    assert service.plain("project_id") == "proj-1" and service.plain("environment_id") == "env-1"
    assert service.plain("variables") == {"JWT_SECRET": "jwt-value", "NODE_ENV": "production", "PORT": "5000"}


def test_variables_holding_a_secret_are_sent_as_a_secret() -> None:
    service = build().named("web-service")
    assert is_secret(service.inputs["variables"])
    assert "variables" in service.additional_secret_outputs


def test_a_variable_both_plain_and_secret_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\['JWT_SECRET'\] are both plain and secret"):
        build(variables={"JWT_SECRET": "x"})


def test_instance_carries_the_deploy_settings() -> None:
    instance = build().named("web-instance")
    assert reveal(instance.inputs) == {
        "service_id": "web-service-id",
        "environment_id": "env-1",
        "start_command": "node server.js",
        "healthcheck_path": "/api/health",
        "healthcheck_timeout": 120,
        "regions": {"us-west2": 2},
        "restart_policy_type": "ON_FAILURE",
        "restart_policy_max_retries": 5,
        "vcpus": 1.0,
        "memory_gb": 2.0,
    }


def test_domains_target_the_port_and_need_only_the_service() -> None:
    rec = build()
    instance = rec.named("web-instance")
    for name in ("web-domain", "web-domain-app-acme-com"):
        domain = rec.named(name)
        assert domain.plain("target_port") == 5000
        assert instance.urn not in domain.dependencies
        assert rec.named("web-service").urn in domain.dependencies
    assert rec.named("web-domain-app-acme-com").plain("domain") == "app.acme.com"


def test_smoke_check_requests_the_health_url_after_the_deployment() -> None:
    rec = build()
    smoke = rec.named("web-smoke")
    create = smoke.plain("create")
    assert create.startswith("curl --fail")
    assert create.endswith("https://web-domain.up.railway.app/api/health")
    assert "--retry-max-time 300" in create
    assert "dep-web-instance" in smoke.plain("triggers")
    assert rec.named("web-instance").urn in smoke.dependencies


def test_smoke_check_in_echo_mode_runs_echo_only() -> None:
    create = build(smoke=SmokeCheckArgs(path="/api/health", mode="echo")).named("web-smoke").plain("create")
    assert create.startswith("echo ") and "would run: curl" in create


def test_smoke_check_skipped_registers_no_command() -> None:
    assert build(smoke=SmokeCheckArgs(path="/h", mode="skip")).of_type("command:local:Command") == []


def test_deploy_after_orders_service_and_instance_behind_it() -> None:
    def program() -> None:
        gate = pulumi.CustomResource("test:index:Gate", "gate", {})
        args = WebServiceArgs(
            project_id="p", environment_id="e", regions={"us-west2": 1}, image="i", deploy_after=[gate]
        )
        WebService("web", args)

    rec = run(program)
    gate = rec.named("gate")
    assert gate.urn in rec.named("web-service").dependencies
    assert gate.urn in rec.named("web-instance").dependencies


def test_outputs_expose_the_railway_url_and_custom_urls() -> None:
    seen: dict[str, Any] = {}

    def program() -> Any:
        web = WebService(
            "web",
            WebServiceArgs(
                project_id="p",
                environment_id="e",
                regions={"us-west2": 1},
                image="i",
                port=80,
                domains=["a.example.com"],
            ),
        )
        return pulumi.Output.all(web.url, web.custom_urls, web.dns_records).apply(lambda v: seen.update(v=v))

    run(program)
    url, custom, records = seen["v"]
    assert url == "https://web-domain.up.railway.app"
    assert custom == ["https://a.example.com"]
    assert records["a.example.com"]["verification"]["host"] == "_railway-verify.a.example.com"
