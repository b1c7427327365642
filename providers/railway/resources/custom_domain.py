"""Railway CustomDomain: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator

from providers.base import (
    resource_props,
    unless_gone,
)
from providers.pending_create import PendingCreate
from providers.railway.base import (
    _HOSTNAME,
    RailwayProvider,
    _adopt_or_retry,
    _gone_is_fine,
    _or_adopt_existing,
    _strict,
)
from providers.railway.client import CLEAR, is_not_found


# ==========================================================================================================
# CustomDomain
# ==========================================================================================================
class CustomDomainInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    domain: str
    target_port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower().rstrip(".")
        if not _HOSTNAME.match(value):
            raise ValueError(f"{value!r} is not a domain name (e.g. api.example.com)")
        if value.endswith(".up.railway.app") or value.endswith(".railway.app"):
            raise ValueError("Railway domains are made with ServiceDomain, not CustomDomain")
        return value


def _custom_domain_outputs(domain: Mapping[str, Any]) -> dict[str, Any]:
    status = domain.get("status") or {}
    records = [
        {
            "record_type": str(r.get("recordType", "")).removeprefix("DNS_RECORD_TYPE_"),
            "hostlabel": r.get("hostlabel"),
            "fqdn": r.get("fqdn"),
            "zone": r.get("zone"),
            "required_value": r.get("requiredValue"),
            "status": str(r.get("status", "")).removeprefix("DNS_RECORD_STATUS_"),
        }
        for r in status.get("dnsRecords") or []
    ]
    return {
        "dns_records": records,
        "verification_host": status.get("verificationDnsHost"),
        "verification_token": status.get("verificationToken"),
        "verified": bool(status.get("verified")),
        "certificate_status": status.get("certificateStatus"),
    }


class CustomDomainProvider(RailwayProvider):
    Inputs = CustomDomainInputs
    replace_keys = frozenset({"project_id", "service_id", "environment_id", "domain"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: CustomDomainInputs = self.parse(props)
        client = self.client()

        # A custom domain is unique at Railway: a lost answer is resolved by looking it up on the service.
        def on_service() -> list[dict[str, Any]]:
            listed = client.domains(
                project_id=inputs.project_id,
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
            )
            return [d for d in listed.get("customDomains") or [] if d.get("domain") == inputs.domain]

        domain = _adopt_or_retry(
            _or_adopt_existing(
                lambda: client.custom_domain_create(
                    project_id=inputs.project_id,
                    service_id=inputs.service_id,
                    environment_id=inputs.environment_id,
                    domain=inputs.domain,
                    target_port=inputs.target_port,
                ),
                "already in use",
                on_service,
                f"custom domain {inputs.domain}",
            ),
            on_service,
            f"custom domain {inputs.domain}",
            self.sleep,
        )
        outs = {**self.inputs(props), "domain": inputs.domain, **_custom_domain_outputs(domain)}
        return dynamic.CreateResult(str(domain["id"]), outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: CustomDomainInputs = self.parse(news)
        self.client().custom_domain_update(
            id_,
            environment_id=new.environment_id,
            target_port=new.target_port if new.target_port is not None else CLEAR,
        )
        kept = {k: olds.get(k) for k in _custom_domain_outputs({})}
        return dynamic.UpdateResult({**self.inputs(news), **kept})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        domain = unless_gone(
            lambda: self.client().custom_domain(id_, project_id=old["project_id"]), is_not_found
        )
        if domain is None:
            return dynamic.ReadResult(None, {})
        inputs = {**old, "domain": domain.get("domain") or old["domain"]}
        if "target_port" in old or domain.get("targetPort"):
            inputs["target_port"] = domain.get("targetPort")
        return self.read_result(id_, inputs, _custom_domain_outputs(domain))

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # A custom domain is unique at Railway: found on our service, it is the one the create made.
        inputs: CustomDomainInputs = self.parse(props)
        listed = self.client().domains(
            project_id=inputs.project_id, service_id=inputs.service_id, environment_id=inputs.environment_id
        )
        return [str(d["id"]) for d in listed.get("customDomains") or [] if d.get("domain") == inputs.domain]

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"custom domain {props.get('domain')}"

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().custom_domain_delete(id_))


@dataclass
class CustomDomainArgs:
    project_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    domain: pulumi.Input[str]
    target_port: pulumi.Input[int] | None = None


class CustomDomain(dynamic.Resource, module="railway", name="CustomDomain"):
    domain: pulumi.Output[str]
    target_port: pulumi.Output[int | None]
    dns_records: pulumi.Output[list[dict[str, Any]]]
    verification_host: pulumi.Output[str | None]
    verification_token: pulumi.Output[str | None]
    verified: pulumi.Output[bool]
    certificate_status: pulumi.Output[str | None]

    def __init__(
        self, resource_name: str, args: CustomDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, tuple(_custom_domain_outputs({})))
        super().__init__(CustomDomainProvider(), resource_name, props, opts)
