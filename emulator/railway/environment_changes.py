"""Staged environment changes: how Railway's own CLI and dashboard change an environment now.

An `EnvironmentConfig` patch (the shape `Environment.config` answers) names only what changes; it is
merged into the environment's configuration, and `null` removes (a region of `multiRegionConfig`, a
variable, a TCP proxy, a domain). Railway's mutations:

- `environmentStageChanges(environmentId, input, merge)`: sets the environment's one staged patch
  (`merge: true` merges `input` into what is staged already, otherwise replaces it); it answers the
  `EnvironmentPatch` with status `STAGED`. `environmentStagedChanges` reads it (an empty patch when
  nothing is staged).
- `environmentPatchCommitStaged(environmentId, commitMessage, skipDeploys)`: applies the staged patch and
  answers its id; the patch becomes `COMMITTED`.
- `environmentPatchCommit(environmentId, patch, commitMessage)`: applies `patch` at once (a committed
  patch of its own) and answers its id.

Applying is all-or-nothing (the mutation's snapshot restores the state on any error). Committed changes
deploy every service whose source, build, deploy settings, variables or TCP proxies they touch, unless
`skipDeploys` (the emulator's reading of "Commits the staged changes"; Railway's dashboard deploys on
apply). Modelled keys: per service `source` (`image`, `repo`, `branch`, `rootDirectory`), `build`
(`builder`, `buildCommand`, `dockerfilePath`, `watchPatterns`, `nixpacksPlan`), `deploy` (every
`serviceInstanceUpdate` setting, `multiRegionConfig` as a patch, `limitOverride.containers.cpu` /
`memoryBytes`), `variables`, `configFile`, `networking.tcpProxies`, `networking.serviceDomains` (the
target port of a domain, or `null` to delete it), `networking.customDomains` (a new hostname is
added); and `sharedVariables`. A key Railway documents but the emulator does not model answers
"not emulated"; any other key is refused as invalid.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.railway.exceptions import InvalidInput
from emulator.railway.models import RailwayModel, new_id
from emulator.railway.responses import OBJECT_FIELDS, Context, environment_config, mutation, query
from emulator.railway.schema_source import not_emulated

DEPLOY_KEYS = {
    "startCommand",
    "preDeployCommand",
    "healthcheckPath",
    "healthcheckTimeout",
    "numReplicas",
    "multiRegionConfig",
    "region",
    "cronSchedule",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "sleepApplication",
    "overlapSeconds",
    "drainingSeconds",
    "ipv6EgressEnabled",
    "registryCredentials",
}
BUILD_KEYS = {"builder", "buildCommand", "dockerfilePath", "watchPatterns", "nixpacksPlan"}
# Documented in Railway's environment schema, not modelled here: "not emulated", never silently ignored.
UNMODELLED = {
    "service": {"volumeMounts", "isDeleted", "isCreated", "groupId", "icon", "name"},
    "source": {"commitSha", "checkSuites", "autoUpdates"},
    "build": {"buildEnvironment", "nixpacksConfigPath", "nixpacksVersion", "railpackVersion"},
    "deploy": {"requiredMountPath"},
    "networking": {"privateNetworkEndpoint"},
    "environment": {"volumes", "buckets", "privateNetworkDisabled"},
}
SERVICE_SECTIONS = {"source", "build", "deploy", "variables", "configFile", "networking"}


def merge_patch(base: Any, patch: Any) -> Any:
    """`patch` merged into `base` (objects key by key; `null` is kept, meaning "remove" when applied)."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        merged[key] = merge_patch(merged.get(key), value) if isinstance(value, dict) else copy.deepcopy(value)
    return merged


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"Invalid environment config: {where} must be an object")
    return value


def _check_keys(section: dict[str, Any], allowed: set[str], unmodelled: set[str], where: str) -> None:
    for key in section:
        if key in unmodelled:
            raise not_emulated(f"EnvironmentConfig {where}.{key}")
        if key not in allowed:
            raise InvalidInput(f"Invalid environment config: unknown key {where}.{key}")


def _variables(values: Any, where: str) -> tuple[dict[str, str], list[str]]:
    """({name: value} to set, [names] to delete) from `{NAME: {value} | null}`."""
    upserts: dict[str, str] = {}
    deletes: list[str] = []
    for name, entry in _object(values, where).items():
        if entry is None:
            deletes.append(name)
            continue
        entry = _object(entry, f"{where}.{name}")
        if "value" not in entry:
            raise not_emulated(f"EnvironmentConfig {where}.{name} without a value")
        upserts[name] = entry["value"]
    return upserts, deletes


def _apply_variables(
    model: RailwayModel, environment: dict[str, Any], service_id: str | None, values: Any, where: str
) -> None:
    upserts, deletes = _variables(values, where)
    model.check_variables(upserts)
    model.set_variables(environment["projectId"], environment["id"], service_id, upserts)
    for name in deletes:
        model.delete_variable(environment["id"], service_id, name)


def _instance_settings(service: dict[str, Any], where: str) -> dict[str, Any]:
    """The `serviceInstanceUpdate` input equivalent to a service's source, build, deploy and configFile."""
    settings: dict[str, Any] = {}
    if "source" in service:
        source = _object(service["source"], f"{where}.source")
        _check_keys(
            source, {"image", "repo", "branch", "rootDirectory"}, UNMODELLED["source"], f"{where}.source"
        )
        if "image" in source or "repo" in source:
            settings["source"] = {"image": source.get("image"), "repo": source.get("repo")}
        if "rootDirectory" in source:
            settings["rootDirectory"] = source["rootDirectory"]
    if "build" in service:
        build = _object(service["build"], f"{where}.build")
        _check_keys(build, BUILD_KEYS, UNMODELLED["build"], f"{where}.build")
        settings.update(build)
    if "deploy" in service:
        deploy = _object(service["deploy"], f"{where}.deploy")
        _check_keys(deploy, DEPLOY_KEYS | {"limitOverride"}, UNMODELLED["deploy"], f"{where}.deploy")
        settings.update({k: v for k, v in deploy.items() if k != "limitOverride"})
        for key in ("overlapSeconds", "drainingSeconds"):
            # railway.json writes these as strings; the API's settings are integers.
            if isinstance(settings.get(key), str) and settings[key].isdigit():
                settings[key] = int(settings[key])
    if "configFile" in service:
        settings["railwayConfigFile"] = service["configFile"]
    return settings


def _limits(deploy: dict[str, Any], service_id: str, environment_id: str) -> dict[str, Any] | None:
    if "limitOverride" not in deploy:
        return None
    containers = (deploy["limitOverride"] or {}).get("containers") or {}
    limits: dict[str, Any] = {"serviceId": service_id, "environmentId": environment_id}
    if deploy["limitOverride"] is None:
        return {**limits, "vCPUs": None, "memoryGB": None}
    if "cpu" in containers:
        limits["vCPUs"] = containers["cpu"]
    if "memoryBytes" in containers:
        memory = containers["memoryBytes"]
        limits["memoryGB"] = None if memory is None else memory / 1024**3
    return limits


def _apply_networking(
    model: RailwayModel, environment: dict[str, Any], service_id: str, networking: Any, where: str
) -> bool:
    """Apply a service's `networking`; whether a TCP proxy changed (that needs a redeploy)."""
    networking = _object(networking, where)
    _check_keys(
        networking, {"tcpProxies", "serviceDomains", "customDomains"}, UNMODELLED["networking"], where
    )
    match = {"serviceId": service_id, "environmentId": environment["id"]}
    proxies_changed = False
    for port, entry in _object(networking.get("tcpProxies") or {}, f"{where}.tcpProxies").items():
        if not str(port).isdigit():
            raise InvalidInput(f"Invalid environment config: {where}.tcpProxies key {port} is not a port")
        existing = [p for p in model.where("tcpProxies", **match) if p["applicationPort"] == int(port)]
        if entry is None:
            for proxy in existing:
                model.table("tcpProxies").pop(proxy["id"], None)
            proxies_changed = proxies_changed or bool(existing)
        elif not existing:
            model.create_tcp_proxy({**match, "applicationPort": int(port)})
            proxies_changed = True
    for name, entry in _object(networking.get("serviceDomains") or {}, f"{where}.serviceDomains").items():
        found = [d for d in model.where("serviceDomains", **match) if d["domain"] == name]
        if entry is None:
            for domain in found:
                model.table("serviceDomains").pop(domain["id"], None)
        elif found:
            if "port" in _object(entry, f"{where}.serviceDomains.{name}"):
                found[0]["targetPort"] = entry["port"]
                found[0]["updatedAt"] = model.now_iso()
        else:
            raise not_emulated(f"EnvironmentConfig {where}.serviceDomains: adding {name}")
    for name, entry in _object(networking.get("customDomains") or {}, f"{where}.customDomains").items():
        found = [d for d in model.where("customDomains", **match) if d["domain"] == name]
        if entry is None:
            for domain in found:
                model.table("customDomains").pop(domain["id"], None)
        elif found:
            if "port" in _object(entry, f"{where}.customDomains.{name}"):
                model.update_custom_domain(found[0]["id"], environment["id"], {"targetPort": entry["port"]})
        else:
            target_port = _object(entry, f"{where}.customDomains.{name}").get("port")
            model.create_custom_domain(
                {**match, "projectId": environment["projectId"], "domain": name, "targetPort": target_port}
            )
    return proxies_changed


def apply_patch(model: RailwayModel, environment: dict[str, Any], patch: Any) -> list[dict[str, Any]]:
    """Apply an EnvironmentConfig patch to `environment`; the service instances whose deployment it
    changes (source, build, deploy, variables or TCP proxies)."""
    patch = _object(patch, "config")
    _check_keys(patch, {"services", "sharedVariables"}, UNMODELLED["environment"], "config")
    to_deploy: list[dict[str, Any]] = []
    for service_id, service in _object(patch.get("services") or {}, "services").items():
        where = f"services.{service_id}"
        service = _object(service, where)
        _check_keys(service, SERVICE_SECTIONS, UNMODELLED["service"], where)
        model.get("services", service_id, "Service")
        instance = model.instance(service_id, environment["id"])
        before = model.manifest(instance), model.variables(environment["id"], service_id)
        settings = _instance_settings(service, where)
        if settings:
            model.update_instance(service_id, environment["id"], settings)
        if "source" in service and "branch" in service["source"]:
            instance["branch"] = service["source"]["branch"]
        limits = _limits(service.get("deploy") or {}, service_id, environment["id"])
        if limits is not None:
            model.update_limits(limits)
        if "variables" in service:
            _apply_variables(model, environment, service_id, service["variables"], f"{where}.variables")
        proxies_changed = False
        if "networking" in service:
            proxies_changed = _apply_networking(
                model, environment, service_id, service["networking"], f"{where}.networking"
            )
        after = model.manifest(instance), model.variables(environment["id"], service_id)
        if before != after or proxies_changed:
            to_deploy.append(instance)
    if "sharedVariables" in patch:
        before_shared = model.variables(environment["id"], None)
        _apply_variables(model, environment, None, patch["sharedVariables"], "sharedVariables")
        if model.variables(environment["id"], None) != before_shared:
            for instance in model.where("serviceInstances", environmentId=environment["id"]):
                if instance not in to_deploy and model.latest_deployment(instance) is not None:
                    to_deploy.append(instance)
    return to_deploy


def _staged(model: RailwayModel, environment_id: str) -> dict[str, Any] | None:
    return next(
        (
            p
            for p in model.where("environmentPatches", environmentId=environment_id)
            if p["status"] == "STAGED"
        ),
        None,
    )


def _new_patch(
    model: RailwayModel, environment_id: str, patch: dict[str, Any], status: str
) -> dict[str, Any]:
    now = model.now_iso()
    row: dict[str, Any] = {
        "id": new_id(),
        "environmentId": environment_id,
        "patch": patch,
        "status": status,
        "message": None,
        "createdAt": now,
        "updatedAt": now,
        "appliedAt": None,
        "lastAppliedError": None,
    }
    model.table("environmentPatches")[row["id"]] = row
    return row


def _commit(
    ctx: Context, environment: dict[str, Any], row: dict[str, Any], message: str | None, deploy: bool
) -> str:
    to_deploy = apply_patch(ctx.model, environment, row["patch"])
    now = ctx.model.now_iso()
    row.update(status="COMMITTED", message=message, appliedAt=now, updatedAt=now)
    if deploy:
        for instance in to_deploy:
            if instance.get("source"):
                ctx.model.create_deployment(instance, reason="environmentPatchCommit", outcome=ctx.outcome())
    return str(row["id"])


@mutation("environmentStageChanges")
def environment_stage_changes(
    ctx: Context, environmentId: str, input: Any, merge: bool | None = None
) -> dict[str, Any]:
    environment = ctx.environment(environmentId)
    patch = _object(input, "input")
    row = _staged(ctx.model, environment["id"])
    if row is None:
        return _new_patch(ctx.model, environment["id"], copy.deepcopy(patch), "STAGED")
    row["patch"] = merge_patch(row["patch"], patch) if merge else copy.deepcopy(patch)
    row["updatedAt"] = ctx.model.now_iso()
    return row


@query("environmentStagedChanges")
def environment_staged_changes(ctx: Context, environmentId: str) -> dict[str, Any]:
    environment = ctx.environment(environmentId)
    return _staged(ctx.model, environment["id"]) or _new_patch(ctx.model, environment["id"], {}, "STAGED")


@mutation("environmentPatchCommitStaged")
def environment_patch_commit_staged(
    ctx: Context, environmentId: str, commitMessage: str | None = None, skipDeploys: bool | None = None
) -> str:
    environment = ctx.environment(environmentId)
    row = _staged(ctx.model, environment["id"])
    if row is None or not row["patch"]:
        raise InvalidInput("No staged changes to commit")
    return _commit(ctx, environment, row, commitMessage, deploy=not skipDeploys)


@mutation("environmentPatchCommit")
def environment_patch_commit(
    ctx: Context, environmentId: str, patch: Any = None, commitMessage: str | None = None
) -> str:
    environment = ctx.environment(environmentId)
    row = _new_patch(ctx.model, environment["id"], copy.deepcopy(_object(patch or {}, "patch")), "APPLYING")
    return _commit(ctx, environment, row, commitMessage, deploy=True)


def unmerged_changes_count(model: RailwayModel, environment: dict[str, Any]) -> int | None:
    """For a fork: how many of its services' sections (source, build, deploy, variables) and its shared
    variables differ from the source environment's, i.e. what merging it back would change. `null` for an
    environment that is no fork (the emulator's reading; Railway does not document the count)."""
    source = model.table("environments").get(environment.get("sourceEnvironmentId") or "")
    if source is None:
        return None
    ours = environment_config(model, environment, True)
    theirs = environment_config(model, source, True)
    count = 0
    for service_id in set(ours["services"]) | set(theirs["services"]):
        mine, base = ours["services"].get(service_id), theirs["services"].get(service_id)
        if mine is None or base is None:
            count += 1
            continue
        for section in ("source", "build", "deploy", "variables"):
            if mine.get(section) != base.get(section):
                count += 1
    if ours["sharedVariables"] != theirs["sharedVariables"]:
        count += 1
    return count


OBJECT_FIELDS["Environment"]["unmergedChangesCount"] = lambda e, info: unmerged_changes_count(
    info.context.model, e
)
OBJECT_FIELDS["EnvironmentPatch"] = {
    "environment": lambda p, info: info.context.model.table("environments")[p["environmentId"]],
    "patch": lambda p, info, decryptVariables=None: p["patch"],
}
