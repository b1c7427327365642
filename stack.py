"""Builds one stack from its validated config: the Railway scope, secrets, database, Redis, migrations,
services and alerts, wired together. `__main__.py` calls `build` and exports what it returns.
"""

from __future__ import annotations

import os
from typing import Any, Protocol
from urllib.parse import urlsplit

import pulumi

from components.alert_policy import AlertPolicy, AlertPolicyArgs, AlertRuleSpec, WatchedService
from components.app_secrets import AppSecrets, AppSecretsArgs, GeneratedSecretArgs
from components.commands import CommandMode, Migration, MigrationArgs
from components.database import Database, DatabaseArgs
from components.railway_app import RailwayAppArgs
from components.railway_environment import RailwayEnvironment, RailwayEnvironmentArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from components.web_service import SmokeCheckArgs, WebService, WebServiceArgs
from components.worker import Worker, WorkerArgs
from stack_config import GeneratedSecret, Service, StackConfig

# Overrides `platform:commands` for every command (run | echo | skip), e.g. `PLATFORM_COMMANDS=echo`.
COMMANDS_OVERRIDE_ENV = "PLATFORM_COMMANDS"
# The vendors' real API hosts; an endpoint anywhere else (the emulator) makes `auto` commands echo.
REAL_API_HOSTS = {
    "railway": ("backboard.railway.com", "backboard.railway.app"),
    "neon": ("console.neon.tech",),
    "supabase": ("api.supabase.com",),
}
API_URL_ENV = {"railway": "RAILWAY_API_URL", "neon": "NEON_API_URL", "supabase": "SUPABASE_API_URL"}


def against_real_apis() -> bool:
    """False when any vendor endpoint (`<vendor>:apiUrl` or its env var) points somewhere else."""
    for vendor, hosts in REAL_API_HOSTS.items():
        url = pulumi.Config(vendor).get("apiUrl") or os.environ.get(API_URL_ENV[vendor])
        if url and urlsplit(url).hostname not in hosts:
            return False
    return True


def command_modes(config: StackConfig) -> tuple[CommandMode, CommandMode]:
    """(migrations, smoke): the env override, else the stack's setting with `auto` resolved."""
    override = os.environ.get(COMMANDS_OVERRIDE_ENV)
    if override:
        if override not in ("run", "echo", "skip"):
            raise pulumi.RunError(f"{COMMANDS_OVERRIDE_ENV}={override!r}: use run, echo or skip")
        return override, override  # type: ignore[return-value]
    auto: CommandMode = "run" if against_real_apis() else "echo"
    migrations, smoke = config.commands.migrations, config.commands.smoke
    return (auto if migrations == "auto" else migrations), (auto if smoke == "auto" else smoke)


def build(config: StackConfig, stack: str) -> dict[str, Any]:
    """Register every resource of the stack; return the stack outputs."""
    if config.pull_request is not None:
        from pull_request_stack import build_pull_request  # a PR stack: forked from its base (below)

        return build_pull_request(config, stack)
    migrations_mode, smoke_mode = command_modes(config)
    scope = _railway_scope(config)
    secrets = _secrets(config)
    database = _database(config, stack, scope)
    redis = _redis(config, scope)

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
                        triggers=[svc.image or f"{svc.repo}#{svc.branch or ''}"],
                        mode=migrations_mode,
                        variables=dict(svc.env or {}),
                    ),
                )
            )

    services: dict[str, WebService | Worker] = {}
    for name, svc in config.services.items():
        app = _app_args(config, name, svc, scope, secrets, database, redis, migrations)
        if svc.kind == "web":
            smoke = None
            if svc.smoke_path:
                timeout = int(config.commands.smoke_timeout.seconds)
                smoke = SmokeCheckArgs(path=svc.smoke_path, mode=smoke_mode, timeout_seconds=timeout)
            services[name] = WebService(
                name, WebServiceArgs(**vars(app), port=svc.port, domains=svc.domains, smoke=smoke)
            )
        else:
            services[name] = Worker(name, WorkerArgs(**vars(app), cron_schedule=svc.cron))

    alerts = _alerts(config, stack, scope, services)
    outputs = _outputs(scope, services, database, redis, alerts)
    outputs[PULL_REQUEST_BASE_OUTPUT] = pull_request_base(scope, services, database, redis)
    return outputs


def _reachable(url: str | None) -> str:
    if not url:
        raise pulumi.RunError("the database has no connection string reachable from here for migrations")
    return url


def _workspace(workspace_id: str | None) -> str:
    if not workspace_id:
        raise pulumi.RunError(
            "Railway notification rules need the workspace id (platform:railway.workspaceId)"
        )
    return workspace_id


def _railway_scope(config: StackConfig) -> RailwayEnvironment:
    r = config.railway
    railway_db = config.database is not None and config.database.engine == "railway"
    return RailwayEnvironment(
        "railway",
        RailwayEnvironmentArgs(
            project_name=r.project,
            project_id=r.project_id,
            environment_name=r.environment,
            environment_id=r.environment_id,
            workspace_id=r.workspace_id,
            # Deleting a project deletes a Railway database in it: protect both together.
            protect=railway_db and config.database is not None and config.database.protect,
        ),
    )


def _secrets(config: StackConfig) -> AppSecrets:
    generated: dict[str, GeneratedSecretArgs] = {}
    given: dict[str, pulumi.Input[str]] = {}
    for name in config.secret_names():
        spec = config.secrets.get(name)
        if spec is not None and spec.value is not None:
            given[name] = spec.value.get_secret_value()
        elif spec is not None and spec.external is not None:
            pulumi.log.warn(f"secret {name} is not set; the services that list it start without it")
        else:
            options = spec.generate if spec is not None and spec.generate else GeneratedSecret()
            generated[name] = GeneratedSecretArgs(
                length=options.length, special=options.special, rotation=options.rotation
            )
    return AppSecrets("secrets", AppSecretsArgs(generated=generated, given=given))


def _database(config: StackConfig, stack: str, scope: RailwayEnvironment) -> Database | None:
    db = config.database
    if db is None:
        return None
    common: dict[str, Any] = {
        "engine": db.engine,
        "name": f"{config.app}-{stack}",
        "protect": db.protect,
        "postgres_version": db.postgres,
    }
    if db.engine == "neon":
        args = DatabaseArgs(
            **common,
            region=db.region,
            database_name=db.name or "app",
            user=db.user or "app",
            min_cu=db.compute.min,
            max_cu=db.compute.max,
            suspend_timeout_seconds=db.compute.suspend_timeout_seconds,
            history_retention_seconds=db.history_retention_seconds,
            org_id=db.organization,
        )
    elif db.engine == "supabase":
        common.pop("postgres_version")  # validated in the config: Supabase has no version choice
        args = DatabaseArgs(
            **common,
            region=db.region,
            organization_slug=db.organization,
            instance_size=db.compute.size,
            pitr_days=int(db.backups.point_in_time.days) if db.backups.point_in_time else None,
            backup_time=f"{db.backups.time}:00" if db.backups.time else None,
        )
    else:
        args = DatabaseArgs(
            **common,
            region=db.region or config.railway.region,
            database_name=db.name,
            user=db.user,
            project_id=scope.project_id,
            environment_id=scope.environment_id,
            vcpus=db.compute.cpu,
            memory_gb=db.compute.memory.gb if db.compute.memory else None,
            backup_schedules=[s.upper() for s in db.railway_backup_schedules()] or None,
            public=db.public,
        )
    return Database("database", args)


def _redis(
    config: StackConfig, scope: RailwayScope, *, service_name: str = "redis", backups: bool = True
) -> RedisCache | None:
    """The stack's Redis, if it has one; a pull-request stack names its own and keeps no backups."""
    if not config.redis_enabled or config.redis is None:
        return None
    r = config.redis
    return RedisCache(
        "redis",
        RedisCacheArgs(
            project_id=scope.project_id,
            environment_id=scope.environment_id,
            region=r.region or config.railway.region,
            maxmemory=r.memory.redis(),
            maxmemory_gb=r.memory.gb,
            eviction=r.eviction,
            persistence=r.persistence,
            version=r.version,
            service_name=service_name,
            backup_schedules=([b.upper() for b in r.backups] or None) if backups else None,
        ),
    )


class RailwayScope(Protocol):
    project_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]


class ConnectedDatabase(Protocol):
    """What services are wired to: a stack's Database, or a pull request's DatabaseBranch."""

    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]
    extra_variables: dict[str, pulumi.Output[str]]
    secret_extra_variables: dict[str, pulumi.Output[str]]


class ConnectedRedis(Protocol):
    url: pulumi.Output[str]


def _app_args(
    config: StackConfig,
    name: str,
    svc: Service,
    scope: RailwayScope,
    secrets: AppSecrets,
    database: ConnectedDatabase | None,
    redis: ConnectedRedis | None,
    migrations: list[pulumi.Resource],
) -> RailwayAppArgs:
    uses = config.service_uses(name)
    variables: dict[str, pulumi.Input[str]] = dict(svc.env)
    secret_variables: dict[str, pulumi.Input[str]] = {
        key: secrets.values[key] for key in svc.secrets if key in secrets.values
    }
    if svc.kind == "worker" and svc.port is not None:
        variables.setdefault("PORT", str(svc.port))
    if database is not None and "database" in uses:
        secret_variables["DATABASE_URL"] = database.pooled_connection_uri
        secret_variables["DATABASE_DIRECT_URL"] = database.connection_uri
        variables.update(database.extra_variables)
        secret_variables.update(database.secret_extra_variables)
    if redis is not None and "redis" in uses:
        secret_variables["REDIS_URL"] = redis.url
    return RailwayAppArgs(
        project_id=scope.project_id,
        environment_id=scope.environment_id,
        regions=svc.replicas_by_region(config.railway.region),
        image=svc.image,
        repo=svc.repo,
        branch=svc.branch,
        root_directory=svc.root_directory,
        start_command=svc.start,
        pre_deploy_command=svc.pre_deploy or None,
        healthcheck_path=svc.healthcheck.path if svc.healthcheck else None,
        healthcheck_timeout=int(svc.healthcheck.timeout.seconds) if svc.healthcheck else None,
        restart_policy_type=svc.restart.railway_type if svc.restart else None,
        restart_policy_max_retries=svc.restart.max_retries if svc.restart else None,
        vcpus=svc.resources.cpu if svc.resources else None,
        memory_gb=svc.resources.memory.gb if svc.resources and svc.resources.memory else None,
        variables=variables,
        secret_variables=secret_variables,
        deploy_after=migrations,
    )


def _alerts(
    config: StackConfig, stack: str, scope: RailwayEnvironment, services: dict[str, WebService | Worker]
) -> AlertPolicy | None:
    alerts = config.alerts
    if alerts is None:
        return None
    watched = [
        WatchedService(
            name=name,
            kind=svc.kind,
            vcpus=svc.resources.cpu if svc.resources else None,
            memory_gb=svc.resources.memory.gb if svc.resources and svc.resources.memory else None,
            uses_database="database" in config.service_uses(name),
            service_id=services[name].service_id,
        )
        for name, svc in config.services.items()
    ]
    rules = [
        AlertRuleSpec(
            metric=r.metric,
            above=r.above,
            for_seconds=r.for_.seconds,
            severity=r.severity,
            service=r.service,
            queue=r.queue,
            expr=r.expr,
        )
        for r in alerts.rules
    ]
    webhook = alerts.channels.webhook
    return AlertPolicy(
        "alerts",
        AlertPolicyArgs(
            workspace_id=scope.workspace_id.apply(_workspace),
            project_id=scope.project_id,
            environment=stack,
            event_types=alerts.events,
            severities=alerts.severities,
            webhook_url=webhook.get_secret_value() if webhook else None,
            emails=alerts.channels.email,
            rules=rules,
            services=watched,
            environment_id=scope.environment_id,
        ),
    )


def _outputs(
    scope: RailwayEnvironment,
    services: dict[str, WebService | Worker],
    database: Database | None,
    redis: RedisCache | None,
    alerts: AlertPolicy | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "railwayProjectId": scope.project_id,
        "railwayEnvironmentId": scope.environment_id,
    }
    described: dict[str, Any] = {}
    for name, component in services.items():
        entry: dict[str, Any] = {"serviceId": component.service_id}
        if isinstance(component, WebService):
            entry.update(
                url=component.url, customUrls=component.custom_urls, dnsRecords=component.dns_records
            )
        described[name] = entry
    out["services"] = described
    if database is not None:
        out.update(
            databaseUrl=database.connection_uri,
            databasePooledUrl=database.pooled_connection_uri,
            databaseHost=database.host,
            databasePort=database.port,
            databaseName=database.database_name,
            databaseUser=database.user,
        )
    if redis is not None:
        out["redisUrl"] = redis.url
    if alerts is not None:
        out["alertRules"] = alerts.rules_document
        out["alertEnforcement"] = alerts.enforcement
    return out


# -- what a pull-request stack reads from its base --------------------------------------------------------
PULL_REQUEST_BASE_OUTPUT = "pullRequestBase"


def pull_request_base(
    scope: RailwayEnvironment,
    services: dict[str, WebService | Worker],
    database: Database | None,
    redis: RedisCache | None,
) -> pulumi.Output[dict[str, Any]]:
    """The `pullRequestBase` output: the ids a pull-request stack forks from (Railway project and
    environment, the services, the database to branch), and `objectIds`, every object of this stack a
    pull-request stack must never delete or act in, with what it is. The Railway and Neon projects are
    containers a PR's objects live in, so they are not in `objectIds`."""
    owned: dict[str, pulumi.Output[str]] = {"environment": scope.environment_id}
    service_ids = {name: component.service_id for name, component in services.items()}
    for name, service_id in service_ids.items():
        owned[f"Railway service {name}"] = service_id
    db: dict[str, Any] = {}
    if redis is not None:
        owned["Railway service redis"] = redis.service.id
        if redis.volume is not None:
            owned["Railway volume of redis"] = redis.volume.id
    if database is not None and getattr(database, "neon_project", None) is not None:
        project = database.neon_project
        db = {
            "engine": "neon",
            "neonProjectId": project.id,
            "neonBranchId": project.default_branch_id,
            "databaseName": project.database_name,
            "roleName": project.role_name,
        }
        owned["Neon branch (the base's database)"] = project.default_branch_id
        owned["Neon endpoint (the base's compute)"] = project.default_endpoint_id
    elif database is not None and getattr(database, "supabase_project", None) is not None:
        db = {"engine": "supabase", "supabaseRef": database.supabase_project.ref}
        owned["Supabase project (the base's database)"] = database.supabase_project.ref
    elif database is not None and getattr(database, "railway_service", None) is not None:
        db = {"engine": "railway", "railwayServiceId": database.railway_service.id}
        owned["Railway service postgres (the base's database)"] = database.railway_service.id
        owned["Railway volume of postgres"] = database.railway_volume.id
    labels = list(owned)
    object_ids = pulumi.Output.all(*owned.values()).apply(
        lambda ids: {
            str(i): ("Railway environment" if label == "environment" else label)
            for label, i in zip(labels, ids, strict=True)
            if i
        }
    )
    return pulumi.Output.all(
        railwayProjectId=scope.project_id,
        railwayEnvironmentId=scope.environment_id,
        services=pulumi.Output.all(**service_ids) if service_ids else {},
        redisServiceId=redis.service.id if redis is not None else None,
        database=pulumi.Output.all(**db) if db else {},
        objectIds=object_ids,
    )
