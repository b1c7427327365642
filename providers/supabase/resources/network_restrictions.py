"""Supabase NetworkRestrictions: its inputs model, provider, Args and Resource."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import field_validator

from providers.base import (
    resource_props,
)
from providers.supabase.base import _RefInputs, _SettingProvider
from providers.supabase.client import (
    SupabaseClient,
)

# -- NetworkRestrictions ---------------------------------------------------------------------------------
ALLOW_ALL = ("0.0.0.0/0", "::/0")


_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        *("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16"),
        *("fc00::/7", "fe80::/10", "::1/128"),
    )
)


def _is_private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """RFC 1918 / unique-local, loopback and link-local blocks: addresses no client of Supabase has."""
    return any(
        network.version == private.version and network.subnet_of(private)  # type: ignore[arg-type]
        for private in _PRIVATE_NETWORKS
    )


def _canonical_cidrs(values: Sequence[str]) -> list[str]:
    v4: list[str] = []
    v6: list[str] = []
    problems = []
    for value in values:
        try:
            network = ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            problems.append(f"{value!r} is not a CIDR block ({exc})")
            continue
        if network.prefixlen and _is_private(network):
            problems.append(f"{value!r} is a private range, which cannot reach a Supabase database")
            continue
        (v4 if network.version == 4 else v6).append(str(network))
    if problems:
        raise ValueError("; ".join(problems))
    return list(dict.fromkeys(v4)) + list(dict.fromkeys(v6))


class NetworkRestrictionsInputs(_RefInputs):
    allowed_cidrs: list[str]

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return _canonical_cidrs(value)


@dataclass
class NetworkRestrictionsArgs:
    project_ref: pulumi.Input[str]
    allowed_cidrs: pulumi.Input[Sequence[pulumi.Input[str]]]
    """IPv4 and IPv6 blocks allowed to reach Postgres; `[]` blocks every address, `["0.0.0.0/0", "::/0"]`
    allows all (the default). Replaces both lists on every apply."""


class NetworkRestrictionsProvider(_SettingProvider):
    Inputs = NetworkRestrictionsInputs
    kind = "network restrictions"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        v4, v6 = _split(inputs.allowed_cidrs)
        result = api.apply_network_restrictions(ref, ipv4_cidrs=v4, ipv6_cidrs=v6)
        return {"status": result.get("status")}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_network_restrictions(ref)
        config = current.get("config") or {}
        cidrs = list(config.get("dbAllowedCidrs") or []) + list(config.get("dbAllowedCidrsV6") or [])
        return {"allowed_cidrs": cidrs, "status": current.get("status")}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.apply_network_restrictions(ref, ipv4_cidrs=[ALLOW_ALL[0]], ipv6_cidrs=[ALLOW_ALL[1]])


def _split(cidrs: Sequence[str]) -> tuple[list[str], list[str]]:
    v4 = [c for c in cidrs if ipaddress.ip_network(c).version == 4]
    v6 = [c for c in cidrs if ipaddress.ip_network(c).version == 6]
    return v4, v6


class NetworkRestrictions(dynamic.Resource, module="supabase", name="NetworkRestrictions"):
    """Which addresses may connect to the project's database."""

    project_ref: pulumi.Output[str]
    allowed_cidrs: pulumi.Output[list[str]]
    status: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: NetworkRestrictionsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("status",))
        super().__init__(NetworkRestrictionsProvider(), resource_name, props, opts)
