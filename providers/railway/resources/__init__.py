"""Railway dynamic resources: one Resource and one ResourceProvider per Railway object.

Type tokens are `pulumi-python:dynamic/railway:<Kind>`. Credentials come from `configure()` only:
`railway:token` / `RAILWAY_API_TOKEN` (account or workspace token, sent as Bearer), optionally
`railway:projectToken` / `RAILWAY_TOKEN` (project token, sent as `Project-Access-Token`), and
`railway:apiUrl` / `RAILWAY_API_URL` (default the real endpoint).

Choices worth knowing:
- Outputs are the inputs plus what Railway computed; `read` refreshes the inputs the user set and returns
  them too, so a refresh followed by a preview diffs against what Railway really holds.
- A setting the user removes is cleared (`null`); a setting never set is never sent.
- `ServiceInstance` applies settings and then deploys (`serviceInstanceDeployV2`), waiting for SUCCESS;
  FAILED or CRASHED fail the step with the status and the last log lines. Deleting a `ServiceInstance`
  sends nothing: the service owns its instance and removes it with itself, and resetting settings of a
  live service would redeploy it with defaults nobody asked for.
- `Service.variables` are passed to `serviceCreate`, so the first build already has them; later changes
  go to the service's `environment_id` (or the project's default environment).
"""

from __future__ import annotations

from providers.http import AmbiguousRequestError
from providers.railway.base import (
    API_TOKEN,
    API_URL,
    DEFAULT_DEPLOY_TIMEOUT,
    KNOWN_REGIONS,
    MAX_HEALTHCHECK_TIMEOUT_SECONDS,
    MAX_RESTART_RETRIES,
    MAX_TOTAL_REPLICAS,
    PROJECT_TOKEN,
    REQUESTS_PER_HOUR,
    REQUESTS_PER_SECOND,
    BackupSchedule,
    Builder,
    DeploymentFailedError,
    RailwayProvider,
    RestartPolicyType,
    Severity,
)
from providers.railway.resources.custom_domain import (
    CustomDomain,
    CustomDomainArgs,
    CustomDomainInputs,
    CustomDomainProvider,
)
from providers.railway.resources.environment import (
    Environment,
    EnvironmentArgs,
    EnvironmentInputs,
    EnvironmentProvider,
    Service,
    ServiceArgs,
    ServiceInputs,
    ServiceProvider,
)
from providers.railway.resources.notification_rule import (
    NotificationRule,
    NotificationRuleArgs,
    NotificationRuleInputs,
    NotificationRuleProvider,
)
from providers.railway.resources.observability_dashboard import (
    ALL_PROVIDERS,
    DEFAULT_CELL,
    GRID_COLUMNS,
    DashboardItem,
    DashboardItemInputs,
    DashboardItemType,
    HttpMetricKind,
    MetricMeasurement,
    ObservabilityDashboard,
    ObservabilityDashboardArgs,
    ObservabilityDashboardInputs,
    ObservabilityDashboardProvider,
    ProjectUsageProperty,
)
from providers.railway.resources.project import Project, ProjectArgs, ProjectInputs, ProjectProvider
from providers.railway.resources.service_domain import (
    ServiceDomain,
    ServiceDomainArgs,
    ServiceDomainInputs,
    ServiceDomainProvider,
)
from providers.railway.resources.service_instance import (
    TYPICAL_DEPLOY_SECONDS,
    ServiceInstance,
    ServiceInstanceArgs,
    ServiceInstanceInputs,
    ServiceInstanceProvider,
    typical_deploy_seconds,
)
from providers.railway.resources.tcp_proxy import TcpProxy, TcpProxyArgs, TcpProxyInputs, TcpProxyProvider
from providers.railway.resources.variables import Variables, VariablesArgs, VariablesInputs, VariablesProvider
from providers.railway.resources.volume import Volume, VolumeArgs, VolumeInputs, VolumeProvider

__all__ = [
    "ALL_PROVIDERS",
    "API_TOKEN",
    "API_URL",
    "DEFAULT_CELL",
    "DEFAULT_DEPLOY_TIMEOUT",
    "GRID_COLUMNS",
    "KNOWN_REGIONS",
    "MAX_HEALTHCHECK_TIMEOUT_SECONDS",
    "MAX_RESTART_RETRIES",
    "MAX_TOTAL_REPLICAS",
    "PROJECT_TOKEN",
    "REQUESTS_PER_HOUR",
    "REQUESTS_PER_SECOND",
    "TYPICAL_DEPLOY_SECONDS",
    "AmbiguousRequestError",
    "BackupSchedule",
    "Builder",
    "CustomDomain",
    "CustomDomainArgs",
    "CustomDomainInputs",
    "CustomDomainProvider",
    "DashboardItem",
    "DashboardItemInputs",
    "DashboardItemType",
    "DeploymentFailedError",
    "Environment",
    "EnvironmentArgs",
    "EnvironmentInputs",
    "EnvironmentProvider",
    "HttpMetricKind",
    "MetricMeasurement",
    "NotificationRule",
    "NotificationRuleArgs",
    "NotificationRuleInputs",
    "NotificationRuleProvider",
    "ObservabilityDashboard",
    "ObservabilityDashboardArgs",
    "ObservabilityDashboardInputs",
    "ObservabilityDashboardProvider",
    "Project",
    "ProjectArgs",
    "ProjectInputs",
    "ProjectProvider",
    "ProjectUsageProperty",
    "RailwayProvider",
    "RestartPolicyType",
    "Service",
    "ServiceArgs",
    "ServiceDomain",
    "ServiceDomainArgs",
    "ServiceDomainInputs",
    "ServiceDomainProvider",
    "ServiceInputs",
    "ServiceInstance",
    "ServiceInstanceArgs",
    "ServiceInstanceInputs",
    "ServiceInstanceProvider",
    "ServiceProvider",
    "Severity",
    "TcpProxy",
    "TcpProxyArgs",
    "TcpProxyInputs",
    "TcpProxyProvider",
    "Variables",
    "VariablesArgs",
    "VariablesInputs",
    "VariablesProvider",
    "Volume",
    "VolumeArgs",
    "VolumeInputs",
    "VolumeProvider",
    "typical_deploy_seconds",
]
