"""Supabase BackupPolicy: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field, field_validator

from providers.base import (
    resource_props,
    unless_gone,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    PITR_DAYS,
    SupabaseClient,
    selected_addon,
)


# -- BackupPolicy --------------------------------------------------------------------------------------
class BackupPolicyInputs(_RefInputs):
    pitr_days: int | None = None
    schedule_for: str | None = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")

    @field_validator("pitr_days")
    @classmethod
    def _days(cls, value: int | None) -> int | None:
        if value is not None and value not in PITR_DAYS:
            raise ValueError(
                f"point-in-time recovery keeps {', '.join(map(str, PITR_DAYS))} days; {value} is not offered"
            )
        return value


@dataclass
class BackupPolicyArgs:
    project_ref: pulumi.Input[str]
    pitr_days: pulumi.Input[int] | None = None
    """Point-in-time recovery window (7, 14 or 28 days, the `pitr_<days>` add-on); None turns PITR off.
    Supabase requires at least the Small compute size for PITR."""
    schedule_for: pulumi.Input[str] | None = None
    """Daily backup time, UTC, `HH:MM:SS`."""


class BackupPolicyProvider(_SettingProvider):
    Inputs = BackupPolicyInputs
    kind = "backup policy"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        old_days = (olds or {}).get("pitr_days")
        if inputs.pitr_days is not None and (olds is None or inputs.pitr_days != old_days):
            api.apply_project_addon(ref, addon_type="pitr", addon_variant=f"pitr_{inputs.pitr_days}")
        elif inputs.pitr_days is None and old_days is not None:
            api.remove_project_addon(ref, f"pitr_{int(old_days)}")
        if inputs.schedule_for is not None:
            api.update_backup_schedule(ref, schedule_for=inputs.schedule_for)
        return {"pitr_enabled": inputs.pitr_days is not None}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        variant = selected_addon(api.list_project_addons(ref), "pitr")
        days = int(variant.removeprefix("pitr_")) if variant else None
        current: dict[str, Any] = {"pitr_days": days, "pitr_enabled": days is not None}
        if old.get("schedule_for") is not None:
            schedule = api.get_backup_schedule(ref)
            current["schedule_for"] = (schedule or {}).get("schedule_for")
        return current

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        if old.get("pitr_days") is not None:
            # An add-on already removed is fine.
            unless_gone(lambda: api.remove_project_addon(ref, f"pitr_{int(old['pitr_days'])}"))


class BackupPolicy(dynamic.Resource, module="supabase", name="BackupPolicy"):
    """Point-in-time recovery (an add-on) and the daily backup schedule."""

    project_ref: pulumi.Output[str]
    pitr_days: pulumi.Output[int | None]
    pitr_enabled: pulumi.Output[bool]
    schedule_for: pulumi.Output[str | None]

    def __init__(
        self, resource_name: str, args: BackupPolicyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("pitr_enabled",))
        super().__init__(BackupPolicyProvider(), resource_name, props, opts)
