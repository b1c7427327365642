"""Railway ServiceDomain: its inputs model, provider, Args and Resource."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field

from providers.adoption import made_since
from providers.base import (
    resource_props,
    unless_gone,
)
from providers.pending_create import PendingCreate, made_since_started
from providers.railway.base import RailwayProvider, _adopt_or_retry, _gone_is_fine, _strict
from providers.railway.client import CLEAR, is_not_found


# ==========================================================================================================
# ServiceDomain
# ==========================================================================================================
class ServiceDomainInputs(BaseModel):
    model_config = _strict()
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    target_port: int | None = Field(default=None, ge=1, le=65535)
    # A forked environment already has a Railway domain of its own for the service: use it, not a second.
    adopt_existing: bool | None = None


class ServiceDomainProvider(RailwayProvider):
    Inputs = ServiceDomainInputs
    replace_keys = frozenset({"service_id", "environment_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ServiceDomainInputs = self.parse(props)
        domain = self._existing(inputs) if inputs.adopt_existing else None
        if domain is None:
            client = self.client()

            def service_domains() -> list[dict[str, Any]]:
                instance = client.service_instance(
                    service_id=inputs.service_id, environment_id=inputs.environment_id
                )
                return list((instance.get("domains") or {}).get("serviceDomains") or [])

            # A service may hold several Railway domains: a lost answer is resolved by the one Railway
            # made since the create was sent (by its own clock), so no listing is needed before it.
            sent_at = time.time()
            domain = _adopt_or_retry(
                lambda: client.service_domain_create(
                    service_id=inputs.service_id,
                    environment_id=inputs.environment_id,
                    target_port=inputs.target_port,
                ),
                made_since(sent_at, service_domains, client.vendor_time),
                f"a new Railway domain of service {inputs.service_id}",
                self.sleep,
            )
        outs = {
            **self.inputs(props),
            "domain": domain.get("domain"),
            "url": f"https://{domain.get('domain')}",
        }
        return dynamic.CreateResult(str(domain["id"]), outs)

    def _existing(self, inputs: ServiceDomainInputs) -> dict[str, Any] | None:
        """The service's Railway domain in this environment, if it has one (a fork's own), pointed at
        `target_port`."""
        client = self.client()
        instance = client.service_instance(service_id=inputs.service_id, environment_id=inputs.environment_id)
        domains = (instance.get("domains") or {}).get("serviceDomains") or []
        if not domains:
            return None
        found: dict[str, Any] = domains[0]
        if inputs.target_port is not None and found.get("targetPort") != inputs.target_port:
            client.service_domain_update(
                service_domain_id=str(found["id"]),
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                domain=str(found.get("domain")),
                target_port=inputs.target_port,
            )
        return found

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ServiceDomainInputs = self.parse(news)
        self.client().service_domain_update(
            service_domain_id=id_,
            service_id=new.service_id,
            environment_id=new.environment_id,
            domain=str(olds.get("domain")),
            target_port=new.target_port if new.target_port is not None else CLEAR,
        )
        return dynamic.UpdateResult(
            {**self.inputs(news), "domain": olds.get("domain"), "url": olds.get("url")}
        )

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        instance = unless_gone(
            lambda: self.client().service_instance(
                service_id=old["service_id"], environment_id=old["environment_id"]
            ),
            is_not_found,
        )
        if instance is None:
            return dynamic.ReadResult(None, {})
        domains = (instance.get("domains") or {}).get("serviceDomains") or []
        found = next((d for d in domains if d.get("id") == id_), None)
        if found is None:
            return dynamic.ReadResult(None, {})
        inputs = {**old}
        if "target_port" in old or found.get("targetPort"):
            inputs["target_port"] = found.get("targetPort")
        computed = {"domain": found.get("domain"), "url": f"https://{found.get('domain')}"}
        return self.read_result(id_, inputs, computed)

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # A service may hold several Railway domains: only one made since the create started is ours (with
        # `adopt_existing`, an older one is taken by the create run again).
        inputs: ServiceDomainInputs = self.parse(props)
        instance = self.client().service_instance(
            service_id=inputs.service_id, environment_id=inputs.environment_id
        )
        domains = list((instance.get("domains") or {}).get("serviceDomains") or [])
        if inputs.adopt_existing:
            return [str(d["id"]) for d in domains if pending.made_since(d.get("createdAt"))]
        return made_since_started(domains, pending, f"Railway domain of service {inputs.service_id}")

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"Railway domain of service {props.get('service_id')}"

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().service_domain_delete(id_))


@dataclass
class ServiceDomainArgs:
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    target_port: pulumi.Input[int] | None = None
    adopt_existing: pulumi.Input[bool] | None = None


class ServiceDomain(dynamic.Resource, module="railway", name="ServiceDomain"):
    service_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    target_port: pulumi.Output[int | None]
    domain: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ServiceDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ServiceDomainProvider(), resource_name, resource_props(args, ("domain", "url")), opts
        )
