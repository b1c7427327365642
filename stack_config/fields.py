"""Field types and vendor facts every section of the stack file shares: sizes, durations, regions, names,
and the strict base model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
)
from pydantic.alias_generators import to_camel

from providers import neon, railway, supabase

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


# The five fields and their ranges (day of week: 0 and 7 are both Sunday).
_CRON_RANGES = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)


def _cron_field(field: str, name: str, low: int, high: int) -> list[str]:
    """What is wrong with one cron field already of the right shape: values out of range, zero steps,
    ranges that run backwards."""
    problems = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if step and int(step) == 0:
            problems.append(f"{name} step /{step} must be at least 1")
        if span == "*":
            continue
        start, _, end = span.partition("-")
        values = [int(start)] + ([int(end)] if end else [])
        out = [v for v in values if not low <= v <= high]
        if out:
            problems.append(f"{name} {out[0]} is outside {low}-{high}")
        elif end and int(end) < int(start):
            problems.append(f"{name} range {span} runs backwards")
    return problems


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
