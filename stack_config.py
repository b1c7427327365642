"""The typed model of a stack file: everything `Pulumi.<stack>.yaml` says under the `platform:` namespace.

`load_stack_config()` reads the stack's config from the Pulumi runtime, validates all of it at once and
raises `StackConfigError` listing every problem as `Pulumi.<stack>.yaml: platform:<key path>: <message>`,
before the program registers a single resource. The models are plain data; the components take them as
they are (`components/` never reads config itself).

The vendors' limits checked here are the ones their APIs enforce (see docs/*-api.md): Railway's four regions
(there is no Canadian one), Neon's regions, Postgres versions and compute sizes, Supabase's regions
(including `ca-central-1`), instance sizes and PITR add-on windows, Railway's volume backup schedules.
Those a provider also checks come from `providers.<vendor>`, so each has one source.
A setting an engine cannot honour is an error naming what it can do, never a silent downgrade.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.alert_policy import DEFAULT_EVENT_TYPES, Metric
from components.database import Engine
from components.redis_cache import Persistence
from providers import neon, railway, supabase
from providers.base import format_loc

NAMESPACE = "platform"

# -- vendor facts ------------------------------------------------------------------------------------------
RAILWAY_REGIONS = railway.KNOWN_REGIONS
RAILWAY_MAX_REPLICAS = railway.MAX_TOTAL_REPLICAS
NEON_REGIONS = neon.REGIONS
SUPABASE_REGIONS = supabase.REGIONS
SUPABASE_INSTANCE_SIZES = supabase.INSTANCE_SIZES
SUPABASE_PITR_DAYS = supabase.PITR_DAYS
# Supabase's Management API has no Postgres version choice: new projects get its current default.
SUPABASE_POSTGRES_VERSION = 17
NEON_POSTGRES_VERSIONS = range(neon.MIN_PG_VERSION, neon.MAX_PG_VERSION + 1)
# Railway runs Postgres as an image service (ghcr.io/railwayapp-templates/postgres-ssl:<major>).
RAILWAY_POSTGRES_VERSIONS = range(13, 18)
NEON_CU_SIZES = neon.COMPUTE_SIZES
NEON_MAX_AUTOSCALING_CU = neon.MAX_AUTOSCALING_CU
NEON_MAX_AUTOSCALING_SPAN_CU = neon.MAX_AUTOSCALING_RANGE_CU
NEON_MAX_HISTORY_SECONDS = neon.MAX_HISTORY_RETENTION_SECONDS
# Railway volume backups: what each schedule keeps (Railway docs: daily 6 days, weekly 1 month, monthly 3).
RAILWAY_BACKUP_KEEPS_DAYS = {"daily": 6, "weekly": 30, "monthly": 90}
REDIS_EVICTION_POLICIES = (
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
)

_CANADA_HINT = re.compile(r"(^|[-_])ca($|[-_])|canada|toronto|montreal|yyz|yul", re.IGNORECASE)


def region_error(vendor: str, value: str, valid: Iterable[str]) -> str:
    message = f"{value!r} is not a {vendor} region; valid: {', '.join(valid)}"
    if _CANADA_HINT.search(value) and vendor in ("Railway", "Neon"):
        message += (
            f" ({vendor} has no Canadian region; for data kept in Canada put the database on "
            "Supabase, region ca-central-1)"
        )
    return message


def _railway_region(value: str) -> str:
    if value not in RAILWAY_REGIONS:
        raise ValueError(region_error("Railway", value, RAILWAY_REGIONS))
    return value


# -- scalar types ------------------------------------------------------------------------------------------
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|tb|t)?\s*$", re.IGNORECASE)
_SIZE_FACTORS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


@dataclass(frozen=True)
class Size:
    """A memory/disk size. `2gb`, `512mb`, or a bare number of GB."""

    bytes: int

    @property
    def gb(self) -> float:
        return self.bytes / 1024**3

    @property
    def mb(self) -> int:
        return self.bytes // 1024**2

    def redis(self) -> str:
        """Redis `maxmemory` notation."""
        if self.bytes % 1024**3 == 0:
            return f"{self.bytes // 1024**3}gb"
        return f"{self.mb}mb"

    def __str__(self) -> str:
        return self.redis()


def _parse_size(value: Any) -> Size:
    if isinstance(value, Size):
        return value
    if isinstance(value, bool):
        raise ValueError("must be a size such as 512mb or 2gb")
    if isinstance(value, int | float):
        size = Size(int(value * 1024**3))
    else:
        match = _SIZE.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a size; write it as 512mb or 2gb")
        unit = (match.group(2) or "g").lower()[0]
        size = Size(int(float(match.group(1)) * _SIZE_FACTORS[unit]))
    if size.bytes <= 0:
        raise ValueError("must be more than zero")
    return size


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_DURATION_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class Duration:
    """A span of time: `500ms`, `30s`, `5m`, `6h`, `30d`, `1w`."""

    seconds: float

    def prometheus(self) -> str:
        """Prometheus duration notation (whole units where exact)."""
        for unit, factor in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if self.seconds >= factor and self.seconds % factor == 0:
                return f"{int(self.seconds // factor)}{unit}"
        return f"{int(self.seconds * 1000)}ms"

    @property
    def days(self) -> float:
        return self.seconds / 86400

    def __str__(self) -> str:
        return self.prometheus()


def _parse_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    match = _DURATION.match(str(value))
    if isinstance(value, bool) or not match:
        raise ValueError(f"{value!r} is not a duration; write it as 30s, 5m, 6h or 30d")
    seconds = float(match.group(1)) * _DURATION_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError("must be more than zero")
    return Duration(seconds)


def _parse_percent(value: Any) -> float:
    text = str(value).strip()
    if isinstance(value, bool) or not text.endswith("%"):
        raise ValueError(f"{value!r} is not a percentage; write it as 1% or 85%")
    try:
        number = float(text[:-1])
    except ValueError:
        raise ValueError(f"{value!r} is not a percentage; write it as 1% or 85%") from None
    if not 0 <= number <= 100:
        raise ValueError("a percentage must be between 0% and 100%")
    return number


SizeField = Annotated[Size, BeforeValidator(_parse_size)]
DurationField = Annotated[Duration, BeforeValidator(_parse_duration)]
RailwayRegion = Annotated[str, AfterValidator(_railway_region)]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
_RESOURCE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")


def _env_names(names: Iterable[str], what: str) -> None:
    bad = [n for n in names if not _ENV_NAME.match(n)]
    if bad:
        raise ValueError(f"{what} {', '.join(map(repr, bad))}: a variable name is letters, digits and _")


class Problems(ValueError):
    """Several problems found by one cross-field check, each at its own key path below the model."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise self

    def __str__(self) -> str:
        return "; ".join(f"{p}: {m}" if p else m for p, m in self.items)


# -- models ------------------------------------------------------------------------------------------------
class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        arbitrary_types_allowed=True,
    )


class RailwayScope(Model):
    """Where the services live: a project this stack creates, or an existing one, and its environment."""

    project: str | None = Field(None, description="name of a project this stack creates")
    project_id: str | None = Field(None, description="id of an existing project")
    workspace_id: str | None = Field(
        None, description="workspace for a new project and for notification rules"
    )
    environment: str = Field("production", description="environment name (created in an existing project)")
    environment_id: str | None = Field(None, description="id of an existing environment of project_id")
    region: RailwayRegion = Field("us-west2", description="default region of the services")

    @model_validator(mode="after")
    def _one_project(self) -> RailwayScope:
        if bool(self.project) == bool(self.project_id):
            raise ValueError(
                "give exactly one of project (a new project's name) or projectId (an existing one)"
            )
        if self.environment_id and not self.project_id:
            raise ValueError("environmentId names an environment of an existing project: give projectId too")
        return self

    @property
    def creates_project(self) -> bool:
        return self.project_id is None


class HealthCheck(Model):
    path: str
    timeout: DurationField = Duration(300)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"{value!r} must be a path starting with /")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: Duration) -> Duration:
        if not 1 <= value.seconds <= railway.MAX_HEALTHCHECK_TIMEOUT_SECONDS:
            raise ValueError("must be between 1s and 1h")
        return value


class RestartPolicy(Model):
    policy: Literal["always", "on_failure", "never"] = "on_failure"
    max_retries: int | None = Field(None, ge=0, le=railway.MAX_RESTART_RETRIES)

    @model_validator(mode="after")
    def _retries(self) -> RestartPolicy:
        if self.max_retries is not None and self.policy != "on_failure":
            raise ValueError("maxRetries applies only to policy on_failure")
        return self

    @property
    def railway_type(self) -> str:
        return self.policy.upper()


class Resources(Model):
    cpu: float | None = Field(None, gt=0, le=32, description="vCPUs")
    memory: SizeField | None = None

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: Size | None) -> Size | None:
        if value is not None and not 0.125 <= value.gb <= 32:
            raise ValueError("must be between 128mb and 32gb")
        return value


class Migration(Model):
    command: str
    dir: str | None = Field(None, description="working directory of the command (default: the project)")


def _shorthand_for(key: str, convert: Callable[[str], str] = str) -> BeforeValidator:
    """A plain string in the stack file stands for `{key: string}` (`healthcheck: /health`)."""
    return BeforeValidator(lambda value: {key: convert(value)} if isinstance(value, str) else value)


class Service(Model):
    kind: Literal["web", "worker"]
    image: str | None = None
    repo: str | None = None
    branch: str | None = None
    root_directory: str | None = None
    start: str | None = None
    pre_deploy: list[str] = Field(default_factory=list)
    port: int | None = Field(None, ge=1, le=65535)
    healthcheck: Annotated[HealthCheck | None, _shorthand_for("path")] = None
    replicas: dict[str, int] | int = 1
    region: RailwayRegion | None = None
    restart: Annotated[RestartPolicy | None, _shorthand_for("policy", str.lower)] = None
    resources: Resources | None = None
    cron: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    uses: list[Literal["database", "redis"]] | None = None
    migrate: Annotated[Migration | None, _shorthand_for("command")] = None
    smoke: str | None = Field(None, description="path the smoke check requests (default: the health check)")

    @field_validator("pre_deploy", mode="before")
    @classmethod
    def _pre_deploy(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        _env_names(value, "env")
        # Stack files often write numbers and booleans; Railway variables are strings.
        return {
            k: (json.dumps(v) if isinstance(v, bool) else str(v)) if not isinstance(v, str) else v
            for k, v in value.items()
        }

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: list[str]) -> list[str]:
        _env_names(value, "secret")
        return value

    @field_validator("replicas", mode="before")
    @classmethod
    def _replicas(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            if {"min", "max"} & set(value):
                raise ValueError(
                    "Railway runs a fixed number of replicas (it scales each replica vertically, not their "
                    "count): give a number, or a number per region"
                )
            bad = [r for r in value if r not in RAILWAY_REGIONS]
            if bad:
                raise ValueError(region_error("Railway", bad[0], RAILWAY_REGIONS))
            if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in value.values()):
                raise ValueError("each region's replica count must be a whole number >= 1")
            return dict(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number, or a number per region ({us-west2: 2})")
        if value < 1:
            raise ValueError("must be >= 1")
        return value

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not _DOMAIN.match(d)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a domain name (lower case, e.g. app.example.com)")
        if len(set(value)) != len(value):
            raise ValueError("lists a domain twice")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(f"{value!r} is not a five-field cron expression (e.g. '*/15 * * * *')")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        problems = Problems()
        if bool(self.image) == bool(self.repo):
            problems.add("", "give exactly one source: image, or repo (+ branch)")
        if self.branch and not self.repo:
            problems.add("branch", "applies only to a repo source")
        if self.repo and not re.match(r"^[\w.-]+/[\w.-]+$", self.repo):
            problems.add("repo", f"{self.repo!r} must be owner/name")
        if self.kind == "worker" and self.domains:
            problems.add("domains", "a worker has no public networking: domains apply to kind web")
        if self.kind == "worker" and self.healthcheck and self.port is None:
            problems.add("healthcheck", "needs the port the worker listens on (port)")
        if self.cron and self.kind != "worker":
            problems.add("cron", "applies to kind worker (a web service runs continuously)")
        elif self.cron and self.total_replicas != 1:
            problems.add("replicas", "a cron worker runs one replica (Railway starts it on schedule)")
        overlap = set(self.env) & set(self.secrets)
        if overlap:
            problems.add("secrets", f"{', '.join(sorted(overlap))} is both in env and in secrets")
        if self.total_replicas > RAILWAY_MAX_REPLICAS:
            problems.add("replicas", f"Railway allows at most {RAILWAY_MAX_REPLICAS} replicas in total")
        problems.raise_if_any()
        return self

    @property
    def total_replicas(self) -> int:
        return sum(self.replicas.values()) if isinstance(self.replicas, dict) else self.replicas

    def replicas_by_region(self, default_region: str) -> dict[str, int]:
        if isinstance(self.replicas, dict):
            return dict(self.replicas)
        return {self.region or default_region: self.replicas}

    @property
    def smoke_path(self) -> str | None:
        if self.smoke:
            return self.smoke
        return self.healthcheck.path if self.healthcheck else None


class Compute(Model):
    """Database compute: Neon `min`/`max` CU, a Supabase instance `size`, or Railway `cpu`/`memory`."""

    min: float | None = Field(None, gt=0)
    max: float | None = Field(None, gt=0)
    size: str | None = None
    cpu: float | None = Field(None, gt=0, le=32)
    memory: SizeField | None = None
    suspend: str | None = Field(None, description="Neon: scale to zero after this long idle, or never")

    @field_validator("suspend")
    @classmethod
    def _suspend(cls, value: str | None) -> str | None:
        if value is not None and value != "never":
            seconds = _parse_duration(value).seconds
            if not 60 <= seconds <= neon.MAX_SUSPEND_TIMEOUT_SECONDS:
                raise ValueError("must be never, or between 1m and 7d")
        return value

    @property
    def suspend_timeout_seconds(self) -> int | None:
        if self.suspend is None:
            return None
        return -1 if self.suspend == "never" else int(_parse_duration(self.suspend).seconds)


class Backups(Model):
    retention: DurationField | None = Field(None, description="how far back a restore can reach")
    point_in_time: DurationField | None = Field(None, description="point-in-time recovery window")
    schedule: list[Literal["daily", "weekly", "monthly"]] | None = Field(
        None, description="Railway volume backup schedules"
    )
    time: str | None = Field(None, description="Supabase: daily backup time, UTC HH:MM")

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", value):
            raise ValueError(f"{value!r} is not a UTC time HH:MM")
        return value


class Database(Model):
    engine: Engine
    region: str | None = None
    postgres: int | None = None
    compute: Compute = Compute()
    backups: Backups = Backups()
    protect: bool = False
    name: str | None = Field(None, description="database name (neon, railway; default app)")
    user: str | None = Field(None, description="owner role (neon, railway; default app)")
    public: bool = Field(False, description="Railway: expose a TCP proxy (Neon and Supabase are public)")
    organization: str | None = Field(None, description="Supabase organization slug; Neon org id")

    @field_validator("name", "user")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[a-z_][a-z0-9_]{0,62}$", value):
            raise ValueError(f"{value!r}: use lower-case letters, digits and _ (a Postgres identifier)")
        return value

    @model_validator(mode="after")
    def _per_engine(self) -> Database:
        problems = Problems()
        {"neon": self._neon, "supabase": self._supabase, "railway": self._railway}[self.engine](problems)
        problems.raise_if_any()
        return self

    def _not_for_engine(self, problems: Problems, **present: Any) -> None:
        for key, (value, note) in present.items():
            if value:
                problems.add(key, f"does not apply to {self.engine}: {note}")

    def _neon(self, problems: Problems) -> None:
        if self.region is None:
            problems.add("region", f"is required for neon (one of {', '.join(NEON_REGIONS)})")
        elif self.region not in NEON_REGIONS:
            problems.add("region", region_error("Neon", self.region, NEON_REGIONS))
        if self.postgres is not None and self.postgres not in NEON_POSTGRES_VERSIONS:
            problems.add(
                "postgres",
                f"{self.postgres}: Neon runs Postgres {neon.MIN_PG_VERSION} to {neon.MAX_PG_VERSION}",
            )
        c = self.compute
        self._not_for_engine(
            problems,
            **{
                "compute.size": (
                    c.size,
                    "Neon compute is min/max compute units (CU), e.g. {min: 0.5, max: 4}",
                ),
                "compute.cpu": (c.cpu, "Neon compute is min/max compute units (CU)"),
                "compute.memory": (c.memory, "Neon compute is min/max compute units (1 CU is about 4 GB)"),
                "public": (self.public, "Neon databases are always reachable over TLS"),
                "backups.time": (self.backups.time, "Neon keeps continuous history"),
                "backups.schedule": (self.backups.schedule, "Neon keeps continuous history; use retention"),
            },
        )
        for label, cu in (("min", c.min), ("max", c.max)):
            if cu is not None and cu not in NEON_CU_SIZES:
                problems.add(
                    f"compute.{label}", f"{cu}: Neon sizes are 0.25, 0.5, 1 to 16, then even to 56 CU"
                )
        lo, hi = c.min or 0.25, c.max or c.min or 0.25
        if lo > hi:
            problems.add("compute.min", "is above compute.max")
        elif lo != hi and hi > NEON_MAX_AUTOSCALING_CU:
            problems.add("compute.max", f"Neon autoscales only up to {NEON_MAX_AUTOSCALING_CU:g} CU")
        elif hi - lo > NEON_MAX_AUTOSCALING_SPAN_CU:
            problems.add(
                "compute",
                f"Neon's autoscaling range (max - min) is at most {NEON_MAX_AUTOSCALING_SPAN_CU:g} CU",
            )
        b = self.backups
        if b.retention and b.point_in_time and b.retention != b.point_in_time:
            problems.add(
                "backups.pointInTime",
                "Neon has one window (history retention) for restores and point in time; give retention only",
            )
        window = b.retention or b.point_in_time
        if window and window.seconds > NEON_MAX_HISTORY_SECONDS:
            problems.add(
                "backups.retention" if b.retention else "backups.pointInTime",
                "Neon keeps at most 30d of history (Scale plan; Launch 7d, Free 6h)",
            )

    def _supabase(self, problems: Problems) -> None:
        if self.region is None:
            problems.add("region", f"is required for supabase (one of {', '.join(SUPABASE_REGIONS)})")
        elif self.region not in SUPABASE_REGIONS:
            problems.add("region", region_error("Supabase", self.region, SUPABASE_REGIONS))
        if not self.organization:
            problems.add("organization", "is required for supabase (the organization slug)")
        if self.postgres is not None and self.postgres != SUPABASE_POSTGRES_VERSION:
            problems.add(
                "postgres",
                f"{self.postgres}: Supabase's API has no version choice; new projects run "
                f"Postgres {SUPABASE_POSTGRES_VERSION} (leave postgres unset)",
            )
        c = self.compute
        size_note = "Supabase compute is an instance size, e.g. {size: small}"
        self._not_for_engine(
            problems,
            **{
                "compute.min": (c.min, size_note),
                "compute.max": (c.max, size_note),
                "compute.cpu": (c.cpu, size_note),
                "compute.memory": (c.memory, size_note),
                "public": (self.public, "Supabase databases are always reachable over TLS"),
                "name": (self.name, "a Supabase project's database is postgres"),
                "user": (self.user, "Supabase's database user is postgres"),
                "compute.suspend": (c.suspend, "Supabase does not scale to zero"),
                "backups.schedule": (self.backups.schedule, "Supabase backs up daily on paid plans"),
            },
        )
        if c.size is not None and c.size not in SUPABASE_INSTANCE_SIZES:
            problems.add("compute.size", f"{c.size!r}: one of {', '.join(SUPABASE_INSTANCE_SIZES)}")
        b = self.backups
        if b.retention:
            problems.add(
                "backups.retention",
                "Supabase's daily-backup retention comes with the organization's plan (Pro 7 days, Team 14, "
                "Enterprise up to 30) and cannot be set through its API; use backups.pointInTime "
                "(7d, 14d or 28d: the PITR add-on)",
            )
        if b.point_in_time and b.point_in_time.seconds not in {d * 86400 for d in SUPABASE_PITR_DAYS}:
            problems.add("backups.pointInTime", "Supabase's PITR add-on keeps 7d, 14d or 28d")
        elif b.point_in_time and SUPABASE_INSTANCE_SIZES.index(
            c.size or "nano"
        ) < SUPABASE_INSTANCE_SIZES.index("small"):
            problems.add("backups.pointInTime", "Supabase's PITR add-on needs compute.size small or larger")

    def _railway(self, problems: Problems) -> None:
        if self.region is not None and self.region not in RAILWAY_REGIONS:
            problems.add("region", region_error("Railway", self.region, RAILWAY_REGIONS))
        if self.postgres is not None and self.postgres not in RAILWAY_POSTGRES_VERSIONS:
            problems.add("postgres", f"{self.postgres}: Railway's Postgres images are 13 to 17")
        c = self.compute
        limits_note = "Railway compute is cpu and memory limits, e.g. {cpu: 2, memory: 4gb}"
        self._not_for_engine(
            problems,
            **{
                "compute.min": (c.min, limits_note),
                "compute.max": (c.max, limits_note),
                "compute.size": (c.size, limits_note),
                "organization": (self.organization, "it names a Supabase or Neon organization"),
                "compute.suspend": (c.suspend, "a Railway service does not scale to zero"),
                "backups.time": (self.backups.time, "Railway picks the time of scheduled backups"),
            },
        )
        b = self.backups
        if b.point_in_time:
            problems.add(
                "backups.pointInTime",
                "Railway backs up volumes as snapshots and has no point-in-time recovery "
                "(use neon or supabase for that)",
            )
        if b.retention:
            longest = max(RAILWAY_BACKUP_KEEPS_DAYS.values())
            if b.retention.days > longest:
                problems.add(
                    "backups.retention", f"Railway's longest backup schedule (monthly) keeps {longest}d"
                )
            elif b.schedule:
                kept = max(RAILWAY_BACKUP_KEEPS_DAYS[s] for s in b.schedule)
                if kept < b.retention.days:
                    problems.add(
                        "backups.schedule",
                        f"{', '.join(b.schedule)} keep {kept}d, less than retention {b.retention}",
                    )

    def railway_backup_schedules(self) -> list[str]:
        """The Railway volume backup schedules that keep at least `backups.retention`."""
        if self.backups.schedule:
            return sorted(set(self.backups.schedule), key=list(RAILWAY_BACKUP_KEEPS_DAYS).index)
        if not self.backups.retention:
            return []
        days = self.backups.retention.days
        chosen = []
        for kind, keeps in RAILWAY_BACKUP_KEEPS_DAYS.items():
            chosen.append(kind)
            if keeps >= days:
                break
        return chosen

    @property
    def history_retention_seconds(self) -> int | None:
        window = self.backups.retention or self.backups.point_in_time
        return int(window.seconds) if window else None


class Redis(Model):
    enabled: bool = True
    memory: SizeField = Size(256 * 1024**2)
    eviction: str = "noeviction"
    persistence: Persistence = "rdb"
    version: int = Field(7, ge=6, le=8)
    region: RailwayRegion | None = None
    backups: list[Literal["daily", "weekly", "monthly"]] = Field(
        default_factory=list, description="Railway volume backup schedules (needs persistence)"
    )

    @model_validator(mode="after")
    def _backups_need_volume(self) -> Redis:
        if self.backups and self.persistence == "none":
            raise ValueError("backups need persistence (rdb, aof or aof+rdb): with none there is no volume")
        return self

    @field_validator("eviction")
    @classmethod
    def _eviction(cls, value: str) -> str:
        if value not in REDIS_EVICTION_POLICIES:
            raise ValueError(
                f"{value!r} is not a Redis eviction policy; one of {', '.join(REDIS_EVICTION_POLICIES)}"
            )
        return value

    @field_validator("persistence", mode="before")
    @classmethod
    def _persistence(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = sorted(p.strip().lower() for p in value.split("+"))
            return "+".join(parts) if parts != ["none"] else "none"
        return value


# What each metric's threshold is measured in.
METRIC_UNITS: dict[str, str] = {
    "error_rate": "percent",
    "p95_latency": "duration",
    "memory": "percent",
    "cpu": "percent",
    "pool_usage": "percent",
    "queue_depth": "count",
}


class AlertRule(Model):
    metric: Metric
    above: float
    for_: DurationField = Field(Duration(300), alias="for")
    severity: Literal["critical", "warning", "info"] = "warning"
    service: str | None = Field(None, description="service the rule watches (default: every relevant one)")
    queue: str | None = Field(None, description="queue_depth: the queue's name (default: every queue)")
    expr: str | None = Field(None, description="a PromQL expression replacing the generated one")

    @field_validator("above", mode="before")
    @classmethod
    def _threshold(cls, raw: Any, info: ValidationInfo) -> Any:
        unit = METRIC_UNITS.get(str(info.data.get("metric")))
        if unit == "percent":
            return _parse_percent(raw)
        if unit == "duration":
            return _parse_duration(raw).seconds
        if unit == "count" and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise ValueError(f"{raw!r}: queue_depth is a count of jobs (a whole number)")
        return raw


class AlertChannels(Model):
    webhook: SecretStr | None = None
    email: list[str] = Field(default_factory=list)

    @field_validator("email")
    @classmethod
    def _email(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", e)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an email address")
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return value
        if not (info.context or {}).get("alerts_secret", False):
            raise ValueError(
                "a webhook URL is a secret: set it with `pulumi config set --secret --path "
                "'platform:alerts.channels.webhook' <url>`"
            )
        if not value.get_secret_value().startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value


class Alerts(Model):
    channels: AlertChannels = AlertChannels()
    events: list[str] = Field(default_factory=lambda: list(DEFAULT_EVENT_TYPES))
    severities: list[Literal["critical", "warning", "notice", "info"]] | None = None
    rules: list[AlertRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _routed(self) -> Alerts:
        # Railway's notification rules need somewhere to send events; the metric rules go to whatever
        # monitor loads the rules document, so they need no channel here.
        if self.events and not (self.channels.webhook or self.channels.email):
            raise ValueError("Railway events need a channel: channels.email, channels.webhook, or both")
        return self


class GeneratedSecret(Model):
    length: int = Field(48, ge=16, le=256)
    special: bool = False
    rotation: str | None = Field(None, description="change this value to generate a new secret")


class ExternalSecret(Model):
    required: bool = True


class SecretSpec(Model):
    """How one secret variable gets its value: generated, or given as secret config."""

    value: SecretStr | None = None
    generate: GeneratedSecret | None = None
    external: ExternalSecret | None = None


def _secret_spec(value: Any) -> Any:
    if isinstance(value, str):
        return {"value": value}
    if isinstance(value, Mapping):
        if value.get("external"):
            return {"external": {k: v for k, v in value.items() if k != "external"}}
        return {"generate": value}
    return value


SecretSpecField = Annotated[SecretSpec, BeforeValidator(_secret_spec)]


class Commands(Model):
    """How the pulumi-command steps run: `run` for real, `echo` to print what would run, `skip`; `auto`
    (the default) runs them against the vendors' real APIs and echoes them against any other endpoint
    (the emulator)."""

    migrations: Literal["auto", "run", "echo", "skip"] = "auto"
    smoke: Literal["auto", "run", "echo", "skip"] = "auto"
    smoke_timeout: DurationField = Duration(300)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"migrations": data, "smoke": data}
        return data


# -- pull-request stacks ------------------------------------------------------------------------------------
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_IMAGE_REF = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$")


class PullRequest(Model):
    """`platform:pullRequest`: this stack is one pull request's environment, forked from a base stack.

    The base stack's outputs are read through a StackReference; the stack makes only what the pull request
    needs beside the base's objects (a forked Railway environment, a database branch) and never touches an
    object of the base.
    """

    number: int = Field(ge=1, description="the pull request's number")
    base: str = Field("staging", description="the stack this pull request's environment is forked from")
    branch: str | None = Field(None, min_length=1, description="the pull request's git branch")
    image: str | None = Field(None, description="the image built for the pull request (image services)")
    expires: DurationField = Field(
        Duration(3 * 86400), description="Neon: the branch deletes itself this long after creation"
    )

    @field_validator("base")
    @classmethod
    def _base(cls, value: str, info: ValidationInfo) -> str:
        if not _STACK_NAME.match(value):
            raise ValueError(f"{value!r} is not a stack name")
        stack = (info.context or {}).get("stack")
        if stack is not None and value == stack:
            raise ValueError(f"{value!r} is this stack itself; a pull request forks another stack")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None and not _IMAGE_REF.match(value):
            raise ValueError(f"{value!r} is not an image reference (e.g. ghcr.io/acme/api:pr-7)")
        return value

    @field_validator("expires")
    @classmethod
    def _expires(cls, value: Duration) -> Duration:
        if not 3600 <= value.seconds <= 30 * 86400:
            raise ValueError("between 1h and 30d (Neon deletes the branch then)")
        return value


class StackConfig(Model):
    """Everything under `platform:` in one stack file."""

    app: str = Field(description="application name; prefixes every vendor object's name")
    railway: RailwayScope
    services: dict[str, Service] = Field(default_factory=dict)
    database: Database | None = None
    redis: Redis | None = None
    alerts: Alerts | None = None
    secrets: dict[str, SecretSpecField] = Field(default_factory=dict)
    commands: Commands = Commands()
    pull_request: PullRequest | None = None

    @field_validator("app")
    @classmethod
    def _app(cls, value: str) -> str:
        if not _RESOURCE_NAME.match(value):
            raise ValueError(f"{value!r}: 2 to 40 lower-case letters, digits and -, starting with a letter")
        return value

    @field_validator("services")
    @classmethod
    def _service_names(cls, value: dict[str, Service]) -> dict[str, Service]:
        bad = [n for n in value if not _RESOURCE_NAME.match(n) or n in ("postgres", "redis")]
        if bad:
            raise ValueError(
                f"service name {bad[0]!r}: 2 to 40 lower-case letters, digits and -, not postgres/redis"
            )
        return value

    @field_validator("secrets")
    @classmethod
    def _secret_values(cls, value: dict[str, SecretSpec], info: ValidationInfo) -> dict[str, SecretSpec]:
        _env_names(value, "secret")
        given = [n for n, spec in value.items() if spec.value is not None]
        if given and not (info.context or {}).get("secrets_secret", False):
            raise ValueError(
                f"{given[0]} has a value in plain text: set it with `pulumi config set --secret --path "
                f"'platform:secrets.{given[0]}' <value>`"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> StackConfig:
        problems = Problems()
        for name, svc in self.services.items():
            uses = svc.uses or []
            if "database" in uses and self.database is None:
                problems.add(f"services.{name}.uses", "database, but the stack has no database")
            if "redis" in uses and not self.redis_enabled:
                problems.add(f"services.{name}.uses", "redis, but the stack has no redis")
            if svc.migrate and self.database is None:
                problems.add(f"services.{name}.migrate", "there is no database to migrate")
            wired = {"DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL"} & (set(svc.env) | set(svc.secrets))
            if wired:
                problems.add(f"services.{name}", f"{', '.join(sorted(wired))} is set by the program (wiring)")
        for index, rule in enumerate(self.alerts.rules if self.alerts else []):
            where = f"alerts.rules[{index}]"
            if rule.service is not None and rule.service not in self.services:
                problems.add(f"{where}.service", f"no service {rule.service!r}")
            if rule.metric == "pool_usage" and self.database is None:
                problems.add(f"{where}.metric", "pool_usage needs a database")
            if rule.metric in ("error_rate", "p95_latency") and not self.web_services():
                problems.add(f"{where}.metric", f"{rule.metric} needs a web service")
            if rule.metric in ("memory", "cpu"):
                limit = "memory" if rule.metric == "memory" else "cpu"
                targets = [rule.service] if rule.service else list(self.services)
                for target in targets:
                    watched = self.services.get(target)
                    if watched is not None and getattr(watched.resources, limit, None) is None:
                        problems.add(
                            f"services.{target}.resources.{limit}",
                            f"alerts.rules[{index}] ({rule.metric} above a percentage) needs the limit it is "
                            "a percentage of",
                        )
        for secret in self.secret_names():
            spec = self.secrets.get(secret)
            if spec is not None and spec.external is not None and spec.external.required:
                problems.add(
                    f"secrets.{secret}",
                    "is not set: run `pulumi config set --secret --path "
                    f"'platform:secrets.{secret}' <value>`",
                )
        alerting = self.alerts is not None and bool(self.alerts.events or self.alerts.rules)
        if alerting and not self.railway.creates_project and not self.railway.workspace_id:
            problems.add(
                "railway.workspaceId", "Railway notification rules need the workspace of an existing project"
            )
        if self.database is not None and self.database.engine == "railway" and not self.database.public:
            for name, svc in self.services.items():
                if svc.migrate and self.commands.migrations in ("run", "auto"):
                    problems.add(
                        f"services.{name}.migrate",
                        "migrations run where `pulumi up` runs, outside Railway's private network: set "
                        "database.public: true (a TCP proxy), or run them inside Railway with preDeploy",
                    )
        pr = self.pull_request
        if pr is not None and pr.image is not None and not any(s.image for s in self.services.values()):
            problems.add("pullRequest.image", "no service of this stack is built from an image")
        if pr is not None and pr.branch is None and any(s.repo for s in self.services.values()):
            problems.add("pullRequest.branch", "is required: services built from a repo deploy this branch")
        problems.raise_if_any()
        return self

    @property
    def is_pull_request(self) -> bool:
        return self.pull_request is not None

    # -- derived --------------------------------------------------------------------------------------------
    @property
    def redis_enabled(self) -> bool:
        return self.redis is not None and self.redis.enabled

    def web_services(self) -> dict[str, Service]:
        return {n: s for n, s in self.services.items() if s.kind == "web"}

    def service_uses(self, name: str) -> list[str]:
        """What a service is wired to: its `uses`, or everything the stack has."""
        svc = self.services[name]
        if svc.uses is not None:
            return list(svc.uses)
        out = []
        if self.database is not None:
            out.append("database")
        if self.redis_enabled:
            out.append("redis")
        return out

    def secret_names(self) -> list[str]:
        names: dict[str, None] = {}
        for svc in self.services.values():
            names.update(dict.fromkeys(svc.secrets))
        return list(names)

    def warnings(self) -> list[str]:
        """Settings that are legal but probably not what is meant."""
        out = []
        workers = [
            n for n, s in self.services.items() if s.kind == "worker" and "redis" in self.service_uses(n)
        ]
        if self.redis_enabled and self.redis and workers and self.redis.eviction != "noeviction":
            out.append(
                f"platform:redis.eviction is {self.redis.eviction} while worker(s) {', '.join(workers)} use "
                "Redis: job queues kept in Redis (BullMQ, arq) need noeviction, or Redis may drop queued jobs"
            )
        return out


# -- loading -----------------------------------------------------------------------------------------------
class StackConfigError(pulumi.RunError):
    """All the problems of one stack's config, each with the stack file and key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack configuration:\n  " + "\n  ".join(problems))


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
    "literal_error": "must be one of {expected}",
}


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys the mapping at `loc[:-1]` accepts (for 'did you mean')."""
    current: Any = model
    parts = list(loc[:-1])
    while parts:
        part = parts.pop(0)
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (f.alias, n)), None)
        if field is None:
            return None
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        if origin is dict and parts:
            parts.pop(0)  # the mapping's own key (a service name, a secret name)
        elif origin is list and parts and isinstance(parts[0], int):
            parts.pop(0)
        current = _model_in(annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return None


def _model_in(annotation: Any) -> Any:
    """The model a field holds directly, optionally, or as dict values / list items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def describe_errors(exc: ValidationError, stack_file: str) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err.get("loc", ()))
        # A union of "model or shorthand" reports once per branch; keep the model's message only.
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("function-before",))))
        kind = err["type"]
        template = _MESSAGES.get(kind)
        ctx = err.get("ctx", {})
        if template:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        else:
            message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "extra_forbidden":
            known = _known_keys(StackConfig, loc)
            if known:
                close = difflib.get_close_matches(str(loc[-1]), known, n=1)
                message += f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        found = ctx.get("error")
        if isinstance(found, Problems):
            for sub, sub_message in found.items:
                path = ".".join(p for p in (format_loc(loc), sub) if p)
                problems.append(_line(stack_file, path, sub_message))
            continue
        problems.append(_line(stack_file, format_loc(loc), message))
    # The same message can arrive from several union branches.
    return list(dict.fromkeys(problems))


def _line(stack_file: str, path: str, message: str) -> str:
    return f"{stack_file}: {NAMESPACE}:{path}: {message}" if path else f"{stack_file}: {message}"


def _runtime_config() -> dict[str, Any]:
    """Every `platform:` key the Pulumi runtime holds for this stack (explicit config, then PULUMI_CONFIG)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return {k: v for k, v in merged.items() if k.startswith(f"{NAMESPACE}:")}


def _decode(value: Any) -> Any:
    """Pulumi hands the program every value as a string; objects and lists arrive JSON-encoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_stack_config(raw: Mapping[str, Any], *, stack: str, secret_keys: Iterable[str] = ()) -> StackConfig:
    """Validate `platform:` config (keys with their namespace, values as Pulumi passes them)."""
    stack_file = f"Pulumi.{stack}.yaml"
    data = {k.split(":", 1)[1]: _decode(v) for k, v in raw.items() if k.startswith(f"{NAMESPACE}:")}
    secret = set(secret_keys)
    context = {
        "alerts_secret": f"{NAMESPACE}:alerts" in secret,
        "secrets_secret": f"{NAMESPACE}:secrets" in secret,
        "stack": stack,
    }
    problems = []
    nested_colon = [k for k in data if ":" in k]
    for key in nested_colon:
        problems.append(f"{stack_file}: {NAMESPACE}:{key}: is not a known key")
        data.pop(key)
    try:
        config = StackConfig.model_validate(data, context=context)
    except ValidationError as exc:
        raise StackConfigError(problems + describe_errors(exc, stack_file)) from None
    if problems:
        raise StackConfigError(problems)
    return config


def load_stack_config() -> StackConfig:
    """Read and validate this stack's `platform:` config from the Pulumi runtime; log any warnings."""
    from pulumi.runtime import config as runtime_config

    raw = _runtime_config()
    secret_keys = [k for k in raw if runtime_config.is_config_secret(k)]
    secret_keys += [k for k in runtime_config.get_config_secret_keys_env() if k.startswith(f"{NAMESPACE}:")]
    config = parse_stack_config(raw, stack=pulumi.get_stack(), secret_keys=secret_keys)
    for warning in config.warnings():
        pulumi.log.warn(warning)
    return config
