"""Neon API v2 client: one typed method per operation we use, over the shared HTTP layer.

Behaviour that matters to callers (see docs/neon-api.md):
- 423 Locked ("project already has running conflicting operations") means nothing ran: always retried.
- Every mutating response carries `operations`; callers wait for them (`resources.wait_for_operations`).
- DELETE of a branch, endpoint, role or database that is gone answers 204; a missing project 404. The
  delete methods return None for both.
- Error bodies are `GeneralError` `{code, message, request_id}`; the request id is also in the
  `X-Neon-Ret-Request-Id` header.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from providers.base import Setting, unless_gone
from providers.http import HttpClient, RetryPolicy, Secret
from providers.pacing import RateLimit, neon_limits, shared_pacer

DEFAULT_API_URL = "https://console.neon.tech/api/v2"

API_KEY = Setting("neon:apiKey", "NEON_API_KEY", secret=True)
API_URL = Setting("neon:apiUrl", "NEON_API_URL", default=DEFAULT_API_URL)
REQUESTS_PER_MINUTE = Setting("neon:requestsPerMinute", "NEON_REQUESTS_PER_MINUTE")  # see providers/pacing.py

# 423 Locked: the project is busy with another operation and nothing ran, so repeating is safe.
LOCKED = 423
# Enough attempts to outlast a typical conflicting operation (~1+2+4+8+15*5 s) without hanging for ever.
NEON_RETRY = RetryPolicy(attempts=10, initial_wait=1.0, max_wait=15.0)

Json = dict[str, Any]


def neon_error_parser(response: httpx.Response) -> tuple[str, str | None]:
    """(message, code) from a `GeneralError` body; `code` is often the empty string."""
    try:
        body = response.json()
    except ValueError:
        return (response.text.strip()[:500] or response.reason_phrase or "no body"), None
    if isinstance(body, dict) and body.get("message"):
        code = body.get("code")
        return str(body["message"]), (str(code) if code else None)
    return str(body)[:500], None


class NeonClient:
    """The Neon v2 API for one API key. Built in `configure()`; never pickled."""

    def __init__(
        self,
        api_key: Secret,
        base_url: str = DEFAULT_API_URL,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: Sequence[RateLimit] | None = None,
    ) -> None:
        self.http = HttpClient(
            vendor="neon",
            base_url=base_url,
            auth_headers={"Authorization": Secret(f"Bearer {api_key.reveal()}")},
            retry=retry or NEON_RETRY,
            always_retry_statuses=(LOCKED,),
            request_id_headers=("x-neon-ret-request-id", "x-request-id"),
            error_parser=neon_error_parser,
            sleep=sleep,
            transport=transport,
            # Neon limits per account (API key): one pacer for every client of this key in the process.
            pacer=shared_pacer(
                "neon", base_url, api_key.reveal(), rate_limits if rate_limits is not None else neon_limits()
            ),
        )

    def __repr__(self) -> str:
        return f"NeonClient({self.http.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("NeonClient is not picklable; build it in configure()")

    # -- plumbing ----------------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        safe: bool | None = None,
    ) -> Json:
        response = self.http.request(
            method, path, operation=operation, json_body=body, params=params, safe=safe
        )
        return response.json() if response.content else {}

    def _delete(self, path: str, *, operation: str) -> Json | None:
        """DELETE that treats 204 (already deleted) and 404 (not found) as done: returns None then."""
        response = unless_gone(
            lambda: self.http.request("DELETE", path, operation=operation, safe=True, ok_statuses=(204,))
        )
        if response is None or response.status_code == 204 or not response.content:
            return None
        body: Json = response.json()
        return body

    # -- projects ----------------------------------------------------------------------------------------
    def create_project(self, project: Json) -> Json:
        """createProject (201 `CreatedProject`: project, branch, endpoints, roles, databases,
        connection_uris, operations)."""
        return self._call(
            "POST", "/projects", operation="createProject", body={"project": project}, safe=False
        )

    def list_projects(
        self, *, search: str | None = None, org_id: str | None = None, limit: int = 100
    ) -> Json:
        return self._call(
            "GET",
            "/projects",
            operation="listProjects",
            params={"search": search, "org_id": org_id, "limit": limit},
        )

    def get_project(self, project_id: str) -> Json:
        return self._call("GET", f"/projects/{project_id}", operation="getProject")["project"]

    def update_project(self, project_id: str, project: Json) -> Json:
        """updateProject: `{project, operations}`. PATCH with the same body is idempotent."""
        return self._call(
            "PATCH",
            f"/projects/{project_id}",
            operation="updateProject",
            body={"project": project},
            safe=True,
        )

    def delete_project(self, project_id: str) -> Json | None:
        return self._delete(f"/projects/{project_id}", operation="deleteProject")

    # -- operations --------------------------------------------------------------------------------------
    def get_project_operation(self, project_id: str, operation_id: str) -> Json:
        body = self._call(
            "GET", f"/projects/{project_id}/operations/{operation_id}", operation="getProjectOperation"
        )
        return body["operation"]

    def list_project_operations(self, project_id: str, *, limit: int = 100) -> Json:
        return self._call(
            "GET",
            f"/projects/{project_id}/operations",
            operation="listProjectOperations",
            params={"limit": limit},
        )

    # -- branches ----------------------------------------------------------------------------------------
    def create_project_branch(
        self, project_id: str, branch: Json, endpoints: list[Json] | None = None
    ) -> Json:
        body: Json = {"branch": branch}
        if endpoints:
            body["endpoints"] = endpoints
        return self._call(
            "POST", f"/projects/{project_id}/branches", operation="createProjectBranch", body=body, safe=False
        )

    def list_project_branches(self, project_id: str, *, search: str | None = None) -> list[Json]:
        body = self._call(
            "GET",
            f"/projects/{project_id}/branches",
            operation="listProjectBranches",
            params={"search": search},
        )
        return list(body.get("branches", []))

    def get_project_branch(self, project_id: str, branch_id: str) -> Json:
        body = self._call("GET", f"/projects/{project_id}/branches/{branch_id}", operation="getProjectBranch")
        return body["branch"]

    def update_project_branch(self, project_id: str, branch_id: str, branch: Json) -> Json:
        return self._call(
            "PATCH",
            f"/projects/{project_id}/branches/{branch_id}",
            operation="updateProjectBranch",
            body={"branch": branch},
            safe=True,
        )

    def delete_project_branch(self, project_id: str, branch_id: str) -> Json | None:
        return self._delete(f"/projects/{project_id}/branches/{branch_id}", operation="deleteProjectBranch")

    # -- endpoints ---------------------------------------------------------------------------------------
    def create_project_endpoint(self, project_id: str, endpoint: Json) -> Json:
        return self._call(
            "POST",
            f"/projects/{project_id}/endpoints",
            operation="createProjectEndpoint",
            body={"endpoint": endpoint},
            safe=False,
        )

    def list_project_endpoints(self, project_id: str) -> list[Json]:
        body = self._call("GET", f"/projects/{project_id}/endpoints", operation="listProjectEndpoints")
        return list(body.get("endpoints", []))

    def list_project_branch_endpoints(self, project_id: str, branch_id: str) -> list[Json]:
        body = self._call(
            "GET",
            f"/projects/{project_id}/branches/{branch_id}/endpoints",
            operation="listProjectBranchEndpoints",
        )
        return list(body.get("endpoints", []))

    def get_project_endpoint(self, project_id: str, endpoint_id: str) -> Json:
        body = self._call(
            "GET", f"/projects/{project_id}/endpoints/{endpoint_id}", operation="getProjectEndpoint"
        )
        return body["endpoint"]

    def update_project_endpoint(self, project_id: str, endpoint_id: str, endpoint: Json) -> Json:
        return self._call(
            "PATCH",
            f"/projects/{project_id}/endpoints/{endpoint_id}",
            operation="updateProjectEndpoint",
            body={"endpoint": endpoint},
            safe=True,
        )

    def delete_project_endpoint(self, project_id: str, endpoint_id: str) -> Json | None:
        return self._delete(
            f"/projects/{project_id}/endpoints/{endpoint_id}", operation="deleteProjectEndpoint"
        )

    # -- roles -------------------------------------------------------------------------------------------
    def _roles(self, project_id: str, branch_id: str) -> str:
        return f"/projects/{project_id}/branches/{branch_id}/roles"

    def create_project_branch_role(self, project_id: str, branch_id: str, name: str) -> Json:
        """createProjectBranchRole: `{role (with password), operations}`."""
        return self._call(
            "POST",
            self._roles(project_id, branch_id),
            operation="createProjectBranchRole",
            body={"role": {"name": name}},
            safe=False,
        )

    def list_project_branch_roles(self, project_id: str, branch_id: str) -> list[Json]:
        body = self._call("GET", self._roles(project_id, branch_id), operation="listProjectBranchRoles")
        return list(body.get("roles", []))

    def get_project_branch_role(self, project_id: str, branch_id: str, role_name: str) -> Json:
        body = self._call(
            "GET", f"{self._roles(project_id, branch_id)}/{role_name}", operation="getProjectBranchRole"
        )
        return body["role"]

    def get_project_branch_role_password(self, project_id: str, branch_id: str, role_name: str) -> str:
        """reveal_password; 412 when the project does not store passwords."""
        body = self._call(
            "GET",
            f"{self._roles(project_id, branch_id)}/{role_name}/reveal_password",
            operation="getProjectBranchRolePassword",
        )
        return str(body["password"])

    def reset_project_branch_role_password(self, project_id: str, branch_id: str, role_name: str) -> Json:
        """reset_password: `{role (with the new password), operations}`. Repeating it only rotates again,
        and the last answer holds the password in force, so it is safe to retry."""
        return self._call(
            "POST",
            f"{self._roles(project_id, branch_id)}/{role_name}/reset_password",
            operation="resetProjectBranchRolePassword",
            safe=True,
        )

    def delete_project_branch_role(self, project_id: str, branch_id: str, role_name: str) -> Json | None:
        return self._delete(
            f"{self._roles(project_id, branch_id)}/{role_name}", operation="deleteProjectBranchRole"
        )

    # -- databases ---------------------------------------------------------------------------------------
    def _databases(self, project_id: str, branch_id: str) -> str:
        return f"/projects/{project_id}/branches/{branch_id}/databases"

    def create_project_branch_database(
        self, project_id: str, branch_id: str, name: str, owner_name: str
    ) -> Json:
        return self._call(
            "POST",
            self._databases(project_id, branch_id),
            operation="createProjectBranchDatabase",
            body={"database": {"name": name, "owner_name": owner_name}},
            safe=False,
        )

    def list_project_branch_databases(self, project_id: str, branch_id: str) -> list[Json]:
        body = self._call(
            "GET", self._databases(project_id, branch_id), operation="listProjectBranchDatabases"
        )
        return list(body.get("databases", []))

    def get_project_branch_database(self, project_id: str, branch_id: str, database_name: str) -> Json:
        body = self._call(
            "GET",
            f"{self._databases(project_id, branch_id)}/{database_name}",
            operation="getProjectBranchDatabase",
        )
        return body["database"]

    def update_project_branch_database(
        self, project_id: str, branch_id: str, database_name: str, database: Json
    ) -> Json:
        return self._call(
            "PATCH",
            f"{self._databases(project_id, branch_id)}/{database_name}",
            operation="updateProjectBranchDatabase",
            body={"database": database},
            safe=True,
        )

    def delete_project_branch_database(
        self, project_id: str, branch_id: str, database_name: str
    ) -> Json | None:
        return self._delete(
            f"{self._databases(project_id, branch_id)}/{database_name}",
            operation="deleteProjectBranchDatabase",
        )

    # -- connection URIs ---------------------------------------------------------------------------------
    def get_connection_uri(
        self,
        project_id: str,
        *,
        database_name: str,
        role_name: str,
        branch_id: str | None = None,
        endpoint_id: str | None = None,
        pooled: bool = False,
    ) -> str:
        body = self._call(
            "GET",
            f"/projects/{project_id}/connection_uri",
            operation="getConnectionURI",
            params={
                "database_name": database_name,
                "role_name": role_name,
                "branch_id": branch_id,
                "endpoint_id": endpoint_id,
                "pooled": "true" if pooled else None,
            },
        )
        return str(body["uri"])
