"""One method per Management API operation: parse and validate the request as the vendor does, act on the
state, and answer with the vendor's status codes and shapes (`{"message": ...}` on errors)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from emulator.core.vendor import EmuRequest, EmuResponse
from emulator.supabase.auth_defaults import AUTH_CONFIG_DEFAULTS, AUTH_SECRET_KEYS, AUTH_UPDATABLE
from emulator.supabase.branches import BranchResponses
from emulator.supabase.catalog import AVAILABLE_ADDONS
from emulator.supabase.exceptions import BadRequest, NotFound, ProjectNotFound
from emulator.supabase.extra_routes import ExtraResponses
from emulator.supabase.models import HEALTH_SERVICES, TIMINGS, SupabaseState, iso, sha256_hex

if TYPE_CHECKING:
    from emulator.core.vendor import VendorHost

REGIONS = (
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
REGION_NAMES = {
    "us-east-1": "East US (North Virginia)",
    "us-east-2": "East US (Ohio)",
    "us-west-1": "West US (North California)",
    "us-west-2": "West US (Oregon)",
    "ap-east-1": "East Asia (Hong Kong)",
    "ap-southeast-1": "Southeast Asia (Singapore)",
    "ap-northeast-1": "Northeast Asia (Tokyo)",
    "ap-northeast-2": "Northeast Asia (Seoul)",
    "ap-southeast-2": "Oceania (Sydney)",
    "eu-west-1": "West EU (Ireland)",
    "eu-west-2": "West Europe (London)",
    "eu-west-3": "West EU (Paris)",
    "eu-north-1": "North EU (Stockholm)",
    "eu-central-1": "Central EU (Frankfurt)",
    "eu-central-2": "Central Europe (Zurich)",
    "ca-central-1": "Canada (Central)",
    "ap-south-1": "South Asia (Mumbai)",
    "sa-east-1": "South America (São Paulo)",
}
SMART_GROUPS = {"americas": "Americas", "emea": "Europe, Middle East and Africa", "apac": "Asia-Pacific"}
INSTANCE_SIZES = (
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
CREATE_PROJECT_KEYS = frozenset(
    {
        "db_pass",
        "name",
        "organization_id",
        "organization_slug",
        "plan",
        "region",
        "region_selection",
        "kps_enabled",
        "desired_instance_size",
        "template_url",
    }
)
STARTING = frozenset({"UNKNOWN", "COMING_UP"})
REF_RE = re.compile(r"^[a-z]{20}$")
DURATION_RE = re.compile(r"^(-?[0-9]+(?:\.[0-9]+)?)(us|ms|s|min|h|d)?$")
SCHEDULE_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")

# UpdatePostgresConfigBody: key -> (type, minimum, maximum, pattern or enum)
POSTGRES_KEYS: dict[str, tuple[str, int | None, int | None, Any]] = {
    "effective_cache_size": ("string", None, None, None),
    "logical_decoding_work_mem": ("string", None, None, None),
    "maintenance_work_mem": ("string", None, None, None),
    "track_activity_query_size": ("string", None, None, None),
    "max_connections": ("integer", 1, 262143, None),
    "max_locks_per_transaction": ("integer", 10, 2147483640, None),
    "max_parallel_maintenance_workers": ("integer", 0, 1024, None),
    "max_parallel_workers": ("integer", 0, 1024, None),
    "max_parallel_workers_per_gather": ("integer", 0, 1024, None),
    "max_replication_slots": ("integer", None, None, None),
    "max_slot_wal_keep_size": ("string", None, None, None),
    "max_standby_archive_delay": ("string", None, None, None),
    "max_standby_streaming_delay": ("string", None, None, None),
    "max_wal_size": ("string", None, None, None),
    "max_wal_senders": ("integer", None, None, None),
    "max_worker_processes": ("integer", 0, 262143, None),
    "session_replication_role": ("string", None, None, ("origin", "replica", "local")),
    "shared_buffers": ("string", None, None, None),
    "statement_timeout": ("string", None, None, DURATION_RE),
    "track_commit_timestamp": ("boolean", None, None, None),
    "wal_keep_size": ("string", None, None, None),
    "wal_sender_timeout": ("string", None, None, DURATION_RE),
    "work_mem": ("string", None, None, None),
    "checkpoint_timeout": ("string", None, None, DURATION_RE),
    "hot_standby_feedback": ("boolean", None, None, None),
}


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _object_body(req: EmuRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise BadRequest("Request body must be a JSON object")
    return req.body


def ok(body: Any = None, status: int = 200) -> EmuResponse:
    return EmuResponse(status=status, body=body)


class SupabaseResponses(BranchResponses, ExtraResponses):
    def __init__(self, app: VendorHost, state: SupabaseState) -> None:
        self.app = app
        self.state = state

    @property
    def clock(self) -> Any:
        return self.app.clock

    def timings(self) -> dict[str, float]:
        return {
            key: float(self.app.vendor_option("supabase", key, default)) for key, default in TIMINGS.items()
        }

    def dispatch(self, handler: str, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        method: Callable[[EmuRequest, dict[str, str]], EmuResponse] = getattr(self, handler)
        return method(req, params)

    # -- helpers ----------------------------------------------------------------------------------------
    def _project(self, params: dict[str, str], *, observe: bool = True) -> dict[str, Any]:
        ref = params.get("ref", "")
        if not REF_RE.match(ref):
            raise BadRequest("Invalid project ref: it must be 20 lowercase letters")
        project = self.state.projects.get(ref)
        if project is None:
            raise ProjectNotFound()
        if observe:
            self.state.observe(project, self.clock)
            if ref not in self.state.projects:
                raise ProjectNotFound()
        if project["status"] in ("GOING_DOWN", "REMOVED"):
            raise ProjectNotFound()
        return project

    def _ready_project(self, params: dict[str, str]) -> dict[str, Any]:
        """A project whose services accept configuration; anything earlier is refused, as the real API
        does right after creation (TF issue #239)."""
        project = self._project(params)
        if project["status"] != "ACTIVE_HEALTHY":
            raise BadRequest(f"Project is not ready: its status is {project['status']}")
        if self.state.observe_services(project, self.clock) != "ACTIVE_HEALTHY":
            raise BadRequest("Project services are still coming up; retry once they are healthy")
        return project

    def _organization(self, slug: str) -> dict[str, Any] | None:
        """The organization, if the account belongs to it.

        The account starts with one organization. Unless the vendor option `strict_organizations` is set,
        it also joins any other well-formed slug it is asked to use, so stacks written for a real
        organization (e.g. `nestsync`) run against a fresh emulator; strict mode answers 404 as the
        vendor does for an organization the token cannot see.
        """
        org = self.state.organization(slug)
        if org is not None or self.app.vendor_option("supabase", "strict_organizations", False):
            return org
        if not re.fullmatch(r"[\w-]+", slug):
            return None
        org = {"id": slug, "slug": slug, "name": slug}
        self.state.organizations.append(org)
        return org

    def _query_list(self, req: EmuRequest, name: str) -> list[str]:
        values = parse_qs(req.raw_query).get(name, [])
        if not values and name in req.query:
            values = [req.query[name]]
        out: list[str] = []
        for value in values:
            out.extend(v for v in value.split(",") if v)
        return out

    # -- organizations ----------------------------------------------------------------------------------
    def list_organizations(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        return ok([dict(o) for o in self.state.organizations])

    def get_organization(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        org = self._organization(params["slug"])
        if org is None:
            raise NotFound("Organization not found")
        return ok(
            {
                "id": org["id"],
                "name": org["name"],
                "plan": "pro",
                "opt_in_tags": [],
                "allowed_release_channels": ["ga"],
            }
        )

    # -- projects ---------------------------------------------------------------------------------------
    def list_projects(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        views = []
        for project in list(self.state.projects.values()):
            self.state.observe(project, self.clock)
            if project["ref"] in self.state.projects:
                views.append(self.state.project_view(project))
        return ok(views)

    def available_regions(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        slug = req.query.get("organization_slug")
        if not slug:
            raise BadRequest("organization_slug is required")
        if self._organization(slug) is None:
            raise NotFound("Organization not found")
        specific = [
            {"name": REGION_NAMES[c], "code": c, "type": "specific", "provider": "AWS"} for c in REGIONS
        ]
        groups = [{"name": n, "code": c, "type": "smartGroup"} for c, n in SMART_GROUPS.items()]
        return ok(
            {
                "recommendations": {"smartGroup": groups[0], "specific": specific[:3]},
                "all": {"smartGroup": groups, "specific": specific},
            }
        )

    def create_project(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        body = _object_body(req)
        unknown = sorted(set(body) - CREATE_PROJECT_KEYS)
        if unknown:
            # V1CreateProjectBody has additionalProperties: false.
            raise BadRequest("; ".join(f"property {key} should not exist" for key in unknown))
        for key in ("name", "organization_slug", "db_pass"):
            if not isinstance(body.get(key), str):
                raise BadRequest(f"{key} must be a string")
        name, slug, db_pass = body["name"], body["organization_slug"], body["db_pass"]
        if not name or len(name) > 256:
            raise BadRequest("name must be 1 to 256 characters")
        if not re.fullmatch(r"[\w-]+", slug):
            raise BadRequest("organization_slug must match ^[\\w-]+$")
        if not db_pass:
            raise BadRequest("db_pass should not be empty")
        region = self._create_region(body)
        size = body.get("desired_instance_size")
        if size is not None and size not in INSTANCE_SIZES:
            raise BadRequest(
                f"desired_instance_size must be one of the following values: {', '.join(INSTANCE_SIZES)}"
            )
        if body.get("plan") is not None and body["plan"] not in ("free", "pro"):
            raise BadRequest("plan must be one of the following values: free, pro")
        if self._organization(slug) is None:
            raise NotFound("Organization not found")
        project = self.state.create_project(
            clock=self.clock,
            timings=self.timings(),
            name=name,
            organization_slug=slug,
            region=region,
            db_pass=db_pass,
            instance_size=size or "nano",
        )
        if any(e.get("effect") == "project_init_failed" for e in req.effects):
            # Injected: provisioning fails (the fault control plane's `effect`).
            project["pending"] = [["COMING_UP", project["pending"][0][1]], ["INIT_FAILED", 30.0]]
        return ok(self.state.project_view(project, with_database=False), 201)

    def _create_region(self, body: dict[str, Any]) -> str:
        region = body.get("region")
        selection = body.get("region_selection")
        if region is not None and selection is not None:
            raise BadRequest("Only one of region or region_selection can be specified")
        if region is not None:
            if region not in REGIONS:
                raise BadRequest(f"region must be one of the following values: {', '.join(REGIONS)}")
            return str(region)
        if selection is None:
            raise BadRequest("region_selection is required")
        if not isinstance(selection, dict) or selection.get("type") not in ("specific", "smartGroup"):
            raise BadRequest(
                "region_selection.type must be one of the following values: specific, smartGroup"
            )
        code = selection.get("code")
        if selection["type"] == "specific":
            if code not in REGIONS:
                raise BadRequest(
                    f"region_selection.code must be one of the following values: {', '.join(REGIONS)}"
                )
            return str(code)
        if code not in SMART_GROUPS:
            raise BadRequest(
                "region_selection.code must be one of the following values: americas, emea, apac"
            )
        return {"americas": "us-east-1", "emea": "eu-central-1", "apac": "ap-southeast-1"}[str(code)]

    def get_project(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        ref = params.get("ref", "")
        project = self.state.projects.get(ref)
        if project is not None and project["status"] == "GOING_DOWN":
            # Still listed while it goes down; gone (404) once the deletion completes.
            self.state.observe(project, self.clock)
            if ref not in self.state.projects:
                raise ProjectNotFound()
            return ok(self.state.project_view(project))
        project = self._project(params)
        if project["status"] == "ACTIVE_HEALTHY":
            self.state.observe_services(project, self.clock)
        return ok(self.state.project_view(project))

    def update_project(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        body = _object_body(req)
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise BadRequest("name must be 1 to 256 characters")
        if set(body) - {"name"}:
            raise BadRequest(
                "; ".join(f"property {k} should not exist" for k in sorted(set(body) - {"name"}))
            )
        project["name"] = name
        return ok({"id": project["numeric_id"], "ref": project["ref"], "name": name})

    def delete_project(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        if project["status"] in STARTING:
            raise BadRequest("Project not ready for deletion.")
        self.state.start_transition(
            project, self.clock, "GOING_DOWN", [["REMOVED", self.timings()["delete_seconds"]]]
        )
        self.remove_all_branches(project)
        # Deletion accepted: the project no longer counts as live, though it is listed until it is gone.
        project["deleted"] = True
        project["deleted_at"] = iso(self.clock.now())
        return ok(
            {
                "id": project["numeric_id"],
                "ref": project["ref"],
                "name": project["name"],
                "slug": project["organization_slug"],
            }
        )

    def services_health(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        services = self._query_list(req, "services")
        if not services:
            raise BadRequest("services is required")
        bad = [s for s in services if s not in HEALTH_SERVICES]
        if bad:
            raise BadRequest(f"services must be one of the following values: {', '.join(HEALTH_SERVICES)}")
        status = self.state.observe_services(project, self.clock)
        out = []
        for name in services:
            entry: dict[str, Any] = {"name": name, "healthy": status == "ACTIVE_HEALTHY", "status": status}
            if status == "ACTIVE_HEALTHY" and name == "auth":
                entry["info"] = {
                    "name": "GoTrue",
                    "version": "v2.177.0",
                    "description": "GoTrue is a user registration and authentication API",
                }
            if status == "UNHEALTHY":
                entry["error"] = f"project is {project['status']}"
            out.append(entry)
        return ok(out)

    def api_keys(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        reveal = req.query.get("reveal", "false").lower() == "true"
        keys = project["api_keys"]

        def shown(value: str, secret: bool) -> str:
            # Secret keys come back masked unless the caller asks for them.
            return value if reveal or not secret else value[:15] + "····"

        def digest(value: str) -> str:
            return sha256_hex(value)[:43]

        return ok(
            [
                {
                    "name": "anon",
                    "api_key": shown(keys["anon"], False),
                    "id": "anon",
                    "type": "legacy",
                    "hash": digest(keys["anon"]),
                    "prefix": keys["anon"][:5],
                    "description": "Legacy anon API key",
                },
                {
                    "name": "service_role",
                    # Supabase returns the legacy JWTs whole whether or not `reveal` is asked for.
                    "api_key": shown(keys["service_role"], False),
                    "id": "service_role",
                    "type": "legacy",
                    "hash": digest(keys["service_role"]),
                    "prefix": keys["service_role"][:5],
                    "description": "Legacy service_role API key",
                },
                {
                    "id": keys["publishable"]["id"],
                    "name": "default",
                    "type": "publishable",
                    "api_key": shown(keys["publishable"]["api_key"], False),
                    "description": None,
                    "secret_jwt_template": None,
                    "hash": digest(keys["publishable"]["api_key"]),
                    "prefix": keys["publishable"]["api_key"][:19],
                    "inserted_at": project["created_at"],
                    "updated_at": project["created_at"],
                },
                {
                    "id": keys["secret"]["id"],
                    "name": "default",
                    "type": "secret",
                    "api_key": shown(keys["secret"]["api_key"], True),
                    "description": None,
                    "secret_jwt_template": {"role": "service_role"},
                    "hash": digest(keys["secret"]["api_key"]),
                    "prefix": keys["secret"]["api_key"][:14],
                    "inserted_at": project["created_at"],
                    "updated_at": project["created_at"],
                },
            ]
        )

    # -- database ---------------------------------------------------------------------------------------
    def update_password(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        password = body.get("password")
        if not isinstance(password, str) or len(password) < 4:
            raise BadRequest("password must be longer than or equal to 4 characters")
        project["db_pass_sha256"] = sha256_hex(password)
        return ok({"message": "Database password updated"})

    def _pooler_view(self, project: dict[str, Any]) -> dict[str, Any]:
        ref = project["ref"]
        mode = project["pooler"]["pool_mode"]
        host = f"aws-0-{project['region']}.pooler.supabase.com"
        port = 6543 if mode == "transaction" else 5432
        dsn = f"postgresql://postgres.{ref}:[YOUR-PASSWORD]@{host}:{port}/postgres"
        return {
            "identifier": ref,
            "database_type": "PRIMARY",
            "db_user": f"postgres.{ref}",
            "db_host": host,
            "db_port": port,
            "db_name": "postgres",
            "connection_string": dsn,
            "connectionString": dsn,
            "pool_mode": mode,
            "default_pool_size": project["pooler"]["default_pool_size"],
            "max_client_conn": None,
            "is_using_scram_auth": True,
        }

    def get_pooler(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        return ok([self._pooler_view(self._project(params))])

    def update_pooler(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        extra = sorted(set(body) - {"default_pool_size", "pool_mode"})
        if extra:
            raise BadRequest("; ".join(f"property {k} should not exist" for k in extra))
        if "pool_mode" in body and body["pool_mode"] not in ("transaction", "session"):
            raise BadRequest("pool_mode must be one of the following values: transaction, session")
        if "default_pool_size" in body:
            size = body["default_pool_size"]
            if size is not None and (not _is_type(size, "integer") or not 0 <= size <= 3000):
                raise BadRequest("default_pool_size must be an integer from 0 to 3000")
        project["pooler"].update(body)
        return ok(
            {
                "default_pool_size": project["pooler"]["default_pool_size"],
                "pool_mode": project["pooler"]["pool_mode"],
            }
        )

    def get_postgres(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        # Only the overrides, never the full effective configuration.
        return ok(dict(self._project(params)["postgres_overrides"]))

    def update_postgres(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = dict(_object_body(req))
        restart = body.pop("restart_database", None)
        if restart is not None and not isinstance(restart, bool):
            raise BadRequest("restart_database must be a boolean value")
        problems = []
        for key, value in body.items():
            if key not in POSTGRES_KEYS:
                problems.append(f"property {key} should not exist")
                continue
            kind, low, high, rule = POSTGRES_KEYS[key]
            if not _is_type(value, kind):
                problems.append(f"{key} must be a {kind}")
            elif (low is not None and value < low) or (high is not None and value > high):
                problems.append(f"{key} must be between {low} and {high}")
            elif isinstance(rule, tuple) and value not in rule:
                problems.append(f"{key} must be one of the following values: {', '.join(rule)}")
            elif isinstance(rule, re.Pattern) and not rule.match(value):
                problems.append(f"{key} must match {rule.pattern}")
        if problems:
            raise BadRequest("; ".join(problems))
        # PUT replaces the whole override set.
        project["postgres_overrides"] = body
        return ok(dict(body))

    def get_postgrest(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        return ok({**project["postgrest"], "jwt_secret": project["jwt_secret"]})

    def update_postgrest(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        limits = {"max_rows": (0, 1_000_000), "db_pool": (0, 1000)}
        problems = []
        for key, value in body.items():
            if key in ("db_schema", "db_extra_search_path"):
                if not isinstance(value, str):
                    problems.append(f"{key} must be a string")
            elif key in limits:
                low, high = limits[key]
                if not _is_type(value, "integer") or not low <= value <= high:
                    problems.append(f"{key} must be an integer from {low} to {high}")
            else:
                problems.append(f"property {key} should not exist")
        if problems:
            raise BadRequest("; ".join(problems))
        project["postgrest"].update(body)
        return ok(dict(project["postgrest"]))

    # -- network and TLS --------------------------------------------------------------------------------
    def _network_view(self, project: dict[str, Any]) -> dict[str, Any]:
        network = project["network"]
        view: dict[str, Any] = {
            "entitlement": "allowed",
            "config": {k: list(v) for k, v in network["config"].items()},
            "status": "applied",
        }
        if network.get("updated_at"):
            view["updated_at"] = network["updated_at"]
            view["applied_at"] = network["applied_at"]
        return view

    def get_network(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        return ok(self._network_view(self._project(params)))

    def apply_network(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        extra = sorted(set(body) - {"dbAllowedCidrs", "dbAllowedCidrsV6"})
        if extra:
            raise BadRequest("; ".join(f"property {k} should not exist" for k in extra))
        config: dict[str, list[str]] = {}
        for key, version in (("dbAllowedCidrs", 4), ("dbAllowedCidrsV6", 6)):
            values = body.get(key, [])
            if not isinstance(values, list):
                raise BadRequest(f"{key} must be an array")
            for value in values:
                try:
                    network = ipaddress.ip_network(str(value), strict=True)
                except ValueError:
                    raise BadRequest(f"Invalid CIDR provided: {value}") from None
                if network.version != version:
                    raise BadRequest(f"{value} is not an IPv{version} CIDR")
            config[key] = [str(v) for v in values]
        now = iso(self.clock.now())
        # Apply replaces both lists.
        project["network"] = {"config": config, "updated_at": now, "applied_at": now}
        return ok(self._network_view(project), 201)

    def get_ssl(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        return ok({"currentConfig": {"database": project["ssl_enforced"]}, "appliedSuccessfully": True})

    def update_ssl(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        requested = body.get("requestedConfig")
        if not isinstance(requested, dict) or not isinstance(requested.get("database"), bool):
            raise BadRequest("requestedConfig.database must be a boolean value")
        project["ssl_enforced"] = requested["database"]
        return ok({"currentConfig": {"database": project["ssl_enforced"]}, "appliedSuccessfully": True})

    # -- auth -------------------------------------------------------------------------------------------
    def _auth_view(self, project: dict[str, Any]) -> dict[str, Any]:
        merged = {**AUTH_CONFIG_DEFAULTS, **project["auth"]}
        # Secrets come back masked, never as set (TF issues #151, #202).
        return {
            k: ("********" if k in AUTH_SECRET_KEYS and v not in (None, "") else v) for k, v in merged.items()
        }

    def get_auth(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        return ok(self._auth_view(self._project(params)))

    def update_auth(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        problems = []
        for key, value in body.items():
            if key not in AUTH_UPDATABLE:
                problems.append(f"property {key} should not exist")
                continue
            kind, nullable, low, high, enum = AUTH_UPDATABLE[key]
            if value is None:
                if not nullable:
                    problems.append(f"{key} should not be null")
            elif not _is_type(value, kind):
                problems.append(f"{key} must be a {kind}")
            elif (low is not None and value < low) or (high is not None and value > high):
                problems.append(f"{key} must be between {low} and {high}")
            elif enum is not None and value not in enum:
                problems.append(f"{key} must be one of the following values: {', '.join(enum)}")
        if problems:
            raise BadRequest("; ".join(problems))
        # PATCH merges.
        project["auth"].update(body)
        return ok(self._auth_view(project))

    # -- secrets ----------------------------------------------------------------------------------------
    def list_secrets(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        return ok(
            [
                {"name": name, "value": entry["digest"], "updated_at": entry["updated_at"]}
                for name, entry in sorted(project["secrets"].items())
            ]
        )

    def create_secrets(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        if not isinstance(req.body, list):
            raise BadRequest("Request body must be an array of secrets")
        for item in req.body:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("name"), str)
                or not isinstance(item.get("value"), str)
            ):
                raise BadRequest("Each secret needs a string name and value")
            if item["name"].startswith("SUPABASE_"):
                raise BadRequest(
                    f"Invalid secret name: {item['name']} starts with the reserved SUPABASE_ prefix"
                )
            if len(item["name"]) > 256 or len(item["value"]) > 24576:
                raise BadRequest(f"Secret {item['name']} is too long")
        now = iso(self.clock.now())
        for item in req.body:
            project["secrets"][item["name"]] = {"digest": sha256_hex(item["value"]), "updated_at": now}
        return ok(None, 201)

    def delete_secrets(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        if not isinstance(req.body, list) or not all(isinstance(n, str) for n in req.body):
            raise BadRequest("Request body must be an array of secret names")
        for name in req.body:
            if name.startswith("SUPABASE_"):
                raise BadRequest(f"Cannot delete the reserved secret {name}")
        for name in req.body:
            project["secrets"].pop(name, None)
        return ok(None)

    # -- billing add-ons and backups --------------------------------------------------------------------
    def _variant(self, variant_id: str) -> tuple[str, dict[str, Any]] | None:
        for addon in AVAILABLE_ADDONS:
            for variant in addon["variants"]:
                if variant["id"] == variant_id:
                    return addon["type"], variant
        return None

    def list_addons(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        selected = []
        if project["instance_size"] != "nano":
            found = self._variant(f"ci_{project['instance_size']}")
            if found:
                selected.append({"type": "compute_instance", "variant": found[1]})
        for addon_type, variant_id in sorted(project["addons"].items()):
            found = self._variant(variant_id)
            if found:
                selected.append({"type": addon_type, "variant": found[1]})
        return ok({"selected_addons": selected, "available_addons": AVAILABLE_ADDONS})

    def apply_addon(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        addon_type, variant_id = body.get("addon_type"), body.get("addon_variant")
        found = self._variant(str(variant_id))
        if found is None or found[0] != addon_type:
            raise BadRequest(f"Invalid addon variant {variant_id} for addon type {addon_type}")
        if addon_type == "compute_instance":
            size = str(variant_id).removeprefix("ci_")
            if size != project["instance_size"]:
                project["instance_size"] = size
                # The database restarts on the new compute before it is healthy again.
                resize = self.timings()["resize_seconds"]
                self.state.start_transition(
                    project,
                    self.clock,
                    "RESIZING",
                    [["RESTARTING", resize * 0.8], ["ACTIVE_HEALTHY", resize * 0.2]],
                )
            return ok(None)
        if addon_type == "pitr" and project["instance_size"] in ("nano", "micro"):
            raise BadRequest("Point in time recovery requires at least a Small compute add-on")
        project["addons"][addon_type] = variant_id
        return ok(None)

    def remove_addon(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        variant_id = params["addon_variant"]
        found = self._variant(variant_id)
        if found is None:
            raise BadRequest(f"Invalid addon variant {variant_id}")
        if found[0] == "compute_instance":
            raise BadRequest("The compute add-on cannot be removed; apply another size instead")
        if project["addons"].get(found[0]) == variant_id:
            del project["addons"][found[0]]
        return ok(None)

    def list_backups(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._project(params)
        return ok(
            {
                "region": project["region"],
                "walg_enabled": True,
                "pitr_enabled": "pitr" in project["addons"],
                "backups": [],
                "physical_backup_data": {},
            }
        )

    def get_schedule(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        return ok(dict(self._project(params)["backup_schedule"]))

    def update_schedule(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        project = self._ready_project(params)
        body = _object_body(req)
        schedule = body.get("schedule_for")
        if not isinstance(schedule, str) or not SCHEDULE_RE.match(schedule):
            raise BadRequest("Invalid schedule_for format")
        project["backup_schedule"] = {"schedule_for": schedule, "updated_at": iso(self.clock.now())}
        return ok(dict(project["backup_schedule"]))
