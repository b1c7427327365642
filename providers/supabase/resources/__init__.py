"""Supabase dynamic resources (`pulumi-python:dynamic/supabase:<Kind>`): a project and its settings.

Each Resource has a typed `<Kind>Args` dataclass and one ResourceProvider. Credentials come from
`configure()` (`supabase:accessToken` / `SUPABASE_ACCESS_TOKEN`, `supabase:apiUrl` / `SUPABASE_API_URL`)
and never reach state. Settings resources wait until the project and the services they touch are healthy
before writing, because a project that has just reported ACTIVE_HEALTHY still refuses configuration for a
while (TF provider issue #239).
"""

from __future__ import annotations

from providers.base import CredentialsMissingError
from providers.supabase.base import (
    ACCESS_TOKEN,
    API_URL,
    CLEANUP_TIMEOUT_SECONDS,
    DATABASE_NAME,
    DATABASE_USER,
    DEFAULT_CREATE_TIMEOUT_SECONDS,
    DIRECT_PORT,
    MIN_PASSWORD_LENGTH,
    REF_PATTERN,
    REQUESTS_PER_MINUTE,
    ProjectFailedError,
    SupabaseProvider,
)
from providers.supabase.resources.auth_config import (
    AuthConfig,
    AuthConfigArgs,
    AuthConfigInputs,
    AuthConfigProvider,
    AuthSettingsModel,
)
from providers.supabase.resources.backup_policy import (
    BackupPolicy,
    BackupPolicyArgs,
    BackupPolicyInputs,
    BackupPolicyProvider,
)
from providers.supabase.resources.network_restrictions import (
    ALLOW_ALL,
    NetworkRestrictions,
    NetworkRestrictionsArgs,
    NetworkRestrictionsInputs,
    NetworkRestrictionsProvider,
)
from providers.supabase.resources.pooler_config import (
    PoolerConfig,
    PoolerConfigArgs,
    PoolerConfigInputs,
    PoolerConfigProvider,
)
from providers.supabase.resources.postgres_config import (
    PostgresConfig,
    PostgresConfigArgs,
    PostgresConfigInputs,
    PostgresConfigProvider,
    PostgresOverrides,
)
from providers.supabase.resources.postgrest_config import (
    POSTGREST_DEFAULTS,
    POSTGREST_KEYS,
    PostgrestConfig,
    PostgrestConfigArgs,
    PostgrestConfigInputs,
    PostgrestConfigProvider,
)
from providers.supabase.resources.project import (
    PROJECT_INPUT_KEYS,
    Project,
    ProjectArgs,
    ProjectInputs,
    ProjectProvider,
)
from providers.supabase.resources.secrets import (
    Secrets,
    SecretsArgs,
    SecretsInputs,
    SecretsProvider,
    sha256_hex,
)
from providers.supabase.resources.ssl_enforcement import (
    SslEnforcement,
    SslEnforcementArgs,
    SslEnforcementInputs,
    SslEnforcementProvider,
)

__all__ = [
    "ACCESS_TOKEN",
    "ALLOW_ALL",
    "API_URL",
    "CLEANUP_TIMEOUT_SECONDS",
    "DATABASE_NAME",
    "DATABASE_USER",
    "DEFAULT_CREATE_TIMEOUT_SECONDS",
    "DIRECT_PORT",
    "MIN_PASSWORD_LENGTH",
    "POSTGREST_DEFAULTS",
    "POSTGREST_KEYS",
    "PROJECT_INPUT_KEYS",
    "REF_PATTERN",
    "REQUESTS_PER_MINUTE",
    "AuthConfig",
    "AuthConfigArgs",
    "AuthConfigInputs",
    "AuthConfigProvider",
    "AuthSettingsModel",
    "BackupPolicy",
    "BackupPolicyArgs",
    "BackupPolicyInputs",
    "BackupPolicyProvider",
    "CredentialsMissingError",
    "NetworkRestrictions",
    "NetworkRestrictionsArgs",
    "NetworkRestrictionsInputs",
    "NetworkRestrictionsProvider",
    "PoolerConfig",
    "PoolerConfigArgs",
    "PoolerConfigInputs",
    "PoolerConfigProvider",
    "PostgresConfig",
    "PostgresConfigArgs",
    "PostgresConfigInputs",
    "PostgresConfigProvider",
    "PostgresOverrides",
    "PostgrestConfig",
    "PostgrestConfigArgs",
    "PostgrestConfigInputs",
    "PostgrestConfigProvider",
    "Project",
    "ProjectArgs",
    "ProjectFailedError",
    "ProjectInputs",
    "ProjectProvider",
    "Secrets",
    "SecretsArgs",
    "SecretsInputs",
    "SecretsProvider",
    "SslEnforcement",
    "SslEnforcementArgs",
    "SslEnforcementInputs",
    "SslEnforcementProvider",
    "SupabaseProvider",
    "sha256_hex",
]
