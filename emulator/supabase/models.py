"""The emulated Supabase account: organizations and projects, kept as plain JSON-able data.

Project status follows the vendor's lifecycle in emulated time (`app.clock.reached`): a new project is
UNKNOWN, then COMING_UP, then ACTIVE_HEALTHY (about two minutes at time scale 1, one poll per step at time
scale 0); its services (auth, rest, pooler...) come up a little after the project reports healthy, and
settings writes are refused until they have. Delete moves the project to GOING_DOWN, then it is gone (404).
A compute resize passes through RESIZING.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.supabase.auth_defaults import AUTH_SECRET_KEYS

if TYPE_CHECKING:
    from emulator.core.clock import Clock

DEFAULT_ORGANIZATION = {"id": "platform-emulator", "slug": "platform-emulator", "name": "Platform Emulator"}

# Emulated durations at time scale 1 (seconds), overridable per vendor option of the same name.
TIMINGS = {
    "project_unknown_seconds": 5.0,  # UNKNOWN before COMING_UP
    "project_ready_seconds": 120.0,  # from the POST to ACTIVE_HEALTHY ("usually under two minutes")
    "services_ready_seconds": 15.0,  # services after the project reports ACTIVE_HEALTHY
    "resize_seconds": 60.0,
    "delete_seconds": 10.0,  # GOING_DOWN before the project is gone
    "branch_migrations_seconds": 10.0,  # a branch's RUNNING_MIGRATIONS once its project is up
    "branch_functions_seconds": 5.0,  # then MIGRATIONS_PASSED until FUNCTIONS_DEPLOYED
}

DEFAULT_NETWORK = {"dbAllowedCidrs": ["0.0.0.0/0"], "dbAllowedCidrsV6": ["::/0"]}
DEFAULT_POSTGREST = {
    "db_schema": "public,graphql_public",
    "max_rows": 1000,
    "db_extra_search_path": "public, extensions",
    "db_pool": None,
}
HEALTH_SERVICES = ("auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_ref() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(20))


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(ref: str, role: str, issued: float) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(
        json.dumps(
            {
                "iss": "supabase",
                "ref": ref,
                "role": role,
                "iat": int(issued),
                "exp": int(issued) + 10 * 365 * 86400,
            }
        ).encode()
    )
    return f"{header}.{payload}.{_b64(secrets.token_bytes(32))}"


class SupabaseState:
    """Everything the emulated account holds. Each project is a dict; `dump()` is the persisted form."""

    def __init__(self) -> None:
        self.organizations: list[dict[str, Any]] = [dict(DEFAULT_ORGANIZATION)]
        self.projects: dict[str, dict[str, Any]] = {}
        self.next_id = 1

    # -- persistence ----------------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return {"organizations": self.organizations, "projects": self.projects, "next_id": self.next_id}

    def load(self, data: dict[str, Any]) -> None:
        self.organizations = list(data.get("organizations") or [dict(DEFAULT_ORGANIZATION)])
        self.projects = dict(data.get("projects") or {})
        self.next_id = int(data.get("next_id", len(self.projects) + 1))

    # -- projects -------------------------------------------------------------------------------------
    def organization(self, slug: str) -> dict[str, Any] | None:
        return next((o for o in self.organizations if o["slug"] == slug), None)

    def create_project(
        self,
        *,
        clock: Clock,
        timings: dict[str, float],
        name: str,
        organization_slug: str,
        region: str,
        db_pass: str,
        instance_size: str,
    ) -> dict[str, Any]:
        ref = new_ref()
        while ref in self.projects:
            ref = new_ref()
        now = clock.now()
        unknown = timings["project_unknown_seconds"]
        project: dict[str, Any] = {
            "numeric_id": self.next_id,
            "ref": ref,
            "name": name,
            "organization_slug": organization_slug,
            "region": region,
            "created_at": iso(now),
            "status": "UNKNOWN",
            "phase_started": now,
            "observations": 0,
            "pending": [
                ["COMING_UP", unknown],
                ["ACTIVE_HEALTHY", max(0.0, timings["project_ready_seconds"] - unknown)],
            ],
            "services": {"status": "COMING_UP", "started": None, "observations": 0},
            "services_ready_seconds": timings["services_ready_seconds"],
            "db_pass_sha256": sha256_hex(db_pass),
            "instance_size": instance_size,
            "database": {
                "host": f"db.{ref}.supabase.co",
                "version": "17.6.1.111",
                "postgres_engine": "17",
                "release_channel": "ga",
            },
            "api_keys": {
                "anon": fake_jwt(ref, "anon", now),
                "service_role": fake_jwt(ref, "service_role", now),
                "publishable": {
                    "id": str(uuid.uuid4()),
                    "api_key": "sb_publishable_" + secrets.token_urlsafe(22),
                },
                "secret": {"id": str(uuid.uuid4()), "api_key": "sb_secret_" + secrets.token_urlsafe(22)},
            },
            "jwt_secret": base64.b64encode(secrets.token_bytes(64)).decode(),
            "postgres_overrides": {},
            "pooler": {"pool_mode": "transaction", "default_pool_size": None},
            "postgrest": dict(DEFAULT_POSTGREST),
            "network": {"config": dict(DEFAULT_NETWORK), "updated_at": None, "applied_at": None},
            "ssl_enforced": False,
            "auth": {},  # only what PATCH changed; GET merges it over the defaults
            "secrets": {},  # name -> {"digest", "updated_at"}; the plaintext is not kept
            "addons": {},  # type -> variant id (compute_instance is derived from instance_size)
            "backup_schedule": {"schedule_for": "00:00:00", "updated_at": iso(now)},
            "branches": [],
        }
        self.next_id += 1
        self.projects[ref] = project
        return project

    def observe(self, project: dict[str, Any], clock: Clock) -> None:
        """A client looked at the project: let due transitions happen (one per look at time scale 0)."""
        project["observations"] += 1
        while project["pending"]:
            status, duration = project["pending"][0]
            if not clock.reached(project["phase_started"], duration, project["observations"]):
                break
            project["pending"].pop(0)
            project["status"] = status
            if clock.time_scale > 0:
                project["phase_started"] += duration * clock.time_scale
            else:
                project["phase_started"] = clock.now()
            project["observations"] = 0
            if status == "ACTIVE_HEALTHY":
                project["services"] = {
                    "status": "COMING_UP",
                    "started": project["phase_started"],
                    "observations": 0,
                }
            if status == "REMOVED":
                self.projects.pop(project["ref"], None)
                return

    def observe_services(self, project: dict[str, Any], clock: Clock) -> str:
        """The services' status (COMING_UP until a little after the project is healthy)."""
        services = project["services"]
        if project["status"] != "ACTIVE_HEALTHY" or services["started"] is None:
            return (
                "COMING_UP"
                if project["status"] in ("UNKNOWN", "COMING_UP", "RESIZING", "RESTARTING")
                else "UNHEALTHY"
            )
        if services["status"] != "ACTIVE_HEALTHY":
            services["observations"] += 1
            if clock.reached(
                services["started"], project["services_ready_seconds"], services["observations"]
            ):
                services["status"] = "ACTIVE_HEALTHY"
        return str(services["status"])

    def start_transition(
        self, project: dict[str, Any], clock: Clock, status: str, steps: list[list[Any]]
    ) -> None:
        project["status"] = status
        project["phase_started"] = clock.now()
        project["observations"] = 0
        project["pending"] = steps
        project["services"] = {"status": "COMING_UP", "started": None, "observations": 0}

    # -- views ----------------------------------------------------------------------------------------
    def project_view(self, project: dict[str, Any], *, with_database: bool = True) -> dict[str, Any]:
        view = {
            "id": project["ref"],
            "ref": project["ref"],
            "organization_id": project["organization_slug"],
            "organization_slug": project["organization_slug"],
            "name": project["name"],
            "region": project["region"],
            "created_at": project["created_at"],
            "status": project["status"],
        }
        if with_database:
            view["database"] = dict(project["database"])
        return view

    def public(self) -> dict[str, Any]:
        """The state without anything secret (for `GET /_emulator/state`)."""
        projects = {}
        for ref, project in self.projects.items():
            shown = {
                k: v
                for k, v in project.items()
                if k not in ("api_keys", "jwt_secret", "db_pass_sha256", "branch_db_pass")
            }
            shown["auth"] = {
                k: ("********" if k in AUTH_SECRET_KEYS and v is not None else v)
                for k, v in project["auth"].items()
            }
            projects[ref] = shown
        return {"organizations": self.organizations, "projects": projects}
