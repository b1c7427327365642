"""Database: one Postgres interface over Neon, Supabase and Railway.

Every engine gives the same outputs: `connection_uri` and `pooled_connection_uri` (secrets), `host`,
`port`, `database_name`, `user`, and `external_uri` (secret; reachable from outside the engine's network,
for migrations run where `pulumi up` runs, or None). Backups map to what each engine has: Neon's history
retention, Supabase's PITR add-on and daily backup time, Railway's volume backup schedules. A setting the
chosen engine cannot honour raises an error naming it; nothing is silently dropped. `protect` sets
Pulumi's protect on the stateful resources (the Neon/Supabase project; Railway's service and volume).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

import pulumi

from components.app_secrets import connection_password
from providers import neon, railway, supabase

Engine = Literal["neon", "supabase", "railway"]

RAILWAY_POSTGRES_IMAGE = "ghcr.io/railwayapp-templates/postgres-ssl"
RAILWAY_POSTGRES_MOUNT = "/var/lib/postgresql/data"
POSTGRES_PORT = 5432

# The settings each engine honours; any other setting given is an error.
_ENGINE_SETTINGS: dict[str, set[str]] = {
    "neon": {
        "postgres_version",
        "database_name",
        "user",
        "min_cu",
        "max_cu",
        "suspend_timeout_seconds",
        "history_retention_seconds",
        "org_id",
    },
    "supabase": {"organization_slug", "instance_size", "pitr_days", "backup_time", "password_rotation"},
    "railway": {
        "service_name",
        "postgres_version",
        "database_name",
        "user",
        "project_id",
        "environment_id",
        "vcpus",
        "memory_gb",
        "backup_schedules",
        "public",
        "password_rotation",
    },
}
_COMMON = {"engine", "name", "region", "protect"}


@dataclass
class DatabaseArgs:
    engine: Engine
    name: str
    """Name of the vendor object (Neon/Supabase project, Railway service)."""
    region: str | None = None
    protect: bool = False
    postgres_version: int | None = None
    database_name: str | None = None
    user: str | None = None
    # Neon
    min_cu: float | None = None
    max_cu: float | None = None
    suspend_timeout_seconds: int | None = None
    history_retention_seconds: int | None = None
    org_id: str | None = None
    # Supabase
    organization_slug: str | None = None
    instance_size: str | None = None
    pitr_days: int | None = None
    backup_time: str | None = None
    """Daily backup time, UTC `HH:MM:SS`."""
    # Railway
    project_id: pulumi.Input[str] | None = None
    environment_id: pulumi.Input[str] | None = None
    vcpus: float | None = None
    memory_gb: float | None = None
    backup_schedules: Sequence[str] | None = None
    """DAILY (kept 6 days), WEEKLY (1 month), MONTHLY (3 months)."""
    public: bool = False
    """Railway: a TCP proxy, so the database is reachable from outside Railway (migrations, tools)."""
    # Supabase, Railway: the password is generated; change this keeper to rotate it.
    password_rotation: str | None = None
    service_name: str | None = None
    """Railway: the database service's name and private host (default `postgres`); a pull request's
    database in a forked environment needs a name of its own beside the base's copied one."""


def unsupported_settings(args: DatabaseArgs) -> list[str]:
    """The settings given that `args.engine` cannot honour."""
    allowed = _ENGINE_SETTINGS[args.engine] | _COMMON
    defaults = {f.name: f.default for f in fields(DatabaseArgs)}
    return [
        f.name
        for f in fields(args)
        if f.name not in allowed and getattr(args, f.name) not in (None, defaults[f.name], (), [])
    ]


class Database(pulumi.ComponentResource):
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]
    external_uri: pulumi.Output[str | None]
    host: pulumi.Output[str]
    port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    user: pulumi.Output[str]
    extra_variables: dict[str, pulumi.Output[str]]
    """Engine-specific variables for the services (Supabase: SUPABASE_URL and its API keys)."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:Database", name, None, opts)
        unsupported = unsupported_settings(args)
        if unsupported:
            raise ValueError(f"{name}: {args.engine} cannot honour {', '.join(unsupported)}")
        self.extra_variables = {}
        self.secret_extra_variables: dict[str, pulumi.Output[str]] = {}
        {"neon": self._neon, "supabase": self._supabase, "railway": self._railway}[args.engine](name, args)
        self.register_outputs(
            {
                "engine": args.engine,
                "connection_uri": self.connection_uri,
                "pooled_connection_uri": self.pooled_connection_uri,
                "external_uri": self.external_uri,
                "host": self.host,
                "port": self.port,
                "database_name": self.database_name,
                "user": self.user,
            }
        )

    # -- Neon ---------------------------------------------------------------------------------------------
    def _neon(self, name: str, args: DatabaseArgs) -> None:
        if args.region is None:
            raise ValueError(f"{name}: neon needs a region")
        project = neon.Project(
            f"{name}-project",
            neon.ProjectArgs(
                name=args.name,
                region_id=args.region,
                pg_version=args.postgres_version,
                autoscaling_min_cu=args.min_cu,
                autoscaling_max_cu=args.max_cu,
                suspend_timeout_seconds=args.suspend_timeout_seconds,
                history_retention_seconds=args.history_retention_seconds,
                org_id=args.org_id,
                database_name=args.database_name,
                role_name=args.user,
            ),
            pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.neon_project = project
        self.connection_uri = pulumi.Output.secret(project.connection_uri)
        self.pooled_connection_uri = pulumi.Output.secret(project.pooled_connection_uri)
        self.external_uri = self.connection_uri
        self.host = project.host
        self.port = project.port
        self.database_name = project.database_name
        self.user = project.role_name

    # -- Supabase -----------------------------------------------------------------------------------------
    def _supabase(self, name: str, args: DatabaseArgs) -> None:
        if args.region is None or args.organization_slug is None:
            raise ValueError(f"{name}: supabase needs a region and an organization_slug")
        password = connection_password(self, name, args.password_rotation)
        project = supabase.Project(
            f"{name}-project",
            supabase.ProjectArgs(
                organization_slug=args.organization_slug,
                name=args.name,
                region=args.region,
                database_password=password.result,
                instance_size=args.instance_size,
            ),
            pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.supabase_project = project
        if args.pitr_days is not None or args.backup_time is not None:
            self.backup_policy = supabase.BackupPolicy(
                f"{name}-backups",
                supabase.BackupPolicyArgs(
                    project_ref=project.ref, pitr_days=args.pitr_days, schedule_for=args.backup_time
                ),
                pulumi.ResourceOptions(parent=self),
            )
        self.connection_uri = pulumi.Output.secret(project.connection_uri)
        self.pooled_connection_uri = pulumi.Output.secret(project.pooled_connection_uri)
        self.external_uri = self.connection_uri
        self.host = project.database_host
        self.port = project.database_port
        self.database_name = project.database_name
        self.user = project.database_user
        self.extra_variables = {"SUPABASE_URL": project.api_url}
        self.secret_extra_variables = {
            "SUPABASE_ANON_KEY": pulumi.Output.secret(project.anon_key),
            "SUPABASE_SERVICE_ROLE_KEY": pulumi.Output.secret(project.service_role_key),
        }

    # -- Railway ------------------------------------------------------------------------------------------
    def _railway(self, name: str, args: DatabaseArgs) -> None:
        if args.project_id is None or args.environment_id is None or args.region is None:
            raise ValueError(f"{name}: railway needs project_id, environment_id and region")
        version = args.postgres_version or 16
        database_name = args.database_name or "app"
        user = args.user or "app"
        service_name = args.service_name or "postgres"
        password = connection_password(self, name, args.password_rotation)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        service = railway.Service(
            f"{name}-service",
            railway.ServiceArgs(
                project_id=args.project_id,
                environment_id=args.environment_id,
                name=service_name,
                image=f"{RAILWAY_POSTGRES_IMAGE}:{version}",
                variables=_secret(password.result).apply(
                    lambda pw: {
                        "POSTGRES_USER": user,
                        "POSTGRES_PASSWORD": pw,
                        "POSTGRES_DB": database_name,
                        "PGDATA": f"{RAILWAY_POSTGRES_MOUNT}/pgdata",
                    }
                ),
            ),
            stateful,
        )
        volume = railway.Volume(
            f"{name}-volume",
            railway.VolumeArgs(
                project_id=args.project_id,
                service_id=service.id,
                environment_id=args.environment_id,
                mount_path=RAILWAY_POSTGRES_MOUNT,
                region=args.region,
                backup_schedules=list(args.backup_schedules) if args.backup_schedules else None,
            ),
            pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        instance = railway.ServiceInstance(
            f"{name}-instance",
            railway.ServiceInstanceArgs(
                service_id=service.id,
                environment_id=args.environment_id,
                regions={args.region: 1},
                restart_policy_type="ALWAYS",
                vcpus=args.vcpus,
                memory_gb=args.memory_gb,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[volume]),
        )
        self.railway_service, self.railway_volume, self.railway_instance = service, volume, instance
        host = f"{service_name}.railway.internal"
        direct = pulumi.Output.all(password.result, instance.deployment_id).apply(
            lambda v: f"postgresql://{user}:{v[0]}@{host}:{POSTGRES_PORT}/{database_name}"
        )
        self.connection_uri = pulumi.Output.secret(direct)
        # Railway has no connection pooler: the pooled URI is the direct one.
        self.pooled_connection_uri = self.connection_uri
        self.external_uri = pulumi.Output.from_input(None)
        if args.public:
            proxy = railway.TcpProxy(
                f"{name}-proxy",
                railway.TcpProxyArgs(
                    service_id=service.id, environment_id=args.environment_id, application_port=POSTGRES_PORT
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[instance]),
            )
            self.tcp_proxy = proxy
            self.external_uri = pulumi.Output.secret(
                pulumi.Output.all(password.result, proxy.domain, proxy.proxy_port).apply(
                    lambda v: f"postgresql://{user}:{v[0]}@{v[1]}:{v[2]}/{database_name}?sslmode=require"
                )
            )
        self.host = pulumi.Output.from_input(host)
        self.port = pulumi.Output.from_input(POSTGRES_PORT)
        self.database_name = pulumi.Output.from_input(database_name)
        self.user = pulumi.Output.from_input(user)


def _secret(value: pulumi.Input[str]) -> pulumi.Output[str]:
    secret: pulumi.Output[str] = pulumi.Output.secret(value)
    return secret
