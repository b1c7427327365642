"""Management API routes that users' tools call and our providers do not: network restrictions changed by
difference, point-in-time restore, the storage and PgBouncer configuration, and creating an organization.

Choices where the spec is silent: PATCH of network restrictions answers the v2 shape (`{address, type}`
entries, both IP versions in one list) it documents; a PITR restore without the PITR add-on, or to a
moment outside its window, is 400, and an accepted one takes the project through RESTORING (emulated
time) back to ACTIVE_HEALTHY; the storage configuration is the defaults of a new project.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string
from typing import TYPE_CHECKING, Any

from emulator.core.vendor import EmuRequest, EmuResponse
from emulator.supabase.exceptions import BadRequest
from emulator.supabase.models import iso

if TYPE_CHECKING:
    from emulator.core.vendor import VendorHost
    from emulator.supabase.models import SupabaseState

PITR_DAYS = {"pitr_7": 7, "pitr_14": 14, "pitr_28": 28}
RESTORE_SECONDS = 60.0
STORAGE_DEFAULTS: dict[str, Any] = {
    "fileSizeLimit": 52428800,
    "features": {
        "imageTransformation": {"enabled": False},
        "s3Protocol": {"enabled": True},
        "icebergCatalog": {"enabled": False, "maxNamespaces": 0, "maxTables": 0, "maxCatalogs": 0},
        "vectorBuckets": {"enabled": False, "maxBuckets": 0, "maxIndexes": 0},
    },
    "capabilities": {"list_v2": True, "iceberg_catalog": False},
    "external": {"upstreamTarget": "main"},
    "migrationVersion": "fix-optimized-search-function",
    "databasePoolMode": "recycled",
}


class ExtraResponses:
    """Mixed into `SupabaseResponses` (which provides the helpers below)."""

    app: VendorHost
    state: SupabaseState

    if TYPE_CHECKING:

        @property
        def clock(self) -> Any: ...

        def _project(self, params: dict[str, str], *, observe: bool = True) -> dict[str, Any]: ...

        def _ready_project(self, params: dict[str, str]) -> dict[str, Any]: ...

        def _pooler_view(self, project: dict[str, Any]) -> dict[str, Any]: ...

    # -- network restrictions ---------------------------------------------------------------------------
    def patch_network(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = req.body
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        extra = sorted(set(body) - {"add", "remove"})
        if extra:
            raise BadRequest("; ".join(f"property {k} should not exist" for k in extra))
        config = {k: list(v) for k, v in project["network"]["config"].items()}
        for action in ("add", "remove"):
            change = body.get(action) or {}
            if not isinstance(change, dict):
                raise BadRequest(f"{action} must be an object")
            for key, version in (("dbAllowedCidrs", 4), ("dbAllowedCidrsV6", 6)):
                values = change.get(key) or []
                if not isinstance(values, list):
                    raise BadRequest(f"{action}.{key} must be an array")
                for value in values:
                    _check_cidr(value, version)
                    if action == "add" and value not in config[key]:
                        config[key].append(value)
                    if action == "remove" and value in config[key]:
                        config[key].remove(value)
        now = iso(self.clock.now())
        project["network"] = {"config": config, "updated_at": now, "applied_at": now}
        entries = [{"address": a, "type": "v4"} for a in config["dbAllowedCidrs"]]
        entries += [{"address": a, "type": "v6"} for a in config["dbAllowedCidrsV6"]]
        return EmuResponse(
            status=200,
            body={
                "entitlement": "allowed",
                "config": {"dbAllowedCidrs": entries},
                "updated_at": now,
                "applied_at": now,
                "status": "applied",
            },
        )

    # -- backups ----------------------------------------------------------------------------------------
    def restore_pitr(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = req.body
        target = body.get("recovery_time_target_unix") if isinstance(body, dict) else None
        if not isinstance(target, int) or isinstance(target, bool) or target < 0:
            raise BadRequest("recovery_time_target_unix must be a non-negative integer")
        days = PITR_DAYS.get(str(project["addons"].get("pitr")))
        if days is None:
            raise BadRequest("Point in time recovery is not enabled for this project")
        now = self.clock.now()
        if target > now or target < now - days * 86400:
            raise BadRequest(f"recovery_time_target_unix must be within the last {days} days")
        self.state.start_transition(project, self.clock, "RESTORING", [["ACTIVE_HEALTHY", RESTORE_SECONDS]])
        return EmuResponse(status=201, body=None)

    # -- read-only configuration ------------------------------------------------------------------------
    def get_storage(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        self._project(params)
        return EmuResponse(status=200, body=_copy(STORAGE_DEFAULTS))

    def get_pgbouncer(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        pooler = self._pooler_view(project)
        return EmuResponse(
            status=200,
            body={
                "default_pool_size": pooler["default_pool_size"] or 15,
                "ignore_startup_parameters": "extra_float_digits",
                "max_client_conn": 200,
                "pool_mode": pooler["pool_mode"],
                "connection_string": pooler["connection_string"],
                "server_idle_timeout": 600,
                "server_lifetime": 3600,
                "query_wait_timeout": 120,
                "reserve_pool_size": 0,
            },
        )

    # -- organizations ----------------------------------------------------------------------------------
    def create_organization(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        body = req.body
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        extra = sorted(set(body) - {"name"})
        if extra:
            raise BadRequest("; ".join(f"property {k} should not exist" for k in extra))
        name = body.get("name")
        if not isinstance(name, str) or not name or len(name) > 256:
            raise BadRequest("name must be a string of 1 to 256 characters")
        slug = "".join(secrets.choice(string.ascii_lowercase) for _ in range(20))
        organization = {"id": slug, "slug": slug, "name": name}
        self.state.organizations.append(organization)
        return EmuResponse(status=201, body=dict(organization))


def _check_cidr(value: Any, version: int) -> None:
    try:
        network = ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        raise BadRequest(f"Invalid CIDR provided: {value}") from None
    if network.version != version or not re.fullmatch(r"[0-9a-fA-F:./]+", str(value)):
        raise BadRequest(f"{value} is not an IPv{version} CIDR")


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
