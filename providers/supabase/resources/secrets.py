"""Supabase Secrets: its inputs model, provider, Args and Resource."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import field_validator

from providers.base import (
    resource_props,
    with_secret_outputs,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)


# -- Secrets (edge-function environment) ----------------------------------------------------------------
def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class SecretsInputs(_RefInputs):
    secrets: dict[str, str]

    @field_validator("secrets")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        problems = []
        for name, secret in value.items():
            if name.startswith("SUPABASE_"):
                problems.append(f"{name}: names starting SUPABASE_ are reserved by Supabase")
            elif not name or len(name) > 256:
                problems.append(f"{name!r}: a secret name is 1 to 256 characters")
            if len(secret) > 24576:
                problems.append(f"{name}: a secret value is at most 24576 characters")
        if problems:
            raise ValueError("; ".join(problems))
        return value


@dataclass
class SecretsArgs:
    project_ref: pulumi.Input[str]
    secrets: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Edge-function secrets by name (values are secret; names starting `SUPABASE_` are reserved)."""


class SecretsProvider(_SettingProvider):
    Inputs = SecretsInputs
    kind = "edge-function secrets"
    services = ()

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        wanted: dict[str, str] = dict(inputs.secrets)
        old_secrets: dict[str, str] = dict((olds or {}).get("secrets") or {})
        removed = sorted(set(old_secrets) - set(wanted))
        if removed:
            api.delete_secrets(ref, removed)
        changed = {k: v for k, v in wanted.items() if old_secrets.get(k) != v}
        if changed:
            api.create_secrets(ref, changed)
        return {"digests": {name: sha256_hex(value) for name, value in wanted.items()}}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        server = {s.get("name"): s.get("value") for s in api.list_secrets(ref)}
        mine: dict[str, str] = dict(old.get("secrets") or {})
        # A value changed or removed elsewhere drops out, so the next update writes it again.
        kept = {name: value for name, value in mine.items() if server.get(name) == sha256_hex(value)}
        return {"secrets": kept, "digests": {name: server[name] for name in mine if name in server}}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        names = sorted((old.get("secrets") or {}).keys())
        if names:
            api.delete_secrets(ref, names)


class Secrets(dynamic.Resource, module="supabase", name="Secrets"):
    """Edge-function secrets. Drift is found by comparing SHA-256 digests; values never leave state."""

    project_ref: pulumi.Output[str]
    secrets: pulumi.Output[dict[str, str]]
    digests: pulumi.Output[dict[str, str]]

    def __init__(
        self, resource_name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("digests",))
        super().__init__(SecretsProvider(), resource_name, props, with_secret_outputs(opts, ["secrets"]))
