"""Railway dynamic resources: one Resource and one ResourceProvider per Railway object.

Type tokens are `pulumi-python:dynamic/railway:<Kind>`. Credentials come from `configure()` only:
`railway:token` / `RAILWAY_API_TOKEN` (account or workspace token, sent as Bearer), optionally
`railway:projectToken` / `RAILWAY_TOKEN` (project token, sent as `Project-Access-Token`), and
`railway:apiUrl` / `RAILWAY_API_URL` (default the real endpoint).

Choices worth knowing:
- Outputs are the inputs plus what Railway computed; `read` refreshes the inputs the user set and returns
  them too, so a refresh followed by a preview diffs against what Railway really holds.
- A setting the user removes is cleared (`null`); a setting never set is never sent.
- `ServiceInstance` applies settings and then deploys (`serviceInstanceDeployV2`), waiting for SUCCESS;
  FAILED or CRASHED fail the step with the status and the last log lines. Deleting a `ServiceInstance`
  sends nothing: the service owns its instance and removes it with itself, and resetting settings of a
  live service would redeploy it with defaults nobody asked for.
- `Service.variables` are passed to `serviceCreate`, so the first build already has them; later changes
  go to the service's `environment_id` (or the project's default environment).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from providers.base import (
    INPUTS_CONFIG,
    CredentialsMissingError,
    PlatformProvider,
    PollPolicy,
    Setting,
    changed_keys,
    poll_until,
    resource_props,
    strip_provider,
    unless_gone,
    with_secret_outputs,
)
from providers.http import AmbiguousRequestError, ApiError, Secret
from providers.railway.client import CLEAR, DEFAULT_API_URL, RailwayClient, is_not_found

API_TOKEN = Setting("railway:token", "RAILWAY_API_TOKEN", secret=True)
PROJECT_TOKEN = Setting("railway:projectToken", "RAILWAY_TOKEN", secret=True)
API_URL = Setting("railway:apiUrl", "RAILWAY_API_URL", default=DEFAULT_API_URL)

# Railway Metal regions (docs `deployments/regions.md`). There is no Canadian region.
KNOWN_REGIONS: tuple[str, ...] = (
    "us-west2",
    "us-east4-eqdc4a",
    "europe-west4-drams3a",
    "asia-southeast1-eqsg3a",
)
MAX_TOTAL_REPLICAS = 50  # the Railway CLI's MAX_TOTAL_REPLICAS
MAX_HEALTHCHECK_TIMEOUT_SECONDS = 3600
MAX_RESTART_RETRIES = 100
DEFAULT_DEPLOY_TIMEOUT = 900.0

RestartPolicyType = Literal["ALWAYS", "NEVER", "ON_FAILURE"]
Builder = Literal["HEROKU", "NIXPACKS", "PAKETO", "RAILPACK"]
BackupSchedule = Literal["DAILY", "WEEKLY", "MONTHLY"]
Severity = Literal["CRITICAL", "INFO", "NOTICE", "WARNING"]

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DeploymentFailedError(Exception):
    """A Railway deployment ended FAILED, CRASHED or REMOVED."""

    def __init__(self, deployment_id: str, status: str, log_tail: list[str], subject: str) -> None:
        self.deployment_id = deployment_id
        self.status = status
        self.log_tail = log_tail
        lines = "\n".join(f"  {line}" for line in log_tail) or "  (no log lines)"
        super().__init__(f"{subject}: deployment {deployment_id} ended {status}; last log lines:\n{lines}")


# -- shared provider plumbing ----------------------------------------------------------------------
class RailwayProvider(PlatformProvider):
    """Credentials from `configure()`, a lazily built client, and the diff/read helpers all resources use."""

    # Optional inputs that Railway fills in when unset (e.g. the workspace): unset is no change.
    computed_if_unset: ClassVar[frozenset[str]] = frozenset()

    # Test hooks: nothing waits in tests. Dropped when pickled, like everything set on the instance.
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self._config = req.config
        self._railway: RailwayClient | None = None

    def client(self) -> RailwayClient:
        cached: RailwayClient | None = getattr(self, "_railway", None)
        if cached is not None:
            return cached
        config = getattr(self, "_config", None)
        token = API_TOKEN.read(config)
        project_token = PROJECT_TOKEN.read(config)
        if not token and not project_token:
            raise CredentialsMissingError(
                API_TOKEN.missing_message()
                + f" (or, for one environment only, {PROJECT_TOKEN.config_key} / {PROJECT_TOKEN.env_var})"
            )
        client = RailwayClient(
            token=Secret(token) if token else None,
            project_token=Secret(project_token) if project_token else None,
            api_url=API_URL.read(config) or DEFAULT_API_URL,
            sleep=self.sleep,
        )
        self._railway = client
        return client

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        news = dict(news)
        for key in self.computed_if_unset:
            if news.get(key) is None and olds.get(key) is not None:
                news[key] = olds[key]
        return super().diff(_id, olds, news)

    def inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The input keys of `props` (outputs hold inputs plus computed values)."""
        keys = self.Inputs.model_fields.keys()
        return {k: v for k, v in strip_provider(props).items() if k in keys and v is not None}

    def parse(self, props: Mapping[str, Any]) -> Any:
        return self.Inputs.model_validate(self.inputs(props))

    def read_result(self, id_: str, inputs: dict[str, Any], computed: dict[str, Any]) -> dynamic.ReadResult:
        clean = {k: v for k, v in inputs.items() if v is not None}
        return dynamic.ReadResult(id_, {**clean, **computed}, clean)


def _gone_is_fine(call: Callable[[], Any]) -> None:
    """Run a delete; "not found" means somebody already did it."""
    unless_gone(call, is_not_found)


def _cleanup(call: Callable[[], Any], note: list[str]) -> None:
    """Undo a half-made create; what cannot be undone is named in the error the user sees."""
    try:
        call()
    except Exception as exc:
        if not is_not_found(exc):
            note.append(f"cleanup failed ({exc}); remove it by hand")


def _raise_after_cleanup(original: BaseException, what: str, note: list[str]) -> None:
    suffix = f" [{what}: {'; '.join(note)}]" if note else f" [{what} was removed again]"
    if isinstance(original, ApiError):
        original.message += suffix
        raise original
    raise RuntimeError(f"{original}{suffix}") from original


def _adopt_or_retry(
    create: Callable[[], dict[str, Any]], find: Callable[[], list[dict[str, Any]]], what: str
) -> dict[str, Any]:
    """Create once. If the answer was lost (timeout, 5xx), look the object up instead of creating it twice:
    found once, it is ours; not found, the create never happened and is sent again; found more than once,
    the user must choose."""
    try:
        return create()
    except AmbiguousRequestError as exc:
        matches = find()
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return create()
        exc.message += f" [{len(matches)} objects match {what}; remove the extra ones, then run again]"
        raise


def _strict() -> ConfigDict:
    return INPUTS_CONFIG


def _secret_inputs(props: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """Secret values stay secret in the state's inputs too (additional_secret_outputs covers only outputs)."""
    return {k: pulumi.Output.secret(v) if k in secrets and v is not None else v for k, v in props.items()}


def _oldest_environment(environments: list[dict[str, Any]], preferred_name: str | None = None) -> str | None:
    """The default environment: the one named as asked, else the oldest (as the Terraform provider does)."""
    if preferred_name:
        for env in environments:
            if env.get("name") == preferred_name:
                return str(env["id"])
    if not environments:
        return None
    oldest = min(environments, key=lambda e: str(e.get("createdAt") or ""))
    return str(oldest["id"])


# ==========================================================================================================
# Project
# ==========================================================================================================
class ProjectInputs(BaseModel):
    model_config = _strict()
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    workspace_id: str | None = Field(default=None, min_length=1)
    default_environment_name: str | None = Field(default=None, min_length=1, max_length=64)


class ProjectProvider(RailwayProvider):
    Inputs = ProjectInputs
    replace_keys = frozenset({"workspace_id", "default_environment_name"})
    computed_if_unset = frozenset({"workspace_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ProjectInputs = self.parse(props)
        client = self.client()
        project = client.project_create(
            name=inputs.name,
            description=inputs.description,
            workspace_id=inputs.workspace_id,
            default_environment_name=inputs.default_environment_name,
        )
        project_id = str(project["id"])
        try:
            environments = project.get("environments") or client.project(project_id).get("environments") or []
            default_env = _oldest_environment(environments, inputs.default_environment_name)
            if default_env is None:
                raise RuntimeError(f"Railway created project {project_id} without a default environment")
        except Exception as exc:
            note: list[str] = []
            _cleanup(lambda: client.project_delete(project_id), note)
            _raise_after_cleanup(exc, f"project {project_id}", note)
            raise
        outs = {
            **self.inputs(props),
            "workspace_id": project.get("workspaceId") or inputs.workspace_id,
            "default_environment_id": default_env,
        }
        return dynamic.CreateResult(project_id, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ProjectInputs = self.parse(news)
        changed = changed_keys(olds, news, ("name", "description"))
        if changed:
            self.client().project_update(
                id_,
                name=new.name if "name" in changed else None,
                description=(new.description if new.description is not None else CLEAR)
                if "description" in changed
                else None,
            )
        outs = {
            **self.inputs(news),
            "workspace_id": olds.get("workspace_id"),
            "default_environment_id": olds.get("default_environment_id"),
        }
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        project = unless_gone(lambda: self.client().project(id_), is_not_found)
        if project is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        inputs = {
            **old,
            "name": project.get("name"),
            "description": project.get("description") or None,
        }
        if "workspace_id" in old:
            inputs["workspace_id"] = project.get("workspaceId") or old["workspace_id"]
        default_env = _oldest_environment(
            project.get("environments") or [], old.get("default_environment_name")
        )
        computed = {
            "workspace_id": project.get("workspaceId") or props.get("workspace_id"),
            "default_environment_id": default_env or props.get("default_environment_id"),
        }
        return self.read_result(id_, inputs, computed)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().project_delete(id_))


@dataclass
class ProjectArgs:
    name: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    workspace_id: pulumi.Input[str] | None = None
    default_environment_name: pulumi.Input[str] | None = None


class Project(dynamic.Resource, module="railway", name="Project"):
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    workspace_id: pulumi.Output[str]
    default_environment_id: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("workspace_id", "default_environment_id"))
        super().__init__(ProjectProvider(), resource_name, props, opts)


# ==========================================================================================================
# Environment
# ==========================================================================================================
class EnvironmentInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=64)
    source_environment_id: str | None = Field(default=None, min_length=1)
    # A pull request's environment: Railway lists it as ephemeral; with skip_initial_deploys a fork deploys
    # nothing until asked, so its variables can be overridden first.
    ephemeral: bool | None = None
    skip_initial_deploys: bool | None = None


class EnvironmentProvider(RailwayProvider):
    Inputs = EnvironmentInputs
    replace_keys = frozenset({"project_id", "source_environment_id", "ephemeral"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: EnvironmentInputs = self.parse(props)
        client = self.client()
        env = _adopt_or_retry(
            lambda: client.environment_create(
                project_id=inputs.project_id,
                name=inputs.name,
                source_environment_id=inputs.source_environment_id,
                ephemeral=inputs.ephemeral,
                skip_initial_deploys=inputs.skip_initial_deploys,
            ),
            lambda: [
                e for e in client.project(inputs.project_id)["environments"] if e.get("name") == inputs.name
            ],
            f"environment name {inputs.name!r} in project {inputs.project_id}",
        )
        return dynamic.CreateResult(str(env["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: EnvironmentInputs = self.parse(news)
        if changed_keys(olds, news, ("name",)):
            self.client().environment_rename(id_, new.name)
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        env = unless_gone(lambda: self.client().environment(id_), is_not_found)
        if env is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        source = (env.get("sourceEnvironment") or {}).get("id")
        inputs = {
            **old,
            "project_id": env.get("projectId") or old.get("project_id"),
            "name": env.get("name"),
            "source_environment_id": source or old.get("source_environment_id"),
        }
        return self.read_result(id_, inputs, {})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().environment_delete(id_))


@dataclass
class EnvironmentArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    source_environment_id: pulumi.Input[str] | None = None
    ephemeral: pulumi.Input[bool] | None = None
    skip_initial_deploys: pulumi.Input[bool] | None = None


class Environment(dynamic.Resource, module="railway", name="Environment"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    source_environment_id: pulumi.Output[str | None]

    def __init__(
        self, resource_name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(EnvironmentProvider(), resource_name, resource_props(args), opts)


# ==========================================================================================================
# Service
# ==========================================================================================================
def _check_variable_names(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    bad = [name for name in value if not _VARIABLE_NAME.match(name)]
    if bad:
        raise ValueError(
            f"invalid variable names {sorted(bad)}: use letters, digits and _ (not first a digit)"
        )
    return value


class ServiceInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=100)
    image: str | None = Field(default=None, min_length=1)
    repo: str | None = Field(default=None, min_length=1)
    branch: str | None = Field(default=None, min_length=1)
    registry_username: str | None = Field(default=None, min_length=1)
    registry_password: str | None = Field(default=None, min_length=1)
    variables: dict[str, str] | None = None
    environment_id: str | None = Field(default=None, min_length=1)

    _names = field_validator("variables")(_check_variable_names)

    @model_validator(mode="after")
    def _source(self) -> ServiceInputs:
        if self.image and self.repo:
            raise ValueError("set either image or repo, not both")
        if self.branch and not self.repo:
            raise ValueError("branch needs repo")
        if (self.registry_username is None) != (self.registry_password is None):
            raise ValueError("registry_username and registry_password go together")
        if self.registry_username and not self.image:
            raise ValueError("registry credentials need an image source")
        return self


class ServiceProvider(RailwayProvider):
    Inputs = ServiceInputs
    replace_keys = frozenset({"project_id", "environment_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ServiceInputs = self.parse(props)
        credentials = (
            {"username": inputs.registry_username, "password": inputs.registry_password}
            if inputs.registry_username and inputs.registry_password
            else None
        )
        client = self.client()
        service = _adopt_or_retry(
            lambda: client.service_create(
                project_id=inputs.project_id,
                name=inputs.name,
                image=inputs.image,
                repo=inputs.repo,
                branch=inputs.branch,
                environment_id=inputs.environment_id,
                registry_credentials=credentials,
                # In serviceCreate itself, so the first build never starts without them (TF issue #22).
                variables=inputs.variables,
            ),
            lambda: [
                s for s in client.project(inputs.project_id)["services"] if s.get("name") == inputs.name
            ],
            f"service name {inputs.name!r} in project {inputs.project_id}",
        )
        return dynamic.CreateResult(str(service["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: ServiceInputs = self.parse(olds)
        new: ServiceInputs = self.parse(news)
        client = self.client()
        if new.name != old.name:
            client.service_update(id_, name=new.name)
        if (new.image, new.repo, new.branch) != (old.image, old.repo, old.branch):
            if new.image or new.repo:
                client.service_connect(id_, image=new.image, repo=new.repo, branch=new.branch)
            else:
                client.service_disconnect(id_)
        if (new.registry_username, new.registry_password) != (old.registry_username, old.registry_password):
            credentials: Any = (
                {"username": new.registry_username, "password": new.registry_password}
                if new.registry_username
                else CLEAR
            )
            client.service_instance_update(
                service_id=id_,
                environment_id=new.environment_id or self._environment(new),
                settings={"registryCredentials": credentials},
            )
        old_vars, new_vars = old.variables or {}, new.variables or {}
        if old_vars != new_vars:
            environment_id = new.environment_id or self._environment(new)
            _sync_variables(
                client,
                project_id=new.project_id,
                environment_id=environment_id,
                service_id=id_,
                old=old_vars,
                new=new_vars,
            )
        return dynamic.UpdateResult(self.inputs(news))

    def _environment(self, inputs: ServiceInputs) -> str:
        project = self.client().project(inputs.project_id)
        env = _oldest_environment(project.get("environments") or [])
        if env is None:
            raise RuntimeError(
                f"project {inputs.project_id} has no environment to hold the service's variables"
            )
        return env

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        service = unless_gone(lambda: self.client().service(id_), is_not_found)
        if service is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        inputs = {
            **old,
            "name": service.get("name"),
            "project_id": service.get("projectId") or old["project_id"],
        }
        return self.read_result(id_, inputs, {})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().service_delete(id_))


@dataclass
class ServiceArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    image: pulumi.Input[str] | None = None
    repo: pulumi.Input[str] | None = None
    branch: pulumi.Input[str] | None = None
    registry_username: pulumi.Input[str] | None = None
    registry_password: pulumi.Input[str] | None = None
    variables: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    environment_id: pulumi.Input[str] | None = None


class Service(dynamic.Resource, module="railway", name="Service"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    image: pulumi.Output[str | None]
    repo: pulumi.Output[str | None]
    branch: pulumi.Output[str | None]
    environment_id: pulumi.Output[str | None]
    variables: pulumi.Output[dict[str, str] | None]

    def __init__(
        self, resource_name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        secrets = ["registry_password", "variables"]
        props = _secret_inputs(resource_props(args), secrets)
        super().__init__(ServiceProvider(), resource_name, props, with_secret_outputs(opts, secrets))


# ==========================================================================================================
# ServiceInstance
# ==========================================================================================================
# Input field -> ServiceInstanceUpdateInput field.
_INSTANCE_SETTINGS: dict[str, str] = {
    "start_command": "startCommand",
    "pre_deploy_command": "preDeployCommand",
    "healthcheck_path": "healthcheckPath",
    "healthcheck_timeout": "healthcheckTimeout",
    "replicas": "numReplicas",
    "restart_policy_type": "restartPolicyType",
    "restart_policy_max_retries": "restartPolicyMaxRetries",
    "cron_schedule": "cronSchedule",
    "sleep_application": "sleepApplication",
    "root_directory": "rootDirectory",
    "builder": "builder",
    "build_command": "buildCommand",
    "dockerfile_path": "dockerfilePath",
    "watch_patterns": "watchPatterns",
    "overlap_seconds": "overlapSeconds",
    "draining_seconds": "drainingSeconds",
}
_LIMIT_SETTINGS = ("vcpus", "memory_gb")
_CRON = re.compile(r"^\S+( \S+){4}$")


class ServiceInstanceInputs(BaseModel):
    model_config = _strict()
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    start_command: str | None = Field(default=None, min_length=1)
    pre_deploy_command: list[str] | None = None
    healthcheck_path: str | None = Field(default=None, pattern=r"^/")
    healthcheck_timeout: int | None = Field(default=None, ge=1, le=MAX_HEALTHCHECK_TIMEOUT_SECONDS)
    replicas: int | None = Field(default=None, ge=1, le=MAX_TOTAL_REPLICAS)
    regions: dict[str, int] | None = None
    restart_policy_type: RestartPolicyType | None = None
    restart_policy_max_retries: int | None = Field(default=None, ge=0, le=MAX_RESTART_RETRIES)
    cron_schedule: str | None = None
    sleep_application: bool | None = None
    root_directory: str | None = Field(default=None, min_length=1)
    builder: Builder | None = None
    build_command: str | None = Field(default=None, min_length=1)
    dockerfile_path: str | None = Field(default=None, min_length=1)
    watch_patterns: list[str] | None = None
    overlap_seconds: int | None = Field(default=None, ge=0, le=3600)
    draining_seconds: int | None = Field(default=None, ge=0, le=3600)
    vcpus: float | None = Field(default=None, gt=0, le=64)
    memory_gb: float | None = Field(default=None, gt=0, le=256)
    deploy: bool = True
    deploy_timeout_seconds: float = Field(default=DEFAULT_DEPLOY_TIMEOUT, gt=0, le=6 * 3600)
    # The image this environment's instance runs (a pull request's build); unset = the service's source.
    source_image: str | None = Field(default=None, min_length=1)

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("regions needs at least one region")
        unknown = sorted(set(value) - set(KNOWN_REGIONS))
        if unknown:
            raise ValueError(
                f"unknown Railway region(s) {unknown}; Railway's regions are {', '.join(KNOWN_REGIONS)} "
                "(there is no Canadian region)"
            )
        bad = {r: n for r, n in value.items() if not isinstance(n, int) or n < 1}
        if bad:
            raise ValueError(f"each region needs at least 1 replica: {bad}")
        total = sum(value.values())
        if total > MAX_TOTAL_REPLICAS:
            raise ValueError(f"{total} replicas in total; Railway allows at most {MAX_TOTAL_REPLICAS}")
        return value

    @field_validator("cron_schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not _CRON.match(value.strip()):
            raise ValueError(f"{value!r} is not a five-field cron expression (e.g. '*/15 * * * *')")
        return value

    @model_validator(mode="after")
    def _together(self) -> ServiceInstanceInputs:
        if self.replicas is not None and self.regions is not None:
            raise ValueError("set replicas or regions (replicas per region), not both")
        if self.cron_schedule and self.total_replicas() != 1:
            raise ValueError(f"cron_schedule needs exactly one replica; {self.total_replicas()} configured")
        if self.restart_policy_max_retries is not None and self.restart_policy_type in ("ALWAYS", "NEVER"):
            raise ValueError("restart_policy_max_retries applies only to restart_policy_type ON_FAILURE")
        return self

    def total_replicas(self) -> int:
        if self.regions:
            return sum(self.regions.values())
        return self.replicas or 1


def _log_tail(fetch: Callable[[], list[dict[str, Any]]], kind: str, lines: int = 20) -> list[str]:
    try:
        logs = fetch()
    except ApiError as exc:
        return [f"({kind} logs unavailable: {exc.message})"]
    return [f"[{kind}] {line.get('message', '')}" for line in logs][-lines:]


def _deployment_wait(
    provider: RailwayProvider, client: RailwayClient, deployment_id: str, subject: str, timeout: float
) -> dict[str, Any]:
    def done(deployment: dict[str, Any]) -> bool:
        status = deployment.get("status")
        if status in ("SUCCESS", "SLEEPING", "SKIPPED"):
            return True
        if status in ("FAILED", "CRASHED", "REMOVED"):
            # A FAILED deployment usually failed to build: its build log says why, its deploy log little.
            tail: list[str] = []
            if status == "FAILED":
                tail += _log_tail(lambda: client.build_logs(deployment_id, limit=50), "build")
            tail += _log_tail(lambda: client.deployment_logs(deployment_id, limit=50), "deploy")
            raise DeploymentFailedError(deployment_id, str(status), tail, subject)
        return False

    return poll_until(
        lambda: client.deployment(deployment_id),
        done,
        subject=subject,
        describe=lambda d: str(d.get("status")),
        policy=PollPolicy(initial_interval=2.0, max_interval=15.0, factor=1.5, timeout=timeout),
        sleep=provider.sleep,
        clock=provider.clock,
    )


class ServiceInstanceProvider(RailwayProvider):
    Inputs = ServiceInstanceInputs
    replace_keys = frozenset({"service_id", "environment_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ServiceInstanceInputs = self.parse(props)
        client = self.client()
        # The environment's config says whether the instance exists and which regions it already runs in:
        # a new service starts in Railway's default region, and multiRegionConfig is a patch, so a region
        # we were not asked for must be cleared or it keeps its replicas.
        env = unless_gone(lambda: client.environment(inputs.environment_id), is_not_found)
        current = _service_config(env, inputs.service_id)
        if current is None:
            raise RuntimeError(
                f"service {inputs.service_id} has no instance in environment {inputs.environment_id}: "
                "create the service in that environment first"
            )
        settings = {api: getattr(inputs, key) for key, api in _INSTANCE_SETTINGS.items()}
        if inputs.source_image:
            settings["source"] = {"image": inputs.source_image}
        if inputs.regions:
            existing = _settings_from_config(current)["regions"] or {}
            region_config: dict[str, Any] = {r: CLEAR for r in existing if r not in inputs.regions}
            region_config.update({r: {"numReplicas": n} for r, n in inputs.regions.items()})
            settings["multiRegionConfig"] = region_config
        computed = self._apply(client, inputs, settings, limits=(inputs.vcpus, inputs.memory_gb))
        return dynamic.CreateResult(
            f"{inputs.service_id}:{inputs.environment_id}", {**self.inputs(props), **computed}
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: ServiceInstanceInputs = self.parse(olds)
        new: ServiceInstanceInputs = self.parse(news)
        client = self.client()
        settings: dict[str, Any] = {}
        for key, api in _INSTANCE_SETTINGS.items():
            before, after = getattr(old, key), getattr(new, key)
            if before != after:
                settings[api] = CLEAR if after is None else after
        if old.source_image != new.source_image and new.source_image:
            settings["source"] = {"image": new.source_image}
        if old.regions != new.regions:
            if new.regions:
                config: dict[str, Any] = {r: CLEAR for r in (old.regions or {}) if r not in new.regions}
                config.update({r: {"numReplicas": n} for r, n in new.regions.items()})
                settings["multiRegionConfig"] = config
            else:
                settings["multiRegionConfig"] = CLEAR
        limits: tuple[Any, Any] = (None, None)
        if (old.vcpus, old.memory_gb) != (new.vcpus, new.memory_gb):
            limits = (
                (CLEAR if new.vcpus is None else new.vcpus) if new.vcpus != old.vcpus else None,
                (CLEAR if new.memory_gb is None else new.memory_gb)
                if new.memory_gb != old.memory_gb
                else None,
            )
        if settings or limits != (None, None):
            computed = self._apply(client, new, settings, limits=limits)
        else:
            computed = {k: olds.get(k) for k in ("deployment_id", "deployment_status") if olds.get(k)}
        return dynamic.UpdateResult({**self.inputs(news), **computed})

    def _apply(
        self,
        client: RailwayClient,
        inputs: ServiceInstanceInputs,
        settings: dict[str, Any],
        *,
        limits: tuple[Any, Any],
    ) -> dict[str, Any]:
        if any(v is not None for v in settings.values()):
            client.service_instance_update(
                service_id=inputs.service_id, environment_id=inputs.environment_id, settings=settings
            )
        if any(v is not None for v in limits):
            client.service_instance_limits_update(
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                vcpus=limits[0],
                memory_gb=limits[1],
            )
        if not inputs.deploy:
            return {}
        # Settings take effect only on the next deployment; DeployV2 (unlike Redeploy) also picks up a new
        # image source.
        deployment_id = client.service_instance_deploy(
            service_id=inputs.service_id, environment_id=inputs.environment_id
        )
        subject = f"railway service {inputs.service_id} in environment {inputs.environment_id}"
        deployment = _deployment_wait(self, client, deployment_id, subject, inputs.deploy_timeout_seconds)
        return {"deployment_id": deployment_id, "deployment_status": deployment.get("status")}

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        # One request: the environment's config holds every setting (multiRegionConfig and limits cannot
        # be read from ServiceInstance at all), and its service instances carry the latest deployment.
        old = self.inputs(props)
        service_id, environment_id = old["service_id"], old["environment_id"]
        env = unless_gone(lambda: self.client().environment(environment_id), is_not_found)
        config = _service_config(env, service_id)
        if not config or env is None:
            return dynamic.ReadResult(None, {})
        current = _settings_from_config(config)
        inputs = dict(old)
        # Only what the user manages is refreshed; Railway's defaults for the rest stay out of the inputs.
        for key in old:
            if key in current:
                inputs[key] = current[key]
        instances = [
            edge.get("node") or {} for edge in (env.get("serviceInstances") or {}).get("edges", []) if edge
        ]
        latest = next(
            (i.get("latestDeployment") for i in instances if i.get("serviceId") == service_id), None
        )
        latest = latest or {}
        computed = {
            "deployment_id": latest.get("id") or props.get("deployment_id"),
            "deployment_status": latest.get("status") or props.get("deployment_status"),
        }
        return self.read_result(id_, inputs, {k: v for k, v in computed.items() if v is not None})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Nothing to undo: the service owns its instance (deleting the service or the environment removes it),
        # and resetting settings on a live service would redeploy it with defaults nobody chose.
        return None


def _service_config(env: Mapping[str, Any] | None, service_id: str) -> Mapping[str, Any] | None:
    """One service's entry in an environment's config (Railway's EnvironmentConfig), if it has one."""
    return (((env or {}).get("config") or {}).get("services") or {}).get(service_id)


def _int_or_none(value: Any) -> int | None:
    # Railway's config files carry some integers as strings ("overlapSeconds": "60").
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _settings_from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Our input names, from one service's entry in `Environment.config` (Railway's EnvironmentConfig)."""
    deploy = config.get("deploy") or {}
    build = config.get("build") or {}
    source = config.get("source") or {}
    pre_deploy = deploy.get("preDeployCommand")
    if isinstance(pre_deploy, str):
        pre_deploy = [pre_deploy]
    regions = {r: c.get("numReplicas") for r, c in (deploy.get("multiRegionConfig") or {}).items() if c}
    containers = ((deploy.get("limitOverride") or {}).get("containers")) or {}
    memory = containers.get("memoryBytes")
    settings = {
        "start_command": deploy.get("startCommand"),
        "pre_deploy_command": pre_deploy or None,
        "healthcheck_path": deploy.get("healthcheckPath"),
        "healthcheck_timeout": _int_or_none(deploy.get("healthcheckTimeout")),
        "replicas": _int_or_none(deploy.get("numReplicas")),
        "regions": regions or None,
        "restart_policy_type": deploy.get("restartPolicyType"),
        "restart_policy_max_retries": _int_or_none(deploy.get("restartPolicyMaxRetries")),
        "cron_schedule": deploy.get("cronSchedule"),
        "sleep_application": deploy.get("sleepApplication"),
        "overlap_seconds": _int_or_none(deploy.get("overlapSeconds")),
        "draining_seconds": _int_or_none(deploy.get("drainingSeconds")),
        "root_directory": source.get("rootDirectory"),
        "builder": build.get("builder"),
        "build_command": build.get("buildCommand"),
        "dockerfile_path": build.get("dockerfilePath"),
        "watch_patterns": build.get("watchPatterns") or None,
        "vcpus": containers.get("cpu"),
        "memory_gb": round(memory / 1024**3, 3) if isinstance(memory, int | float) else None,
        "source_image": source.get("image"),
    }
    return {k: (None if v == "" else v) for k, v in settings.items()}


@dataclass
class ServiceInstanceArgs:
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    start_command: pulumi.Input[str] | None = None
    pre_deploy_command: pulumi.Input[list[str]] | None = None
    healthcheck_path: pulumi.Input[str] | None = None
    healthcheck_timeout: pulumi.Input[int] | None = None
    replicas: pulumi.Input[int] | None = None
    regions: pulumi.Input[Mapping[str, int]] | None = None
    restart_policy_type: pulumi.Input[str] | None = None
    restart_policy_max_retries: pulumi.Input[int] | None = None
    cron_schedule: pulumi.Input[str] | None = None
    sleep_application: pulumi.Input[bool] | None = None
    root_directory: pulumi.Input[str] | None = None
    builder: pulumi.Input[str] | None = None
    build_command: pulumi.Input[str] | None = None
    dockerfile_path: pulumi.Input[str] | None = None
    watch_patterns: pulumi.Input[list[str]] | None = None
    overlap_seconds: pulumi.Input[int] | None = None
    draining_seconds: pulumi.Input[int] | None = None
    vcpus: pulumi.Input[float] | None = None
    memory_gb: pulumi.Input[float] | None = None
    deploy: pulumi.Input[bool] | None = None
    deploy_timeout_seconds: pulumi.Input[float] | None = None
    source_image: pulumi.Input[str] | None = None


class ServiceInstance(dynamic.Resource, module="railway", name="ServiceInstance"):
    service_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    deployment_id: pulumi.Output[str]
    deployment_status: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ServiceInstanceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("deployment_id", "deployment_status"))
        super().__init__(ServiceInstanceProvider(), resource_name, props, opts)


# ==========================================================================================================
# Variables
# ==========================================================================================================
class VariablesInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    service_id: str | None = Field(default=None, min_length=1)
    variables: dict[str, str]
    skip_deploys: bool | None = None

    _names = field_validator("variables")(_check_variable_names)


def _sync_variables(
    client: RailwayClient,
    *,
    project_id: str,
    environment_id: str,
    service_id: str | None,
    old: Mapping[str, str],
    new: Mapping[str, str],
    skip_deploys: bool | None = None,
) -> None:
    """One upsert for everything added or changed; one delete per name removed."""
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if changed:
        client.variable_collection_upsert(
            project_id=project_id,
            environment_id=environment_id,
            service_id=service_id,
            variables=changed,
            skip_deploys=skip_deploys,
        )
    for name in sorted(set(old) - set(new)):
        _gone_is_fine(
            functools.partial(
                client.variable_delete,
                project_id=project_id,
                environment_id=environment_id,
                service_id=service_id,
                name=name,
            )
        )


class VariablesProvider(RailwayProvider):
    Inputs = VariablesInputs
    replace_keys = frozenset({"project_id", "environment_id", "service_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: VariablesInputs = self.parse(props)
        _sync_variables(
            self.client(),
            project_id=inputs.project_id,
            environment_id=inputs.environment_id,
            service_id=inputs.service_id,
            old={},
            new=inputs.variables,
            skip_deploys=inputs.skip_deploys,
        )
        id_ = f"{inputs.project_id}:{inputs.environment_id}:{inputs.service_id or 'shared'}"
        return dynamic.CreateResult(id_, self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: VariablesInputs = self.parse(olds)
        new: VariablesInputs = self.parse(news)
        _sync_variables(
            self.client(),
            project_id=new.project_id,
            environment_id=new.environment_id,
            service_id=new.service_id,
            old=old.variables,
            new=new.variables,
            skip_deploys=new.skip_deploys,
        )
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        current = unless_gone(
            lambda: self.client().variables(
                project_id=old["project_id"],
                environment_id=old["environment_id"],
                service_id=old.get("service_id"),
            ),
            is_not_found,
        )
        if current is None:
            return dynamic.ReadResult(None, {})
        # Only the names this resource manages; others belong to someone else (or to Railway).
        managed = {k: current[k] for k in old.get("variables", {}) if k in current}
        return self.read_result(id_, {**old, "variables": managed}, {})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        inputs: VariablesInputs = self.parse(props)
        client = self.client()
        for name in sorted(inputs.variables):
            _gone_is_fine(
                functools.partial(
                    client.variable_delete,
                    project_id=inputs.project_id,
                    environment_id=inputs.environment_id,
                    service_id=inputs.service_id,
                    name=name,
                )
            )


@dataclass
class VariablesArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    variables: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    service_id: pulumi.Input[str] | None = None
    skip_deploys: pulumi.Input[bool] | None = None


class Variables(dynamic.Resource, module="railway", name="Variables"):
    project_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    service_id: pulumi.Output[str | None]
    variables: pulumi.Output[dict[str, str]]

    def __init__(
        self, resource_name: str, args: VariablesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = _secret_inputs(resource_props(args), ["variables"])
        super().__init__(VariablesProvider(), resource_name, props, with_secret_outputs(opts, ["variables"]))


# ==========================================================================================================
# ServiceDomain
# ==========================================================================================================
class ServiceDomainInputs(BaseModel):
    model_config = _strict()
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    target_port: int | None = Field(default=None, ge=1, le=65535)
    # A forked environment already has a Railway domain of its own for the service: use it, not a second.
    adopt_existing: bool | None = None


class ServiceDomainProvider(RailwayProvider):
    Inputs = ServiceDomainInputs
    replace_keys = frozenset({"service_id", "environment_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ServiceDomainInputs = self.parse(props)
        domain = self._existing(inputs) if inputs.adopt_existing else None
        if domain is None:
            domain = self.client().service_domain_create(
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                target_port=inputs.target_port,
            )
        outs = {
            **self.inputs(props),
            "domain": domain.get("domain"),
            "url": f"https://{domain.get('domain')}",
        }
        return dynamic.CreateResult(str(domain["id"]), outs)

    def _existing(self, inputs: ServiceDomainInputs) -> dict[str, Any] | None:
        """The service's Railway domain in this environment, if it has one (a fork's own), pointed at
        `target_port`."""
        client = self.client()
        instance = client.service_instance(service_id=inputs.service_id, environment_id=inputs.environment_id)
        domains = (instance.get("domains") or {}).get("serviceDomains") or []
        if not domains:
            return None
        found: dict[str, Any] = domains[0]
        if inputs.target_port is not None and found.get("targetPort") != inputs.target_port:
            client.service_domain_update(
                service_domain_id=str(found["id"]),
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                domain=str(found.get("domain")),
                target_port=inputs.target_port,
            )
        return found

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ServiceDomainInputs = self.parse(news)
        self.client().service_domain_update(
            service_domain_id=id_,
            service_id=new.service_id,
            environment_id=new.environment_id,
            domain=str(olds.get("domain")),
            target_port=new.target_port if new.target_port is not None else CLEAR,
        )
        return dynamic.UpdateResult(
            {**self.inputs(news), "domain": olds.get("domain"), "url": olds.get("url")}
        )

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        instance = unless_gone(
            lambda: self.client().service_instance(
                service_id=old["service_id"], environment_id=old["environment_id"]
            ),
            is_not_found,
        )
        if instance is None:
            return dynamic.ReadResult(None, {})
        domains = (instance.get("domains") or {}).get("serviceDomains") or []
        found = next((d for d in domains if d.get("id") == id_), None)
        if found is None:
            return dynamic.ReadResult(None, {})
        inputs = {**old}
        if "target_port" in old or found.get("targetPort"):
            inputs["target_port"] = found.get("targetPort")
        computed = {"domain": found.get("domain"), "url": f"https://{found.get('domain')}"}
        return self.read_result(id_, inputs, computed)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().service_domain_delete(id_))


@dataclass
class ServiceDomainArgs:
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    target_port: pulumi.Input[int] | None = None
    adopt_existing: pulumi.Input[bool] | None = None


class ServiceDomain(dynamic.Resource, module="railway", name="ServiceDomain"):
    service_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    target_port: pulumi.Output[int | None]
    domain: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ServiceDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ServiceDomainProvider(), resource_name, resource_props(args, ("domain", "url")), opts
        )


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
        domain = self.client().custom_domain_create(
            project_id=inputs.project_id,
            service_id=inputs.service_id,
            environment_id=inputs.environment_id,
            domain=inputs.domain,
            target_port=inputs.target_port,
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


# ==========================================================================================================
# Volume
# ==========================================================================================================
class VolumeInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    mount_path: str = Field(pattern=r"^/")
    region: str | None = None
    backup_schedules: list[BackupSchedule] | None = None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in KNOWN_REGIONS:
            raise ValueError(
                f"unknown Railway region {value!r}; Railway's regions are {', '.join(KNOWN_REGIONS)}"
            )
        return value

    @field_validator("backup_schedules")
    @classmethod
    def _schedules(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each backup schedule at most once")
        return sorted(value, key=("DAILY", "WEEKLY", "MONTHLY").index) if value is not None else None


class VolumeProvider(RailwayProvider):
    Inputs = VolumeInputs
    replace_keys = frozenset({"project_id", "service_id", "environment_id", "region"})
    computed_if_unset = frozenset({"region"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: VolumeInputs = self.parse(props)
        client = self.client()
        volume = client.volume_create(
            project_id=inputs.project_id,
            service_id=inputs.service_id,
            environment_id=inputs.environment_id,
            mount_path=inputs.mount_path,
            region=inputs.region,
        )
        volume_id = str(volume["id"])
        try:
            instances = volume.get("volumeInstances") or []
            instance = next((i for i in instances if i.get("environmentId") == inputs.environment_id), None)
            if instance is None:
                raise RuntimeError(
                    f"Railway created volume {volume_id} without an instance in environment "
                    f"{inputs.environment_id}"
                )
            if inputs.backup_schedules:
                client.volume_instance_backup_schedule_update(
                    str(instance["id"]), list(inputs.backup_schedules)
                )
        except Exception as exc:
            note: list[str] = []
            _cleanup(lambda: client.volume_delete(volume_id), note)
            _raise_after_cleanup(exc, f"volume {volume_id}", note)
            raise
        outs = {
            **self.inputs(props),
            "region": instance.get("region") or inputs.region,
            "volume_instance_id": instance["id"],
            "name": volume.get("name"),
            "size_mb": instance.get("sizeMB"),
        }
        return dynamic.CreateResult(volume_id, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: VolumeInputs = self.parse(olds)
        new: VolumeInputs = self.parse(news)
        client = self.client()
        instance_id = str(olds["volume_instance_id"])
        if new.mount_path != old.mount_path:
            client.volume_instance_update(
                volume_id=id_, environment_id=new.environment_id, mount_path=new.mount_path
            )
        if (new.backup_schedules or []) != (old.backup_schedules or []):
            client.volume_instance_backup_schedule_update(instance_id, list(new.backup_schedules or []))
        kept = {k: olds.get(k) for k in ("region", "volume_instance_id", "name", "size_mb")}
        return dynamic.UpdateResult({**self.inputs(news), **{k: v for k, v in kept.items() if v is not None}})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        # One request: the environment's config has the volume (region, size) and its mount (path, backup
        # schedules) on the service.
        old = self.inputs(props)
        env = unless_gone(lambda: self.client().environment(old["environment_id"]), is_not_found)
        if env is None:
            return dynamic.ReadResult(None, {})
        config = env.get("config") or {}
        volume = (config.get("volumes") or {}).get(id_)
        mount = None
        for service_id, service in (config.get("services") or {}).items():
            if id_ in (service.get("volumeMounts") or {}):
                mount, mounted_on = service["volumeMounts"][id_], service_id
                break
        if not volume or mount is None or volume.get("isDeleted"):
            return dynamic.ReadResult(None, {})
        inputs = {**old, "mount_path": mount.get("mountPath") or old["mount_path"], "service_id": mounted_on}
        if "region" in old:
            inputs["region"] = volume.get("region") or old["region"]
        if "backup_schedules" in old:
            kinds = set(mount.get("backupSchedules") or [])
            inputs["backup_schedules"] = [k for k in ("DAILY", "WEEKLY", "MONTHLY") if k in kinds]
        computed = {
            "region": volume.get("region") or props.get("region"),
            "volume_instance_id": props.get("volume_instance_id"),
            "name": props.get("name"),
            "size_mb": volume.get("sizeMB") or props.get("size_mb"),
        }
        return self.read_result(id_, inputs, {k: v for k, v in computed.items() if v is not None})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().volume_delete(id_))


@dataclass
class VolumeArgs:
    project_id: pulumi.Input[str]
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    mount_path: pulumi.Input[str]
    region: pulumi.Input[str] | None = None
    backup_schedules: pulumi.Input[list[str]] | None = None


class Volume(dynamic.Resource, module="railway", name="Volume"):
    mount_path: pulumi.Output[str]
    region: pulumi.Output[str]
    backup_schedules: pulumi.Output[list[str] | None]
    volume_instance_id: pulumi.Output[str]
    name: pulumi.Output[str]
    size_mb: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: VolumeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("volume_instance_id", "name", "size_mb"))
        super().__init__(VolumeProvider(), resource_name, props, opts)


# ==========================================================================================================
# TcpProxy
# ==========================================================================================================
class TcpProxyInputs(BaseModel):
    model_config = _strict()
    service_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    application_port: int = Field(ge=1, le=65535)


class TcpProxyProvider(RailwayProvider):
    Inputs = TcpProxyInputs
    replace_keys = frozenset({"service_id", "environment_id", "application_port"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: TcpProxyInputs = self.parse(props)
        client = self.client()
        proxy = _adopt_or_retry(
            lambda: client.tcp_proxy_create(
                service_id=inputs.service_id,
                environment_id=inputs.environment_id,
                application_port=inputs.application_port,
            ),
            lambda: [
                p
                for p in client.tcp_proxies(
                    service_id=inputs.service_id, environment_id=inputs.environment_id
                )
                if p.get("applicationPort") == inputs.application_port
            ],
            f"TCP proxy to port {inputs.application_port} of service {inputs.service_id}",
        )
        outs = {**self.inputs(props), "domain": proxy.get("domain"), "proxy_port": proxy.get("proxyPort")}
        return dynamic.CreateResult(str(proxy["id"]), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        # Every input replaces; nothing reaches here but a no-op (e.g. a provider re-serialisation).
        return dynamic.UpdateResult(
            {**self.inputs(news), "domain": olds.get("domain"), "proxy_port": olds.get("proxy_port")}
        )

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        proxies = unless_gone(
            lambda: self.client().tcp_proxies(
                service_id=old["service_id"], environment_id=old["environment_id"]
            ),
            is_not_found,
        )
        if proxies is None:
            return dynamic.ReadResult(None, {})
        found = next((p for p in proxies if p.get("id") == id_), None)
        if found is None:
            return dynamic.ReadResult(None, {})
        inputs = {**old, "application_port": found.get("applicationPort") or old["application_port"]}
        return self.read_result(
            id_, inputs, {"domain": found.get("domain"), "proxy_port": found.get("proxyPort")}
        )

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().tcp_proxy_delete(id_))


@dataclass
class TcpProxyArgs:
    service_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    application_port: pulumi.Input[int]


class TcpProxy(dynamic.Resource, module="railway", name="TcpProxy"):
    application_port: pulumi.Output[int]
    domain: pulumi.Output[str]
    proxy_port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: TcpProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            TcpProxyProvider(), resource_name, resource_props(args, ("domain", "proxy_port")), opts
        )


# ==========================================================================================================
# NotificationRule
# ==========================================================================================================
class NotificationRuleInputs(BaseModel):
    model_config = _strict()
    workspace_id: str = Field(min_length=1)
    project_id: str | None = Field(default=None, min_length=1)
    event_types: list[str] = Field(min_length=1)
    severities: list[Severity] | None = None
    webhook_url: str | None = None
    emails: list[str] | None = None

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not e or any(c.isspace() for c in e)]
        if bad:
            raise ValueError(f"event types are names such as 'Deployment.failed', got {bad}")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("webhook_url must be an https:// URL")
        return value

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str] | None) -> list[str] | None:
        bad = [e for e in value or [] if not _EMAIL.match(e)]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        return value

    @model_validator(mode="after")
    def _channel(self) -> NotificationRuleInputs:
        if not self.webhook_url and not self.emails:
            raise ValueError("a notification rule needs a channel: webhook_url or emails")
        return self

    def channel_configs(self) -> list[dict[str, Any]]:
        # NotificationChannelConfig is an untyped JSON scalar; this shape follows the one public example.
        configs: list[dict[str, Any]] = []
        if self.webhook_url:
            configs.append({"type": "webhook", "url": self.webhook_url})
        configs.extend({"type": "email", "email": e} for e in self.emails or [])
        return configs


class NotificationRuleProvider(RailwayProvider):
    Inputs = NotificationRuleInputs
    replace_keys = frozenset({"workspace_id", "project_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: NotificationRuleInputs = self.parse(props)
        rule = self.client().notification_rule_create(
            workspace_id=inputs.workspace_id,
            project_id=inputs.project_id,
            event_types=inputs.event_types,
            severities=list(inputs.severities) if inputs.severities else None,
            channel_configs=inputs.channel_configs(),
        )
        return dynamic.CreateResult(str(rule["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: NotificationRuleInputs = self.parse(olds)
        new: NotificationRuleInputs = self.parse(news)
        severities: Any = None
        if old.severities != new.severities:
            severities = list(new.severities) if new.severities else CLEAR
        self.client().notification_rule_update(
            id_,
            event_types=new.event_types if new.event_types != old.event_types else None,
            severities=severities,
            channel_configs=new.channel_configs() if new.channel_configs() != old.channel_configs() else None,
        )
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        rules = unless_gone(
            lambda: self.client().notification_rules(
                workspace_id=old["workspace_id"], project_id=old.get("project_id")
            ),
            is_not_found,
        )
        if rules is None:
            return dynamic.ReadResult(None, {})
        rule = next((r for r in rules if r.get("id") == id_), None)
        if rule is None:
            return dynamic.ReadResult(None, {})
        configs = [c.get("config") or {} for c in rule.get("channels") or []]
        webhook = next((c.get("url") for c in configs if str(c.get("type", "")).lower() == "webhook"), None)
        emails = [
            c.get("email") for c in configs if str(c.get("type", "")).lower() == "email" and c.get("email")
        ]
        inputs = {
            **old,
            "event_types": rule.get("eventTypes") or old["event_types"],
            "severities": rule.get("severities") or None,
            "webhook_url": webhook,
            "emails": emails or None,
        }
        return self.read_result(id_, inputs, {})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().notification_rule_delete(id_))


@dataclass
class NotificationRuleArgs:
    workspace_id: pulumi.Input[str]
    event_types: pulumi.Input[list[str]]
    project_id: pulumi.Input[str] | None = None
    severities: pulumi.Input[list[str]] | None = None
    webhook_url: pulumi.Input[str] | None = None
    emails: pulumi.Input[list[str]] | None = None


class NotificationRule(dynamic.Resource, module="railway", name="NotificationRule"):
    workspace_id: pulumi.Output[str]
    project_id: pulumi.Output[str | None]
    event_types: pulumi.Output[list[str]]
    severities: pulumi.Output[list[str] | None]
    webhook_url: pulumi.Output[str | None]
    emails: pulumi.Output[list[str] | None]

    def __init__(
        self, resource_name: str, args: NotificationRuleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = _secret_inputs(resource_props(args), ["webhook_url"])
        super().__init__(
            NotificationRuleProvider(), resource_name, props, with_secret_outputs(opts, ["webhook_url"])
        )


# ==========================================================================================================
# ObservabilityDashboard
# ==========================================================================================================
DashboardItemType = Literal[
    "DNS_LOGS_ITEM",
    "HTTP_LOGS_ITEM",
    "HTTP_METRICS_ITEM",
    "NETWORK_LOGS_ITEM",
    "PROJECT_USAGE_ITEM",
    "SERVICE_LOGS_ITEM",
    "SERVICE_METRICS_ITEM",
    "VOLUME_METRICS_ITEM",
]
MetricMeasurement = Literal[
    "BACKUP_USAGE_GB",
    "CPU_LIMIT",
    "CPU_USAGE",
    "CPU_USAGE_2",
    "DISK_USAGE_GB",
    "EPHEMERAL_DISK_USAGE_GB",
    "MEMORY_LIMIT_GB",
    "MEMORY_USAGE_GB",
    "NETWORK_RX_GB",
    "NETWORK_TX_GB",
]
HttpMetricKind = Literal["LATENCY", "REQUESTS", "STATUS_RATIO"]
ProjectUsageProperty = Literal[
    "BACKUP_USAGE",
    "CPU_USAGE",
    "CURRENT_USAGE",
    "DISK_USAGE",
    "ESTIMATED_USAGE",
    "MEMORY_USAGE",
    "NETWORK_USAGE",
]
# Railway's `displayConfig` is an untyped JSON scalar; `{x, y, w, h}` grid cells (two charts per row of a
# 12-column grid unless an item says otherwise) are our inference, not a documented shape.
GRID_COLUMNS = 12
DEFAULT_CELL = {"w": 6, "h": 4}
_CONFIG_KEYS = (
    ("measurements", "measurements"),
    ("http_metric", "httpMetric"),
    ("resource_ids", "resourceIds"),
    ("logs_filter", "logsFilter"),
    ("project_usage_properties", "projectUsageProperties"),
)
_LAYOUT_KEYS = ("x", "y", "w", "h")


class DashboardItemInputs(BaseModel):
    """One chart: `id` is ours to choose and stays stable across updates (Railway keys items by it)."""

    model_config = _strict()
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    type: DashboardItemType
    description: str | None = None
    measurements: list[MetricMeasurement] | None = Field(default=None, min_length=1)
    http_metric: HttpMetricKind | None = None
    resource_ids: list[str] | None = None
    logs_filter: str | None = None
    project_usage_properties: list[ProjectUsageProperty] | None = Field(default=None, min_length=1)
    x: int | None = Field(default=None, ge=0, lt=GRID_COLUMNS)
    y: int | None = Field(default=None, ge=0)
    w: int | None = Field(default=None, ge=1, le=GRID_COLUMNS)
    h: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _config_fits_type(self) -> DashboardItemInputs:
        if self.type in ("SERVICE_METRICS_ITEM", "VOLUME_METRICS_ITEM") and not self.measurements:
            raise ValueError(f"item {self.id}: a {self.type} needs measurements")
        if self.type == "HTTP_METRICS_ITEM" and not self.http_metric:
            raise ValueError(f"item {self.id}: an HTTP_METRICS_ITEM needs http_metric")
        if self.type == "PROJECT_USAGE_ITEM" and not self.project_usage_properties:
            raise ValueError(f"item {self.id}: a PROJECT_USAGE_ITEM needs project_usage_properties")
        return self

    def display_config(self, index: int) -> dict[str, int]:
        w = self.w or DEFAULT_CELL["w"]
        per_row = max(GRID_COLUMNS // w, 1)
        default = {"x": (index % per_row) * w, "y": (index // per_row) * DEFAULT_CELL["h"]}
        return {
            "x": self.x if self.x is not None else default["x"],
            "y": self.y if self.y is not None else default["y"],
            "w": w,
            "h": self.h or DEFAULT_CELL["h"],
        }

    def to_railway(self, index: int) -> dict[str, Any]:
        """An `ObservabilityDashboardUpdateInput`; the item instance and its dashboard item share our id."""
        config = {api: getattr(self, ours) for ours, api in _CONFIG_KEYS if getattr(self, ours) is not None}
        return {
            "id": self.id,
            "displayConfig": self.display_config(index),
            "dashboardItem": {
                "id": self.id,
                "name": self.name,
                "description": self.description,
                "type": self.type,
                "config": config,
            },
        }


class ObservabilityDashboardInputs(BaseModel):
    model_config = _strict()
    environment_id: str = Field(min_length=1)
    items: list[DashboardItemInputs] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_ids(cls, value: list[DashboardItemInputs]) -> list[DashboardItemInputs]:
        ids = [i.id for i in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"item ids must be unique: {duplicates}")
        return value

    def to_railway(self) -> list[dict[str, Any]]:
        return [item.to_railway(index) for index, item in enumerate(self.items)]


def _item_from_railway(instance: Mapping[str, Any], old: Mapping[str, Any] | None) -> dict[str, Any]:
    """A live item in our input shape; layout keys only where the user set them (else any layout is ours)."""
    item: Mapping[str, Any] = instance.get("dashboardItem") or {}
    config: Mapping[str, Any] = item.get("config") or {}
    found: dict[str, Any] = {
        "id": instance.get("id"),
        "name": item.get("name"),
        "type": item.get("type"),
        "description": item.get("description"),
        **{ours: config.get(api) for ours, api in _CONFIG_KEYS},
    }
    display: Mapping[str, Any] = instance.get("displayConfig") or {}
    for key in _LAYOUT_KEYS:
        if old is None or old.get(key) is not None:
            found[key] = display.get(key)
    return {k: v for k, v in found.items() if v is not None}


class ObservabilityDashboardProvider(RailwayProvider):
    """An environment's observability dashboard (Railway keeps one per environment), holding our items.

    Create adopts the environment's dashboard when it already has one (else creates it), then replaces its
    items with ours. There is no delete in Railway's API: deleting this resource *resets* the environment's
    dashboard to Railway's default items. Threshold monitors cannot be created through the public API, so
    the items are charts only.
    """

    Inputs = ObservabilityDashboardInputs
    replace_keys = frozenset({"environment_id"})

    def _find(self, environment_id: str) -> dict[str, Any] | None:
        found = self.client().observability_dashboards(environment_id)
        return found[0] if found else None

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ObservabilityDashboardInputs = self.parse(props)
        client = self.client()
        dashboard = self._find(inputs.environment_id)
        made_here = dashboard is None
        if dashboard is None:
            # An answer lost in transit is fine: the lookup below tells whether it was made (one per
            # environment), so a create is never sent twice.
            with contextlib.suppress(AmbiguousRequestError):
                client.observability_dashboard_create(inputs.environment_id)
            dashboard = self._find(inputs.environment_id)
            if dashboard is None:
                raise RuntimeError(
                    f"Railway accepted observabilityDashboardCreate for environment {inputs.environment_id} "
                    "but lists no dashboard for it; run again"
                )
        dashboard_id = str(dashboard["id"])
        try:
            client.observability_dashboard_update(dashboard_id, inputs.to_railway())
        except Exception as exc:
            note: list[str] = []
            if made_here:
                _cleanup(lambda: client.observability_dashboard_reset(dashboard_id), note)
            what = f"dashboard {dashboard_id}" + ("" if made_here else " (adopted, left unchanged)")
            suffix = f" [{what}: {'; '.join(note)}]" if note else f" [{what}: none of our items were kept]"
            if isinstance(exc, ApiError):
                exc.message += suffix
                raise
            raise RuntimeError(f"{exc}{suffix}") from exc
        return dynamic.CreateResult(dashboard_id, self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ObservabilityDashboardInputs = self.parse(news)
        if changed_keys(olds, news, ("items",)):
            self.client().observability_dashboard_update(id_, new.to_railway())
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        dashboards = unless_gone(
            lambda: self.client().observability_dashboards(old["environment_id"]), is_not_found
        )
        dashboard = next((d for d in dashboards or [] if d.get("id") == id_), None)
        if dashboard is None:
            return dynamic.ReadResult(None, {})
        old_items = {str(i.get("id")): i for i in old.get("items") or []}
        items = [_item_from_railway(i, old_items.get(str(i.get("id")))) for i in dashboard.get("items") or []]
        return self.read_result(id_, {**old, "items": items}, {})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().observability_dashboard_reset(id_))


@dataclass
class DashboardItem:
    """One chart of an `ObservabilityDashboard` (see `DashboardItemInputs` for the rules)."""

    id: str
    name: str
    type: str
    description: str | None = None
    measurements: list[str] | None = None
    http_metric: str | None = None
    resource_ids: pulumi.Input[list[str]] | None = None
    logs_filter: str | None = None
    project_usage_properties: list[str] | None = None
    x: int | None = None
    y: int | None = None
    w: int | None = None
    h: int | None = None

    def as_input(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


@dataclass
class ObservabilityDashboardArgs:
    environment_id: pulumi.Input[str]
    items: Sequence[DashboardItem | Mapping[str, Any]]


class ObservabilityDashboard(dynamic.Resource, module="railway", name="ObservabilityDashboard"):
    """The environment's Railway observability dashboard with our charts; deleting it resets the dashboard
    to Railway's default items (Railway has no delete)."""

    environment_id: pulumi.Output[str]
    items: pulumi.Output[list[dict[str, Any]]]

    def __init__(
        self, resource_name: str, args: ObservabilityDashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        items = [i.as_input() if isinstance(i, DashboardItem) else dict(i) for i in args.items]
        props = {"environment_id": args.environment_id, "items": items}
        super().__init__(ObservabilityDashboardProvider(), resource_name, props, opts)


ALL_PROVIDERS: tuple[type[RailwayProvider], ...] = (
    ProjectProvider,
    EnvironmentProvider,
    ServiceProvider,
    ServiceInstanceProvider,
    VariablesProvider,
    ServiceDomainProvider,
    CustomDomainProvider,
    VolumeProvider,
    TcpProxyProvider,
    NotificationRuleProvider,
    ObservabilityDashboardProvider,
)

__all__ = [
    "KNOWN_REGIONS",
    "MAX_HEALTHCHECK_TIMEOUT_SECONDS",
    "MAX_RESTART_RETRIES",
    "MAX_TOTAL_REPLICAS",
    "AmbiguousRequestError",
    "CustomDomain",
    "CustomDomainArgs",
    "DashboardItem",
    "DeploymentFailedError",
    "Environment",
    "EnvironmentArgs",
    "NotificationRule",
    "NotificationRuleArgs",
    "ObservabilityDashboard",
    "ObservabilityDashboardArgs",
    "Project",
    "ProjectArgs",
    "Service",
    "ServiceArgs",
    "ServiceDomain",
    "ServiceDomainArgs",
    "ServiceInstance",
    "ServiceInstanceArgs",
    "TcpProxy",
    "TcpProxyArgs",
    "Variables",
    "VariablesArgs",
    "Volume",
    "VolumeArgs",
]
