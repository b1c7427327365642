"""PullRequestService: a base stack's service as it runs in a pull request's forked Railway environment.

The fork already has the service (Railway copies every service instance, its settings and variables into
a fork, and deploys nothing while `skipInitialDeploys`). This component, in order: overrides the variables
the fork inherited that must be the pull request's own (DATABASE_URL above all, which would otherwise
point at the base's database), then sets the instance (the pull request's image, one replica) and deploys
it, then, for a web service, uses the fork's own Railway domain and smoke-checks it. It never creates or
deletes the service itself, which the base stack owns; no custom domains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components.commands import smoke_check
from components.railway_app import RailwayAppArgs, railway_variables
from components.web_service import SmokeCheckArgs
from providers import railway


@dataclass
class PullRequestServiceArgs:
    app: RailwayAppArgs
    """The service's settings as the base stack has them, with the pull request's variables."""
    service_id: pulumi.Input[str]
    """The base's service (shared by the fork)."""
    source_image: pulumi.Input[str] | None = None
    """The pull request's image; unset keeps the service's."""
    port: int | None = None
    web: bool = False
    smoke: SmokeCheckArgs | None = None
    cron_schedule: str | None = None
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


class PullRequestService(pulumi.ComponentResource):
    service_id: pulumi.Output[str]
    url: pulumi.Output[str | None]
    deployment_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: PullRequestServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:components:PullRequestService", name, None, opts)
        app = args.app
        variables: Mapping[str, pulumi.Input[str]] = dict(app.variables)
        if args.port is not None and "PORT" not in variables:
            app = RailwayAppArgs(**{**vars(app), "variables": {**app.variables, "PORT": str(args.port)}})
        # Before the first deployment of the fork (skip_deploys: the instance below deploys once).
        self.variables = railway.Variables(
            f"{name}-variables",
            railway.VariablesArgs(
                project_id=app.project_id,
                environment_id=app.environment_id,
                service_id=args.service_id,
                variables=railway_variables(app),
                skip_deploys=True,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.instance = railway.ServiceInstance(
            f"{name}-instance",
            railway.ServiceInstanceArgs(
                service_id=args.service_id,
                environment_id=app.environment_id,
                source_image=args.source_image,
                start_command=app.start_command,
                pre_deploy_command=list(app.pre_deploy_command) if app.pre_deploy_command else None,
                healthcheck_path=app.healthcheck_path,
                healthcheck_timeout=app.healthcheck_timeout,
                regions=dict(app.regions),
                restart_policy_type=app.restart_policy_type,
                restart_policy_max_retries=app.restart_policy_max_retries,
                cron_schedule=args.cron_schedule,
                root_directory=app.root_directory,
                vcpus=app.vcpus,
                memory_gb=app.memory_gb,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[self.variables, *app.deploy_after]),
        )
        self.web = args.web
        self.service_id = pulumi.Output.from_input(args.service_id)
        self.deployment_id = self.instance.deployment_id
        self.url = pulumi.Output.from_input(None)
        if args.web:
            domain = railway.ServiceDomain(
                f"{name}-domain",
                railway.ServiceDomainArgs(
                    service_id=args.service_id,
                    environment_id=app.environment_id,
                    target_port=args.port,
                    adopt_existing=True,
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[self.instance]),
            )
            self.url = domain.url
            if args.smoke is not None:
                smoke_check(
                    self,
                    name,
                    pulumi.Output.concat(domain.url, args.smoke.path),
                    mode=args.smoke.mode,
                    timeout_seconds=args.smoke.timeout_seconds,
                    triggers=[self.instance.deployment_id],
                    depends_on=[self.instance, domain],
                )
        self.register_outputs({"service_id": self.service_id, "url": self.url})
