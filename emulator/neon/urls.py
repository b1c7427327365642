"""Routing: (method, path pattern) -> OpenAPI operationId and the `NeonResponses` method serving it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID = r"[^/]+"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation_id: str
    handler: str


def _route(method: str, path: str, operation_id: str, handler: str) -> Route:
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_ID})", path)
    return Route(method, re.compile(f"^{regex}/?$"), operation_id, handler)


_BRANCH = "/projects/{project_id}/branches/{branch_id}"
_ENDPOINT = "/projects/{project_id}/endpoints/{endpoint_id}"

ROUTES: tuple[Route, ...] = (
    _route("GET", "/users/me", "getCurrentUserInfo", "get_current_user_info"),
    _route("GET", "/users/me/organizations", "getCurrentUserOrganizations", "get_current_user_organizations"),
    _route("GET", "/regions", "getActiveRegions", "get_active_regions"),
    _route("GET", "/api_keys", "listApiKeys", "list_api_keys"),
    _route("POST", "/api_keys", "createApiKey", "create_api_key"),
    _route("DELETE", "/api_keys/{key_id}", "revokeApiKey", "revoke_api_key"),
    _route("GET", "/projects/shared", "listSharedProjects", "list_shared_projects"),
    _route("GET", "/projects", "listProjects", "list_projects"),
    _route("POST", "/projects", "createProject", "create_project"),
    _route("GET", "/projects/{project_id}", "getProject", "get_project"),
    _route("PATCH", "/projects/{project_id}", "updateProject", "update_project"),
    _route("DELETE", "/projects/{project_id}", "deleteProject", "delete_project"),
    _route("GET", "/projects/{project_id}/operations", "listProjectOperations", "list_project_operations"),
    _route(
        "GET",
        "/projects/{project_id}/operations/{operation_id}",
        "getProjectOperation",
        "get_project_operation",
    ),
    _route("GET", "/projects/{project_id}/connection_uri", "getConnectionURI", "get_connection_uri"),
    _route("GET", "/projects/{project_id}/branches", "listProjectBranches", "list_project_branches"),
    _route("POST", "/projects/{project_id}/branches", "createProjectBranch", "create_project_branch"),
    _route("GET", _BRANCH, "getProjectBranch", "get_project_branch"),
    _route("PATCH", _BRANCH, "updateProjectBranch", "update_project_branch"),
    _route("DELETE", _BRANCH, "deleteProjectBranch", "delete_project_branch"),
    _route("POST", f"{_BRANCH}/set_as_default", "setDefaultProjectBranch", "set_default_project_branch"),
    _route("POST", f"{_BRANCH}/restore", "restoreProjectBranch", "restore_project_branch"),
    _route("GET", f"{_BRANCH}/endpoints", "listProjectBranchEndpoints", "list_project_branch_endpoints"),
    _route("GET", f"{_BRANCH}/roles", "listProjectBranchRoles", "list_project_branch_roles"),
    _route("POST", f"{_BRANCH}/roles", "createProjectBranchRole", "create_project_branch_role"),
    _route("GET", f"{_BRANCH}/roles/{{role_name}}", "getProjectBranchRole", "get_project_branch_role"),
    _route(
        "DELETE", f"{_BRANCH}/roles/{{role_name}}", "deleteProjectBranchRole", "delete_project_branch_role"
    ),
    _route(
        "GET",
        f"{_BRANCH}/roles/{{role_name}}/reveal_password",
        "getProjectBranchRolePassword",
        "get_project_branch_role_password",
    ),
    _route(
        "POST",
        f"{_BRANCH}/roles/{{role_name}}/reset_password",
        "resetProjectBranchRolePassword",
        "reset_project_branch_role_password",
    ),
    _route("GET", f"{_BRANCH}/databases", "listProjectBranchDatabases", "list_project_branch_databases"),
    _route("POST", f"{_BRANCH}/databases", "createProjectBranchDatabase", "create_project_branch_database"),
    _route(
        "GET",
        f"{_BRANCH}/databases/{{database_name}}",
        "getProjectBranchDatabase",
        "get_project_branch_database",
    ),
    _route(
        "PATCH",
        f"{_BRANCH}/databases/{{database_name}}",
        "updateProjectBranchDatabase",
        "update_project_branch_database",
    ),
    _route(
        "DELETE",
        f"{_BRANCH}/databases/{{database_name}}",
        "deleteProjectBranchDatabase",
        "delete_project_branch_database",
    ),
    _route("GET", "/projects/{project_id}/endpoints", "listProjectEndpoints", "list_project_endpoints"),
    _route("POST", "/projects/{project_id}/endpoints", "createProjectEndpoint", "create_project_endpoint"),
    _route(
        "GET", "/projects/{project_id}/endpoints/{endpoint_id}", "getProjectEndpoint", "get_project_endpoint"
    ),
    _route(
        "PATCH",
        "/projects/{project_id}/endpoints/{endpoint_id}",
        "updateProjectEndpoint",
        "update_project_endpoint",
    ),
    _route("POST", f"{_ENDPOINT}/start", "startProjectEndpoint", "start_project_endpoint"),
    _route("POST", f"{_ENDPOINT}/suspend", "suspendProjectEndpoint", "suspend_project_endpoint"),
    _route("POST", f"{_ENDPOINT}/restart", "restartProjectEndpoint", "restart_project_endpoint"),
    _route(
        "DELETE",
        "/projects/{project_id}/endpoints/{endpoint_id}",
        "deleteProjectEndpoint",
        "delete_project_endpoint",
    ),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None
