"""Supabase AuthConfig: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import pulumi
import pydantic
from pulumi import dynamic
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from providers.base import (
    INPUTS_CONFIG,
    check_with_model,
    resource_props,
    with_secret_outputs,
)
from providers.supabase.auth_keys import AUTH_CONFIG_KEYS, AUTH_SECRET_KEYS
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)


# -- AuthConfig ----------------------------------------------------------------------------------------
def _auth_field(spec: Mapping[str, Any]) -> tuple[Any, Any]:
    base: Any = {"string": str, "boolean": bool, "integer": int, "number": float}[spec["type"]]
    if "enum" in spec:
        base = Literal[tuple(spec["enum"])]
    constraints: dict[str, Any] = {}
    if "minimum" in spec:
        constraints["ge"] = spec["minimum"]
    if "maximum" in spec:
        constraints["le"] = spec["maximum"]
    if "pattern" in spec and spec["type"] == "string":
        constraints["pattern"] = spec["pattern"]
    if spec["type"] == "string" and "maxLength" in spec:
        constraints["max_length"] = spec["maxLength"]
    annotation = base | None
    return (annotation, Field(default=None, **constraints))


AuthSettingsModel: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "AuthSettingsModel",
    __config__=ConfigDict(**INPUTS_CONFIG, strict=False),
    **{key: _auth_field(spec) for key, spec in AUTH_CONFIG_KEYS.items()},
)


class AuthConfigInputs(_RefInputs):
    settings: dict[str, Any] = Field(default_factory=dict)
    secret_settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("settings")
    @classmethod
    def _plain(cls, value: dict[str, Any]) -> dict[str, Any]:
        problems = [
            f"{key}: secret, so it belongs in secret_settings (the value would be stored in plain text)"
            for key in sorted(set(value) & AUTH_SECRET_KEYS)
        ]
        return _typed_auth(value, problems)

    @field_validator("secret_settings")
    @classmethod
    def _typed_secret(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _typed_auth(value, [])


def _typed_auth(value: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Check keys, JSON types and limits against `PATCH .../config/auth`; every problem at once."""
    parsed = None
    try:
        parsed = AuthSettingsModel.model_validate(dict(value))
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err.get("loc", ()))
            message = "unknown auth setting" if err.get("type") == "extra_forbidden" else err.get("msg")
            problems.append(f"{key}: {message}")
    if problems or parsed is None:
        raise ValueError("; ".join(problems))
    return cast(dict[str, Any], parsed.model_dump(mode="json", include=set(value)))


@dataclass
class AuthConfigArgs:
    project_ref: pulumi.Input[str]
    settings: pulumi.Input[Mapping[str, Any]] | None = None
    """Auth (GoTrue) settings by their API names, e.g. `{"site_url": ..., "jwt_exp": 3600}`. Only these
    keys are managed; others keep their values."""
    secret_settings: pulumi.Input[Mapping[str, Any]] | None = None
    """Secret auth settings (`smtp_pass`, `external_*_secret`, `hook_*_secrets`...). The API masks them on
    read, so they are applied but never compared with the server."""


class AuthConfigProvider(_SettingProvider):
    Inputs = AuthConfigInputs
    kind = "auth config"
    services = ("auth",)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        return check_with_model(self.Inputs, news)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        settings: dict[str, Any] = dict(inputs.settings)
        secrets: dict[str, Any] = dict(inputs.secret_settings)
        previous: dict[str, Any] = dict((olds or {}).get("previous_settings") or {})
        old_settings: dict[str, Any] = dict((olds or {}).get("settings") or {})
        current = api.get_auth_config(ref)
        # Remember what a newly managed key held, so delete (or dropping the key) puts it back.
        for key in settings:
            if key not in previous:
                previous[key] = current.get(key)
        changes: dict[str, Any] = {**settings, **secrets}
        for key in old_settings:
            if key not in settings and key in previous:
                changes[key] = previous.pop(key)
        if changes:
            api.update_auth_config(ref, changes)
        return {"previous_settings": previous}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_auth_config(ref)
        managed = old.get("settings") or {}
        return {"settings": {k: current.get(k) for k in managed}}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        previous = dict(old.get("previous_settings") or {})
        if previous:
            api.update_auth_config(ref, previous)


class AuthConfig(dynamic.Resource, module="supabase", name="AuthConfig"):
    """The project's Auth settings that the program sets (PATCH merges; other keys are left alone)."""

    project_ref: pulumi.Output[str]
    settings: pulumi.Output[dict[str, Any]]
    secret_settings: pulumi.Output[dict[str, Any]]
    previous_settings: pulumi.Output[dict[str, Any]]

    def __init__(
        self, resource_name: str, args: AuthConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("previous_settings",))
        super().__init__(
            AuthConfigProvider(), resource_name, props, with_secret_outputs(opts, ["secret_settings"])
        )
