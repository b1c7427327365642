"""AlertPolicy: Railway notification rules under mocks, and the Prometheus rules document it exports."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.alert_policy import (
    AlertPolicy,
    AlertPolicyArgs,
    AlertRuleSpec,
    WatchedService,
    prometheus_rules,
)
from tests.mocks import Recorder, is_secret, run, sink

SERVICES = [
    WatchedService("web", "web", vcpus=2, memory_gb=2, uses_database=True),
    WatchedService("worker", "worker", vcpus=1, memory_gb=1, uses_database=True),
]
SENTIA_RULES = [
    AlertRuleSpec("error_rate", 1, 300, "critical"),
    AlertRuleSpec("p95_latency", 2, 600, "warning"),
    AlertRuleSpec("pool_usage", 90, 300, "warning"),
    AlertRuleSpec("queue_depth", 1000, 300, "warning"),
    AlertRuleSpec("memory", 85, 300, "warning"),
]


def rules_by_name(rules: list[AlertRuleSpec], services: list[WatchedService] = SERVICES) -> dict[str, Any]:
    document = prometheus_rules(rules, services, environment="prod", group="alerts-prod")
    return {r["alert"]: r for r in document["groups"][0]["rules"]}


# -- the rules document ------------------------------------------------------------------------------------
def test_the_document_is_prometheus_shaped_yaml_with_one_group() -> None:
    document = prometheus_rules(SENTIA_RULES, SERVICES, environment="prod", group="alerts-prod")
    again = yaml.safe_load(yaml.safe_dump(document))
    assert list(again) == ["groups"] and again["groups"][0]["name"] == "alerts-prod"
    for rule in again["groups"][0]["rules"]:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}


def test_error_rate_watches_web_services_only_as_a_percentage_of_5xx() -> None:
    rule = rules_by_name([SENTIA_RULES[0]])["WebErrorRateHigh"]
    assert rule["expr"] == (
        '100 * sum(rate(http_requests_total{service="web",environment="prod",status=~"5.."}[5m]))'
        ' / sum(rate(http_requests_total{service="web",environment="prod"}[5m])) > 1'
    )
    assert rule["for"] == "5m" and rule["labels"]["severity"] == "critical"


def test_p95_latency_is_a_histogram_quantile_in_seconds() -> None:
    rule = rules_by_name([SENTIA_RULES[1]])["WebP95LatencyHigh"]
    assert rule["expr"].startswith("histogram_quantile(0.95, sum by (le)") and rule["expr"].endswith(" > 2")
    assert rule["for"] == "10m"


def test_memory_rules_compare_with_each_services_own_limit() -> None:
    rules = rules_by_name([SENTIA_RULES[4]])
    assert rules["WebMemoryHigh"]["expr"].endswith(f"/ {2 * 1024**3} > 85")
    assert rules["WorkerMemoryHigh"]["expr"].endswith(f"/ {1024**3} > 85")


def test_queue_depth_is_one_rule_filtered_by_queue_when_named() -> None:
    rules = rules_by_name([AlertRuleSpec("queue_depth", 500, 600, queue="arq:queue")])
    assert list(rules) == ["ArqQueueQueueBacklog"]
    rule = rules["ArqQueueQueueBacklog"]
    assert rule["expr"] == 'max(queue_waiting_jobs{queue="arq:queue",environment="prod"}) > 500'


def test_enforcement_is_stated_per_rule() -> None:
    rules = rules_by_name(SENTIA_RULES)
    by = {name: r["annotations"]["enforced_by"] for name, r in rules.items()}
    assert by["WebErrorRateHigh"] == by["WebP95LatencyHigh"] == "external-monitor"
    assert by["WebDbPoolSaturated"] == by["QueueBacklog"] == "external-monitor"
    assert by["WebMemoryHigh"] == "railway-monitor-or-external"


def test_an_expression_override_is_kept_verbatim() -> None:
    [rule] = rules_by_name([AlertRuleSpec("queue_depth", 1, expr="sum(bull_waiting) > 1")]).values()
    assert rule["expr"] == "sum(bull_waiting) > 1"


def test_a_cpu_rule_on_a_service_without_a_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="no CPU limit"):
        rules_by_name([AlertRuleSpec("cpu", 80, service="web")], [WatchedService("web", "web")])


# -- the component -----------------------------------------------------------------------------------------
def build(**changes: Any) -> Recorder:
    base: dict[str, Any] = {
        "workspace_id": "ws-1",
        "project_id": "proj-1",
        "environment": "prod",
        "webhook_url": "https://hooks.example/secret-path",
        "emails": ["oncall@acme.example"],
        "severities": ["critical", "warning"],
        "rules": SENTIA_RULES,
        "services": SERVICES,
    }

    def program() -> None:
        policy = AlertPolicy("alerts", AlertPolicyArgs(**{**base, **changes}))
        sink("doc", policy.rules_document)

    return run(program)


def test_railway_notification_rule_routes_deployment_events_to_both_channels() -> None:
    rec = build()
    rule = rec.named("alerts-events")
    assert rule.type == "pulumi-python:dynamic/railway:NotificationRule"
    assert rule.parent == rec.named("alerts").urn
    assert rule.plain("event_types") == ["Deployment.failed", "Deployment.crashed"]
    assert rule.plain("emails") == ["oncall@acme.example"]
    assert rule.plain("severities") == ["CRITICAL", "WARNING"]
    assert (rule.plain("workspace_id"), rule.plain("project_id")) == ("ws-1", "proj-1")


def test_the_webhook_url_is_sent_as_a_secret() -> None:
    rule = build().named("alerts-events")
    assert (
        is_secret(rule.inputs["webhook_url"])
        and rule.plain("webhook_url") == "https://hooks.example/secret-path"
    )


def test_no_events_means_no_notification_rule_but_still_a_document() -> None:
    rec = build(event_types=())
    assert rec.of_type("railway:NotificationRule") == []
    assert "WebErrorRateHigh" in rec.named("doc").plain("value")


def test_events_without_any_channel_are_refused() -> None:
    with pytest.raises(ValueError, match="webhook URL or email"):
        build(webhook_url=None, emails=())


# -- the observability dashboard -----------------------------------------------------------------------
WITH_IDS = [
    WatchedService("web", "web", vcpus=2, memory_gb=2, uses_database=True, service_id="svc-web"),
    WatchedService("worker", "worker", vcpus=1, memory_gb=1, uses_database=True, service_id="svc-worker"),
]


def dashboard_items_of(rec: Recorder) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in rec.named("alerts-dashboard").plain("items")}


def test_the_dashboard_charts_what_railway_can_measure_under_the_policy() -> None:
    rec = build(services=WITH_IDS, environment_id="env-1", rules=[*SENTIA_RULES, AlertRuleSpec("cpu", 90)])
    dashboard = rec.named("alerts-dashboard")
    assert dashboard.type == "pulumi-python:dynamic/railway:ObservabilityDashboard"
    assert dashboard.parent == rec.named("alerts").urn
    assert dashboard.plain("environment_id") == "env-1"

    items = dashboard_items_of(rec)
    # pool_usage and queue_depth have no Railway metric: no chart.
    assert list(items) == ["error-rate", "p95-latency", "memory", "cpu"]
    assert (items["error-rate"]["type"], items["error-rate"]["http_metric"]) == (
        "HTTP_METRICS_ITEM",
        "STATUS_RATIO",
    )
    assert (items["p95-latency"]["type"], items["p95-latency"]["http_metric"]) == (
        "HTTP_METRICS_ITEM",
        "LATENCY",
    )
    assert items["memory"]["measurements"] == ["MEMORY_USAGE_GB", "MEMORY_LIMIT_GB"]
    assert items["cpu"]["measurements"] == ["CPU_USAGE", "CPU_LIMIT"]
    # Scoped like the rules: HTTP charts over web services, resource charts over every service.
    assert items["error-rate"]["resource_ids"] == ["svc-web"]
    assert items["memory"]["resource_ids"] == ["svc-web", "svc-worker"]
    assert "above 85% for 5m" in items["memory"]["description"]


def test_a_rule_on_one_service_gets_its_own_chart_over_that_service() -> None:
    rules = [AlertRuleSpec("cpu", 80), AlertRuleSpec("memory", 95, service="worker")]
    items = dashboard_items_of(build(services=WITH_IDS, environment_id="env-1", rules=rules))
    assert list(items) == ["cpu", "memory-worker"]
    assert items["memory-worker"]["resource_ids"] == ["svc-worker"]
    assert items["memory-worker"]["name"] == "Memory (worker)"
    assert items["cpu"]["resource_ids"] == ["svc-web", "svc-worker"]


def test_no_dashboard_without_an_environment_or_without_a_chartable_rule() -> None:
    assert build(services=WITH_IDS).of_type("railway:ObservabilityDashboard") == []
    only_external = [AlertRuleSpec("pool_usage", 90), AlertRuleSpec("queue_depth", 10)]
    rec = build(services=WITH_IDS, environment_id="env-1", rules=only_external)
    assert rec.of_type("railway:ObservabilityDashboard") == []
    assert build(services=SERVICES, environment_id="env-1").of_type("railway:ObservabilityDashboard") == []
