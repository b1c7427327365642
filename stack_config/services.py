"""The `platform:services` section: web services and workers, their health checks, restart policy,
resources and migrations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from providers import railway
from stack_config.fields import (
    _CRON_FIELD,
    _CRON_RANGES,
    _DOMAIN,
    RAILWAY_MAX_REPLICAS,
    RAILWAY_REGIONS,
    Duration,
    DurationField,
    Model,
    Problems,
    RailwayRegion,
    Size,
    SizeField,
    _cron_field,
    _env_names,
    region_error,
)


class HealthCheck(Model):
    path: str
    timeout: DurationField = Duration(300)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"{value!r} must be a path starting with /")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: Duration) -> Duration:
        if not 1 <= value.seconds <= railway.MAX_HEALTHCHECK_TIMEOUT_SECONDS:
            raise ValueError("must be between 1s and 1h")
        return value


class RestartPolicy(Model):
    policy: Literal["always", "on_failure", "never"] = "on_failure"
    max_retries: int | None = Field(None, ge=0, le=railway.MAX_RESTART_RETRIES)

    @model_validator(mode="after")
    def _retries(self) -> RestartPolicy:
        if self.max_retries is not None and self.policy != "on_failure":
            raise ValueError("maxRetries applies only to policy on_failure")
        return self

    @property
    def railway_type(self) -> str:
        return self.policy.upper()


class Resources(Model):
    cpu: float | None = Field(None, gt=0, le=32, description="vCPUs")
    memory: SizeField | None = None

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: Size | None) -> Size | None:
        if value is not None and not 0.125 <= value.gb <= 32:
            raise ValueError("must be between 128mb and 32gb")
        return value


class Migration(Model):
    command: str
    dir: str | None = Field(None, description="working directory of the command (default: the project)")


def _shorthand_for(key: str, convert: Callable[[str], str] = str) -> BeforeValidator:
    """A plain string in the stack file stands for `{key: string}` (`healthcheck: /health`)."""
    return BeforeValidator(lambda value: {key: convert(value)} if isinstance(value, str) else value)


class Service(Model):
    kind: Literal["web", "worker"]
    image: str | None = None
    repo: str | None = None
    branch: str | None = None
    root_directory: str | None = None
    start: str | None = None
    pre_deploy: list[str] = Field(default_factory=list)
    port: int | None = Field(None, ge=1, le=65535)
    healthcheck: Annotated[HealthCheck | None, _shorthand_for("path")] = None
    replicas: dict[str, int] | int = 1
    region: RailwayRegion | None = None
    restart: Annotated[RestartPolicy | None, _shorthand_for("policy", str.lower)] = None
    resources: Resources | None = None
    cron: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    uses: list[Literal["database", "redis"]] | None = None
    migrate: Annotated[Migration | None, _shorthand_for("command")] = None
    smoke: str | None = Field(None, description="path the smoke check requests (default: the health check)")

    @field_validator("pre_deploy", mode="before")
    @classmethod
    def _pre_deploy(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        _env_names(value, "env")
        # Stack files often write numbers and booleans; Railway variables are strings.
        return {
            k: (json.dumps(v) if isinstance(v, bool) else str(v)) if not isinstance(v, str) else v
            for k, v in value.items()
        }

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: list[str]) -> list[str]:
        _env_names(value, "secret")
        return value

    @field_validator("replicas", mode="before")
    @classmethod
    def _replicas(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            if {"min", "max"} & set(value):
                raise ValueError(
                    "Railway runs a fixed number of replicas (it scales each replica vertically, not their "
                    "count): give a number, or a number per region"
                )
            bad = [r for r in value if r not in RAILWAY_REGIONS]
            if bad:
                raise ValueError(region_error("Railway", bad[0], RAILWAY_REGIONS))
            if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in value.values()):
                raise ValueError("each region's replica count must be a whole number >= 1")
            return dict(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number, or a number per region ({us-west2: 2})")
        if value < 1:
            raise ValueError("must be >= 1")
        return value

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not _DOMAIN.match(d)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a domain name (lower case, e.g. app.example.com)")
        if len(set(value)) != len(value):
            raise ValueError("lists a domain twice")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(f"{value!r} is not a five-field cron expression (e.g. '*/15 * * * *')")
        problems = [
            p
            for f, (name, low, high) in zip(fields, _CRON_RANGES, strict=True)
            for p in _cron_field(f, name, low, high)
        ]
        if problems:
            raise ValueError(f"{value!r}: " + "; ".join(problems))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        problems = Problems()
        if bool(self.image) == bool(self.repo):
            problems.add("", "give exactly one source: image, or repo (+ branch)")
        if self.branch and not self.repo:
            problems.add("branch", "applies only to a repo source")
        if self.repo and not re.match(r"^[\w.-]+/[\w.-]+$", self.repo):
            problems.add("repo", f"{self.repo!r} must be owner/name")
        if self.kind == "worker" and self.domains:
            problems.add("domains", "a worker has no public networking: domains apply to kind web")
        if self.kind == "worker" and self.healthcheck and self.port is None:
            problems.add("healthcheck", "needs the port the worker listens on (port)")
        if self.cron and self.kind != "worker":
            problems.add("cron", "applies to kind worker (a web service runs continuously)")
        elif self.cron and self.total_replicas != 1:
            problems.add("replicas", "a cron worker runs one replica (Railway starts it on schedule)")
        overlap = set(self.env) & set(self.secrets)
        if overlap:
            problems.add("secrets", f"{', '.join(sorted(overlap))} is both in env and in secrets")
        if self.total_replicas > RAILWAY_MAX_REPLICAS:
            problems.add("replicas", f"Railway allows at most {RAILWAY_MAX_REPLICAS} replicas in total")
        problems.raise_if_any()
        return self

    @property
    def total_replicas(self) -> int:
        return sum(self.replicas.values()) if isinstance(self.replicas, dict) else self.replicas

    def replicas_by_region(self, default_region: str) -> dict[str, int]:
        if isinstance(self.replicas, dict):
            return dict(self.replicas)
        return {self.region or default_region: self.replicas}

    @property
    def smoke_path(self) -> str | None:
        if self.smoke:
            return self.smoke
        return self.healthcheck.path if self.healthcheck else None
