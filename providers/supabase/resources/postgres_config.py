"""Supabase PostgresConfig: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field

from providers.base import (
    INPUTS_CONFIG,
    resource_props,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)

# -- PostgresConfig ------------------------------------------------------------------------------------
_DURATION = r"^(-?[0-9]+(?:\.[0-9]+)?)(us|ms|s|min|h|d)?$"


class PostgresOverrides(BaseModel):
    """`UpdatePostgresConfigBody` without `restart_database` (additionalProperties: false)."""

    model_config = INPUTS_CONFIG

    effective_cache_size: str | None = None
    logical_decoding_work_mem: str | None = None
    maintenance_work_mem: str | None = None
    track_activity_query_size: str | None = None
    max_connections: int | None = Field(default=None, ge=1, le=262143)
    max_locks_per_transaction: int | None = Field(default=None, ge=10, le=2147483640)
    max_parallel_maintenance_workers: int | None = Field(default=None, ge=0, le=1024)
    max_parallel_workers: int | None = Field(default=None, ge=0, le=1024)
    max_parallel_workers_per_gather: int | None = Field(default=None, ge=0, le=1024)
    max_replication_slots: int | None = None
    max_slot_wal_keep_size: str | None = None
    max_standby_archive_delay: str | None = None
    max_standby_streaming_delay: str | None = None
    max_wal_size: str | None = None
    max_wal_senders: int | None = None
    max_worker_processes: int | None = Field(default=None, ge=0, le=262143)
    session_replication_role: Literal["origin", "replica", "local"] | None = None
    shared_buffers: str | None = None
    statement_timeout: str | None = Field(default=None, pattern=_DURATION)
    track_commit_timestamp: bool | None = None
    wal_keep_size: str | None = None
    wal_sender_timeout: str | None = Field(default=None, pattern=_DURATION)
    work_mem: str | None = None
    checkpoint_timeout: str | None = Field(default=None, pattern=_DURATION)
    hot_standby_feedback: bool | None = None


class PostgresConfigInputs(_RefInputs):
    settings: PostgresOverrides = Field(default_factory=PostgresOverrides)
    restart_database: bool | None = None


@dataclass
class PostgresConfigArgs:
    project_ref: pulumi.Input[str]
    settings: pulumi.Input[Mapping[str, Any]] | None = None
    """The complete set of Postgres overrides (e.g. `{"statement_timeout": "8s", "max_connections": 100}`);
    PUT replaces the whole set, so overrides made elsewhere are removed."""
    restart_database: pulumi.Input[bool] | None = None
    """Restart Postgres so settings that need a restart take effect."""


class PostgresConfigProvider(_SettingProvider):
    Inputs = PostgresConfigInputs
    kind = "Postgres config"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        overrides = inputs.settings.model_dump(mode="json", exclude_none=True)
        api.update_postgres_config(ref, overrides, restart_database=inputs.restart_database)
        return {}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        # GET returns only the overrides, which is exactly what this resource owns.
        return {"settings": api.get_postgres_config(ref)}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_postgres_config(ref, {})


class PostgresConfig(dynamic.Resource, module="supabase", name="PostgresConfig"):
    """The project's Postgres overrides, as one whole set."""

    project_ref: pulumi.Output[str]
    settings: pulumi.Output[dict[str, Any]]
    restart_database: pulumi.Output[bool | None]

    def __init__(
        self, resource_name: str, args: PostgresConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(PostgresConfigProvider(), resource_name, resource_props(args), opts)
