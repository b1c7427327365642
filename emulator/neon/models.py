"""Neon's state and rules: projects, branches, endpoints, roles, databases, operations, plans.

State is plain JSON-able data (it persists to the emulator's state file). Internal fields start with `_`
and never reach a response.

Operations: every mutation schedules operations that move scheduling -> running -> finished in emulated
time (`app.clock.reached`; at time scale 0 one observation completes them; the reads a waiting client
makes, `backend.WAITING_READS`, observe them). While one is scheduling or running, other mutations of
the project get 423 Locked with the real message; reads still work.
"""

from __future__ import annotations

import copy
import random
import re
import secrets
import string
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.neon.exceptions import BadRequest, Conflict, Locked, NotFound, PreconditionFailed, Unprocessable
from emulator.neon.lifecycle import LifecycleModels, check_endpoint_name

if TYPE_CHECKING:
    from emulator.core.vendor import VendorHost

Json = dict[str, Any]

REGIONS: dict[str, str] = {
    "aws-us-east-1": "US East (N. Virginia)",
    "aws-us-east-2": "US East (Ohio)",
    "aws-us-west-2": "US West (Oregon)",
    "aws-eu-central-1": "Europe (Frankfurt)",
    "aws-eu-west-2": "Europe (London)",
    "aws-ap-southeast-1": "Asia Pacific (Singapore)",
    "aws-ap-southeast-2": "Asia Pacific (Sydney)",
    "aws-sa-east-1": "South America (São Paulo)",
    "azure-eastus2": "Azure East US 2 (Virginia)",
    "azure-westus3": "Azure West US 3 (Arizona)",
    "azure-gwc": "Azure Germany West Central (Frankfurt)",
}
DEFAULT_REGION = "aws-us-east-2"
COMPUTE_SIZES = frozenset([0.25, 0.5, *map(float, range(1, 17)), *map(float, range(18, 57, 2))])
MAX_AUTOSCALING_CU = 16.0
MAX_AUTOSCALING_RANGE = 8.0

# Plan limits (docs/introduction/plans, 2025): what the API enforces per account.
PLANS: dict[str, Json] = {
    "free": {
        "subscription_type": "free_v3",
        "max_autoscaling_cu": 2.0,
        "max_fixed_size_cu": 2.0,
        "max_history_retention_seconds": 21600,
        "projects_limit": 100,
        "branches_limit": 10,
    },
    "launch": {
        "subscription_type": "launch_v3",
        "max_autoscaling_cu": 16.0,
        "max_fixed_size_cu": 16.0,
        "max_history_retention_seconds": 604800,
        "projects_limit": 100,
        "branches_limit": 5000,
    },
    "scale": {
        "subscription_type": "scale_v3",
        "max_autoscaling_cu": 16.0,
        "max_fixed_size_cu": 56.0,
        "max_history_retention_seconds": 2592000,
        "projects_limit": 1000,
        "branches_limit": 5000,
    },
}

# Real-world seconds each action takes at time scale 1; operations of one request run one after another.
ACTION_SECONDS: dict[str, float] = {
    "create_timeline": 2.0,
    "create_branch": 2.0,
    "start_compute": 3.0,
    "apply_config": 1.5,
    "apply_storage_config": 2.0,
    "suspend_compute": 1.0,
    "delete_timeline": 1.5,
    "apply_schema_from_branch": 2.0,
}
INIT_SOURCES = ("parent-data", "schema-only")
# RFC 3339; Neon keeps seconds, so fractions (JavaScript's `toISOString()`, which neonctl sends) drop.
EXPIRES_AT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MAX_EXPIRY_SECONDS = 30 * 86400
ACTIVE_STATUSES = frozenset({"scheduling", "running", "cancelling"})
TERMINAL_STATUSES = frozenset({"finished", "failed", "error", "cancelled", "skipped"})
OWNER_ID = "5c1b9a57-93f4-4a3e-9c36-8d3c5c1f1e2a"

_ADJECTIVES = (
    "aged", "bold", "calm", "cold", "dawn", "dry", "late", "long", "noisy", "old", "proud", "royal",
    "shiny", "silent", "small", "solitary", "still", "sweet", "wild", "winter", "yellow", "young",
)  # fmt: skip
_NOUNS = (
    "bar", "breeze", "brook", "cell", "cloud", "dawn", "field", "forest", "frost", "hall", "king", "meadow",
    "moon", "paper", "rice", "salad", "smoke", "surf", "thunder", "union", "wind", "wood",
)  # fmt: skip


def _words(rng: random.Random) -> str:
    return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}"


def _suffix(rng: random.Random) -> str:
    return "a" + "".join(rng.choices(string.ascii_lowercase + string.digits, k=7))


def public(obj: Json) -> Json:
    """The object as the API shows it: without the emulator's internal `_` fields."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def region_host(region_id: str) -> str:
    cloud, _, region = region_id.partition("-")
    return f"{region}.{cloud}.neon.tech"


def pooler_host(host: str) -> str:
    first, _, rest = host.partition(".")
    return f"{first}-pooler.{rest}"


def _found(row: Json | None, kind: str) -> Json:
    """The row, or Neon's 404 "<kind> not found"."""
    if row is None:
        raise NotFound(kind)
    return row


class NeonModels(LifecycleModels):
    def __init__(self, app: VendorHost) -> None:
        self.app = app
        self.rng = random.Random()
        self.state: Json = {}
        self.reset()

    # -- state ------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.state = {
            "projects": {},
            "branches": {},
            "endpoints": {},
            "roles": {},  # "<branch_id>/<name>"
            "databases": {},  # "<branch_id>/<name>"
            "operations": {},
            "api_keys": {},
            "next_database_id": 39724300,
            "next_api_key_id": 1954900,
            "pending_failures": [],  # injected "operation_failed" effects not yet given to an operation
        }

    def load(self, state: Json) -> None:
        self.reset()
        self.state.update(copy.deepcopy(state))

    # -- time ---------------------------------------------------------------------------------------------
    def now(self) -> float:
        return self.app.clock.now()

    def stamp(self, at: float | None = None) -> str:
        moment = datetime.fromtimestamp(self.now() if at is None else at, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def plan_name(self) -> str:
        name = str(self.app.vendor_option("neon", "plan", "scale"))
        return name if name in PLANS else "scale"

    @property
    def plan(self) -> Json:
        return PLANS[self.plan_name]

    # -- lookups ------------------------------------------------------------------------------------------
    def project(self, project_id: str) -> Json:
        project = self.state["projects"].get(project_id)
        if project is None:
            raise NotFound("project")
        return project

    def _find_in_project(self, table: str, project_id: str, row_id: str) -> Json | None:
        """A row of `table` (kept by id) that belongs to the project (which must exist), or None."""
        self.project(project_id)
        row = self.state[table].get(row_id)
        return row if row is not None and row["project_id"] == project_id else None

    def _find_on_branch(self, table: str, project_id: str, branch_id: str, name: str) -> Json | None:
        """A row of `table` (kept as `<branch_id>/<name>`) on a branch (which must exist), or None."""
        self.branch(project_id, branch_id)
        row: Json | None = self.state[table].get(f"{branch_id}/{name}")
        return row

    def branch(self, project_id: str, branch_id: str) -> Json:
        return _found(self._find_in_project("branches", project_id, branch_id), "branch")

    def endpoint(self, project_id: str, endpoint_id: str) -> Json:
        return _found(self._find_in_project("endpoints", project_id, endpoint_id), "endpoint")

    def role(self, project_id: str, branch_id: str, name: str) -> Json:
        return _found(self._find_on_branch("roles", project_id, branch_id, name), "role")

    def database(self, project_id: str, branch_id: str, name: str) -> Json:
        return _found(self._find_on_branch("databases", project_id, branch_id, name), "database")

    def branches_of(self, project_id: str) -> list[Json]:
        return [b for b in self.state["branches"].values() if b["project_id"] == project_id]

    def endpoints_of(self, project_id: str, branch_id: str | None = None) -> list[Json]:
        return [
            e
            for e in self.state["endpoints"].values()
            if e["project_id"] == project_id and (branch_id is None or e["branch_id"] == branch_id)
        ]

    def roles_of(self, branch_id: str) -> list[Json]:
        return [r for r in self.state["roles"].values() if r["branch_id"] == branch_id]

    def databases_of(self, branch_id: str) -> list[Json]:
        return [d for d in self.state["databases"].values() if d["branch_id"] == branch_id]

    def default_branch(self, project_id: str) -> Json:
        return next(b for b in self.branches_of(project_id) if b["default"])

    def read_write_endpoint(self, project_id: str, branch_id: str) -> Json | None:
        return next((e for e in self.endpoints_of(project_id, branch_id) if e["type"] == "read_write"), None)

    # -- operations -----------------------------------------------------------------------------------------
    def observe(self, project_id: str) -> None:
        """A client looked at the project: its operations move on (time scale 0: they complete)."""
        for operation in self.state["operations"].values():
            if operation["project_id"] == project_id and operation["status"] in ACTIVE_STATUSES:
                operation["_observations"] += 1
                self._advance(operation)

    def _advance(self, operation: Json) -> None:
        clock = self.app.clock
        started, observations = operation["_created"], operation["_observations"]
        if clock.reached(started, operation["_start_after"] + operation["_duration"], observations):
            failure = operation.get("_fail")
            operation["status"] = "failed" if failure else "finished"
            if failure:
                operation["error"] = failure
                operation["failures_count"] = 1
            operation["total_duration_ms"] = int(operation["_duration"] * 1000)
            operation["updated_at"] = self.stamp()
            self._complete(operation)
        elif (
            clock.reached(started, operation["_start_after"], observations)
            and operation["status"] != "running"
        ):
            operation["status"] = "running"
            operation["updated_at"] = self.stamp()

    def _complete(self, operation: Json) -> None:
        """What a finished operation does to the objects it worked on."""
        if operation["status"] != "finished":
            return
        action = operation["action"]
        branch = self.state["branches"].get(operation.get("branch_id") or "")
        endpoint = self.state["endpoints"].get(operation.get("endpoint_id") or "")
        if action in ("create_timeline", "create_branch") and branch is not None:
            branch["current_state"] = "ready"
            branch.pop("pending_state", None)
            branch["state_changed_at"] = self.stamp()
        if action == "start_compute" and endpoint is not None:
            endpoint["current_state"] = "active"
            endpoint.pop("pending_state", None)
            endpoint["started_at"] = endpoint["last_active"] = self.stamp()
            project = self.state["projects"].get(operation["project_id"])
            if project is not None:
                project["compute_last_active_at"] = self.stamp()
        if action == "suspend_compute" and endpoint is not None:
            endpoint["current_state"] = "idle"
            endpoint.pop("pending_state", None)

    def busy(self, project_id: str) -> bool:
        return any(
            o["project_id"] == project_id and o["status"] in ACTIVE_STATUSES
            for o in self.state["operations"].values()
        )

    def require_idle(self, project_id: str) -> None:
        if self.busy(project_id):
            raise Locked()

    def schedule(self, project_id: str, actions: list[tuple[str, str | None, str | None]]) -> list[Json]:
        """Operations for one request, run in order: (action, branch_id, endpoint_id) each."""
        created = self.now()
        offset = 0.0
        operations = []
        for index, (action, branch_id, endpoint_id) in enumerate(actions):
            duration = ACTION_SECONDS.get(action, 1.0)
            operation: Json = {
                "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                "project_id": project_id,
                "action": action,
                # The first operation is already picked up; the rest wait their turn.
                "status": "running" if index == 0 else "scheduling",
                "failures_count": 0,
                "created_at": self.stamp(created),
                "updated_at": self.stamp(created),
                "total_duration_ms": 0,
                "_created": created,
                "_start_after": offset,
                "_duration": duration,
                "_observations": 0,
            }
            if branch_id:
                operation["branch_id"] = branch_id
            if endpoint_id:
                operation["endpoint_id"] = endpoint_id
            self._take_failure(operation)
            offset += duration
            self.state["operations"][operation["id"]] = operation
            operations.append(operation)
        return [public(o) for o in operations]

    def _take_failure(self, operation: Json) -> None:
        pending = self.state["pending_failures"]
        for index, failure in enumerate(pending):
            if failure.get("action") in (None, operation["action"]):
                operation["_fail"] = failure.get("error") or f"{operation['action']} failed (injected fault)"
                del pending[index]
                return

    def add_failure(self, params: Json) -> None:
        self.state["pending_failures"].append({"error": params.get("error"), "action": params.get("action")})

    def operations_of(self, project_id: str) -> list[Json]:
        found = [o for o in self.state["operations"].values() if o["project_id"] == project_id]
        # Newest first; within one request, the later step first (as the real listing shows).
        return sorted(found, key=lambda o: (o["_created"], o["_start_after"]), reverse=True)

    def operation(self, project_id: str, operation_id: str) -> Json:
        return _found(self._find_in_project("operations", project_id, operation_id), "operation")

    # -- validation -----------------------------------------------------------------------------------------
    def check_compute(self, settings: Json, *, where: str) -> None:
        low = settings.get("autoscaling_limit_min_cu")
        high = settings.get("autoscaling_limit_max_cu")
        for name, value in (("autoscaling_limit_min_cu", low), ("autoscaling_limit_max_cu", high)):
            if value is None:
                continue
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or float(value) not in COMPUTE_SIZES
            ):
                raise BadRequest(
                    f"{where}: {name} {value} is not a valid compute size; allowed sizes are 0.25, 0.5, "
                    "1 to 16, and even sizes 18 to 56"
                )
        if low is not None and high is not None:
            low, high = float(low), float(high)
            if low > high:
                raise BadRequest(
                    f"{where}: autoscaling_limit_min_cu must not exceed autoscaling_limit_max_cu"
                )
            if low != high and high > MAX_AUTOSCALING_CU:
                raise BadRequest(f"{where}: autoscaling is supported only up to {MAX_AUTOSCALING_CU:g} CU")
            if high - low > MAX_AUTOSCALING_RANGE:
                raise BadRequest(
                    f"{where}: the difference between autoscaling_limit_max_cu and autoscaling_limit_min_cu "
                    f"cannot exceed {MAX_AUTOSCALING_RANGE:g} CU"
                )
            plan_max = self.plan["max_autoscaling_cu"] if low != high else self.plan["max_fixed_size_cu"]
            if high > plan_max:
                raise BadRequest(
                    "requested compute size exceeds allowed maximum; "
                    f'requested_autoscaling_limit_max_cu:"{high:g}", max:"{plan_max:g}"'
                )
        suspend = settings.get("suspend_timeout_seconds")
        if suspend is not None and (not isinstance(suspend, int) or not -1 <= suspend <= 604800):
            raise BadRequest(f"{where}: suspend_timeout_seconds must be between -1 and 604800")

    def check_history(self, seconds: Any) -> None:
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 2592000:
            raise BadRequest("history_retention_seconds must be between 0 and 2592000")
        limit = self.plan["max_history_retention_seconds"]
        if seconds > limit:
            raise BadRequest(
                "requested history retention seconds exceeds allowed maximum; "
                f'requested_history_retention_seconds:"{seconds}", max:"{limit}"'
            )

    # -- factories ------------------------------------------------------------------------------------------
    def _password(self) -> str:
        return "npg_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))

    def _new_branch(
        self,
        project: Json,
        name: str,
        parent: Json | None,
        protected: bool,
        *,
        init_source: str = "parent-data",
    ) -> Json:
        branch_id = f"br-{_words(self.rng)}-{_suffix(self.rng)}"
        now = self.stamp()
        branch: Json = {
            "id": branch_id,
            "project_id": project["id"],
            "name": name,
            "current_state": "init",
            "pending_state": "ready",
            "state_changed_at": now,
            "creation_source": "console",
            "primary": parent is None,
            "default": parent is None,
            "protected": protected,
            "cpu_used_sec": 0,
            "compute_time_seconds": 0,
            "active_time_seconds": 0,
            "written_data_bytes": 0,
            "data_transfer_bytes": 0,
            "created_at": now,
            "updated_at": now,
        }
        if parent is not None and init_source == "schema-only":
            # A new root branch: the schema comes from `parent_id`, but it is no child of it.
            branch["init_source"] = init_source
        elif parent is not None:
            branch["parent_id"] = parent["id"]
            branch["parent_lsn"] = "0/1F2C3D8"
            branch["parent_timestamp"] = now
            branch["init_source"] = init_source
        self.state["branches"][branch_id] = branch
        return branch

    def _new_endpoint(self, project: Json, branch_id: str, endpoint_type: str, settings: Json) -> Json:
        endpoint_id = f"ep-{_words(self.rng)}-{_suffix(self.rng)}"
        host_suffix = region_host(project["region_id"])
        defaults = project.get("default_endpoint_settings") or {}
        now = self.stamp()
        endpoint: Json = {
            "host": f"{endpoint_id}.{host_suffix}",
            "id": endpoint_id,
            "project_id": project["id"],
            "branch_id": branch_id,
            "autoscaling_limit_min_cu": settings.get(
                "autoscaling_limit_min_cu", defaults.get("autoscaling_limit_min_cu", 0.25)
            ),
            "autoscaling_limit_max_cu": settings.get(
                "autoscaling_limit_max_cu", defaults.get("autoscaling_limit_max_cu", 0.25)
            ),
            "region_id": project["region_id"],
            "type": endpoint_type,
            "current_state": "init",
            "pending_state": "active",
            "settings": settings.get("settings") or {},
            "pooler_enabled": bool(settings.get("pooler_enabled", False)),
            "pooler_mode": "transaction",
            "disabled": bool(settings.get("disabled", False)),
            "passwordless_access": True,
            "creation_source": "console",
            "created_at": now,
            "updated_at": now,
            "proxy_host": host_suffix,
            "suspend_timeout_seconds": settings.get(
                "suspend_timeout_seconds", defaults.get("suspend_timeout_seconds", 0)
            ),
            "provisioner": project.get("provisioner", "k8s-neonvm"),
        }
        if settings.get("name") is not None:
            endpoint["name"] = check_endpoint_name(settings["name"])
        self.state["endpoints"][endpoint_id] = endpoint
        return endpoint

    def _new_role(self, branch_id: str, name: str, password: str | None = None) -> Json:
        now = self.stamp()
        role: Json = {
            "branch_id": branch_id,
            "name": name,
            "protected": False,
            "created_at": now,
            "updated_at": now,
            "_password": password or self._password(),
        }
        self.state["roles"][f"{branch_id}/{name}"] = role
        return role

    def _new_database(self, branch_id: str, name: str, owner: str) -> Json:
        self.state["next_database_id"] += 1
        now = self.stamp()
        database: Json = {
            "id": self.state["next_database_id"],
            "branch_id": branch_id,
            "name": name,
            "owner_name": owner,
            "created_at": now,
            "updated_at": now,
        }
        self.state["databases"][f"{branch_id}/{name}"] = database
        return database

    def connection_uri(self, project: Json, role: Json, database: Json, endpoint: Json, pooled: bool) -> str:
        host = pooler_host(endpoint["host"]) if pooled else endpoint["host"]
        return f"postgresql://{role['name']}:{role['_password']}@{host}/{database['name']}?sslmode=require"

    def connection_details(self, project: Json, role: Json, database: Json, endpoint: Json) -> Json:
        return {
            "connection_uri": self.connection_uri(project, role, database, endpoint, pooled=False),
            "connection_parameters": {
                "database": database["name"],
                "password": role["_password"],
                "role": role["name"],
                "host": endpoint["host"],
                "pooler_host": pooler_host(endpoint["host"]),
            },
        }

    # -- projects -------------------------------------------------------------------------------------------
    def create_project(self, spec: Json) -> Json:
        region_id = spec.get("region_id", DEFAULT_REGION)
        if region_id not in REGIONS:
            raise BadRequest(f'region_id "{region_id}" is not supported; regions: {", ".join(REGIONS)}')
        pg_version = spec.get("pg_version", 17)
        if not isinstance(pg_version, int) or not 14 <= pg_version <= 18:
            raise BadRequest("invalid request: pg_version must be one of 14, 15, 16, 17, 18")
        settings = dict(spec.get("default_endpoint_settings") or {})
        for legacy in ("autoscaling_limit_min_cu", "autoscaling_limit_max_cu"):
            if legacy in spec and legacy not in settings:
                settings[legacy] = spec[legacy]
        settings.setdefault("autoscaling_limit_min_cu", 0.25)
        settings.setdefault("autoscaling_limit_max_cu", settings["autoscaling_limit_min_cu"])
        settings.setdefault("suspend_timeout_seconds", 0)
        self.check_compute(settings, where="default_endpoint_settings")
        history = spec.get(
            "history_retention_seconds", min(86400, self.plan["max_history_retention_seconds"])
        )
        self.check_history(history)
        name = spec.get("name")
        if name is not None and not (isinstance(name, str) and 1 <= len(name) <= 256):
            raise BadRequest("invalid request: name must be 1 to 256 characters")
        if len(self.state["projects"]) >= self.plan["projects_limit"]:
            raise Unprocessable(f'projects limit exceeded; limit:"{self.plan["projects_limit"]}"')
        branch_spec = spec.get("branch") or {}
        database_name = branch_spec.get("database_name") or "neondb"
        role_name = branch_spec.get("role_name") or f"{database_name}_owner"

        project_id = f"{_words(self.rng)}-{self.rng.randrange(10**7, 10**8)}"
        now = self.stamp()
        project: Json = {
            "data_storage_bytes_hour": 0,
            "data_transfer_bytes": 0,
            "written_data_bytes": 0,
            "compute_time_seconds": 0,
            "active_time_seconds": 0,
            "cpu_used_sec": 0,
            "id": project_id,
            "platform_id": region_id.split("-", 1)[0],
            "region_id": region_id,
            "name": name or project_id,
            "provisioner": spec.get("provisioner", "k8s-neonvm"),
            "default_endpoint_settings": settings,
            "settings": {
                "allowed_ips": {"ips": [], "protected_branches_only": False},
                "enable_logical_replication": False,
                "block_public_connections": False,
                "block_vpc_connections": False,
            },
            "pg_version": pg_version,
            "proxy_host": region_host(region_id),
            "branch_logical_size_limit": 512,
            "branch_logical_size_limit_bytes": 536870912,
            "store_passwords": bool(spec.get("store_passwords", True)),
            "creation_source": "console",
            "history_retention_seconds": history,
            "created_at": now,
            "updated_at": now,
            "consumption_period_start": "0001-01-01T00:00:00Z",
            "consumption_period_end": "0001-01-01T00:00:00Z",
            "owner_id": OWNER_ID,
        }
        if spec.get("org_id"):
            project["org_id"] = spec["org_id"]
        self.state["projects"][project_id] = project
        branch = self._new_branch(project, branch_spec.get("name") or "main", None, False)
        endpoint = self._new_endpoint(project, branch["id"], "read_write", {})
        role = self._new_role(branch["id"], role_name)
        database = self._new_database(branch["id"], database_name, role_name)
        operations = self.schedule(
            project_id,
            [("create_timeline", branch["id"], None), ("start_compute", branch["id"], endpoint["id"])],
        )
        response = {
            "project": public(project),
            "connection_uris": [self.connection_details(project, role, database, endpoint)],
            "roles": [{**public(role), "password": role["_password"]}],
            "databases": [public(database)],
            "operations": operations,
            "branch": public(branch),
            "endpoints": [public(endpoint)],
        }
        self._after_create(project=project, branches=[branch], endpoints=[endpoint])
        return response

    def _after_create(
        self, *, project: Json | None = None, branches: Sequence[Json] = (), endpoints: Sequence[Json] = ()
    ) -> None:
        """Fields the real API shows on later reads but not in the create response (recordings)."""
        if project is not None:
            moment = datetime.fromtimestamp(self.now(), tz=UTC)
            year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
            project["synthetic_storage_size"] = 0
            project["quota_reset_at"] = f"{year:04d}-{month:02d}-01T00:00:00Z"
        for branch in branches:
            branch["created_by"] = {"name": "Emulated User", "image": ""}
        for endpoint in endpoints:
            endpoint["last_active"] = "2000-01-01T00:00:00Z"  # what Neon shows before the first start

    def update_project(self, project_id: str, spec: Json) -> Json:
        project = self.project(project_id)
        actions: list[tuple[str, str | None, str | None]] = []
        merged = project["default_endpoint_settings"]
        if "default_endpoint_settings" in spec:
            merged = {**merged, **(spec["default_endpoint_settings"] or {})}
            self.check_compute(merged, where="default_endpoint_settings")
        name = spec.get("name", project["name"])
        if not (isinstance(name, str) and 1 <= len(name) <= 256):
            raise BadRequest("invalid request: name must be 1 to 256 characters")
        history = spec.get("history_retention_seconds", project["history_retention_seconds"])
        if "history_retention_seconds" in spec:
            self.check_history(history)
        if history != project["history_retention_seconds"]:
            actions.append(("apply_storage_config", self.default_branch(project_id)["id"], None))
        # Only work that schedules operations conflicts with running ones (a rename does not).
        if actions:
            self.require_idle(project_id)
        project.update(name=name, default_endpoint_settings=merged, history_retention_seconds=history)
        if isinstance(spec.get("settings"), dict):
            project["settings"] = {**project["settings"], **spec["settings"]}
        project["updated_at"] = self.stamp()
        return {"project": public(project), "operations": self.schedule(project_id, actions)}

    def delete_project(self, project_id: str) -> Json:
        project = self.project(project_id)
        branch_ids = {b["id"] for b in self.branches_of(project_id)}
        for table in ("branches", "endpoints", "operations"):
            self.state[table] = {k: v for k, v in self.state[table].items() if v["project_id"] != project_id}
        for table in ("roles", "databases"):
            self.state[table] = {
                k: v for k, v in self.state[table].items() if v["branch_id"] not in branch_ids
            }
        del self.state["projects"][project_id]
        return {"project": public(project)}

    # -- branches -------------------------------------------------------------------------------------------
    def create_branch(self, project_id: str, spec: Json, endpoints: list[Json]) -> Json:
        project = self.project(project_id)
        self.require_idle(project_id)
        parent = (
            self.branch(project_id, spec["parent_id"])
            if spec.get("parent_id")
            else self.default_branch(project_id)
        )
        name = spec.get("name") or f"br-{_words(self.rng)}-{_suffix(self.rng)}"
        if not isinstance(name, str) or len(name) > 256:
            raise BadRequest("invalid request: branch name must be at most 256 characters")
        if any(b["name"] == name for b in self.branches_of(project_id)):
            raise Conflict(f'branch already exists; branch_name:"{name}"')
        if len(self.branches_of(project_id)) >= self.plan["branches_limit"]:
            raise Unprocessable(f'branches limit exceeded; limit:"{self.plan["branches_limit"]}"')
        read_write = [e for e in endpoints if e.get("type") == "read_write"]
        if len(read_write) > 1:
            raise Conflict("a branch can have only one read_write endpoint")
        for options in endpoints:
            if options.get("type") not in ("read_write", "read_only"):
                raise BadRequest("invalid request: endpoint type must be read_write or read_only")
            self.check_compute(options, where="endpoints")
        init_source = spec.get("init_source", "parent-data")
        if init_source not in INIT_SOURCES:
            raise BadRequest(f"invalid request: init_source must be one of {', '.join(INIT_SOURCES)}")
        expires_at = self.check_expires_at(spec["expires_at"]) if spec.get("expires_at") is not None else None
        branch = self._new_branch(
            project, name, parent, bool(spec.get("protected", False)), init_source=init_source
        )
        if expires_at is not None:
            self._set_expiry(branch, expires_at)
        # A child branch starts with a copy of its parent's roles (same passwords) and databases; a
        # schema-only branch too (roles and databases are schema), only without the data.
        for role in self.roles_of(parent["id"]):
            self._new_role(branch["id"], role["name"], role["_password"])
        for database in self.databases_of(parent["id"]):
            self._new_database(branch["id"], database["name"], database["owner_name"])
        created = [self._new_endpoint(project, branch["id"], e["type"], e) for e in endpoints]
        actions: list[tuple[str, str | None, str | None]] = [("create_branch", branch["id"], None)]
        if init_source == "schema-only":
            actions.append(("apply_schema_from_branch", branch["id"], None))
        actions += [("start_compute", branch["id"], e["id"]) for e in created]
        roles, databases = self.roles_of(branch["id"]), self.databases_of(branch["id"])
        response: Json = {
            "branch": public(branch),
            "endpoints": [public(e) for e in created],
            "operations": self.schedule(project_id, actions),
            "roles": [public(r) for r in roles],
            "databases": [public(d) for d in databases],
        }
        if created:
            rw = next((e for e in created if e["type"] == "read_write"), created[0])
            response["connection_uris"] = [
                self.connection_details(
                    project, self.state["roles"][f"{branch['id']}/{d['owner_name']}"], d, rw
                )
                for d in databases
                if f"{branch['id']}/{d['owner_name']}" in self.state["roles"]
            ]
        self._after_create(branches=[branch], endpoints=created)
        return response

    def update_branch(self, project_id: str, branch_id: str, spec: Json) -> Json:
        branch = self.branch(project_id, branch_id)
        if "name" in spec and spec["name"] != branch["name"]:
            name = spec["name"]
            if not isinstance(name, str) or not 1 <= len(name) <= 256:
                raise BadRequest("invalid request: branch name must be 1 to 256 characters")
            if any(b["name"] == name for b in self.branches_of(project_id)):
                raise Conflict(f'branch already exists; branch_name:"{name}"')
            branch["name"] = name
        if "protected" in spec:
            branch["protected"] = bool(spec["protected"])
        if "expires_at" in spec:
            if spec["expires_at"] is None:
                for key in ("expires_at", "ttl_interval_seconds", "_expires"):
                    branch.pop(key, None)
            else:
                if branch["default"]:
                    raise BadRequest("the default branch cannot have an expiration time")
                self._set_expiry(branch, self.check_expires_at(spec["expires_at"]))
        branch["updated_at"] = self.stamp()
        return {"branch": public(branch), "operations": []}

    def delete_branch(self, project_id: str, branch_id: str) -> Json | None:
        branch = self._find_in_project("branches", project_id, branch_id)
        if branch is None:
            return None
        self.require_idle(project_id)
        if branch["default"]:
            raise BadRequest("cannot delete the project's default branch")
        if any(b.get("parent_id") == branch_id for b in self.branches_of(project_id)):
            raise BadRequest("cannot delete a branch that has child branches")
        endpoints = self.endpoints_of(project_id, branch_id)
        actions: list[tuple[str, str | None, str | None]] = [
            ("suspend_compute", branch_id, e["id"]) for e in endpoints
        ]
        actions.append(("delete_timeline", branch_id, None))
        operations = self.schedule(project_id, actions)
        self._drop_branch(branch_id)
        return {"branch": public(branch), "operations": operations}

    # -- branch expiry --------------------------------------------------------------------------------------
    def check_expires_at(self, value: Any) -> float:
        """An `expires_at` as Neon takes it: RFC 3339 (kept to the second), in the future, at most 30 days
        ahead."""
        if not isinstance(value, str) or not EXPIRES_AT_RE.match(value):
            raise BadRequest(
                "invalid request: expires_at must be an RFC 3339 timestamp with precision up to seconds, "
                "such as 2025-06-09T18:02:16Z"
            )
        moment = float(int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()))
        if moment <= self.now():
            raise BadRequest("expires_at must be in the future")
        if moment > self.now() + MAX_EXPIRY_SECONDS:
            raise BadRequest("expires_at must be at most 30 days in the future")
        return moment

    def _set_expiry(self, branch: Json, moment: float) -> None:
        branch["expires_at"] = self.stamp(moment)
        branch["ttl_interval_seconds"] = int(moment - self.now())
        branch["_expires"] = moment

    def expire_branches(self) -> None:
        """Neon's background job: a branch whose `expires_at` has passed (emulated clock) is deleted with
        its computes, roles and databases. A branch that still has children waits for them to go."""
        now = self.now()
        while True:
            due = [
                b
                for b in self.state["branches"].values()
                if b.get("_expires") is not None
                and b["_expires"] <= now
                and not any(c.get("parent_id") == b["id"] for c in self.state["branches"].values())
            ]
            if not due:
                return
            for branch in due:
                self._drop_branch(branch["id"])

    def _drop_branch(self, branch_id: str) -> None:
        self.state["endpoints"] = {
            k: v for k, v in self.state["endpoints"].items() if v["branch_id"] != branch_id
        }
        for table in ("roles", "databases"):
            self.state[table] = {k: v for k, v in self.state[table].items() if v["branch_id"] != branch_id}
        self.state["branches"].pop(branch_id, None)

    # -- endpoints ------------------------------------------------------------------------------------------
    def create_endpoint(self, project_id: str, spec: Json) -> Json:
        project = self.project(project_id)
        if not spec.get("branch_id") or spec.get("type") not in ("read_write", "read_only"):
            raise BadRequest("invalid request: endpoint needs branch_id and type (read_write or read_only)")
        branch = self.branch(project_id, spec["branch_id"])
        self.require_idle(project_id)
        if spec.get("region_id") not in (None, project["region_id"]):
            raise BadRequest(f"region_id must be the project's region, {project['region_id']}")
        self.check_compute(
            {
                "autoscaling_limit_min_cu": spec.get("autoscaling_limit_min_cu", 0.25),
                "autoscaling_limit_max_cu": spec.get(
                    "autoscaling_limit_max_cu", spec.get("autoscaling_limit_min_cu", 0.25)
                ),
                "suspend_timeout_seconds": spec.get("suspend_timeout_seconds"),
            },
            where="endpoint",
        )
        if spec["type"] == "read_write" and self.read_write_endpoint(project_id, branch["id"]):
            raise Conflict(f"branch {branch['id']} already has a read_write endpoint")
        endpoint = self._new_endpoint(project, branch["id"], spec["type"], spec)
        operations = self.schedule(project_id, [("start_compute", branch["id"], endpoint["id"])])
        response = {"endpoint": public(endpoint), "operations": operations}
        self._after_create(endpoints=[endpoint])
        return response

    def update_endpoint(self, project_id: str, endpoint_id: str, spec: Json) -> Json:
        endpoint = self.endpoint(project_id, endpoint_id)
        self.require_idle(project_id)
        compute = {
            key: spec.get(key, endpoint[key])
            for key in ("autoscaling_limit_min_cu", "autoscaling_limit_max_cu", "suspend_timeout_seconds")
        }
        self.check_compute(compute, where="endpoint")
        name = check_endpoint_name(spec["name"]) if spec.get("name") is not None else endpoint.get("name")
        endpoint.update(compute)
        if name is not None:
            endpoint["name"] = name
        for key in ("pooler_enabled", "disabled", "settings"):
            if key in spec:
                endpoint[key] = spec[key]
        endpoint["updated_at"] = self.stamp()
        operations = self.schedule(project_id, [("apply_config", endpoint["branch_id"], endpoint_id)])
        return {"endpoint": public(endpoint), "operations": operations}

    def delete_endpoint(self, project_id: str, endpoint_id: str) -> Json | None:
        endpoint = self._find_in_project("endpoints", project_id, endpoint_id)
        if endpoint is None:
            return None
        self.require_idle(project_id)
        operations = self.schedule(project_id, [("suspend_compute", endpoint["branch_id"], endpoint_id)])
        del self.state["endpoints"][endpoint_id]
        return {"endpoint": public(endpoint), "operations": operations}

    # -- roles and databases ------------------------------------------------------------------------
    def _require_idle_for_config(self, project_id: str, branch_id: str) -> None:
        if self.read_write_endpoint(project_id, branch_id) is not None:
            self.require_idle(project_id)

    def _config_change(self, project_id: str, branch_id: str) -> list[Json]:
        """Roles and databases live in the compute: a change is applied to the branch's running compute."""
        endpoint = self.read_write_endpoint(project_id, branch_id)
        if endpoint is None:
            return []
        return self.schedule(project_id, [("apply_config", branch_id, endpoint["id"])])

    def create_role(self, project_id: str, branch_id: str, spec: Json) -> Json:
        self.branch(project_id, branch_id)
        name = spec.get("name")
        if not isinstance(name, str) or not 1 <= len(name.encode()) <= 63:
            raise BadRequest("invalid request: role name must be 1 to 63 bytes")
        self._require_idle_for_config(project_id, branch_id)
        if f"{branch_id}/{name}" in self.state["roles"]:
            raise Conflict(f'role already exists; role_name:"{name}"')
        role = self._new_role(branch_id, name)
        return {
            "role": {**public(role), "password": role["_password"]},
            "operations": self._config_change(project_id, branch_id),
        }

    def reveal_password(self, project_id: str, branch_id: str, name: str) -> str:
        role = self.role(project_id, branch_id, name)
        if not self.project(project_id)["store_passwords"]:
            raise PreconditionFailed("Storing passwords is disabled")
        return str(role["_password"])

    def reset_password(self, project_id: str, branch_id: str, name: str) -> Json:
        role = self.role(project_id, branch_id, name)
        self._require_idle_for_config(project_id, branch_id)
        role["_password"] = self._password()
        role["updated_at"] = self.stamp()
        return {
            "role": {**public(role), "password": role["_password"]},
            "operations": self._config_change(project_id, branch_id),
        }

    def delete_role(self, project_id: str, branch_id: str, name: str) -> Json | None:
        role = self._find_on_branch("roles", project_id, branch_id, name)
        if role is None:
            return None
        self._require_idle_for_config(project_id, branch_id)
        owned = [d["name"] for d in self.databases_of(branch_id) if d["owner_name"] == name]
        if owned:
            raise BadRequest(f'role "{name}" owns databases ({", ".join(owned)}); change their owner first')
        del self.state["roles"][f"{branch_id}/{name}"]
        return {"role": public(role), "operations": self._config_change(project_id, branch_id)}

    def create_database(self, project_id: str, branch_id: str, spec: Json) -> Json:
        self.branch(project_id, branch_id)
        name, owner = spec.get("name"), spec.get("owner_name")
        if not isinstance(name, str) or not 1 <= len(name.encode()) <= 63 or not isinstance(owner, str):
            raise BadRequest("invalid request: database needs name (1 to 63 bytes) and owner_name")
        self._require_idle_for_config(project_id, branch_id)
        if f"{branch_id}/{owner}" not in self.state["roles"]:
            raise BadRequest(f'owner role "{owner}" does not exist on the branch')
        if f"{branch_id}/{name}" in self.state["databases"]:
            raise Conflict(f'database already exists; database_name:"{name}"')
        database = self._new_database(branch_id, name, owner)
        return {"database": public(database), "operations": self._config_change(project_id, branch_id)}

    def update_database(self, project_id: str, branch_id: str, name: str, spec: Json) -> Json:
        database = self.database(project_id, branch_id, name)
        self._require_idle_for_config(project_id, branch_id)
        new_name = spec.get("name", name)
        owner = spec.get("owner_name", database["owner_name"])
        if not isinstance(new_name, str) or not 1 <= len(new_name.encode()) <= 63:
            raise BadRequest("invalid request: database name must be 1 to 63 bytes")
        if f"{branch_id}/{owner}" not in self.state["roles"]:
            raise BadRequest(f'owner role "{owner}" does not exist on the branch')
        if new_name != name and f"{branch_id}/{new_name}" in self.state["databases"]:
            raise Conflict(f'database already exists; database_name:"{new_name}"')
        del self.state["databases"][f"{branch_id}/{name}"]
        database.update(name=new_name, owner_name=owner, updated_at=self.stamp())
        self.state["databases"][f"{branch_id}/{new_name}"] = database
        return {"database": public(database), "operations": self._config_change(project_id, branch_id)}

    def delete_database(self, project_id: str, branch_id: str, name: str) -> Json | None:
        database = self._find_on_branch("databases", project_id, branch_id, name)
        if database is None:
            return None
        self._require_idle_for_config(project_id, branch_id)
        del self.state["databases"][f"{branch_id}/{name}"]
        return {"database": public(database), "operations": self._config_change(project_id, branch_id)}

    def get_connection_uri(self, project_id: str, query: Json) -> str:
        project = self.project(project_id)
        database_name, role_name = query.get("database_name"), query.get("role_name")
        if not database_name or not role_name:
            raise BadRequest("invalid request: database_name and role_name are required")
        branch_id = query.get("branch_id") or self.default_branch(project_id)["id"]
        branch = self.branch(project_id, branch_id)
        if query.get("endpoint_id"):
            endpoint: Json | None = self.endpoint(project_id, query["endpoint_id"])
        else:
            endpoint = self.read_write_endpoint(project_id, branch["id"])
        if endpoint is None or endpoint["branch_id"] != branch["id"]:
            raise NotFound("endpoint")
        role = self.role(project_id, branch["id"], role_name)
        database = self.database(project_id, branch["id"], database_name)
        pooled = str(query.get("pooled", "false")).lower() in ("true", "1")
        return self.connection_uri(project, role, database, endpoint, pooled)

    # -- account --------------------------------------------------------------------------------------------
    def create_api_key(self, name: str) -> Json:
        self.state["next_api_key_id"] += 1
        key_id = self.state["next_api_key_id"]
        record = {
            "id": key_id,
            "name": name,
            "created_at": self.stamp(),
            "created_by": OWNER_ID,
            "last_used_at": None,
            "last_used_from_addr": "",
            "revoked": False,
        }
        self.state["api_keys"][str(key_id)] = record
        key = secrets.token_hex(32)
        return {k: record[k] for k in ("id", "name", "created_at", "created_by")} | {"key": key}

    def revoke_api_key(self, key_id: str) -> Json:
        record = self.state["api_keys"].get(key_id)
        if record is None:
            raise NotFound("API key")
        record["revoked"] = True
        del self.state["api_keys"][key_id]
        return dict(record)
