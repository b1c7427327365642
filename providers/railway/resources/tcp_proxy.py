"""Railway TcpProxy: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field

from providers.base import (
    resource_props,
    unless_gone,
)
from providers.pending_create import PendingCreate
from providers.railway.base import RailwayProvider, _adopt_or_retry, _gone_is_fine, _strict
from providers.railway.client import is_not_found


# ==========================================================================================================
# TcpProxy
# ==========================================================================================================
class TcpProxyInputs(BaseModel):
    model_config = _strict()
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    application_port: int = Field(ge=1, le=65535)


class TcpProxyProvider(RailwayProvider):
    Inputs = TcpProxyInputs
    replace_keys = frozenset({"service_id", "environment_id", "application_port"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: TcpProxyInputs = self.parse(props)
        client = self.client()
        proxy = _adopt_or_retry(
            lambda: client.tcp_proxy_create(
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                application_port=inputs.application_port,
            ),
            lambda: [
                p
                for p in client.tcp_proxies(
                    service_id=inputs.service_id, environment_id=inputs.environment_id
                )
                if p.get("applicationPort") == inputs.application_port
            ],
            f"TCP proxy to port {inputs.application_port} of service {inputs.service_id}",
            self.sleep,
        )
        outs = {**self.inputs(props), "domain": proxy.get("domain"), "proxy_port": proxy.get("proxyPort")}
        return dynamic.CreateResult(str(proxy["id"]), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        # Every input replaces; nothing reaches here but a no-op (e.g. a provider re-serialisation).
        return dynamic.UpdateResult(
            {**self.inputs(news), "domain": olds.get("domain"), "proxy_port": olds.get("proxy_port")}
        )

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        proxies = unless_gone(
            lambda: self.client().tcp_proxies(
                service_id=old["service_id"], environment_id=old["environment_id"]
            ),
            is_not_found,
        )
        if proxies is None:
            return dynamic.ReadResult(None, {})
        found = next((p for p in proxies if p.get("id") == id_), None)
        if found is None:
            return dynamic.ReadResult(None, {})
        inputs = {**old, "application_port": found.get("applicationPort") or old["application_port"]}
        return self.read_result(
            id_, inputs, {"domain": found.get("domain"), "proxy_port": found.get("proxyPort")}
        )

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # One proxy per application port of a service in an environment.
        inputs: TcpProxyInputs = self.parse(props)
        proxies = self.client().tcp_proxies(
            service_id=inputs.service_id, environment_id=inputs.environment_id
        )
        return [str(p["id"]) for p in proxies if p.get("applicationPort") == inputs.application_port]

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"TCP proxy to port {props.get('application_port')} of service {props.get('service_id')}"

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().tcp_proxy_delete(id_))


@dataclass
class TcpProxyArgs:
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    application_port: pulumi.Input[int]


class TcpProxy(dynamic.Resource, module="railway", name="TcpProxy"):
    application_port: pulumi.Output[int]
    domain: pulumi.Output[str]
    proxy_port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: TcpProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            TcpProxyProvider(), resource_name, resource_props(args, ("domain", "proxy_port")), opts
        )
