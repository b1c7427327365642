"""What WebService and Worker share: the Railway service, its variables and its instance settings.

Not a component itself: `build_railway_app` makes the children of the component that calls it.

What waits on what, and why: the service waits for its variables' sources (the database's URLs, the
secrets, Redis's password) because `serviceCreate` carries the variables and starts the first deployment
at once; for the same reason it waits for `deploy_after` (migrations: new code must not run on an old
schema). The instance needs the service; its `deploy_after` repeats the service's so a later change that
re-runs a migration deploys after it. Nothing waits on another service's deployment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from providers import railway


@dataclass
class RailwayAppArgs:
    """A process on Railway: its source, how it starts and restarts, its size, and its variables."""

    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    regions: Mapping[str, int]
    """Replicas per Railway region, e.g. {"us-west2": 2}."""
    service_name: str | None = None
    """The name shown in Railway (and the private host `<name>.railway.internal`); default the component's."""
    image: pulumi.Input[str] | None = None
    repo: pulumi.Input[str] | None = None
    branch: pulumi.Input[str] | None = None
    root_directory: pulumi.Input[str] | None = None
    start_command: pulumi.Input[str] | None = None
    pre_deploy_command: Sequence[str] | None = None
    healthcheck_path: pulumi.Input[str] | None = None
    healthcheck_timeout: pulumi.Input[int] | None = None
    restart_policy_type: pulumi.Input[str] | None = None
    restart_policy_max_retries: pulumi.Input[int] | None = None
    vcpus: pulumi.Input[float] | None = None
    memory_gb: pulumi.Input[float] | None = None
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain variables."""
    secret_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Variables whose values are secrets (connection URLs, keys); always stored as Pulumi secrets."""
    deploy_after: Sequence[pulumi.Resource] = ()
    """Resources that must be done before the service is created and deployed (e.g. a migration)."""
    deploy_timeout_seconds: pulumi.Input[float] | None = None


def railway_variables(args: RailwayAppArgs) -> pulumi.Output[dict[str, str]]:
    """Plain and secret variables in one map; the whole map is a secret as soon as one value is."""
    plain = {k: pulumi.Output.from_input(v) for k, v in args.variables.items()}
    secret = {k: pulumi.Output.secret(v) for k, v in args.secret_variables.items()}
    clash = set(plain) & set(secret)
    if clash:
        raise ValueError(f"variables {sorted(clash)} are both plain and secret")
    merged = {**plain, **secret}
    return pulumi.Output.all(**merged).apply(lambda values: dict(sorted(values.items())))


def build_railway_app(
    owner: pulumi.ComponentResource, name: str, args: RailwayAppArgs, *, cron_schedule: str | None = None
) -> tuple[railway.Service, railway.ServiceInstance]:
    """The service (created with its variables, so its first build has them) and its instance settings."""
    if not args.regions or any(n < 1 for n in args.regions.values()):
        raise ValueError(f"{name}: regions needs at least one region with at least one replica")
    if (args.image is None) == (args.repo is None):
        raise ValueError(f"{name}: give exactly one source, image or repo")
    variables = railway_variables(args) if (args.variables or args.secret_variables) else None
    service = railway.Service(
        f"{name}-service",
        railway.ServiceArgs(
            project_id=args.project_id,
            environment_id=args.environment_id,
            name=args.service_name or name,
            image=args.image,
            repo=args.repo,
            branch=args.branch,
            variables=variables,
        ),
        pulumi.ResourceOptions(parent=owner, depends_on=list(args.deploy_after)),
    )
    instance = railway.ServiceInstance(
        f"{name}-instance",
        railway.ServiceInstanceArgs(
            service_id=service.id,
            environment_id=args.environment_id,
            start_command=args.start_command,
            pre_deploy_command=list(args.pre_deploy_command) if args.pre_deploy_command else None,
            healthcheck_path=args.healthcheck_path,
            healthcheck_timeout=args.healthcheck_timeout,
            regions=dict(args.regions),
            restart_policy_type=args.restart_policy_type,
            restart_policy_max_retries=args.restart_policy_max_retries,
            cron_schedule=cron_schedule,
            root_directory=args.root_directory,
            vcpus=args.vcpus,
            memory_gb=args.memory_gb,
            deploy_timeout_seconds=args.deploy_timeout_seconds,
        ),
        pulumi.ResourceOptions(parent=owner, depends_on=list(args.deploy_after)),
    )
    return service, instance
