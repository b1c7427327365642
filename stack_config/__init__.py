"""The typed model of a stack file: everything `Pulumi.<stack>.yaml` says under the `platform:` namespace.

`load_stack_config()` reads the stack's config from the Pulumi runtime, validates all of it at once and
raises `StackConfigError` listing every problem as `Pulumi.<stack>.yaml: platform:<key path>: <message>`,
before the program registers a single resource. The models are plain data; the components take them as
they are (`components/` never reads config itself).

The vendors' limits checked here are the ones their APIs enforce (see docs/*-api.md): Railway's four regions
(there is no Canadian one), Neon's regions, Postgres versions and compute sizes, Supabase's regions
(including `ca-central-1`), instance sizes and PITR add-on windows, Railway's volume backup schedules.
Those a provider also checks come from `providers.<vendor>`, so each has one source.
A setting an engine cannot honour is an error naming what it can do, never a silent downgrade.
"""

from __future__ import annotations

from stack_config.alerts import METRIC_UNITS, AlertChannels, AlertRule, Alerts
from stack_config.commands import Commands
from stack_config.database import Backups, Compute, Database
from stack_config.fields import (
    NAMESPACE,
    NEON_CU_SIZES,
    NEON_MAX_AUTOSCALING_CU,
    NEON_MAX_AUTOSCALING_SPAN_CU,
    NEON_MAX_HISTORY_SECONDS,
    NEON_POSTGRES_VERSIONS,
    NEON_REGIONS,
    RAILWAY_BACKUP_KEEPS_DAYS,
    RAILWAY_MAX_REPLICAS,
    RAILWAY_POSTGRES_VERSIONS,
    RAILWAY_REGIONS,
    REDIS_EVICTION_POLICIES,
    SUPABASE_INSTANCE_SIZES,
    SUPABASE_PITR_DAYS,
    SUPABASE_POSTGRES_VERSION,
    SUPABASE_REGIONS,
    Duration,
    DurationField,
    Model,
    Problems,
    RailwayRegion,
    Size,
    SizeField,
    region_error,
)
from stack_config.loader import (
    CONFIG_FILE_ENV,
    StackConfigError,
    describe_errors,
    load_stack_config,
    parse_stack_config,
    stack_file_name,
)
from stack_config.loader import _runtime_config as _runtime_config  # used by pull_request_stack
from stack_config.model import StackConfig
from stack_config.pull_request import PullRequest
from stack_config.railway import RailwayScope
from stack_config.redis import Redis
from stack_config.secrets import ExternalSecret, GeneratedSecret, SecretSpec, SecretSpecField
from stack_config.services import HealthCheck, Migration, Resources, RestartPolicy, Service

__all__ = [
    "CONFIG_FILE_ENV",
    "METRIC_UNITS",
    "NAMESPACE",
    "NEON_CU_SIZES",
    "NEON_MAX_AUTOSCALING_CU",
    "NEON_MAX_AUTOSCALING_SPAN_CU",
    "NEON_MAX_HISTORY_SECONDS",
    "NEON_POSTGRES_VERSIONS",
    "NEON_REGIONS",
    "RAILWAY_BACKUP_KEEPS_DAYS",
    "RAILWAY_MAX_REPLICAS",
    "RAILWAY_POSTGRES_VERSIONS",
    "RAILWAY_REGIONS",
    "REDIS_EVICTION_POLICIES",
    "SUPABASE_INSTANCE_SIZES",
    "SUPABASE_PITR_DAYS",
    "SUPABASE_POSTGRES_VERSION",
    "SUPABASE_REGIONS",
    "AlertChannels",
    "AlertRule",
    "Alerts",
    "Backups",
    "Commands",
    "Compute",
    "Database",
    "Duration",
    "DurationField",
    "ExternalSecret",
    "GeneratedSecret",
    "HealthCheck",
    "Migration",
    "Model",
    "Problems",
    "PullRequest",
    "RailwayRegion",
    "RailwayScope",
    "Redis",
    "Resources",
    "RestartPolicy",
    "SecretSpec",
    "SecretSpecField",
    "Service",
    "Size",
    "SizeField",
    "StackConfig",
    "StackConfigError",
    "describe_errors",
    "load_stack_config",
    "parse_stack_config",
    "region_error",
    "stack_file_name",
]
