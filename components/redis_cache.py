"""RedisCache: Redis as a Railway image service with a volume, a generated password, a memory limit, an
eviction policy and persistence; reachable only on Railway's private network.

What waits on what, and why (nothing else waits):
- the service needs the password (its REDIS_PASSWORD variable must be there for the first deployment);
- the volume needs the service (Railway attaches a volume to a service);
- the instance (settings + deployment) waits for the volume, so the deployment that serves data has it
  mounted at /data (a deployment started without it would persist nothing, and attaching it later redeploys);
- `url` needs only the password: the host is `<service name>.railway.internal`, fixed by the name we
  choose. It carries no dependency on the service or its deployment, so the apps that use Redis are created
  and deployed alongside it; an app that starts before its Redis is up gets connection errors and is
  restarted by Railway (restart policy), as it would be after any Redis restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi

from components.app_secrets import connection_password
from providers import railway

Persistence = Literal["none", "rdb", "aof", "aof+rdb"]
REDIS_PORT = 6379
REDIS_MOUNT = "/data"
# RDB snapshots: after 1 h if 1 key changed, 5 min if 100, 1 min if 10000 (Redis's own defaults).
RDB_SAVE = "3600 1 300 100 60 10000"


@dataclass
class RedisCacheArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    region: str
    maxmemory: str = "256mb"
    """Redis `maxmemory`, e.g. `2gb`."""
    maxmemory_gb: float = 0.25
    """The same in GB; the container's memory limit leaves room above it (fork for RDB/AOF rewrite)."""
    eviction: str = "noeviction"
    persistence: Persistence = "rdb"
    version: int = 7
    service_name: str = "redis"
    password_rotation: str | None = None
    backup_schedules: list[str] | None = None


def redis_start_command(args: RedisCacheArgs) -> str:
    """The start command; the password comes from the REDIS_PASSWORD variable, never the command line."""
    flags = [
        "--bind '* -::*'",  # IPv4 and IPv6: Railway's private network may be either
        f"--port {REDIS_PORT}",
        '--requirepass "$REDIS_PASSWORD"',
        f"--maxmemory {args.maxmemory}",
        f"--maxmemory-policy {args.eviction}",
    ]
    if args.persistence == "none":
        flags += ["--save ''", "--appendonly no"]
    else:
        flags.append(f"--dir {REDIS_MOUNT}")
        flags.append(f"--save '{RDB_SAVE}'" if "rdb" in args.persistence else "--save ''")
        flags.append(
            "--appendonly yes --appendfsync everysec" if "aof" in args.persistence else "--appendonly no"
        )
    return '/bin/sh -c "exec redis-server ' + " ".join(f.replace('"', '\\"') for f in flags) + '"'


def container_memory_gb(maxmemory_gb: float) -> float:
    # Redis needs headroom above maxmemory for fragmentation and the fork that persistence uses.
    return round(max(0.5, maxmemory_gb * 1.5), 2)


def redis_url(password: pulumi.Output[str], service_name: str) -> pulumi.Output[str]:
    """The private-network URL, from the password alone (see the module docstring for why)."""
    return pulumi.Output.secret(
        password.apply(lambda pw: f"redis://default:{pw}@{service_name}.railway.internal:{REDIS_PORT}")
    )


class RedisCache(pulumi.ComponentResource):
    url: pulumi.Output[str]
    """redis://default:<password>@<service>.railway.internal:6379 (secret; private network only)."""
    host: pulumi.Output[str]
    port: pulumi.Output[int]

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:RedisCache", name, None, opts)
        if args.persistence == "none" and args.backup_schedules:
            raise ValueError(f"{name}: backups need persistence (a volume)")
        self.password = connection_password(self, name, args.password_rotation)
        secret_password: pulumi.Output[str] = pulumi.Output.secret(self.password.result)
        self.service = railway.Service(
            f"{name}-service",
            railway.ServiceArgs(
                project_id=args.project_id,
                environment_id=args.environment_id,
                name=args.service_name,
                image=f"redis:{args.version}",
                variables=secret_password.apply(lambda pw: {"REDIS_PASSWORD": pw}),
            ),
            pulumi.ResourceOptions(parent=self),
        )
        deploy_after: list[pulumi.Resource] = []
        self.volume = None
        if args.persistence != "none":
            self.volume = railway.Volume(
                f"{name}-volume",
                railway.VolumeArgs(
                    project_id=args.project_id,
                    service_id=self.service.id,
                    environment_id=args.environment_id,
                    mount_path=REDIS_MOUNT,
                    region=args.region,
                    backup_schedules=args.backup_schedules,
                ),
                pulumi.ResourceOptions(parent=self),
            )
            deploy_after.append(self.volume)
        self.instance = railway.ServiceInstance(
            f"{name}-instance",
            railway.ServiceInstanceArgs(
                service_id=self.service.id,
                environment_id=args.environment_id,
                start_command=redis_start_command(args),
                regions={args.region: 1},
                restart_policy_type="ALWAYS",
                memory_gb=container_memory_gb(args.maxmemory_gb),
            ),
            pulumi.ResourceOptions(parent=self, depends_on=deploy_after),
        )
        self.host = pulumi.Output.from_input(f"{args.service_name}.railway.internal")
        self.port = pulumi.Output.from_input(REDIS_PORT)
        self.url = redis_url(secret_password, args.service_name)
        self.register_outputs({"url": self.url, "host": self.host, "port": self.port})
