"""The `platform:database` section: Postgres on Neon, Supabase or Railway, its compute and its backups."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from components.database import Engine
from providers import neon
from stack_config.fields import (
    NEON_CU_SIZES,
    NEON_MAX_AUTOSCALING_CU,
    NEON_MAX_AUTOSCALING_SPAN_CU,
    NEON_MAX_HISTORY_SECONDS,
    NEON_POSTGRES_VERSIONS,
    NEON_REGIONS,
    RAILWAY_BACKUP_KEEPS_DAYS,
    RAILWAY_POSTGRES_VERSIONS,
    RAILWAY_REGIONS,
    SUPABASE_INSTANCE_SIZES,
    SUPABASE_PITR_DAYS,
    SUPABASE_POSTGRES_VERSION,
    SUPABASE_REGIONS,
    DurationField,
    Model,
    Problems,
    SizeField,
    _parse_duration,
    region_error,
)


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
