"""One method per Neon API operation: parse the request, call the models, shape the response (spec shapes)."""

from __future__ import annotations

import base64
import json
from typing import Any

from emulator.core.vendor import EmuRequest, EmuResponse
from emulator.neon.exceptions import BadRequest
from emulator.neon.models import OWNER_ID, REGIONS, Json, NeonModels, public

DEFAULT_ORG_ID = "org-emulated-account-12345678"


def _body_object(req: EmuRequest, key: str, *, required: bool = True) -> Json:
    """The `{"<key>": {...}}` wrapper every Neon request body uses."""
    body = req.body
    if body is None and not required:
        return {}
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        if not required and isinstance(body, dict) and key not in body:
            return {}
        raise BadRequest(f"invalid request: decode application/json: invalid: {key} (field required)")
    return dict(body[key])


def _ok(body: Any, status: int = 200) -> EmuResponse:
    return EmuResponse(status=status, body=body)


def _gone_or(body: Json | None) -> EmuResponse:
    """DELETE of a branch, endpoint, role or database that does not exist: 204, no body."""
    return EmuResponse(status=204, body=None) if body is None else _ok(body)


def _limit(req: EmuRequest, default: int, maximum: int) -> int:
    try:
        value = int(req.query.get("limit", default))
    except ValueError:
        raise BadRequest("invalid request: limit must be an integer") from None
    if not 1 <= value <= maximum:
        raise BadRequest(f"invalid request: limit must be between 1 and {maximum}")
    return value


def _encode_cursor(position: Json) -> str:
    return base64.b64encode(json.dumps(position).encode()).decode()


def _decode_cursor(cursor: str, required: str = "key") -> Json:
    try:
        decoded = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (ValueError, TypeError):
        raise BadRequest("invalid request: malformed cursor") from None
    if not isinstance(decoded, dict) or required not in decoded:
        raise BadRequest("invalid request: malformed cursor")
    return decoded


def _operation_key(operation: Json) -> tuple[float, float, str]:
    return (operation["_created"], operation["_start_after"], operation["id"])


class NeonResponses:
    def __init__(self, models: NeonModels) -> None:
        self.models = models

    # -- account ----------------------------------------------------------------------------------------
    def get_current_user_info(self, req: EmuRequest) -> EmuResponse:
        plan = self.models.plan
        return _ok(
            {
                "active_seconds_limit": 0,
                "billing_account": {
                    "state": "active",
                    "payment_source": {"type": ""},
                    "subscription_type": plan["subscription_type"],
                    "payment_method": "none" if self.models.plan_name == "free" else "stripe",
                    "quota_reset_at_last": "2025-01-01T00:00:00Z",
                    "name": "Emulated User",
                    "email": "user@example.com",
                    "address_city": "",
                    "address_country": "",
                    "address_line1": "",
                    "address_line2": "",
                    "address_postal_code": "",
                    "address_state": "",
                },
                "auth_accounts": [
                    {
                        "email": "user@example.com",
                        "image": "",
                        "login": "user",
                        "name": "Emulated",
                        "provider": "keycloak",
                    }
                ],
                "email": "user@example.com",
                "id": OWNER_ID,
                "image": "",
                "login": "user",
                "name": "Emulated",
                "last_name": "User",
                "projects_limit": plan["projects_limit"],
                "branches_limit": plan["branches_limit"],
                "max_autoscaling_limit": plan["max_autoscaling_cu"],
                "plan": plan["subscription_type"],
            }
        )

    def get_current_user_organizations(self, req: EmuRequest) -> EmuResponse:
        """The account's organization, and any other the account's projects were created in."""
        created = "2025-01-01T00:00:00Z"
        ids = [DEFAULT_ORG_ID]
        for project in self.models.state["projects"].values():
            if project.get("org_id") and project["org_id"] not in ids:
                ids.append(project["org_id"])
        return _ok(
            {
                "organizations": [
                    {
                        "id": org_id,
                        "name": "Emulated Organization" if org_id == DEFAULT_ORG_ID else org_id,
                        "handle": org_id,
                        "plan": self.models.plan_name,
                        "created_at": created,
                        "updated_at": created,
                        "managed_by": "console",
                    }
                    for org_id in ids
                ]
            }
        )

    def get_active_regions(self, req: EmuRequest) -> EmuResponse:
        coordinates = (39.0, -77.0)
        return _ok(
            {
                "regions": [
                    {
                        "region_id": region_id,
                        "name": name,
                        "default": region_id == "aws-us-east-2",
                        "geo_lat": str(coordinates[0]),
                        "geo_long": str(coordinates[1]),
                    }
                    for region_id, name in REGIONS.items()
                ]
            }
        )

    def list_api_keys(self, req: EmuRequest) -> EmuResponse:
        return _ok(
            [
                {
                    **{k: v for k, v in key.items() if k != "revoked"},
                    "created_by": {"id": OWNER_ID, "name": "Emulated User", "image": ""},
                }
                for key in self.models.state["api_keys"].values()
            ]
        )

    def create_api_key(self, req: EmuRequest) -> EmuResponse:
        body = req.body if isinstance(req.body, dict) else {}
        name = body.get("key_name")
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise BadRequest("invalid request: decode application/json: invalid: key_name (field required)")
        return _ok(self.models.create_api_key(name))

    def revoke_api_key(self, req: EmuRequest, key_id: str) -> EmuResponse:
        return _ok(self.models.revoke_api_key(key_id))

    # -- projects ---------------------------------------------------------------------------------------
    @staticmethod
    def _list_item(project: Json) -> Json:
        item = public(project)
        item["active_time"] = item.get("active_time_seconds", 0)
        for key in (
            "data_storage_bytes_hour",
            "data_transfer_bytes",
            "written_data_bytes",
            "compute_time_seconds",
            "active_time_seconds",
            "history_retention_seconds",
            "consumption_period_start",
            "consumption_period_end",
        ):
            item.pop(key, None)
        return item

    def list_projects(self, req: EmuRequest) -> EmuResponse:
        limit = _limit(req, 10, 400)
        projects = sorted(self.models.state["projects"].values(), key=lambda p: p["created_at"], reverse=True)
        search = req.query.get("search")
        if search:
            projects = [p for p in projects if search in p["name"] or search in p["id"]]
        if req.query.get("org_id"):
            projects = [p for p in projects if p.get("org_id") == req.query["org_id"]]
        cursor = req.query.get("cursor")
        if cursor:
            ids = [p["id"] for p in projects]
            projects = projects[ids.index(cursor) + 1 :] if cursor in ids else []
        page = projects[:limit]
        body: Json = {"projects": [self._list_item(p) for p in page], "applications": {}, "integrations": {}}
        if page:
            body["pagination"] = {"cursor": page[-1]["id"]}
        return _ok(body)

    def list_shared_projects(self, req: EmuRequest) -> EmuResponse:
        return _ok({"projects": []})

    def create_project(self, req: EmuRequest) -> EmuResponse:
        return _ok(self.models.create_project(_body_object(req, "project")), status=201)

    def get_project(self, req: EmuRequest, project_id: str) -> EmuResponse:
        project = public(self.models.project(project_id))
        plan = self.models.plan
        project["owner"] = {
            "email": "user@example.com",
            "name": "Emulated User",
            "branches_limit": plan["branches_limit"],
            "subscription_type": plan["subscription_type"],
        }
        return _ok({"project": project})

    def update_project(self, req: EmuRequest, project_id: str) -> EmuResponse:
        return _ok(self.models.update_project(project_id, _body_object(req, "project")))

    def delete_project(self, req: EmuRequest, project_id: str) -> EmuResponse:
        return _ok(self.models.delete_project(project_id))

    # -- operations -------------------------------------------------------------------------------------
    def list_project_operations(self, req: EmuRequest, project_id: str) -> EmuResponse:
        self.models.project(project_id)
        limit = _limit(req, 10, 1000)
        operations = self.models.operations_of(project_id)
        cursor = req.query.get("cursor")
        if cursor:
            # Keyset on the listing's own order (newest first, then the later step of one request), so
            # operations created in the same second are neither skipped nor repeated.
            after = _decode_cursor(cursor)
            operations = [o for o in operations if _operation_key(o) < tuple(after.get("key", ()))]
        page = operations[:limit]
        body: Json = {"operations": [public(o) for o in page]}
        if page:
            body["pagination"] = {"cursor": _encode_cursor({"key": list(_operation_key(page[-1]))})}
        return _ok(body)

    def get_project_operation(self, req: EmuRequest, project_id: str, operation_id: str) -> EmuResponse:
        return _ok({"operation": public(self.models.operation(project_id, operation_id))})

    def get_connection_uri(self, req: EmuRequest, project_id: str) -> EmuResponse:
        return _ok({"uri": self.models.get_connection_uri(project_id, req.query)})

    # -- branches ---------------------------------------------------------------------------------------
    def list_project_branches(self, req: EmuRequest, project_id: str) -> EmuResponse:
        self.models.project(project_id)
        branches = self.models.branches_of(project_id)
        search = req.query.get("search")
        if search:
            branches = [b for b in branches if search in b["name"] or search in b["id"]]
        sort_by = req.query.get("sort_by", "updated_at")
        if sort_by not in ("name", "created_at", "updated_at"):
            raise BadRequest("invalid request: sort_by must be name, created_at or updated_at")
        sort_order = req.query.get("sort_order", "desc").lower()
        if sort_order not in ("asc", "desc"):
            raise BadRequest("invalid request: sort_order must be asc or desc")
        descending = sort_order == "desc"
        branches = sorted(branches, key=lambda b: (b[sort_by], b["id"]), reverse=descending)
        cursor = req.query.get("cursor")
        if cursor:
            after = _decode_cursor(cursor, "branch_id")
            if after.get("sort_by") != sort_by or after.get("sort_order") != sort_order.upper():
                raise BadRequest("invalid request: the cursor belongs to another sort order")
            last = (after.get("sort_by_value"), after["branch_id"])
            branches = [
                b
                for b in branches
                if ((b[sort_by], b["id"]) < last if descending else (b[sort_by], b["id"]) > last)
            ]
        limit = _limit(req, 10000, 10000) if "limit" in req.query else max(len(branches), 1)
        page = branches[:limit]
        pagination: Json = {"sort_by": sort_by, "sort_order": sort_order.upper()}
        if page:
            # Neon's cursor: base64 JSON of the page's last branch, on every non-empty page (the page
            # after the last one is empty, which is where clients stop).
            pagination["next"] = base64.b64encode(
                json.dumps(
                    {
                        "branch_id": page[-1]["id"],
                        "sort_by": sort_by,
                        "sort_by_value": page[-1][sort_by],
                        "sort_order": sort_order.upper(),
                    },
                    separators=(",", ":"),
                ).encode()
            ).decode()
        return _ok({"branches": [public(b) for b in page], "annotations": {}, "pagination": pagination})

    def create_project_branch(self, req: EmuRequest, project_id: str) -> EmuResponse:
        body = req.body if isinstance(req.body, dict) else {}
        spec = body.get("branch") if isinstance(body.get("branch"), dict) else {}
        endpoints = body.get("endpoints") if isinstance(body.get("endpoints"), list) else []
        return _ok(self.models.create_branch(project_id, dict(spec or {}), list(endpoints or [])), status=201)

    def get_project_branch(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        branch = self.models.branch(project_id, branch_id)
        return _ok(
            {
                "branch": public(branch),
                "annotation": {
                    "object": {"type": "console/branch", "id": branch_id},
                    "value": {},
                },
            }
        )

    def update_project_branch(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        return _ok(self.models.update_branch(project_id, branch_id, _body_object(req, "branch")))

    def delete_project_branch(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        return _gone_or(self.models.delete_branch(project_id, branch_id))

    def set_default_project_branch(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        return _ok(self.models.set_default_branch(project_id, branch_id))

    def restore_project_branch(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        body = req.body if isinstance(req.body, dict) else {}
        return _ok(self.models.restore_branch(project_id, branch_id, dict(body)))

    def list_project_branch_endpoints(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        self.models.branch(project_id, branch_id)
        return _ok({"endpoints": [public(e) for e in self.models.endpoints_of(project_id, branch_id)]})

    # -- roles ------------------------------------------------------------------------------------------
    def list_project_branch_roles(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        self.models.branch(project_id, branch_id)
        return _ok({"roles": [public(r) for r in self.models.roles_of(branch_id)]})

    def create_project_branch_role(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        return _ok(self.models.create_role(project_id, branch_id, _body_object(req, "role")), status=201)

    def get_project_branch_role(
        self, req: EmuRequest, project_id: str, branch_id: str, role_name: str
    ) -> EmuResponse:
        return _ok({"role": public(self.models.role(project_id, branch_id, role_name))})

    def delete_project_branch_role(
        self, req: EmuRequest, project_id: str, branch_id: str, role_name: str
    ) -> EmuResponse:
        return _gone_or(self.models.delete_role(project_id, branch_id, role_name))

    def get_project_branch_role_password(
        self, req: EmuRequest, project_id: str, branch_id: str, role_name: str
    ) -> EmuResponse:
        return _ok({"password": self.models.reveal_password(project_id, branch_id, role_name)})

    def reset_project_branch_role_password(
        self, req: EmuRequest, project_id: str, branch_id: str, role_name: str
    ) -> EmuResponse:
        return _ok(self.models.reset_password(project_id, branch_id, role_name))

    # -- databases --------------------------------------------------------------------------------------
    def list_project_branch_databases(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        self.models.branch(project_id, branch_id)
        return _ok({"databases": [public(d) for d in self.models.databases_of(branch_id)]})

    def create_project_branch_database(self, req: EmuRequest, project_id: str, branch_id: str) -> EmuResponse:
        return _ok(
            self.models.create_database(project_id, branch_id, _body_object(req, "database")), status=201
        )

    def get_project_branch_database(
        self, req: EmuRequest, project_id: str, branch_id: str, database_name: str
    ) -> EmuResponse:
        return _ok({"database": public(self.models.database(project_id, branch_id, database_name))})

    def update_project_branch_database(
        self, req: EmuRequest, project_id: str, branch_id: str, database_name: str
    ) -> EmuResponse:
        spec = _body_object(req, "database")
        return _ok(self.models.update_database(project_id, branch_id, database_name, spec))

    def delete_project_branch_database(
        self, req: EmuRequest, project_id: str, branch_id: str, database_name: str
    ) -> EmuResponse:
        return _gone_or(self.models.delete_database(project_id, branch_id, database_name))

    # -- endpoints --------------------------------------------------------------------------------------
    def list_project_endpoints(self, req: EmuRequest, project_id: str) -> EmuResponse:
        self.models.project(project_id)
        return _ok({"endpoints": [public(e) for e in self.models.endpoints_of(project_id)]})

    def create_project_endpoint(self, req: EmuRequest, project_id: str) -> EmuResponse:
        return _ok(self.models.create_endpoint(project_id, _body_object(req, "endpoint")), status=201)

    def get_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _ok({"endpoint": public(self.models.endpoint(project_id, endpoint_id))})

    def update_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _ok(self.models.update_endpoint(project_id, endpoint_id, _body_object(req, "endpoint")))

    def delete_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _gone_or(self.models.delete_endpoint(project_id, endpoint_id))

    def start_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _ok(self.models.start_endpoint(project_id, endpoint_id))

    def suspend_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _ok(self.models.suspend_endpoint(project_id, endpoint_id))

    def restart_project_endpoint(self, req: EmuRequest, project_id: str, endpoint_id: str) -> EmuResponse:
        return _ok(self.models.restart_endpoint(project_id, endpoint_id))
