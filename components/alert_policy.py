"""AlertPolicy: Railway notification rules for deployment and service events, plus the metric thresholds
as a Prometheus-compatible alerting-rules document.

What Railway itself enforces, and what needs an external monitor (the README says the same):
- Deployment events (failed, crashed, ...): Railway notification rules, created here, delivered to the
  webhook and email channels.
- Memory and CPU thresholds: Railway has monitors for them (Pro plan) but its public API cannot create
  them; each such rule is marked `enforced_by: railway-monitor-or-external` (set the monitor in the
  dashboard, or load the rules document into Prometheus).
- Error rate, p95 latency, connection-pool usage, queue depth: Railway has no alert on these; they are
  enforced only by an external monitor that loads `rules_document` (Prometheus, Grafana Mimir, ...)
  scraping the metric names below, which the application exports.
- Shown, not enforced: with an environment id and service ids, the rules Railway has a metric for (error
  rate -> HTTP status ratio, p95 latency -> HTTP latency, memory, CPU, each with the service's limit) are
  charted on the environment's Railway observability dashboard (`{name}-dashboard`). Pool usage and queue
  depth have no Railway metric and no chart. Destroying the policy resets that dashboard to Railway's
  defaults.

Metric contract of the generated expressions (override any rule with `expr`):
  http_requests_total{service,environment,status},
  http_request_duration_seconds_bucket{service,environment,le},
  process_resident_memory_bytes{service,environment}, process_cpu_seconds_total{service,environment},
  db_pool_connections_in_use{service,environment}, db_pool_connections_max{service,environment},
  queue_waiting_jobs{queue,environment}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import yaml

from providers import railway

Metric = Literal["error_rate", "p95_latency", "memory", "cpu", "pool_usage", "queue_depth"]

ENFORCED_BY: dict[str, str] = {
    "error_rate": "external-monitor",
    "p95_latency": "external-monitor",
    "pool_usage": "external-monitor",
    "queue_depth": "external-monitor",
    "memory": "railway-monitor-or-external",
    "cpu": "railway-monitor-or-external",
}
_TITLES = {
    "error_rate": "ErrorRateHigh",
    "p95_latency": "P95LatencyHigh",
    "memory": "MemoryHigh",
    "cpu": "CpuHigh",
    "pool_usage": "DbPoolSaturated",
    "queue_depth": "QueueBacklog",
}
RATE_WINDOW = "5m"
# The Railway events a policy notifies about unless told otherwise.
DEFAULT_EVENT_TYPES = ("Deployment.failed", "Deployment.crashed")


@dataclass
class AlertRuleSpec:
    metric: Metric
    above: float
    """Percent for error_rate, memory, cpu, pool_usage; seconds for p95_latency; jobs for queue_depth."""
    for_seconds: float = 300
    severity: str = "warning"
    service: str | None = None
    queue: str | None = None
    expr: str | None = None


@dataclass
class WatchedService:
    name: str
    kind: Literal["web", "worker"]
    vcpus: float | None = None
    memory_gb: float | None = None
    uses_database: bool = False
    service_id: pulumi.Input[str] | None = None
    """The Railway service id, for the dashboard's charts."""


@dataclass
class AlertPolicyArgs:
    workspace_id: pulumi.Input[str]
    project_id: pulumi.Input[str]
    environment: str
    """Label on every generated alert, and in the rule group's name."""
    event_types: Sequence[str] = DEFAULT_EVENT_TYPES
    severities: Sequence[str] | None = None
    webhook_url: pulumi.Input[str] | None = None
    emails: Sequence[str] = ()
    rules: Sequence[AlertRuleSpec] = ()
    services: Sequence[WatchedService] = field(default_factory=list)
    environment_id: pulumi.Input[str] | None = None
    """The Railway environment whose observability dashboard charts the rules (none: no dashboard)."""


def _duration(seconds: float) -> str:
    for unit, factor in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= factor and seconds % factor == 0:
            return f"{int(seconds // factor)}{unit}"
    return f"{int(seconds * 1000)}ms"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _targets(rule: AlertRuleSpec, services: Sequence[WatchedService]) -> list[WatchedService | None]:
    if rule.metric == "queue_depth":
        return [None]
    if rule.service is not None:
        found = [s for s in services if s.name == rule.service]
        if not found:
            raise ValueError(f"alert rule {rule.metric}: no service {rule.service!r}")
        return list(found)
    if rule.metric in ("error_rate", "p95_latency"):
        return [s for s in services if s.kind == "web"]
    if rule.metric == "pool_usage":
        return [s for s in services if s.uses_database]
    return list(services)


def _expression(rule: AlertRuleSpec, svc: WatchedService | None, environment: str) -> str:
    if rule.expr:
        return rule.expr
    env = f'environment="{environment}"'
    sel = f'service="{svc.name}",{env}' if svc else env
    threshold = _number(rule.above)
    if rule.metric == "error_rate":
        return (
            f'100 * sum(rate(http_requests_total{{{sel},status=~"5.."}}[{RATE_WINDOW}]))'
            f" / sum(rate(http_requests_total{{{sel}}}[{RATE_WINDOW}])) > {threshold}"
        )
    if rule.metric == "p95_latency":
        return (
            "histogram_quantile(0.95, sum by (le) "
            f"(rate(http_request_duration_seconds_bucket{{{sel}}}[{RATE_WINDOW}]))) > {threshold}"
        )
    if rule.metric == "memory":
        assert svc is not None
        if not svc.memory_gb:
            raise ValueError(
                f"alert rule memory on {svc.name}: the service has no memory limit to compare with"
            )
        limit = int(svc.memory_gb * 1024**3)
        return f"100 * max(process_resident_memory_bytes{{{sel}}}) / {limit} > {threshold}"
    if rule.metric == "cpu":
        assert svc is not None
        if not svc.vcpus:
            raise ValueError(f"alert rule cpu on {svc.name}: the service has no CPU limit to compare with")
        used = f"max(rate(process_cpu_seconds_total{{{sel}}}[{RATE_WINDOW}]))"
        return f"100 * {used} / {_number(svc.vcpus)} > {threshold}"
    if rule.metric == "pool_usage":
        in_use, size = f"max(db_pool_connections_in_use{{{sel}}})", f"max(db_pool_connections_max{{{sel}}})"
        return f"100 * {in_use} / {size} > {threshold}"
    queue = f'queue="{rule.queue}",{env}' if rule.queue else env
    return f"max(queue_waiting_jobs{{{queue}}}) > {threshold}"


def _summary(rule: AlertRuleSpec, svc: WatchedService | None) -> str:
    subject = svc.name if svc else (f"queue {rule.queue}" if rule.queue else "queues")
    unit = {"p95_latency": "s", "queue_depth": " jobs waiting"}.get(rule.metric, "%")
    what = rule.metric.replace("_", " ")
    return f"{subject}: {what} above {_number(rule.above)}{unit} for {_duration(rule.for_seconds)}"


def prometheus_rules(
    rules: Sequence[AlertRuleSpec], services: Sequence[WatchedService], *, environment: str, group: str
) -> dict[str, Any]:
    """The Prometheus alerting-rules document (`groups: [{name, rules: [...]}]`) for these thresholds."""
    out: list[dict[str, Any]] = []
    for rule in rules:
        for svc in _targets(rule, services):
            prefix = "".join(
                p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", svc.name if svc else rule.queue or "")
            )
            out.append(
                {
                    "alert": f"{prefix}{_TITLES[rule.metric]}",
                    "expr": _expression(rule, svc, environment),
                    "for": _duration(rule.for_seconds),
                    "labels": {
                        "severity": rule.severity,
                        "environment": environment,
                        **({"service": svc.name} if svc else {}),
                        **({"queue": rule.queue} if rule.queue else {}),
                    },
                    "annotations": {
                        "summary": _summary(rule, svc),
                        "enforced_by": ENFORCED_BY[rule.metric],
                    },
                }
            )
    names = [r["alert"] for r in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"alert rules produce the same alert twice: {', '.join(duplicates)}")
    return {"groups": [{"name": group, "rules": out}]}


# What Railway can chart for a rule's metric: (item type, HTTP metric or measurements, chart title).
_CHARTS: dict[str, tuple[str, str | list[str], str]] = {
    "error_rate": ("HTTP_METRICS_ITEM", "STATUS_RATIO", "Error rate"),
    "p95_latency": ("HTTP_METRICS_ITEM", "LATENCY", "Latency"),
    "memory": ("SERVICE_METRICS_ITEM", ["MEMORY_USAGE_GB", "MEMORY_LIMIT_GB"], "Memory"),
    "cpu": ("SERVICE_METRICS_ITEM", ["CPU_USAGE", "CPU_LIMIT"], "CPU"),
}


def dashboard_items(
    rules: Sequence[AlertRuleSpec], services: Sequence[WatchedService]
) -> list[railway.DashboardItem]:
    """One chart per charted metric (and named service), over the services its rule watches; rules on
    metrics Railway does not have (pool usage, queue depth) or on services without an id get none."""
    items: dict[str, railway.DashboardItem] = {}
    for rule in rules:
        chart = _CHARTS.get(rule.metric)
        if chart is None:
            continue
        item_id = rule.metric.replace("_", "-") + (f"-{rule.service}" if rule.service else "")
        ids = [t.service_id for t in _targets(rule, services) if t is not None and t.service_id is not None]
        if item_id in items or not ids:
            continue
        kind, metric, title = chart
        unit = "s" if rule.metric == "p95_latency" else "%"
        items[item_id] = railway.DashboardItem(
            id=item_id,
            name=f"{title} ({rule.service})" if rule.service else title,
            type=kind,
            description=f"alert above {_number(rule.above)}{unit} for {_duration(rule.for_seconds)}, "
            f"enforced by: {ENFORCED_BY[rule.metric]}",
            http_metric=metric if isinstance(metric, str) else None,
            measurements=list(metric) if isinstance(metric, list) else None,
            resource_ids=pulumi.Output.all(*ids),
        )
    return list(items.values())


class AlertPolicy(pulumi.ComponentResource):
    rules_document: pulumi.Output[str]
    """YAML, loadable by Prometheus (`rule_files`) or any compatible ruler."""
    enforcement: pulumi.Output[dict[str, str]]
    """Alert name -> who enforces it (`railway`, `railway-monitor-or-external`, `external-monitor`)."""

    def __init__(self, name: str, args: AlertPolicyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:AlertPolicy", name, None, opts)
        document = prometheus_rules(
            args.rules, args.services, environment=args.environment, group=f"{name}-{args.environment}"
        )
        self.notification_rule = None
        if args.event_types:
            if args.webhook_url is None and not args.emails:
                raise ValueError(f"{name}: notification rules need a webhook URL or email addresses")
            self.notification_rule = railway.NotificationRule(
                f"{name}-events",
                railway.NotificationRuleArgs(
                    workspace_id=args.workspace_id,
                    project_id=args.project_id,
                    event_types=list(args.event_types),
                    severities=[s.upper() for s in args.severities] if args.severities else None,
                    webhook_url=pulumi.Output.secret(args.webhook_url)
                    if args.webhook_url is not None
                    else None,
                    emails=list(args.emails) or None,
                ),
                pulumi.ResourceOptions(parent=self),
            )
        self.dashboard = None
        charts = dashboard_items(args.rules, args.services)
        if args.environment_id is not None and charts:
            self.dashboard = railway.ObservabilityDashboard(
                f"{name}-dashboard",
                railway.ObservabilityDashboardArgs(environment_id=args.environment_id, items=charts),
                pulumi.ResourceOptions(parent=self),
            )
        enforcement = {"events: " + ", ".join(args.event_types): "railway"} if args.event_types else {}
        for rule in document["groups"][0]["rules"]:
            enforcement[rule["alert"]] = rule["annotations"]["enforced_by"]
        self.rules_document = pulumi.Output.from_input(yaml.safe_dump(document, sort_keys=False))
        self.enforcement = pulumi.Output.from_input(enforcement)
        self.register_outputs({"rules_document": self.rules_document, "enforcement": self.enforcement})
