"""The whole `platform:` namespace of a stack file, and the rules that span its sections."""

from __future__ import annotations

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from stack_config.alerts import Alerts
from stack_config.commands import Commands
from stack_config.database import Database
from stack_config.fields import _RESOURCE_NAME, Model, Problems, _env_names
from stack_config.pull_request import PullRequest
from stack_config.railway import RailwayScope
from stack_config.redis import Redis
from stack_config.secrets import SecretSpec, SecretSpecField
from stack_config.services import Service


class StackConfig(Model):
    """Everything under `platform:` in one stack file."""

    app: str = Field(description="application name; prefixes every vendor object's name")
    railway: RailwayScope
    services: dict[str, Service] = Field(default_factory=dict)
    database: Database | None = None
    redis: Redis | None = None
    alerts: Alerts | None = None
    secrets: dict[str, SecretSpecField] = Field(default_factory=dict)
    commands: Commands = Commands()
    pull_request: PullRequest | None = None

    @field_validator("app")
    @classmethod
    def _app(cls, value: str) -> str:
        if not _RESOURCE_NAME.match(value):
            raise ValueError(f"{value!r}: 2 to 40 lower-case letters, digits and -, starting with a letter")
        return value

    @field_validator("services")
    @classmethod
    def _service_names(cls, value: dict[str, Service]) -> dict[str, Service]:
        bad = [n for n in value if not _RESOURCE_NAME.match(n) or n in ("postgres", "redis")]
        if bad:
            raise ValueError(
                f"service name {bad[0]!r}: 2 to 40 lower-case letters, digits and -, not postgres/redis"
            )
        return value

    @field_validator("secrets")
    @classmethod
    def _secret_values(cls, value: dict[str, SecretSpec], info: ValidationInfo) -> dict[str, SecretSpec]:
        _env_names(value, "secret")
        given = [n for n, spec in value.items() if spec.value is not None]
        if given and not (info.context or {}).get("secrets_secret", False):
            raise ValueError(
                f"{given[0]} has a value in plain text: set it with `pulumi config set --secret --path "
                f"'platform:secrets.{given[0]}' <value>`"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> StackConfig:
        problems = Problems()
        for name, svc in self.services.items():
            uses = svc.uses or []
            if "database" in uses and self.database is None:
                problems.add(f"services.{name}.uses", "database, but the stack has no database")
            if "redis" in uses and not self.redis_enabled:
                problems.add(f"services.{name}.uses", "redis, but the stack has no redis")
            if svc.migrate and self.database is None:
                problems.add(f"services.{name}.migrate", "there is no database to migrate")
            wired = {"DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL"} & (set(svc.env) | set(svc.secrets))
            if wired:
                problems.add(f"services.{name}", f"{', '.join(sorted(wired))} is set by the program (wiring)")
        for index, rule in enumerate(self.alerts.rules if self.alerts else []):
            where = f"alerts.rules[{index}]"
            if rule.service is not None and rule.service not in self.services:
                problems.add(f"{where}.service", f"no service {rule.service!r}")
            if rule.metric == "pool_usage" and self.database is None:
                problems.add(f"{where}.metric", "pool_usage needs a database")
            if rule.metric in ("error_rate", "p95_latency") and not self.web_services():
                problems.add(f"{where}.metric", f"{rule.metric} needs a web service")
            if rule.metric in ("memory", "cpu"):
                limit = "memory" if rule.metric == "memory" else "cpu"
                targets = [rule.service] if rule.service else list(self.services)
                for target in targets:
                    watched = self.services.get(target)
                    if watched is not None and getattr(watched.resources, limit, None) is None:
                        problems.add(
                            f"services.{target}.resources.{limit}",
                            f"alerts.rules[{index}] ({rule.metric} above a percentage) needs the limit it is "
                            "a percentage of",
                        )
        for secret in self.secret_names():
            spec = self.secrets.get(secret)
            if spec is not None and spec.external is not None and spec.external.required:
                problems.add(
                    f"secrets.{secret}",
                    "is not set: run `pulumi config set --secret --path "
                    f"'platform:secrets.{secret}' <value>`",
                )
        alerting = self.alerts is not None and bool(self.alerts.events or self.alerts.rules)
        if alerting and not self.railway.creates_project and not self.railway.workspace_id:
            problems.add(
                "railway.workspaceId", "Railway notification rules need the workspace of an existing project"
            )
        if self.database is not None and self.database.engine == "railway" and not self.database.public:
            for name, svc in self.services.items():
                if svc.migrate and self.commands.migrations in ("run", "auto"):
                    problems.add(
                        f"services.{name}.migrate",
                        "migrations run where `pulumi up` runs, outside Railway's private network: set "
                        "database.public: true (a TCP proxy), or run them inside Railway with preDeploy",
                    )
        pr = self.pull_request
        if pr is not None and pr.image is not None and not any(s.image for s in self.services.values()):
            problems.add("pullRequest.image", "no service of this stack is built from an image")
        if pr is not None and pr.branch is None and any(s.repo for s in self.services.values()):
            problems.add("pullRequest.branch", "is required: services built from a repo deploy this branch")
        problems.raise_if_any()
        return self

    @property
    def is_pull_request(self) -> bool:
        return self.pull_request is not None

    # -- derived --------------------------------------------------------------------------------------------
    @property
    def redis_enabled(self) -> bool:
        return self.redis is not None and self.redis.enabled

    def web_services(self) -> dict[str, Service]:
        return {n: s for n, s in self.services.items() if s.kind == "web"}

    def service_uses(self, name: str) -> list[str]:
        """What a service is wired to: its `uses`, or everything the stack has."""
        svc = self.services[name]
        if svc.uses is not None:
            return list(svc.uses)
        out = []
        if self.database is not None:
            out.append("database")
        if self.redis_enabled:
            out.append("redis")
        return out

    def secret_names(self) -> list[str]:
        names: dict[str, None] = {}
        for svc in self.services.values():
            names.update(dict.fromkeys(svc.secrets))
        return list(names)

    def warnings(self) -> list[str]:
        """Settings that are legal but probably not what is meant."""
        out = []
        workers = [
            n for n, s in self.services.items() if s.kind == "worker" and "redis" in self.service_uses(n)
        ]
        if self.redis_enabled and self.redis and workers and self.redis.eviction != "noeviction":
            out.append(
                f"platform:redis.eviction is {self.redis.eviction} while worker(s) {', '.join(workers)} use "
                "Redis: job queues kept in Redis (BullMQ, arq) need noeviction, or Redis may drop queued jobs"
            )
        return out
