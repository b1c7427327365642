"""Railway ObservabilityDashboard: its inputs model, provider, Args and Resource."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator, model_validator

from providers.base import (
    changed_keys,
    unless_gone,
)
from providers.http import ApiError
from providers.railway.base import RailwayProvider, _adopt_or_retry, _cleanup, _gone_is_fine, _strict
from providers.railway.client import is_not_found
from providers.railway.resources.custom_domain import CustomDomainProvider
from providers.railway.resources.environment import EnvironmentProvider, ServiceProvider
from providers.railway.resources.notification_rule import NotificationRuleProvider
from providers.railway.resources.project import ProjectProvider
from providers.railway.resources.service_domain import ServiceDomainProvider
from providers.railway.resources.service_instance import ServiceInstanceProvider
from providers.railway.resources.tcp_proxy import TcpProxyProvider
from providers.railway.resources.variables import VariablesProvider
from providers.railway.resources.volume import VolumeProvider

# ==========================================================================================================
# ObservabilityDashboard
# ==========================================================================================================
DashboardItemType = Literal[
    "DNS_LOGS_ITEM",
    "HTTP_LOGS_ITEM",
    "HTTP_METRICS_ITEM",
    "NETWORK_LOGS_ITEM",
    "PROJECT_USAGE_ITEM",
    "SERVICE_LOGS_ITEM",
    "SERVICE_METRICS_ITEM",
    "VOLUME_METRICS_ITEM",
]


MetricMeasurement = Literal[
    "BACKUP_USAGE_GB",
    "CPU_LIMIT",
    "CPU_USAGE",
    "CPU_USAGE_2",
    "DISK_USAGE_GB",
    "EPHEMERAL_DISK_USAGE_GB",
    "MEMORY_LIMIT_GB",
    "MEMORY_USAGE_GB",
    "NETWORK_RX_GB",
    "NETWORK_TX_GB",
]


HttpMetricKind = Literal["LATENCY", "REQUESTS", "STATUS_RATIO"]


ProjectUsageProperty = Literal[
    "BACKUP_USAGE",
    "CPU_USAGE",
    "CURRENT_USAGE",
    "DISK_USAGE",
    "ESTIMATED_USAGE",
    "MEMORY_USAGE",
    "NETWORK_USAGE",
]


# Railway's `displayConfig` is an untyped JSON scalar; `{x, y, w, h}` grid cells (two charts per row of a
# 12-column grid unless an item says otherwise) are our inference, not a documented shape.
GRID_COLUMNS = 12


DEFAULT_CELL = {"w": 6, "h": 4}


_CONFIG_KEYS = (
    ("measurements", "measurements"),
    ("http_metric", "httpMetric"),
    ("resource_ids", "resourceIds"),
    ("logs_filter", "logsFilter"),
    ("project_usage_properties", "projectUsageProperties"),
)


_LAYOUT_KEYS = ("x", "y", "w", "h")


class DashboardItemInputs(BaseModel):
    """One chart: `id` is ours to choose and stays stable across updates (Railway keys items by it)."""

    model_config = _strict()
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    type: DashboardItemType
    description: str | None = None
    measurements: list[MetricMeasurement] | None = Field(default=None, min_length=1)
    http_metric: HttpMetricKind | None = None
    resource_ids: list[str] | None = None
    logs_filter: str | None = None
    project_usage_properties: list[ProjectUsageProperty] | None = Field(default=None, min_length=1)
    x: int | None = Field(default=None, ge=0, lt=GRID_COLUMNS)
    y: int | None = Field(default=None, ge=0)
    w: int | None = Field(default=None, ge=1, le=GRID_COLUMNS)
    h: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _config_fits_type(self) -> DashboardItemInputs:
        if self.type in ("SERVICE_METRICS_ITEM", "VOLUME_METRICS_ITEM") and not self.measurements:
            raise ValueError(f"item {self.id}: a {self.type} needs measurements")
        if self.type == "HTTP_METRICS_ITEM" and not self.http_metric:
            raise ValueError(f"item {self.id}: an HTTP_METRICS_ITEM needs http_metric")
        if self.type == "PROJECT_USAGE_ITEM" and not self.project_usage_properties:
            raise ValueError(f"item {self.id}: a PROJECT_USAGE_ITEM needs project_usage_properties")
        return self

    def display_config(self, index: int) -> dict[str, int]:
        w = self.w or DEFAULT_CELL["w"]
        per_row = max(GRID_COLUMNS // w, 1)
        default = {"x": (index % per_row) * w, "y": (index // per_row) * DEFAULT_CELL["h"]}
        return {
            "x": self.x if self.x is not None else default["x"],
            "y": self.y if self.y is not None else default["y"],
            "w": w,
            "h": self.h or DEFAULT_CELL["h"],
        }

    def to_railway(self, index: int) -> dict[str, Any]:
        """An `ObservabilityDashboardUpdateInput`; the item instance and its dashboard item share our id."""
        config = {api: getattr(self, ours) for ours, api in _CONFIG_KEYS if getattr(self, ours) is not None}
        return {
            "id": self.id,
            "displayConfig": self.display_config(index),
            "dashboardItem": {
                "id": self.id,
                "name": self.name,
                "description": self.description,
                "type": self.type,
                "config": config,
            },
        }


class ObservabilityDashboardInputs(BaseModel):
    model_config = _strict()
    environment_id: str = Field(min_length=1)
    items: list[DashboardItemInputs] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_ids(cls, value: list[DashboardItemInputs]) -> list[DashboardItemInputs]:
        ids = [i.id for i in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"item ids must be unique: {duplicates}")
        return value

    def to_railway(self) -> list[dict[str, Any]]:
        return [item.to_railway(index) for index, item in enumerate(self.items)]


def _item_from_railway(instance: Mapping[str, Any], old: Mapping[str, Any] | None) -> dict[str, Any]:
    """A live item in our input shape; layout keys only where the user set them (else any layout is ours)."""
    item: Mapping[str, Any] = instance.get("dashboardItem") or {}
    config: Mapping[str, Any] = item.get("config") or {}
    found: dict[str, Any] = {
        "id": instance.get("id"),
        "name": item.get("name"),
        "type": item.get("type"),
        "description": item.get("description"),
        **{ours: config.get(api) for ours, api in _CONFIG_KEYS},
    }
    display: Mapping[str, Any] = instance.get("displayConfig") or {}
    for key in _LAYOUT_KEYS:
        if old is None or old.get(key) is not None:
            found[key] = display.get(key)
    return {k: v for k, v in found.items() if v is not None}


class ObservabilityDashboardProvider(RailwayProvider):
    """An environment's observability dashboard (Railway keeps one per environment), holding our items.

    Create adopts the environment's dashboard when it already has one (else creates it), then replaces its
    items with ours. There is no delete in Railway's API: deleting this resource *resets* the environment's
    dashboard to Railway's default items. Threshold monitors cannot be created through the public API, so
    the items are charts only.
    """

    Inputs = ObservabilityDashboardInputs
    create_is_idempotent = True  # it takes the environment's one dashboard, made or found
    replace_keys = frozenset({"environment_id"})

    def _find(self, environment_id: str) -> dict[str, Any] | None:
        found = self.client().observability_dashboards(environment_id)
        return found[0] if found else None

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ObservabilityDashboardInputs = self.parse(props)
        client = self.client()
        dashboard = self._find(inputs.environment_id)
        made_here = dashboard is None
        if dashboard is None:
            # One dashboard per environment: a lost answer is resolved by listing the environment's.
            def created() -> dict[str, Any]:
                client.observability_dashboard_create(inputs.environment_id)
                found = self._find(inputs.environment_id)
                if found is None:
                    raise RuntimeError(
                        f"Railway answered observabilityDashboardCreate for environment "
                        f"{inputs.environment_id} but lists no dashboard for it; run again"
                    )
                return found

            dashboard = _adopt_or_retry(
                created,
                lambda: [d for d in [self._find(inputs.environment_id)] if d is not None],
                f"the dashboard of environment {inputs.environment_id}",
                self.sleep,
            )
        dashboard_id = str(dashboard["id"])
        try:
            client.observability_dashboard_update(dashboard_id, inputs.to_railway())
        except Exception as exc:
            note: list[str] = []
            if made_here:
                _cleanup(lambda: client.observability_dashboard_reset(dashboard_id), note)
            what = f"dashboard {dashboard_id}" + ("" if made_here else " (adopted, left unchanged)")
            suffix = f" [{what}: {'; '.join(note)}]" if note else f" [{what}: none of our items were kept]"
            if isinstance(exc, ApiError):
                exc.message += suffix
                raise
            raise RuntimeError(f"{exc}{suffix}") from exc
        return dynamic.CreateResult(dashboard_id, self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ObservabilityDashboardInputs = self.parse(news)
        if changed_keys(olds, news, ("items",)):
            self.client().observability_dashboard_update(id_, new.to_railway())
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        dashboards = unless_gone(
            lambda: self.client().observability_dashboards(old["environment_id"]), is_not_found
        )
        dashboard = next((d for d in dashboards or [] if d.get("id") == id_), None)
        if dashboard is None:
            return dynamic.ReadResult(None, {})
        old_items = {str(i.get("id")): i for i in old.get("items") or []}
        items = [_item_from_railway(i, old_items.get(str(i.get("id")))) for i in dashboard.get("items") or []]
        return self.read_result(id_, {**old, "items": items}, {})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().observability_dashboard_reset(id_))


@dataclass
class DashboardItem:
    """One chart of an `ObservabilityDashboard` (see `DashboardItemInputs` for the rules)."""

    id: str
    name: str
    type: str
    description: str | None = None
    measurements: list[str] | None = None
    http_metric: str | None = None
    resource_ids: pulumi.Input[list[str]] | None = None
    logs_filter: str | None = None
    project_usage_properties: list[str] | None = None
    x: int | None = None
    y: int | None = None
    w: int | None = None
    h: int | None = None

    def as_input(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


@dataclass
class ObservabilityDashboardArgs:
    environment_id: pulumi.Input[str]
    items: Sequence[DashboardItem | Mapping[str, Any]]


class ObservabilityDashboard(dynamic.Resource, module="railway", name="ObservabilityDashboard"):
    """The environment's Railway observability dashboard with our charts; deleting it resets the dashboard
    to Railway's default items (Railway has no delete)."""

    environment_id: pulumi.Output[str]
    items: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self, resource_name: str, args: ObservabilityDashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        items = [i.as_input() if isinstance(i, DashboardItem) else dict(i) for i in args.items]
        props = {"environment_id": args.environment_id, "items": items}
        super().__init__(ObservabilityDashboardProvider(), resource_name, props, opts)


ALL_PROVIDERS: tuple[type[RailwayProvider], ...] = (
    ProjectProvider,
    EnvironmentProvider,
    ServiceProvider,
    ServiceInstanceProvider,
    VariablesProvider,
    ServiceDomainProvider,
    CustomDomainProvider,
    VolumeProvider,
    TcpProxyProvider,
    NotificationRuleProvider,
    ObservabilityDashboardProvider,
)
