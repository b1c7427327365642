"""Neon dynamic resources: Project, Branch, Endpoint, Role, Database and a ConnectionUri lookup.

Type tokens are `pulumi-python:dynamic/neon:<Kind>`. What every provider here does (design.md, neon-api.md):
- `check` rejects before any request what the API would reject: compute sizes, the autoscaling range,
  suspend timeout, Postgres version, history retention, region. Plan limits depend on the account, so the
  API's own message reaches the user verbatim, prefixed with the object's name.
- Every mutating response's operations are polled to completion with backoff; a failed operation fails
  the step with its error. 423 Locked is retried by the HTTP layer.
- Mutations on one project are serialised inside the provider process: the provider host serves four
  calls at once, and Neon answers 423 to work scheduled while another operation runs.
- DELETE answered 204 or 404 is success; `read` returns nothing when the object is gone.
"""

from __future__ import annotations

from providers.neon.base import (
    COMPUTE_KEYS,
    COMPUTE_SIZES,
    DEFAULT_REGION,
    ID_PATTERN,
    MAX_AUTOSCALING_CU,
    MAX_AUTOSCALING_RANGE_CU,
    MAX_HISTORY_RETENTION_SECONDS,
    MAX_PG_VERSION,
    MAX_SUSPEND_TIMEOUT_SECONDS,
    MIN_PG_VERSION,
    OPERATION_FAILED,
    OPERATION_OK,
    POSTGRES_PORT,
    REGIONS,
    NeonOperationError,
    NeonProvider,
    NeonResourceError,
    about,
    host_of,
    pooled_uri_of,
    pooler_host_of,
    project_lock,
    raise_with_note,
)
from providers.neon.resources.branch import BRANCH_OUTPUTS, Branch, BranchArgs, BranchInputs, BranchProvider
from providers.neon.resources.connection_uri import (
    CONNECTION_OUTPUTS,
    CONNECTION_SECRETS,
    ConnectionUri,
    ConnectionUriArgs,
    ConnectionUriInputs,
    ConnectionUriProvider,
)
from providers.neon.resources.database import (
    DATABASE_OUTPUTS,
    Database,
    DatabaseArgs,
    DatabaseInputs,
    DatabaseProvider,
)
from providers.neon.resources.endpoint import (
    ENDPOINT_OUTPUTS,
    Endpoint,
    EndpointArgs,
    EndpointInputs,
    EndpointProvider,
)
from providers.neon.resources.project import (
    PROJECT_OUTPUTS,
    PROJECT_SECRETS,
    Project,
    ProjectArgs,
    ProjectInputs,
    ProjectProvider,
)
from providers.neon.resources.role import ROLE_OUTPUTS, ROLE_SECRETS, Role, RoleArgs, RoleInputs, RoleProvider

__all__ = [
    "BRANCH_OUTPUTS",
    "COMPUTE_KEYS",
    "COMPUTE_SIZES",
    "CONNECTION_OUTPUTS",
    "CONNECTION_SECRETS",
    "DATABASE_OUTPUTS",
    "DEFAULT_REGION",
    "ENDPOINT_OUTPUTS",
    "ID_PATTERN",
    "MAX_AUTOSCALING_CU",
    "MAX_AUTOSCALING_RANGE_CU",
    "MAX_HISTORY_RETENTION_SECONDS",
    "MAX_PG_VERSION",
    "MAX_SUSPEND_TIMEOUT_SECONDS",
    "MIN_PG_VERSION",
    "OPERATION_FAILED",
    "OPERATION_OK",
    "POSTGRES_PORT",
    "PROJECT_OUTPUTS",
    "PROJECT_SECRETS",
    "REGIONS",
    "ROLE_OUTPUTS",
    "ROLE_SECRETS",
    "Branch",
    "BranchArgs",
    "BranchInputs",
    "BranchProvider",
    "ConnectionUri",
    "ConnectionUriArgs",
    "ConnectionUriInputs",
    "ConnectionUriProvider",
    "Database",
    "DatabaseArgs",
    "DatabaseInputs",
    "DatabaseProvider",
    "Endpoint",
    "EndpointArgs",
    "EndpointInputs",
    "EndpointProvider",
    "NeonOperationError",
    "NeonProvider",
    "NeonResourceError",
    "Project",
    "ProjectArgs",
    "ProjectInputs",
    "ProjectProvider",
    "Role",
    "RoleArgs",
    "RoleInputs",
    "RoleProvider",
    "about",
    "host_of",
    "pooled_uri_of",
    "pooler_host_of",
    "project_lock",
    "raise_with_note",
]
