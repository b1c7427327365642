"""The `platform:redis` section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from components.redis_cache import Persistence
from stack_config.fields import REDIS_EVICTION_POLICIES, Model, RailwayRegion, Size, SizeField


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
