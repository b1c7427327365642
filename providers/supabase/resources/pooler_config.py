"""Supabase PoolerConfig: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi import dynamic
from pydantic import Field

from providers.base import (
    resource_props,
)
from providers.supabase.base import _primary_pooler, _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)


# -- PoolerConfig --------------------------------------------------------------------------------------
class PoolerConfigInputs(_RefInputs):
    pool_mode: Literal["transaction", "session"] | None = None
    default_pool_size: int | None = Field(default=None, ge=0, le=3000)


@dataclass
class PoolerConfigArgs:
    project_ref: pulumi.Input[str]
    pool_mode: pulumi.Input[str] | None = None
    """`transaction` (port 6543, serverless clients) or `session`."""
    default_pool_size: pulumi.Input[int] | None = None


class PoolerConfigProvider(_SettingProvider):
    Inputs = PoolerConfigInputs
    kind = "pooler config"
    services = ("pooler",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        changes = {
            k: getattr(inputs, k)
            for k in ("pool_mode", "default_pool_size")
            if getattr(inputs, k) is not None
        }
        # A setting no longer managed goes back to the vendor default.
        if olds and olds.get("default_pool_size") is not None and inputs.default_pool_size is None:
            changes["default_pool_size"] = None
        if olds and olds.get("pool_mode") is not None and inputs.pool_mode is None:
            changes["pool_mode"] = "transaction"
        if changes:
            api.update_pooler_config(ref, changes)
        return self._computed(api, ref)

    def _computed(self, api: SupabaseClient, ref: str) -> dict[str, Any]:
        primary = _primary_pooler(api, ref)
        if primary is None:
            return {}
        return {"pooler_host": primary["db_host"], "pooler_port": primary["db_port"]}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        primary = _primary_pooler(api, ref)
        if primary is None:
            return {}
        current: dict[str, Any] = {"pooler_host": primary["db_host"], "pooler_port": primary["db_port"]}
        if old.get("pool_mode") is not None:
            current["pool_mode"] = primary.get("pool_mode")
        if old.get("default_pool_size") is not None:
            current["default_pool_size"] = primary.get("default_pool_size")
        return current

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_pooler_config(ref, {"pool_mode": "transaction", "default_pool_size": None})


class PoolerConfig(dynamic.Resource, module="supabase", name="PoolerConfig"):
    """The shared pooler (Supavisor) settings."""

    project_ref: pulumi.Output[str]
    pool_mode: pulumi.Output[str | None]
    default_pool_size: pulumi.Output[int | None]
    pooler_host: pulumi.Output[str]
    pooler_port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: PoolerConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("pooler_host", "pooler_port"))
        super().__init__(PoolerConfigProvider(), resource_name, props, opts)
