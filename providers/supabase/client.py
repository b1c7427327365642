"""Typed client for the Supabase Management API (`https://api.supabase.com/v1/...`): one method per operation.

Every method names its OpenAPI operationId, so errors and the emulator's request log speak the same
language. Writes the API treats as replace-or-merge (PATCH, PUT, the bulk secret upsert, the network
restriction apply) are marked safe to repeat; creating a project is not, and an ambiguous failure there
raises `AmbiguousRequestError` for the caller to resolve by looking the project up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast
from urllib.parse import quote

import httpx

from providers.http import DEFAULT_TIMEOUT, ApiError, HttpClient, RetryPolicy, Secret

VENDOR = "supabase"
DEFAULT_API_URL = "https://api.supabase.com"

# `region` / `region_selection.code` enum of V1CreateProjectBody.
REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-east-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-central-1",
    "eu-central-2",
    "ca-central-1",
    "ap-south-1",
    "sa-east-1",
)

# `desired_instance_size` enum of V1CreateProjectBody. Every size but nano is also a `ci_<size>` add-on.
INSTANCE_SIZES: tuple[str, ...] = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
    "24xlarge_optimized_memory",
    "24xlarge_optimized_cpu",
    "24xlarge_high_memory",
    "48xlarge",
    "48xlarge_optimized_memory",
    "48xlarge_optimized_cpu",
    "48xlarge_high_memory",
)

PITR_DAYS: tuple[int, ...] = (7, 14, 28)

HEALTH_SERVICES: tuple[str, ...] = (
    "auth",
    "db",
    "db_postgres_user",
    "pooler",
    "realtime",
    "rest",
    "storage",
    "pg_bouncer",
)

# Project status enum, grouped the way a waiter needs it.
STATUS_ACTIVE = "ACTIVE_HEALTHY"
STATUS_FAILED: frozenset[str] = frozenset(
    {"INIT_FAILED", "REMOVED", "GOING_DOWN", "INACTIVE", "PAUSE_FAILED", "RESTORE_FAILED"}
)
STATUS_GONE: frozenset[str] = frozenset({"REMOVED", "GOING_DOWN"})

PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]"


class DatabaseInfo(TypedDict):
    host: str
    version: str
    postgres_engine: str
    release_channel: str


class Project(TypedDict):
    id: str
    ref: str
    organization_id: str
    organization_slug: str
    name: str
    region: str
    created_at: str
    status: str
    database: NotRequired[DatabaseInfo]


class ApiKey(TypedDict, total=False):
    name: str
    api_key: str | None
    id: str | None
    type: str | None


class PoolerConfig(TypedDict):
    identifier: str
    database_type: str
    is_using_scram_auth: bool
    db_user: str
    db_host: str
    db_port: int
    db_name: str
    connection_string: str
    default_pool_size: int | None
    max_client_conn: int | None
    pool_mode: str


class ServiceHealth(TypedDict, total=False):
    name: str
    healthy: bool
    status: str
    error: str


class SecretDigest(TypedDict, total=False):
    name: str
    value: str  # SHA-256 hex digest of the value, never the plaintext
    updated_at: str


class SupabaseClient:
    """The Management API with one access token. Not picklable (its `HttpClient` is not)."""

    def __init__(
        self,
        *,
        token: Secret,
        base_url: str = DEFAULT_API_URL,
        sleep: Callable[[float], None] = time.sleep,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        # A token pasted with a trailing newline breaks the header (TF issue #149).
        bearer = Secret(f"Bearer {token.reveal().strip()}")
        self.http = HttpClient(
            vendor=VENDOR,
            base_url=base_url,
            auth_headers={"Authorization": bearer},
            request_id_headers=("x-request-id", "x-gotrue-id", "cf-ray"),
            sleep=sleep,
            timeout=timeout,
            transport=transport,
            retry=retry,
        )

    def __repr__(self) -> str:
        return f"SupabaseClient(base_url={self.http.base_url!r})"

    def close(self) -> None:
        self.http.close()

    def _json(self, response: httpx.Response) -> Any:
        if not response.content:
            return None
        return response.json()

    # -- organizations and projects -------------------------------------------------------------------
    def list_organizations(self) -> list[dict[str, Any]]:
        response = self.http.request("GET", "/v1/organizations", operation="v1-list-all-organizations")
        return cast(list[dict[str, Any]], self._json(response))

    def list_projects(self) -> list[Project]:
        response = self.http.request("GET", "/v1/projects", operation="v1-list-all-projects")
        return cast(list[Project], self._json(response))

    def create_project(
        self,
        *,
        name: str,
        organization_slug: str,
        db_pass: str,
        region: str,
        desired_instance_size: str | None = None,
    ) -> Project:
        body: dict[str, Any] = {
            "name": name,
            "organization_slug": organization_slug,
            "db_pass": db_pass,
            # `region` is deprecated in favour of `region_selection`.
            "region_selection": {"type": "specific", "code": region},
        }
        if desired_instance_size:
            body["desired_instance_size"] = desired_instance_size
        response = self.http.request(
            "POST", "/v1/projects", operation="v1-create-a-project", json_body=body, safe=False
        )
        return cast(Project, self._json(response))

    def get_project(self, ref: str) -> Project | None:
        """The project, or None when the API answers 404."""
        try:
            response = self.http.request("GET", f"/v1/projects/{ref}", operation="v1-get-project")
        except ApiError as exc:
            if exc.is_not_found:
                return None
            raise
        return cast(Project, self._json(response))

    def update_project(self, ref: str, *, name: str) -> dict[str, Any]:
        response = self.http.request(
            "PATCH",
            f"/v1/projects/{ref}",
            operation="v1-update-a-project",
            json_body={"name": name},
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    def delete_project(self, ref: str) -> bool:
        """Delete; False when it was already gone. Raises ApiError otherwise (e.g. 400 "not ready")."""
        try:
            self.http.request("DELETE", f"/v1/projects/{ref}", operation="v1-delete-a-project", safe=True)
        except ApiError as exc:
            if exc.is_not_found:
                return False
            raise
        return True

    def get_services_health(self, ref: str, services: Iterable[str]) -> list[ServiceHealth]:
        response = self.http.request(
            "GET",
            f"/v1/projects/{ref}/health",
            operation="v1-get-services-health",
            params={"services": list(services)},
        )
        return cast(list[ServiceHealth], self._json(response))

    def get_api_keys(self, ref: str, *, reveal: bool = True) -> list[ApiKey]:
        response = self.http.request(
            "GET",
            f"/v1/projects/{ref}/api-keys",
            operation="v1-get-project-api-keys",
            params={"reveal": "true" if reveal else "false"},
        )
        return cast(list[ApiKey], self._json(response))

    # -- branches (preview environments) -----------------------------------------------------------------
    def create_branch(self, parent_ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a branch of `parent_ref` (201 BranchResponse: its own `project_ref`). Not safe to repeat."""
        response = self.http.request(
            "POST",
            f"/v1/projects/{parent_ref}/branches",
            operation="v1-create-a-branch",
            json_body=dict(body),
            safe=False,
        )
        return cast(dict[str, Any], self._json(response))

    def list_branches(self, parent_ref: str) -> list[dict[str, Any]]:
        response = self.http.request(
            "GET", f"/v1/projects/{parent_ref}/branches", operation="v1-list-all-branches"
        )
        return cast(list[dict[str, Any]], self._json(response) or [])

    def get_branch(self, parent_ref: str, name: str) -> dict[str, Any] | None:
        """The parent's branch named `name` (BranchResponse, with its status), or None on 404."""
        try:
            response = self.http.request(
                "GET",
                f"/v1/projects/{parent_ref}/branches/{quote(name, safe='')}",
                operation="v1-get-a-branch",
            )
        except ApiError as exc:
            if exc.is_not_found:
                return None
            raise
        return cast(dict[str, Any], self._json(response))

    def get_branch_config(self, branch_ref: str) -> dict[str, Any] | None:
        """The branch's database (BranchDetailResponse: status, db_host, db_port, db_user, db_pass), or None
        when the API answers 404."""
        try:
            response = self.http.request(
                "GET", f"/v1/branches/{branch_ref}", operation="v1-get-a-branch-config"
            )
        except ApiError as exc:
            if exc.is_not_found:
                return None
            raise
        return cast(dict[str, Any], self._json(response))

    def update_branch(self, branch_ref: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.request(
            "PATCH",
            f"/v1/branches/{branch_ref}",
            operation="v1-update-a-branch-config",
            json_body=dict(changes),
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    def delete_branch(self, branch_ref: str) -> bool:
        """Delete now (`force=true`, the API's default); False when it was already gone."""
        try:
            self.http.request(
                "DELETE",
                f"/v1/branches/{branch_ref}",
                operation="v1-delete-a-branch",
                params={"force": "true"},
                safe=True,
            )
        except ApiError as exc:
            if exc.is_not_found:
                return False
            raise
        return True

    # -- database --------------------------------------------------------------------------------------
    def update_database_password(self, ref: str, password: str) -> None:
        self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/database/password",
            operation="v1-update-database-password",
            json_body={"password": password},
            safe=True,
        )

    def get_pooler_config(self, ref: str) -> list[PoolerConfig]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/config/database/pooler", operation="v1-get-pooler-config"
        )
        return cast(list[PoolerConfig], self._json(response))

    def update_pooler_config(self, ref: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH `{pool_mode?, default_pool_size?}`; `default_pool_size: None` returns it to automatic."""
        response = self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/config/database/pooler",
            operation="v1-update-pooler-config",
            json_body=dict(changes),
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    def get_postgres_config(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/config/database/postgres", operation="v1-get-postgres-config"
        )
        return cast(dict[str, Any], self._json(response))

    def update_postgres_config(
        self, ref: str, overrides: Mapping[str, Any], *, restart_database: bool | None = None
    ) -> dict[str, Any]:
        """PUT replaces the whole override set: keys left out return to Supabase's defaults."""
        body = dict(overrides)
        if restart_database is not None:
            body["restart_database"] = restart_database
        response = self.http.request(
            "PUT",
            f"/v1/projects/{ref}/config/database/postgres",
            operation="v1-update-postgres-config",
            json_body=body,
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    def get_postgrest_config(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/postgrest", operation="v1-get-postgrest-service-config"
        )
        return cast(dict[str, Any], self._json(response))

    def update_postgrest_config(self, ref: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/postgrest",
            operation="v1-update-postgrest-service-config",
            json_body=dict(changes),
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    # -- network and TLS -------------------------------------------------------------------------------
    def get_network_restrictions(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/network-restrictions", operation="v1-get-network-restrictions"
        )
        return cast(dict[str, Any], self._json(response))

    def apply_network_restrictions(
        self, ref: str, *, ipv4_cidrs: Sequence[str], ipv6_cidrs: Sequence[str]
    ) -> dict[str, Any]:
        """Replaces both allow-lists (the apply endpoint is not incremental), so repeating it is harmless."""
        response = self.http.request(
            "POST",
            f"/v1/projects/{ref}/network-restrictions/apply",
            operation="v1-update-network-restrictions",
            json_body={"dbAllowedCidrs": list(ipv4_cidrs), "dbAllowedCidrsV6": list(ipv6_cidrs)},
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    def get_ssl_enforcement(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/ssl-enforcement", operation="v1-get-ssl-enforcement-config"
        )
        return cast(dict[str, Any], self._json(response))

    def update_ssl_enforcement(self, ref: str, *, database: bool) -> dict[str, Any]:
        response = self.http.request(
            "PUT",
            f"/v1/projects/{ref}/ssl-enforcement",
            operation="v1-update-ssl-enforcement-config",
            json_body={"requestedConfig": {"database": database}},
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    # -- auth ------------------------------------------------------------------------------------------
    def get_auth_config(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/config/auth", operation="v1-get-auth-service-config"
        )
        return cast(dict[str, Any], self._json(response))

    def update_auth_config(self, ref: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH merges: keys left out keep their current values."""
        response = self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/config/auth",
            operation="v1-update-auth-service-config",
            json_body=dict(changes),
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))

    # -- edge-function secrets -------------------------------------------------------------------------
    def list_secrets(self, ref: str) -> list[SecretDigest]:
        response = self.http.request("GET", f"/v1/projects/{ref}/secrets", operation="v1-list-all-secrets")
        return cast(list[SecretDigest], self._json(response))

    def create_secrets(self, ref: str, secrets: Mapping[str, str]) -> None:
        """Bulk upsert (201, empty body)."""
        self.http.request(
            "POST",
            f"/v1/projects/{ref}/secrets",
            operation="v1-bulk-create-secrets",
            json_body=[{"name": name, "value": value} for name, value in sorted(secrets.items())],
            safe=True,
        )

    def delete_secrets(self, ref: str, names: Iterable[str]) -> None:
        self.http.request(
            "DELETE",
            f"/v1/projects/{ref}/secrets",
            operation="v1-bulk-delete-secrets",
            json_body=sorted(names),
            safe=True,
        )

    # -- billing add-ons and backups -------------------------------------------------------------------
    def list_project_addons(self, ref: str) -> dict[str, Any]:
        response = self.http.request(
            "GET", f"/v1/projects/{ref}/billing/addons", operation="v1-list-project-addons"
        )
        return cast(dict[str, Any], self._json(response))

    def apply_project_addon(self, ref: str, *, addon_type: str, addon_variant: str) -> None:
        self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/billing/addons",
            operation="v1-apply-project-addon",
            json_body={"addon_type": addon_type, "addon_variant": addon_variant},
            safe=True,
        )

    def remove_project_addon(self, ref: str, addon_variant: str) -> None:
        self.http.request(
            "DELETE",
            f"/v1/projects/{ref}/billing/addons/{addon_variant}",
            operation="v1-remove-project-addon",
            safe=True,
        )

    def get_backup_schedule(self, ref: str) -> dict[str, Any] | None:
        try:
            response = self.http.request(
                "GET", f"/v1/projects/{ref}/database/backups/schedule", operation="v1-get-backup-schedule"
            )
        except ApiError as exc:
            if exc.is_not_found:
                return None
            raise
        return cast(dict[str, Any], self._json(response))

    def update_backup_schedule(self, ref: str, *, schedule_for: str) -> dict[str, Any]:
        response = self.http.request(
            "PATCH",
            f"/v1/projects/{ref}/database/backups/schedule",
            operation="v1-update-backup-schedule",
            json_body={"schedule_for": schedule_for},
            safe=True,
        )
        return cast(dict[str, Any], self._json(response))


def selected_addon(addons: Mapping[str, Any], addon_type: str) -> str | None:
    """The variant id of the selected add-on of `addon_type` (e.g. "ci_small", "pitr_7"), or None."""
    for addon in addons.get("selected_addons") or []:
        if addon.get("type") == addon_type:
            variant = addon.get("variant") or {}
            return cast(str | None, variant.get("id"))
    return None
