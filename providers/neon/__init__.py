"""Neon dynamic resources (`pulumi-python:dynamic/neon:<Kind>`) and the client they use.

Credentials come from `configure()`: `neon:apiKey` / `NEON_API_KEY`, `neon:apiUrl` / `NEON_API_URL`
(default `https://console.neon.tech/api/v2`).
"""

from providers.neon.client import DEFAULT_API_URL, NeonClient
from providers.neon.resources import (
    COMPUTE_SIZES,
    MAX_AUTOSCALING_CU,
    MAX_AUTOSCALING_RANGE_CU,
    MAX_HISTORY_RETENTION_SECONDS,
    MAX_PG_VERSION,
    MAX_SUSPEND_TIMEOUT_SECONDS,
    MIN_PG_VERSION,
    REGIONS,
    Branch,
    BranchArgs,
    ConnectionUri,
    ConnectionUriArgs,
    Database,
    DatabaseArgs,
    Endpoint,
    EndpointArgs,
    NeonOperationError,
    NeonResourceError,
    Project,
    ProjectArgs,
    Role,
    RoleArgs,
)

__all__ = [
    "COMPUTE_SIZES",
    "DEFAULT_API_URL",
    "MAX_AUTOSCALING_CU",
    "MAX_AUTOSCALING_RANGE_CU",
    "MAX_HISTORY_RETENTION_SECONDS",
    "MAX_PG_VERSION",
    "MAX_SUSPEND_TIMEOUT_SECONDS",
    "MIN_PG_VERSION",
    "REGIONS",
    "Branch",
    "BranchArgs",
    "ConnectionUri",
    "ConnectionUriArgs",
    "Database",
    "DatabaseArgs",
    "Endpoint",
    "EndpointArgs",
    "NeonClient",
    "NeonOperationError",
    "NeonResourceError",
    "Project",
    "ProjectArgs",
    "Role",
    "RoleArgs",
]
