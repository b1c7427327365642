"""Routing: (method, path template) -> OpenAPI operationId and the `SupabaseResponses` method serving it."""

from __future__ import annotations

import re

# Order matters where a literal segment could match a parameter (`available-regions` before `{ref}`).
ROUTES: tuple[tuple[str, str, str, str], ...] = (
    ("GET", "/v1/organizations", "v1-list-all-organizations", "list_organizations"),
    ("GET", "/v1/organizations/{slug}", "v1-get-an-organization", "get_organization"),
    ("GET", "/v1/projects", "v1-list-all-projects", "list_projects"),
    ("POST", "/v1/projects", "v1-create-a-project", "create_project"),
    ("GET", "/v1/projects/available-regions", "v1-get-available-regions", "available_regions"),
    ("GET", "/v1/projects/{ref}", "v1-get-project", "get_project"),
    ("PATCH", "/v1/projects/{ref}", "v1-update-a-project", "update_project"),
    ("DELETE", "/v1/projects/{ref}", "v1-delete-a-project", "delete_project"),
    ("GET", "/v1/projects/{ref}/health", "v1-get-services-health", "services_health"),
    ("GET", "/v1/projects/{ref}/api-keys", "v1-get-project-api-keys", "api_keys"),
    ("PATCH", "/v1/projects/{ref}/database/password", "v1-update-database-password", "update_password"),
    ("GET", "/v1/projects/{ref}/config/database/pooler", "v1-get-pooler-config", "get_pooler"),
    ("PATCH", "/v1/projects/{ref}/config/database/pooler", "v1-update-pooler-config", "update_pooler"),
    ("GET", "/v1/projects/{ref}/config/database/postgres", "v1-get-postgres-config", "get_postgres"),
    ("PUT", "/v1/projects/{ref}/config/database/postgres", "v1-update-postgres-config", "update_postgres"),
    ("GET", "/v1/projects/{ref}/postgrest", "v1-get-postgrest-service-config", "get_postgrest"),
    ("PATCH", "/v1/projects/{ref}/postgrest", "v1-update-postgrest-service-config", "update_postgrest"),
    ("GET", "/v1/projects/{ref}/network-restrictions", "v1-get-network-restrictions", "get_network"),
    (
        "POST",
        "/v1/projects/{ref}/network-restrictions/apply",
        "v1-update-network-restrictions",
        "apply_network",
    ),
    ("GET", "/v1/projects/{ref}/ssl-enforcement", "v1-get-ssl-enforcement-config", "get_ssl"),
    ("PUT", "/v1/projects/{ref}/ssl-enforcement", "v1-update-ssl-enforcement-config", "update_ssl"),
    ("GET", "/v1/projects/{ref}/config/auth", "v1-get-auth-service-config", "get_auth"),
    ("PATCH", "/v1/projects/{ref}/config/auth", "v1-update-auth-service-config", "update_auth"),
    ("GET", "/v1/projects/{ref}/secrets", "v1-list-all-secrets", "list_secrets"),
    ("POST", "/v1/projects/{ref}/secrets", "v1-bulk-create-secrets", "create_secrets"),
    ("DELETE", "/v1/projects/{ref}/secrets", "v1-bulk-delete-secrets", "delete_secrets"),
    ("GET", "/v1/projects/{ref}/billing/addons", "v1-list-project-addons", "list_addons"),
    ("PATCH", "/v1/projects/{ref}/billing/addons", "v1-apply-project-addon", "apply_addon"),
    (
        "DELETE",
        "/v1/projects/{ref}/billing/addons/{addon_variant}",
        "v1-remove-project-addon",
        "remove_addon",
    ),
    ("GET", "/v1/projects/{ref}/database/backups", "v1-list-all-backups", "list_backups"),
    ("GET", "/v1/projects/{ref}/database/backups/schedule", "v1-get-backup-schedule", "get_schedule"),
    ("PATCH", "/v1/projects/{ref}/database/backups/schedule", "v1-update-backup-schedule", "update_schedule"),
    ("GET", "/v1/projects/{ref}/branches", "v1-list-all-branches", "list_branches"),
    ("POST", "/v1/projects/{ref}/branches", "v1-create-a-branch", "create_branch"),
    ("DELETE", "/v1/projects/{ref}/branches", "v1-disable-preview-branching", "disable_branching"),
    ("GET", "/v1/projects/{ref}/branches/{name}", "v1-get-a-branch", "get_branch_by_name"),
    ("GET", "/v1/branches/{branch_id_or_ref}", "v1-get-a-branch-config", "get_branch"),
    ("PATCH", "/v1/branches/{branch_id_or_ref}", "v1-update-a-branch-config", "update_branch"),
    ("DELETE", "/v1/branches/{branch_id_or_ref}", "v1-delete-a-branch", "delete_branch"),
)

_COMPILED = tuple(
    (method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$"), op, handler)
    for method, template, op, handler in ROUTES
)


def match(method: str, path: str) -> tuple[str, str, dict[str, str]] | None:
    """(operationId, handler name, path parameters) for a request, or None when no route fits."""
    for route_method, pattern, operation, handler in _COMPILED:
        if route_method != method:
            continue
        found = pattern.match(path)
        if found:
            return operation, handler, found.groupdict()
    return None


def path_exists(path: str) -> bool:
    return any(pattern.match(path) for _, pattern, _, _ in _COMPILED)
