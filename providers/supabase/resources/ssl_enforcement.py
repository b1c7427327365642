"""Supabase SslEnforcement: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic

from providers.base import (
    resource_props,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)


# -- SslEnforcement ------------------------------------------------------------------------------------
class SslEnforcementInputs(_RefInputs):
    enforced: bool = True


@dataclass
class SslEnforcementArgs:
    project_ref: pulumi.Input[str]
    enforced: pulumi.Input[bool] = True
    """Reject database connections that do not use TLS."""


class SslEnforcementProvider(_SettingProvider):
    Inputs = SslEnforcementInputs
    kind = "SSL enforcement"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        result = api.update_ssl_enforcement(ref, database=inputs.enforced)
        return {"applied_successfully": bool(result.get("appliedSuccessfully"))}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_ssl_enforcement(ref)
        return {
            "enforced": bool((current.get("currentConfig") or {}).get("database")),
            "applied_successfully": bool(current.get("appliedSuccessfully")),
        }

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_ssl_enforcement(ref, database=False)


class SslEnforcement(dynamic.Resource, module="supabase", name="SslEnforcement"):
    """Whether the database accepts only TLS connections."""

    project_ref: pulumi.Output[str]
    enforced: pulumi.Output[bool]
    applied_successfully: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: SslEnforcementArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("applied_successfully",))
        super().__init__(SslEnforcementProvider(), resource_name, props, opts)
