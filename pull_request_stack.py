"""A pull request's stack (`platform:pullRequest`): its own environment, forked from a base stack.

The base's outputs come through a `pulumi.StackReference` (its `pullRequestBase` output: the Railway
project and environment, the services, the database to branch, and the ids of every object it owns). The
stack then makes, and destroy later removes, only what is the pull request's:

- a Railway environment forked from the base's (`sourceEnvironmentId`, ephemeral, nothing deployed
  until the variables are the pull request's own), each service's instance in it with the pull request's
  image and one replica, the fork's own Railway domains (no custom domains), a Redis service of its own;
- a database branch (`DatabaseBranch`: Neon branch, Supabase branch, or a new Railway Postgres in the
  fork), migrated;
- no alerts; the smoke checks run.

Two guards keep it off the base's objects (providers/guard.py): every vendor resource carries the base's
object ids and refuses to delete or act in one, and `PullRequestGuard`, which every vendor resource
depends on, refuses before any request a config that names one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi

from components.commands import Migration, MigrationArgs
from components.database import DatabaseArgs
from components.database_branch import DatabaseBranch, DatabaseBranchArgs
from components.pull_request_service import PullRequestService, PullRequestServiceArgs
from components.web_service import SmokeCheckArgs
from providers import railway
from providers.guard import BASE_IDS_KEY, PullRequestGuard, PullRequestGuardArgs
from stack import PULL_REQUEST_BASE_OUTPUT, _app_args, _reachable, _redis, _secrets, command_modes
from stack_config import PullRequest, StackConfig, _runtime_config

DYNAMIC_PREFIX = "pulumi-python:dynamic/"
GUARD_TYPE = f"{DYNAMIC_PREFIX}platform:PullRequestGuard"


class _Scope:
    """The Railway scope services are wired into: the base's project, the fork."""

    def __init__(self, project_id: pulumi.Output[str], environment_id: pulumi.Output[str]) -> None:
        self.project_id = project_id
        self.environment_id = environment_id


def _require_base(base: pulumi.Output[Any], base_stack: str) -> pulumi.Output[dict[str, Any]]:
    def check(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or not value.get("railwayEnvironmentId"):
            raise pulumi.RunError(
                f"stack {base_stack!r} has no `{PULL_REQUEST_BASE_OUTPUT}` output: run `up` of {base_stack} "
                "with this version of the program first (a pull request forks what it exports)"
            )
        return value

    return base.apply(check)


def config_strings(raw: dict[str, Any], secret_keys: set[str]) -> dict[str, str]:
    """Every string value of the stack's `platform:` config by key path (`platform:railway.environmentId`);
    secret values are left out (they must not reach the guard's state in plain text)."""

    def walk(path: str, value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from walk(f"{path}.{key}", inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from walk(f"{path}[{index}]", inner)
        elif isinstance(value, str):
            yield path, value

    out: dict[str, str] = {}
    for key, value in raw.items():
        if key in secret_keys:
            continue
        try:
            decoded = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            decoded = value
        out.update(walk(key, decoded))
    return out


def _guard_everything(guard: PullRequestGuard, object_ids: pulumi.Output[dict[str, str]]) -> None:
    """Every vendor resource of this stack carries the base's ids and waits for the config guard."""

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not args.type_.startswith(DYNAMIC_PREFIX) or args.type_ == GUARD_TYPE:
            return None
        props = dict(args.props)
        props[BASE_IDS_KEY] = object_ids
        current: Any = args.opts.depends_on
        depends: list[Any] = list(current) if isinstance(current, list) else ([current] if current else [])
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[*depends, guard]))
        return pulumi.ResourceTransformationResult(props, opts)

    pulumi.runtime.register_stack_transformation(transform)


def build_pull_request(config: StackConfig, stack: str) -> dict[str, Any]:
    pr = config.pull_request
    assert pr is not None
    migrations_mode, smoke_mode = command_modes(config)
    reference = pulumi.StackReference(f"{pr.base}-base", stack_name=pr.base)
    base = _require_base(reference.get_output(PULL_REQUEST_BASE_OUTPUT), pr.base)
    object_ids: pulumi.Output[dict[str, str]] = base.apply(lambda b: dict(b.get("objectIds") or {}))
    from pulumi.runtime import config as runtime_config

    raw = _runtime_config()
    secret_keys = {k for k in raw if runtime_config.is_config_secret(k)}
    guard = PullRequestGuard(
        "pr-guard",
        PullRequestGuardArgs(
            base_stack=pr.base,
            stack_file=f"Pulumi.{stack}.yaml",
            base_object_ids=object_ids,
            config_values=config_strings(raw, secret_keys),
        ),
    )
    _guard_everything(guard, object_ids)

    project_id: pulumi.Output[str] = base.apply(lambda b: str(b["railwayProjectId"]))
    environment = railway.Environment(
        "pr-environment",
        railway.EnvironmentArgs(
            project_id=project_id,
            name=f"pr-{pr.number}",
            source_environment_id=base.apply(lambda b: str(b["railwayEnvironmentId"])),
            ephemeral=True,
            skip_initial_deploys=True,
        ),
    )
    scope = _Scope(project_id, environment.id)
    secrets = _secrets(config)
    database = _database_branch(config, pr, base, scope)
    # A Redis of its own, beside the base's copied (and never deployed) one.
    redis = _redis(config, scope, service_name=f"redis-pr-{pr.number}", backups=False)

    migrations: list[pulumi.Resource] = []
    for name, svc in config.services.items():
        if svc.migrate and database is not None:
            migrations.append(
                Migration(
                    f"{name}-migrate",
                    MigrationArgs(
                        command=svc.migrate.command,
                        database_url=database.external_uri.apply(_reachable),
                        dir=svc.migrate.dir,
                        triggers=[pr.image or svc.image or f"{svc.repo}#{pr.branch or svc.branch or ''}"],
                        mode=migrations_mode,
                    ),
                )
            )

    services: dict[str, PullRequestService] = {}
    for name, svc in config.services.items():
        app = _app_args(config, name, svc, scope, secrets, database, redis, migrations)
        app.regions = {next(iter(app.regions)): 1}  # one replica each
        smoke = None
        if svc.kind == "web" and svc.smoke_path:
            timeout = int(config.commands.smoke_timeout.seconds)
            smoke = SmokeCheckArgs(path=svc.smoke_path, mode=smoke_mode, timeout_seconds=timeout)
        services[name] = PullRequestService(
            name,
            PullRequestServiceArgs(
                app=app,
                service_id=_service_id(base, name),
                source_image=pr.image if svc.image else None,
                port=svc.port,
                web=svc.kind == "web",
                smoke=smoke,
                cron_schedule=svc.cron,
            ),
        )
    return _outputs(pr, environment, services, database)


def _service_id(base: pulumi.Output[dict[str, Any]], name: str) -> pulumi.Output[str]:
    def pick(b: dict[str, Any]) -> str:
        ids = b.get("services") or {}
        if name not in ids:
            raise pulumi.RunError(f"the base stack has no service {name!r} to fork; add it there first")
        return str(ids[name])

    return base.apply(pick)


def _database_branch(
    config: StackConfig, pr: PullRequest, base: pulumi.Output[dict[str, Any]], scope: _Scope
) -> DatabaseBranch | None:
    db = config.database
    if db is None:
        return None
    name = f"pr-{pr.number}"
    database = base.apply(lambda b: dict(b.get("database") or {}))
    if db.engine == "neon":
        args = DatabaseBranchArgs(
            engine="neon",
            name=name,
            neon_project_id=database.apply(lambda d: str(d["neonProjectId"])),
            neon_parent_branch_id=database.apply(lambda d: str(d["neonBranchId"])),
            database_name=database.apply(lambda d: str(d["databaseName"])),
            role_name=f"{db.user or 'app'}_pr_{pr.number}",
            expires_in_seconds=pr.expires.seconds,
            min_cu=db.compute.min,
            max_cu=db.compute.max,
        )
    elif db.engine == "supabase":
        args = DatabaseBranchArgs(
            engine="supabase",
            name=name,
            supabase_parent_ref=database.apply(lambda d: str(d["supabaseRef"])),
            git_branch=pr.branch,
        )
    else:
        args = DatabaseBranchArgs(
            engine="railway",
            name=name,
            railway=DatabaseArgs(
                engine="railway",
                name=f"{config.app}-{name}",
                service_name=f"postgres-{name}",
                region=db.region or config.railway.region,
                postgres_version=db.postgres,
                database_name=db.name,
                user=db.user,
                project_id=scope.project_id,
                environment_id=scope.environment_id,
                public=db.public,
            ),
        )
    return DatabaseBranch("database", args)


def _outputs(
    pr: PullRequest,
    environment: railway.Environment,
    services: dict[str, PullRequestService],
    database: DatabaseBranch | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pullRequest": {"number": pr.number, "base": pr.base, "branch": pr.branch, "image": pr.image},
        "railwayEnvironmentId": environment.id,
        "services": {
            name: {"serviceId": s.service_id, **({"url": s.url} if s.web else {})}
            for name, s in services.items()
        },
    }
    if database is not None:
        out.update(
            databaseBranch=database.branch,
            databaseHost=database.host,
            databaseUrl=database.connection_uri,
            databasePooledUrl=database.pooled_connection_uri,
        )
    return out
