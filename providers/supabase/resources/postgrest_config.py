"""Supabase PostgrestConfig: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field

from providers.base import (
    resource_props,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)

# -- PostgrestConfig -------------------------------------------------------------------------------------
POSTGREST_DEFAULTS: dict[str, Any] = {
    "db_schema": "public,graphql_public",
    "db_extra_search_path": "public, extensions",
    "max_rows": 1000,
}


class PostgrestConfigInputs(_RefInputs):
    db_schema: str | None = None
    db_extra_search_path: str | None = None
    max_rows: int | None = Field(default=None, ge=0, le=1_000_000)
    db_pool: int | None = Field(default=None, ge=0, le=1000)


POSTGREST_KEYS = ("db_schema", "db_extra_search_path", "max_rows", "db_pool")


@dataclass
class PostgrestConfigArgs:
    project_ref: pulumi.Input[str]
    db_schema: pulumi.Input[str] | None = None
    """Schemas the Data API exposes, comma-separated; an empty string disables the Data API."""
    db_extra_search_path: pulumi.Input[str] | None = None
    max_rows: pulumi.Input[int] | None = None
    db_pool: pulumi.Input[int] | None = None


class PostgrestConfigProvider(_SettingProvider):
    Inputs = PostgrestConfigInputs
    kind = "PostgREST config"
    services = ("rest",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        changes = {k: getattr(inputs, k) for k in POSTGREST_KEYS if getattr(inputs, k) is not None}
        # Keys no longer set go back to Supabase's defaults.
        for key in POSTGREST_KEYS:
            if olds and olds.get(key) is not None and key not in changes and key in POSTGREST_DEFAULTS:
                changes[key] = POSTGREST_DEFAULTS[key]
        if changes:
            api.update_postgrest_config(ref, changes)
        return {}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_postgrest_config(ref)
        return {k: current.get(k) for k in POSTGREST_KEYS if old.get(k) is not None}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        changes = {k: v for k, v in POSTGREST_DEFAULTS.items() if old.get(k) is not None}
        if changes:
            api.update_postgrest_config(ref, changes)


class PostgrestConfig(dynamic.Resource, module="supabase", name="PostgrestConfig"):
    """The Data API (PostgREST) settings the program sets."""

    project_ref: pulumi.Output[str]
    db_schema: pulumi.Output[str | None]
    db_extra_search_path: pulumi.Output[str | None]
    max_rows: pulumi.Output[int | None]
    db_pool: pulumi.Output[int | None]

    def __init__(
        self, resource_name: str, args: PostgrestConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(PostgrestConfigProvider(), resource_name, resource_props(args), opts)
