"""Railway ServiceInstance (settings and deployment): its inputs model, provider, Args and Resource."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator, model_validator

from providers.adoption import create_or_adopt
from providers.base import (
    PollPolicy,
    poll_until,
    resource_props,
    unless_gone,
)
from providers.http import ApiError
from providers.pending_create import PendingCreate
from providers.railway.base import (
    DEFAULT_DEPLOY_TIMEOUT,
    KNOWN_REGIONS,
    MAX_HEALTHCHECK_TIMEOUT_SECONDS,
    MAX_RESTART_RETRIES,
    MAX_TOTAL_REPLICAS,
    Builder,
    DeploymentFailedError,
    RailwayProvider,
    RestartPolicyType,
    _strict,
)
from providers.railway.client import CLEAR, RailwayClient, is_not_found

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


def _deploy_once(
    client: RailwayClient,
    service_id: str,
    environment_id: str,
    sleep: Callable[[float], None],
    latest_before: tuple[str | None] | None = None,
) -> str:
    """serviceInstanceDeployV2, never sent twice for one change: after a lost answer, a deployment that
    appeared since (the instance's latest is a new one) is the one it started. `latest_before` is the
    instance's latest deployment id when the caller has just read it (one request fewer), else it is read."""

    def latest() -> str | None:
        instance = client.service_instance(service_id=service_id, environment_id=environment_id)
        return (instance.get("latestDeployment") or {}).get("id")

    before = latest_before[0] if latest_before is not None else latest()

    def started() -> list[str]:
        now = latest()
        return [now] if now and now != before else []

    return create_or_adopt(
        lambda: client.service_instance_deploy(service_id=service_id, environment_id=environment_id),
        started,
        f"a new deployment of service {service_id}",
        sleep=sleep,
    )


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
        expected=typical_deploy_seconds,
    )


# How long a Railway deployment usually takes, by source (Railway publishes no figures; these are the
# emulator's vendor timings: an image is pulled and started, a repo is also built). The wait polls densely
# only near them; see `PollPolicy`.
TYPICAL_DEPLOY_SECONDS = {"image": 22.0, "repo": 83.0}


def typical_deploy_seconds(deployment: Mapping[str, Any]) -> float:
    meta = deployment.get("meta") or {}
    return TYPICAL_DEPLOY_SECONDS["repo" if isinstance(meta, dict) and meta.get("repo") else "image"]


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
        # The same read gives the latest deployment, for telling ours apart after a lost answer.
        latest = (_instance_node(env, inputs.service_id).get("latestDeployment") or {}).get("id")
        computed = self._apply(
            client, inputs, settings, limits=(inputs.vcpus, inputs.memory_gb), latest_before=(latest,)
        )
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
        latest_before: tuple[str | None] | None = None,
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
        deployment_id = _deploy_once(
            client, inputs.service_id, inputs.environment_id, self.sleep, latest_before
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
        latest = _instance_node(env, service_id).get("latestDeployment") or {}
        computed = {
            "deployment_id": latest.get("id") or props.get("deployment_id"),
            "deployment_status": latest.get("status") or props.get("deployment_status"),
        }
        return self.read_result(id_, inputs, {k: v for k, v in computed.items() if v is not None})

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        """The instance exists with its service; what the create adds is a deployment. Ours is a latest
        deployment made since the create started; none (or no start time), and the create runs again: its
        settings are idempotent and it deploys once."""
        inputs: ServiceInstanceInputs = self.parse(props)
        if not inputs.deploy:
            return []
        instance = self.client().service_instance(
            service_id=inputs.service_id, environment_id=inputs.environment_id
        )
        latest = instance.get("latestDeployment") or {}
        if latest.get("id") and pending.made_since(latest.get("createdAt")):
            return [f"{inputs.service_id}:{inputs.environment_id}"]
        return []

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """Wait for the deployment the interrupted create started, as create would have; one that failed
        is no result (the create runs again, and reports the failure if it recurs)."""
        inputs: ServiceInstanceInputs = self.parse(props)
        client = self.client()
        instance = client.service_instance(service_id=inputs.service_id, environment_id=inputs.environment_id)
        latest = instance.get("latestDeployment") or {}
        if inputs.deploy and latest.get("id"):
            subject = f"railway service {inputs.service_id} in environment {inputs.environment_id}"
            try:
                _deployment_wait(self, client, str(latest["id"]), subject, inputs.deploy_timeout_seconds)
            except DeploymentFailedError:
                return dynamic.ReadResult(None, {})
        return read(id_, props)

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"deployment of service {props.get('service_id')}"

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Nothing to undo: the service owns its instance (deleting the service or the environment removes it),
        # and resetting settings on a live service would redeploy it with defaults nobody chose.
        return None


def _service_config(env: Mapping[str, Any] | None, service_id: str) -> Mapping[str, Any] | None:
    """One service's entry in an environment's config (Railway's EnvironmentConfig), if it has one."""
    return (((env or {}).get("config") or {}).get("services") or {}).get(service_id)


def _instance_node(env: Mapping[str, Any] | None, service_id: str) -> Mapping[str, Any]:
    """One service's node in an environment's `serviceInstances` (its latest deployment), or {}."""
    edges = ((env or {}).get("serviceInstances") or {}).get("edges") or []
    nodes = (edge.get("node") or {} for edge in edges if edge)
    return next((node for node in nodes if node.get("serviceId") == service_id), {})


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
