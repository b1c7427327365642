"""WebService: a public Railway service with its Railway domain, custom domains and a smoke check.

The domains need only the service (Railway attaches a domain to a service, deployed or not), so they are
created while the first deployment runs; the smoke check needs the deployment and the domain it requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi

from components.commands import CommandMode, smoke_check
from components.railway_app import RailwayAppArgs, build_railway_app
from providers import railway


@dataclass
class SmokeCheckArgs:
    path: str
    """Requested on the Railway domain after each deployment, e.g. `/api/health`."""
    mode: CommandMode = "run"
    timeout_seconds: int = 300


@dataclass
class WebServiceArgs(RailwayAppArgs):
    port: int | None = None
    """The port the process listens on: set as PORT and targeted by the domains."""
    domains: Sequence[str] = field(default_factory=list)
    """Custom domains; Railway issues their TLS certificates once the DNS records point at it."""
    smoke: SmokeCheckArgs | None = None


class WebService(pulumi.ComponentResource):
    service_id: pulumi.Output[str]
    url: pulumi.Output[str]
    """https URL of the Railway-generated domain."""
    custom_urls: pulumi.Output[list[str]]
    dns_records: pulumi.Output[dict[str, Any]]
    """Per custom domain, the DNS records to create (CNAME to Railway, TXT for verification)."""
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, args: WebServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:WebService", name, None, opts)
        if args.port is not None and "PORT" not in args.variables:
            args = _with_variable(args, "PORT", str(args.port))
        self.service, self.instance = build_railway_app(self, name, args)
        child = pulumi.ResourceOptions(parent=self)
        self.service_domain = railway.ServiceDomain(
            f"{name}-domain",
            railway.ServiceDomainArgs(
                service_id=self.service.id, environment_id=args.environment_id, target_port=args.port
            ),
            child,
        )
        self.custom_domains = [
            railway.CustomDomain(
                f"{name}-domain-{domain.replace('.', '-')}",
                railway.CustomDomainArgs(
                    project_id=args.project_id,
                    service_id=self.service.id,
                    environment_id=args.environment_id,
                    domain=domain,
                    target_port=args.port,
                ),
                child,
            )
            for domain in args.domains
        ]
        self.smoke = None
        if args.smoke is not None:
            self.smoke = smoke_check(
                self,
                name,
                pulumi.Output.concat(self.service_domain.url, args.smoke.path),
                mode=args.smoke.mode,
                timeout_seconds=args.smoke.timeout_seconds,
                triggers=[self.instance.deployment_id],
                depends_on=[self.instance, self.service_domain],
            )
        self.service_id = self.service.id
        self.url = self.service_domain.url
        self.deployment_id = self.instance.deployment_id
        self.custom_urls = pulumi.Output.all(*[d.domain for d in self.custom_domains]).apply(
            lambda domains: [f"https://{d}" for d in domains]
        )
        self.dns_records = pulumi.Output.all(
            *[
                pulumi.Output.all(d.domain, d.dns_records, d.verification_host, d.verification_token)
                for d in self.custom_domains
            ]
        ).apply(_records_by_domain)
        self.register_outputs(
            {
                "service_id": self.service_id,
                "url": self.url,
                "custom_urls": self.custom_urls,
                "dns_records": self.dns_records,
                "deployment_id": self.deployment_id,
            }
        )


def _records_by_domain(rows: list[list[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for domain, records, verification_host, verification_token in rows:
        out[domain] = {
            "records": records or [],
            "verification": {"host": verification_host, "txt": verification_token}
            if verification_host
            else None,
        }
    return out


def _with_variable(args: WebServiceArgs, key: str, value: str) -> WebServiceArgs:
    return replace(args, variables={**args.variables, key: value})
