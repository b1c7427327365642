"""Resolvers: one function per root field of `schema.graphql`, plus the object fields Railway computes.

A root resolver takes the request context and the field's arguments exactly as graphql-core coerced them,
so an input field the client left out is absent from its dict while one it sent as `null` is present with
`None` (Railway's "absent keeps, null clears").
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.railway.exceptions import InvalidInput, NotAuthorized, NotFound
from emulator.railway.models import (
    ACTIVE_STATUSES,
    CERTIFICATE_LIFETIME_DAYS,
    REFERENCE,
    REGIONS,
    RailwayModel,
)
from emulator.railway.schema_source import not_emulated

Resolver = Callable[..., Any]
QUERIES: dict[str, Resolver] = {}
MUTATIONS: dict[str, Resolver] = {}
PUBLIC_FIELDS = {"regions"}  # answered without a token


@dataclass
class Principal:
    """Who is calling: an account/workspace token (Bearer) or a project token (one environment)."""

    kind: str  # "account" or "project"
    token_key: str  # what the rate limit counts against (a digest, never the token)
    project_id: str | None = None
    environment_id: str | None = None
    project_token: dict[str, Any] | None = None


@dataclass
class Context:
    model: RailwayModel
    principal: Principal | None
    effects: list[dict[str, Any]] = field(default_factory=list)
    rate_limit: tuple[int, float] = (0, 0.0)  # (remaining, reset epoch) for apiTokenRateLimit
    observed: set[str] = field(default_factory=set)

    # -- authorization ----------------------------------------------------------------------------------
    def account(self) -> Principal:
        if self.principal is None or self.principal.kind != "account":
            raise NotAuthorized()
        return self.principal

    def scope(self, project_id: str | None, environment_id: str | None = None) -> None:
        """The caller may act on this project (and environment); a project token only on its own."""
        if self.principal is None:
            raise NotAuthorized()
        if self.principal.kind == "project" and (
            project_id != self.principal.project_id
            or (environment_id is not None and environment_id != self.principal.environment_id)
        ):
            raise NotAuthorized()

    # -- lookups that check scope -----------------------------------------------------------------------
    def project(self, project_id: str | None) -> dict[str, Any]:
        project = self.model.get("projects", project_id, "Project")
        self.scope(project["id"])
        if self.model.purge_if_due(project):
            raise NotFound("Project")
        return project

    def environment(self, environment_id: str | None) -> dict[str, Any]:
        environment = self.model.get("environments", environment_id, "Environment")
        self.scope(environment["projectId"], environment["id"])
        return environment

    def service(self, service_id: str | None) -> dict[str, Any]:
        service = self.model.get("services", service_id, "Service")
        self.scope(service["projectId"])
        return service

    def instance(self, service_id: str, environment_id: str) -> dict[str, Any]:
        self.service(service_id)
        self.environment(environment_id)
        return self.model.instance(service_id, environment_id)

    def owned(self, table: str, row_id: str, kind: str) -> dict[str, Any]:
        """A row of `table` that belongs to a project (and, when it has one, an environment)."""
        row = self.model.get(table, row_id, kind)
        self.scope(row["projectId"], row.get("environmentId"))
        return row

    def deployment(self, deployment: dict[str, Any]) -> dict[str, Any]:
        """A deployment shown to the client counts as one observation (once per request)."""
        if deployment["id"] not in self.observed:
            self.observed.add(deployment["id"])
            self.model.observe(deployment)
        return deployment

    def outcome(self) -> str:
        """How deployments started by this request end, from injected `effect`s."""
        for effect in self.effects:
            if effect.get("effect") == "deployment_failed":
                return "failed"
            if effect.get("effect") == "deployment_crashed":
                return "crashed"
        return "success"


def query(name: str) -> Callable[[Resolver], Resolver]:
    def register(function: Resolver) -> Resolver:
        QUERIES[name] = function
        return function

    return register


def mutation(name: str) -> Callable[[Resolver], Resolver]:
    def register(function: Resolver) -> Resolver:
        MUTATIONS[name] = function
        return function

    return register


def connection(
    nodes: list[Any],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over `nodes` (objects with an `id`), cursors being ids."""
    ids = [n["id"] for n in nodes]
    start, end = 0, len(nodes)
    if after and after in ids:
        start = ids.index(after) + 1
    if before and before in ids:
        end = ids.index(before)
    window = nodes[start:end]
    if first is not None:
        window = window[: max(first, 0)]
    if last is not None:
        window = window[-last:] if last > 0 else []
    edges = [{"cursor": n["id"], "node": n} for n in window]
    last_index = ids.index(window[-1]["id"]) if window else start
    first_index = ids.index(window[0]["id"]) if window else start
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": bool(window) and last_index < len(nodes) - 1,
            "hasPreviousPage": bool(window) and first_index > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def iso_in(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------------------
# Account, workspaces, regions, tokens


@query("me")
def me(ctx: Context) -> dict[str, Any]:
    principal = ctx.account()
    digest = principal.token_key[:12]
    return {
        "id": f"user-{digest}",
        "name": "Emulated User",
        "email": "user@example.com",
        "username": "emulated-user",
        "createdAt": ctx.model.default_workspace()["createdAt"],
    }


@query("workspace")
def workspace(ctx: Context, workspaceId: str) -> dict[str, Any]:
    ctx.account()
    return ctx.model.get("workspaces", workspaceId, "Workspace")


@query("regions")
def regions(ctx: Context, projectId: str | None = None) -> list[dict[str, Any]]:
    if projectId and ctx.principal is not None:
        ctx.project(projectId)
    return [
        {
            "id": airport,
            "name": name,
            "region": name,
            "country": country,
            "location": location,
            "workspaceId": None,
            "deploymentConstraints": (
                {"deprecationInfo": {"isDeprecated": True, "replacementRegion": replacement}}
                if replacement
                else None
            ),
        }
        for name, airport, location, country, replacement in REGIONS
    ]


@query("projectToken")
def project_token(ctx: Context) -> dict[str, Any]:
    principal = ctx.principal
    if principal is None or principal.kind != "project" or principal.project_token is None:
        raise NotAuthorized()
    return principal.project_token


@mutation("projectTokenCreate")
def project_token_create(ctx: Context, input: dict[str, Any]) -> str:
    ctx.account()
    ctx.project(input["projectId"])
    return ctx.model.create_project_token(input)


@mutation("projectTokenDelete")
def project_token_delete(ctx: Context, id: str) -> bool:
    ctx.account()
    token = ctx.model.get("projectTokens", id, "ProjectToken")
    ctx.project(token["projectId"])
    ctx.model.table("projectTokens").pop(id, None)
    return True


# ---------------------------------------------------------------------------------------------------------
# Projects


@query("project")
def project(ctx: Context, id: str) -> dict[str, Any]:
    return ctx.project(id)


@query("projects")
def projects(ctx: Context, workspaceId: str | None = None, **page: Any) -> dict[str, Any]:
    principal = ctx.account()
    del principal
    rows = [p for p in ctx.model.where("projects") if not ctx.model.purge_if_due(p)]
    if not page.get("includeDeleted"):
        rows = [p for p in rows if p.get("deletedAt") is None]
    if workspaceId:
        ctx.model.get("workspaces", workspaceId, "Workspace")
        rows = [p for p in rows if p["workspaceId"] == workspaceId]
    order = page.pop("orderBy", None)
    if order == "NAME_ASC":
        rows.sort(key=lambda p: p["name"])
    elif order in ("CREATED_AT_DESC", "UPDATED_AT_DESC"):
        key = "createdAt" if order == "CREATED_AT_DESC" else "updatedAt"
        rows.sort(key=lambda p: p[key], reverse=True)
    page.pop("includeDeleted", None)
    page.pop("userId", None)
    return connection(rows, **page)


@mutation("projectCreate")
def project_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.account()
    return ctx.model.create_project(input)


@mutation("projectUpdate")
def project_update(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.project(id)
    return ctx.model.update_project(id, input)


@mutation("projectScheduleDelete")
def project_schedule_delete(ctx: Context, id: str) -> bool:
    ctx.account()
    ctx.project(id)
    ctx.model.schedule_project_delete(id)
    return True


@mutation("projectDelete")
def project_delete(ctx: Context, id: str) -> bool:
    ctx.account()
    ctx.project(id)
    ctx.model.delete_project(id)
    return True


# ---------------------------------------------------------------------------------------------------------
# Environments


@query("environment")
def environment(ctx: Context, id: str, projectId: str | None = None) -> dict[str, Any]:
    found = ctx.environment(id)
    if projectId and found["projectId"] != projectId:
        raise NotFound("Environment")
    return found


@query("environments")
def environments(
    ctx: Context, projectId: str, isEphemeral: bool | None = None, **page: Any
) -> dict[str, Any]:
    ctx.project(projectId)
    rows = ctx.model.where("environments", projectId=projectId)
    if isEphemeral is not None:
        rows = [e for e in rows if e["isEphemeral"] == isEphemeral]
    if ctx.principal and ctx.principal.kind == "project":
        rows = [e for e in rows if e["id"] == ctx.principal.environment_id]
    return connection(rows, **page)


@mutation("environmentCreate")
def environment_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.account()
    ctx.project(input["projectId"])
    if input.get("stageInitialChanges"):
        # Railway would stage the fork's changes for review instead of applying them; not modelled.
        raise not_emulated("EnvironmentCreateInput.stageInitialChanges")
    # `applyChangesInBackground` changes nothing here: the emulator's fork is complete when it answers.
    return ctx.model.create_environment(input)


@mutation("environmentRename")
def environment_rename(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.environment(id)
    return ctx.model.rename_environment(id, input["name"])


@mutation("environmentDelete")
def environment_delete(ctx: Context, id: str) -> bool:
    ctx.account()
    ctx.environment(id)
    ctx.model.delete_environment(id)
    return True


def environment_config(model: RailwayModel, environment: dict[str, Any], decrypt: bool) -> dict[str, Any]:
    """`Environment.config`: the environment's whole configuration, in Railway's EnvironmentConfig shape."""
    services: dict[str, Any] = {}
    environment_id = environment["id"]
    for instance in model.where("serviceInstances", environmentId=environment_id):
        service_id = instance["serviceId"]
        source = instance.get("source") or {}
        manifest = model.manifest(instance, source)
        variables = model.variables(environment_id, service_id)
        deploy = {k: v for k, v in manifest["deploy"].items() if k != "region"}
        if instance.get("registryCredentials"):
            credentials = instance["registryCredentials"]
            deploy["registryCredentials"] = {
                "username": credentials.get("username"),
                "password": credentials.get("password") if decrypt else "********",
            }
        services[service_id] = {
            "source": {
                "image": source.get("image"),
                "repo": source.get("repo"),
                "branch": instance.get("branch"),
                "rootDirectory": instance.get("rootDirectory"),
            },
            "networking": {
                "serviceDomains": {
                    d["domain"]: {"port": d["targetPort"]}
                    for d in model.where("serviceDomains", serviceId=service_id, environmentId=environment_id)
                },
                "customDomains": {
                    d["domain"]: {"port": d["targetPort"]}
                    for d in model.where("customDomains", serviceId=service_id, environmentId=environment_id)
                },
                "tcpProxies": {
                    str(p["applicationPort"]): {}
                    for p in model.where("tcpProxies", serviceId=service_id, environmentId=environment_id)
                },
            },
            "variables": {k: ({"value": v} if decrypt else {}) for k, v in variables.items()},
            "configFile": instance.get("railwayConfigFile"),
            "deploy": deploy,
            "build": manifest["build"],
            "volumeMounts": {
                v["volumeId"]: {
                    "mountPath": v["mountPath"],
                    "backupSchedules": [
                        s["kind"] for s in model.where("backupSchedules", volumeInstanceId=v["id"])
                    ],
                }
                for v in model.where("volumeInstances", serviceId=service_id, environmentId=environment_id)
            },
        }
    shared = model.variables(environment_id, None)
    return {
        "services": services,
        "sharedVariables": {k: ({"value": v} if decrypt else {}) for k, v in shared.items()},
        "volumes": {
            v["volumeId"]: {"sizeMB": v["sizeMB"], "region": v["region"]}
            for v in model.where("volumeInstances", environmentId=environment_id)
        },
        "privateNetworkDisabled": False,
    }


# ---------------------------------------------------------------------------------------------------------
# Services and service instances


@query("service")
def service(ctx: Context, id: str) -> dict[str, Any]:
    return ctx.service(id)


@mutation("serviceCreate")
def service_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.project(input["projectId"])
    if input.get("environmentId"):
        ctx.environment(input["environmentId"])
    only = ctx.principal.environment_id if ctx.principal and ctx.principal.kind == "project" else None
    created = ctx.model.create_service(input, only_environment=only)
    for deployment in ctx.model.where("deployments", serviceId=created["id"]):
        deployment["outcome"] = ctx.outcome()
    return created


@mutation("serviceUpdate")
def service_update(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.service(id)
    return ctx.model.update_service(id, input)


@mutation("serviceConnect")
def service_connect(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.service(id)
    before = set(ctx.model.table("deployments"))
    connected = ctx.model.connect_service(id, input)
    for deployment_id in set(ctx.model.table("deployments")) - before:
        ctx.model.table("deployments")[deployment_id]["outcome"] = ctx.outcome()
    return connected


@mutation("serviceDisconnect")
def service_disconnect(ctx: Context, id: str) -> dict[str, Any]:
    ctx.service(id)
    return ctx.model.disconnect_service(id)


@mutation("serviceDelete")
def service_delete(ctx: Context, id: str, environmentId: str | None = None) -> bool:
    ctx.service(id)
    if environmentId:
        ctx.environment(environmentId)
    elif ctx.principal and ctx.principal.kind == "project":
        environmentId = ctx.principal.environment_id
    ctx.model.delete_service(id, environmentId)
    return True


@query("serviceInstance")
def service_instance(ctx: Context, environmentId: str, serviceId: str) -> dict[str, Any]:
    return ctx.instance(serviceId, environmentId)


@mutation("serviceInstanceUpdate")
def service_instance_update(
    ctx: Context, serviceId: str, input: dict[str, Any], environmentId: str | None = None
) -> bool:
    ctx.service(serviceId)
    if environmentId:
        ctx.environment(environmentId)
    elif ctx.principal and ctx.principal.kind == "project":
        environmentId = ctx.principal.environment_id
    ctx.model.update_instance(serviceId, environmentId, input)
    return True


@mutation("serviceInstanceLimitsUpdate")
def service_instance_limits_update(ctx: Context, input: dict[str, Any]) -> bool:
    ctx.instance(input["serviceId"], input["environmentId"])
    ctx.model.update_limits(input)
    return True


@query("serviceInstanceLimits")
def service_instance_limits(ctx: Context, environmentId: str, serviceId: str) -> dict[str, Any]:
    return ctx.model.limits(ctx.instance(serviceId, environmentId))


# ---------------------------------------------------------------------------------------------------------
# Deployments


@mutation("serviceInstanceDeployV2")
def service_instance_deploy_v2(
    ctx: Context, environmentId: str, serviceId: str, commitSha: str | None = None
) -> str:
    instance = ctx.instance(serviceId, environmentId)
    return str(
        ctx.model.create_deployment(instance, reason="deploy", outcome=ctx.outcome(), commit_sha=commitSha)[
            "id"
        ]
    )


@mutation("serviceInstanceDeploy")
def service_instance_deploy(
    ctx: Context,
    environmentId: str,
    serviceId: str,
    commitSha: str | None = None,
    latestCommit: bool | None = None,
) -> bool:
    del latestCommit
    instance = ctx.instance(serviceId, environmentId)
    ctx.model.create_deployment(instance, reason="deploy", outcome=ctx.outcome(), commit_sha=commitSha)
    return True


@mutation("serviceInstanceRedeploy")
def service_instance_redeploy(ctx: Context, environmentId: str, serviceId: str) -> bool:
    ctx.model.redeploy(ctx.instance(serviceId, environmentId), ctx.outcome())
    return True


@query("deployment")
def deployment(ctx: Context, id: str) -> dict[str, Any]:
    return ctx.deployment(ctx.owned("deployments", id, "Deployment"))


@mutation("deploymentRedeploy")
def deployment_redeploy(ctx: Context, id: str, usePreviousImageTag: bool | None = None) -> dict[str, Any]:
    del usePreviousImageTag
    old = ctx.owned("deployments", id, "Deployment")
    instance = ctx.model.instance(old["serviceId"], old["environmentId"])
    source = old["meta"]["serviceManifest"]["source"]
    return ctx.model.create_deployment(instance, reason="redeploy", outcome=ctx.outcome(), source=source)


@mutation("deploymentRestart")
def deployment_restart(ctx: Context, id: str) -> bool:
    ctx.model.restart_deployment(ctx.deployment(ctx.owned("deployments", id, "Deployment")))
    return True


@query("deploymentTriggers")
def deployment_triggers(
    ctx: Context, environmentId: str, projectId: str, serviceId: str, **page: Any
) -> dict[str, Any]:
    instance = ctx.instance(serviceId, environmentId)
    if instance["projectId"] != projectId:
        raise NotFound("Project")
    return connection(ctx.model.triggers(serviceId=serviceId, environmentId=environmentId), **page)


@mutation("deploymentTriggerCreate")
def deployment_trigger_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    instance = ctx.instance(input["serviceId"], input["environmentId"])
    if instance["projectId"] != input["projectId"]:
        raise NotFound("Project")
    if input["provider"] != "github":
        raise InvalidInput(f"Unsupported deployment trigger provider: {input['provider']}")
    return ctx.model.set_trigger(instance, input)


@mutation("deploymentTriggerUpdate")
def deployment_trigger_update(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    instance = ctx.model.instance_of_trigger(id)
    ctx.scope(instance["projectId"], instance["environmentId"])
    return ctx.model.set_trigger(instance, {k: v for k, v in input.items() if v is not None})


@mutation("deploymentTriggerDelete")
def deployment_trigger_delete(ctx: Context, id: str) -> bool:
    instance = ctx.model.instance_of_trigger(id)
    ctx.scope(instance["projectId"], instance["environmentId"])
    instance["triggerRemoved"] = True
    return True


@mutation("deploymentRemove")
def deployment_remove(ctx: Context, id: str) -> bool:
    ctx.model.remove_deployment(ctx.owned("deployments", id, "Deployment"))
    return True


@query("deployments")
def deployments(ctx: Context, input: dict[str, Any], **page: Any) -> dict[str, Any]:
    match = {k: input[k] for k in ("projectId", "environmentId", "serviceId") if input.get(k)}
    if not match:
        raise InvalidInput("Filter deployments by projectId, environmentId or serviceId")
    if "projectId" in match:
        ctx.project(match["projectId"])
    if "environmentId" in match:
        ctx.environment(match["environmentId"])
    if "serviceId" in match:
        ctx.service(match["serviceId"])
    rows = [ctx.deployment(d) for d in ctx.model.where("deployments", **match)]
    if ctx.principal and ctx.principal.kind == "project":
        rows = [d for d in rows if d["environmentId"] == ctx.principal.environment_id]
    status = input.get("status") or {}
    if status.get("in"):
        rows = [d for d in rows if d["status"] in status["in"]]
    if status.get("notIn"):
        rows = [d for d in rows if d["status"] not in status["notIn"]]
    rows.reverse()  # newest first, as Railway lists them
    return connection(rows, **page)


def _log_lines(model: RailwayModel, deployment: dict[str, Any], build: bool) -> list[dict[str, Any]]:
    service = model.table("services").get(deployment["serviceId"]) or {"name": "service"}
    meta = deployment["meta"]
    source = meta.get("image") or meta.get("repo") or "source"
    start = datetime.fromisoformat(deployment["createdAt"].replace("Z", "+00:00"))
    status = deployment["status"]
    lines: list[tuple[str, str]] = []
    if build:
        lines += [("info", f"Using {'Railpack' if meta.get('repo') else 'image'}: {source}")]
        if status == "FAILED":
            lines += [
                (
                    "error",
                    'ERROR: failed to build: process "/bin/sh -c npm ci" did not complete successfully',
                ),
                ("error", "Build Failed: build daemon returned an error"),
            ]
        elif status not in ("INITIALIZING",):
            lines += [("info", "Build completed"), ("info", f"Pushing image for {service['name']}")]
    else:
        if status in ("DEPLOYING", "SUCCESS", "CRASHED", "REMOVED", "SLEEPING"):
            lines += [("info", "Starting Container")]
        if status in ("SUCCESS", "CRASHED", "REMOVED", "SLEEPING"):
            port = 8080
            lines += [("info", f"{service['name']} listening on 0.0.0.0:{port}")]
        if status == "CRASHED":
            lines += [
                ("error", "Error: connect ECONNREFUSED 10.0.0.2:5432"),
                ("error", "Process exited with code 1"),
                ("error", "Container crashed; restart policy exhausted"),
            ]
        if status == "FAILED":
            lines += [("error", "Deployment failed during the build phase; see the build logs")]
    result = []
    for index, (severity, message) in enumerate(lines):
        result.append(
            {
                "message": message,
                "severity": severity,
                "timestamp": (start + timedelta(seconds=index + 1)).isoformat().replace("+00:00", "Z"),
                "attributes": [{"key": "level", "value": severity}],
                "tags": {
                    "deploymentId": deployment["id"],
                    "deploymentInstanceId": None,
                    "environmentId": deployment["environmentId"],
                    "pluginId": None,
                    "projectId": deployment["projectId"],
                    "serviceId": deployment["serviceId"],
                    "snapshotId": deployment.get("snapshotId"),
                },
            }
        )
    return result


def _logs(ctx: Context, deploymentId: str, build: bool, limit: int | None, filter: str | None) -> list[Any]:
    found = ctx.deployment(ctx.owned("deployments", deploymentId, "Deployment"))
    lines = _log_lines(ctx.model, found, build)
    if filter:
        lines = [line for line in lines if filter.lower() in line["message"].lower()]
    return lines[-(limit or 100) :]


@query("deploymentLogs")
def deployment_logs(
    ctx: Context, deploymentId: str, limit: int | None = None, filter: str | None = None, **_: Any
) -> list[Any]:
    return _logs(ctx, deploymentId, False, limit, filter)


@query("buildLogs")
def build_logs(
    ctx: Context, deploymentId: str, limit: int | None = None, filter: str | None = None, **_: Any
) -> list[Any]:
    return _logs(ctx, deploymentId, True, limit, filter)


# ---------------------------------------------------------------------------------------------------------
# Variables


def _variable_target(ctx: Context, data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    project_row = ctx.project(data["projectId"])
    environment_row = ctx.environment(data["environmentId"])
    if environment_row["projectId"] != project_row["id"]:
        raise NotFound("Environment")
    service_id = data.get("serviceId")
    if service_id:
        ctx.model.instance(ctx.service(service_id)["id"], environment_row["id"])
    return environment_row, service_id


def _redeploy_after_variables(ctx: Context, environment_id: str, service_id: str | None) -> None:
    """Without `skipDeploys`, Railway redeploys the services the change reaches."""
    instances = (
        [ctx.model.instance(service_id, environment_id)]
        if service_id
        else ctx.model.where("serviceInstances", environmentId=environment_id)
    )
    for instance in instances:
        if ctx.model.latest_deployment(instance) is not None:
            ctx.model.redeploy(instance, ctx.outcome())


@query("variables")
def variables(
    ctx: Context,
    environmentId: str,
    projectId: str,
    serviceId: str | None = None,
    unrendered: bool | None = None,
) -> dict[str, str]:
    environment_row, service_id = _variable_target(
        ctx, {"projectId": projectId, "environmentId": environmentId, "serviceId": serviceId}
    )
    if unrendered:
        return ctx.model.variables(environment_row["id"], service_id)
    return ctx.model.rendered_variables(projectId, environment_row["id"], service_id)


@query("variablesForServiceDeployment")
def variables_for_service_deployment(
    ctx: Context, environmentId: str, projectId: str, serviceId: str
) -> dict[str, str]:
    """What a deployment of the service gets: its variables and the shared ones it references, rendered,
    plus Railway's own `RAILWAY_*` (as `variables` renders them)."""
    environment_row, service_id = _variable_target(
        ctx, {"projectId": projectId, "environmentId": environmentId, "serviceId": serviceId}
    )
    return ctx.model.rendered_variables(projectId, environment_row["id"], service_id)


@mutation("variableUpsert")
def variable_upsert(ctx: Context, input: dict[str, Any]) -> bool:
    environment_row, service_id = _variable_target(ctx, input)
    ctx.model.check_variables({input["name"]: input["value"]})
    changed = ctx.model.set_variables(
        input["projectId"], environment_row["id"], service_id, {input["name"]: input["value"]}
    )
    if changed and not input.get("skipDeploys"):
        _redeploy_after_variables(ctx, environment_row["id"], service_id)
    return True


@mutation("variableCollectionUpsert")
def variable_collection_upsert(ctx: Context, input: dict[str, Any]) -> bool:
    environment_row, service_id = _variable_target(ctx, input)
    ctx.model.check_variables(input["variables"])
    changed = ctx.model.set_variables(
        input["projectId"],
        environment_row["id"],
        service_id,
        input["variables"],
        replace=bool(input.get("replace")),
    )
    if changed and not input.get("skipDeploys"):
        _redeploy_after_variables(ctx, environment_row["id"], service_id)
    return True


@mutation("variableDelete")
def variable_delete(ctx: Context, input: dict[str, Any]) -> bool:
    environment_row, service_id = _variable_target(ctx, input)
    if ctx.model.delete_variable(environment_row["id"], service_id, input["name"]):
        _redeploy_after_variables(ctx, environment_row["id"], service_id)
    return True


# ---------------------------------------------------------------------------------------------------------
# Domains and TCP proxies


@mutation("serviceDomainCreate")
def service_domain_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.instance(input["serviceId"], input["environmentId"])
    return ctx.model.create_service_domain(input)


@mutation("serviceDomainUpdate")
def service_domain_update(ctx: Context, input: dict[str, Any]) -> bool:
    ctx.owned("serviceDomains", input["serviceDomainId"], "ServiceDomain")
    ctx.model.update_service_domain(input)
    return True


@mutation("serviceDomainDelete")
def service_domain_delete(ctx: Context, id: str) -> bool:
    ctx.owned("serviceDomains", id, "ServiceDomain")
    ctx.model.table("serviceDomains").pop(id, None)
    return True


@query("domains")
def domains(ctx: Context, environmentId: str, projectId: str, serviceId: str) -> dict[str, Any]:
    instance = ctx.instance(serviceId, environmentId)
    if instance["projectId"] != projectId:
        raise NotFound("Project")
    return _all_domains(ctx, instance)


def _all_domains(ctx: Context, instance: dict[str, Any]) -> dict[str, Any]:
    match = {"serviceId": instance["serviceId"], "environmentId": instance["environmentId"]}
    return {
        "serviceDomains": ctx.model.where("serviceDomains", **match),
        "customDomains": [
            ctx.model.observe_custom_domain(d) for d in ctx.model.where("customDomains", **match)
        ],
    }


@mutation("customDomainCreate")
def custom_domain_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.project(input["projectId"])
    ctx.instance(input["serviceId"], input["environmentId"])
    return ctx.model.create_custom_domain(input)


@query("customDomain")
def custom_domain(ctx: Context, id: str, projectId: str) -> dict[str, Any]:
    found = ctx.owned("customDomains", id, "CustomDomain")
    if found["projectId"] != projectId:
        raise NotFound("CustomDomain")
    return ctx.model.observe_custom_domain(found)


@mutation("customDomainUpdate")
def custom_domain_update(ctx: Context, environmentId: str, id: str, **rest: Any) -> bool:
    ctx.owned("customDomains", id, "CustomDomain")
    ctx.model.update_custom_domain(id, environmentId, rest)
    return True


@mutation("customDomainDelete")
def custom_domain_delete(ctx: Context, id: str) -> bool:
    ctx.owned("customDomains", id, "CustomDomain")
    ctx.model.table("customDomains").pop(id, None)
    return True


def custom_domain_status(domain: dict[str, Any]) -> dict[str, Any]:
    verified = domain["verified"]
    propagated = "DNS_RECORD_STATUS_PROPAGATED" if verified else "DNS_RECORD_STATUS_REQUIRES_UPDATE"
    zone = domain["zone"]
    return {
        "dnsRecords": [
            {
                "recordType": "DNS_RECORD_TYPE_CNAME",
                "purpose": "DNS_RECORD_PURPOSE_TRAFFIC_ROUTE",
                "hostlabel": domain["hostlabel"],
                "zone": zone,
                "fqdn": domain["domain"],
                "requiredValue": domain["cnameTarget"],
                "currentValue": domain["cnameTarget"] if verified else "",
                "status": propagated,
            },
            {
                "recordType": "DNS_RECORD_TYPE_TXT",
                "purpose": "DNS_RECORD_PURPOSE_UNSPECIFIED",
                "hostlabel": domain["verificationHostlabel"],
                "zone": zone,
                "fqdn": f"{domain['verificationHostlabel']}.{zone}",
                "requiredValue": domain["verificationToken"],
                "currentValue": domain["verificationToken"] if verified else "",
                "status": propagated,
            },
        ],
        "verificationDnsHost": f"{domain['verificationHostlabel']}.{zone}",
        "verificationToken": domain["verificationToken"],
        "verified": verified,
        "certificateStatus": "CERTIFICATE_STATUS_TYPE_VALID"
        if verified
        else "CERTIFICATE_STATUS_TYPE_VALIDATING_OWNERSHIP",
        "certificateStatusDetailed": (
            "CERTIFICATE_STATUS_TYPE_DETAILED_COMPLETE"
            if verified
            else "CERTIFICATE_STATUS_TYPE_DETAILED_UNSPECIFIED"
        ),
        "certificateErrorMessage": None,
        "certificateErrorType": None,
        "certificateRetryable": None,
        "certificates": [_certificate(domain)] if verified else [],
        "cdnProvider": None,
    }


def _certificate(domain: dict[str, Any]) -> dict[str, Any]:
    """The certificate Railway issued once the domain verified (Let's Encrypt: 90 days, ECDSA)."""
    issued = domain.get("verifiedAt") or domain["updatedAt"]
    issued_at = datetime.fromisoformat(issued.replace("Z", "+00:00"))
    expires = issued_at + timedelta(days=CERTIFICATE_LIFETIME_DAYS)
    return {
        "domainNames": [domain["domain"]],
        "issuedAt": issued,
        "expiresAt": expires.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "fingerprintSha256": hashlib.sha256(f"{domain['id']}:{issued}".encode()).hexdigest(),
        "keyType": "KEY_TYPE_ECDSA",
    }


@mutation("tcpProxyCreate")
def tcp_proxy_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.instance(input["serviceId"], input["environmentId"])
    return ctx.model.create_tcp_proxy(input)


@query("tcpProxies")
def tcp_proxies(ctx: Context, environmentId: str, serviceId: str) -> list[dict[str, Any]]:
    ctx.instance(serviceId, environmentId)
    return ctx.model.where("tcpProxies", serviceId=serviceId, environmentId=environmentId)


@mutation("tcpProxyDelete")
def tcp_proxy_delete(ctx: Context, id: str) -> bool:
    ctx.owned("tcpProxies", id, "TCPProxy")
    ctx.model.table("tcpProxies").pop(id, None)
    return True


# ---------------------------------------------------------------------------------------------------------
# Volumes and backups


@mutation("volumeCreate")
def volume_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.project(input["projectId"])
    if input.get("environmentId"):
        ctx.environment(input["environmentId"])
    elif ctx.principal and ctx.principal.kind == "project":
        input = {**input, "environmentId": ctx.principal.environment_id}
    return ctx.model.create_volume(input)


@mutation("volumeUpdate")
def volume_update(ctx: Context, volumeId: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.owned("volumes", volumeId, "Volume")
    return ctx.model.update_volume(volumeId, input)


@mutation("volumeDelete")
def volume_delete(ctx: Context, volumeId: str) -> bool:
    ctx.owned("volumes", volumeId, "Volume")
    ctx.model.delete_volume(volumeId)
    return True


@mutation("volumeInstanceUpdate")
def volume_instance_update(
    ctx: Context, volumeId: str, input: dict[str, Any], environmentId: str | None = None
) -> bool:
    ctx.owned("volumes", volumeId, "Volume")
    if environmentId:
        ctx.environment(environmentId)
    ctx.model.update_volume_instance(volumeId, environmentId, input)
    return True


@query("volumeInstance")
def volume_instance(ctx: Context, id: str) -> dict[str, Any]:
    return ctx.owned("volumeInstances", id, "VolumeInstance")


@mutation("volumeInstanceBackupScheduleUpdate")
def volume_instance_backup_schedule_update(ctx: Context, kinds: list[str], volumeInstanceId: str) -> bool:
    ctx.owned("volumeInstances", volumeInstanceId, "VolumeInstance")
    ctx.model.set_backup_schedules(volumeInstanceId, kinds)
    return True


@query("volumeInstanceBackupScheduleList")
def volume_instance_backup_schedule_list(ctx: Context, volumeInstanceId: str) -> list[dict[str, Any]]:
    ctx.owned("volumeInstances", volumeInstanceId, "VolumeInstance")
    return ctx.model.where("backupSchedules", volumeInstanceId=volumeInstanceId)


# ---------------------------------------------------------------------------------------------------------
# Notification rules


@mutation("notificationRuleCreate")
def notification_rule_create(ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    ctx.account()
    return ctx.model.create_notification_rule(input)


@mutation("notificationRuleUpdate")
def notification_rule_update(ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    ctx.account()
    return ctx.model.update_notification_rule(id, input)


@mutation("notificationRuleDelete")
def notification_rule_delete(ctx: Context, id: str) -> bool:
    ctx.account()
    ctx.model.get("notificationRules", id, "NotificationRule")
    ctx.model.table("notificationRules").pop(id, None)
    return True


@query("notificationRules")
def notification_rules(ctx: Context, workspaceId: str, projectId: str | None = None) -> list[dict[str, Any]]:
    ctx.account()
    ctx.model.get("workspaces", workspaceId, "Workspace")
    rows = ctx.model.where("notificationRules", workspaceId=workspaceId)
    if projectId:
        rows = [r for r in rows if r["projectId"] == projectId]
    return rows


# ---------------------------------------------------------------------------------------------------------
# Observability dashboards (one per environment; the mutations answer only `true`)


@mutation("observabilityDashboardCreate")
def observability_dashboard_create(ctx: Context, input: dict[str, Any]) -> bool:
    ctx.environment(input["environmentId"])
    ctx.model.create_dashboard(input["environmentId"], input.get("items"))
    return True


@mutation("observabilityDashboardUpdate")
def observability_dashboard_update(ctx: Context, id: str, input: list[dict[str, Any]]) -> bool:
    ctx.owned("observabilityDashboards", id, "ObservabilityDashboard")
    ctx.model.update_dashboard(id, input)
    return True


@mutation("observabilityDashboardReset")
def observability_dashboard_reset(ctx: Context, id: str) -> bool:
    ctx.owned("observabilityDashboards", id, "ObservabilityDashboard")
    ctx.model.reset_dashboard(id)
    return True


@query("observabilityDashboards")
def observability_dashboards(ctx: Context, environmentId: str, **page: Any) -> dict[str, Any]:
    ctx.environment(environmentId)
    return connection(ctx.model.where("observabilityDashboards", environmentId=environmentId), **page)


# ---------------------------------------------------------------------------------------------------------
# Object fields Railway computes (everything else is read from the stored dict by name)


def _ctx(info: Any) -> Context:
    context: Context = info.context
    return context


def _rate_limit(info: Any) -> dict[str, Any]:
    remaining, reset = _ctx(info).rate_limit
    return {"remainingPoints": remaining, "resetsAt": iso_in(reset)}


def _instances_of(info: Any, **match: Any) -> list[dict[str, Any]]:
    rows = _ctx(info).model.where("serviceInstances", **match)
    principal = _ctx(info).principal
    if principal and principal.kind == "project":
        rows = [r for r in rows if r["environmentId"] == principal.environment_id]
    return rows


def _latest(instance: dict[str, Any], info: Any) -> dict[str, Any] | None:
    latest = _ctx(info).model.latest_deployment(instance)
    return _ctx(info).deployment(latest) if latest else None


def _active(instance: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    rows = [_ctx(info).deployment(d) for d in _ctx(info).model.deployments_of(instance)]
    return [d for d in rows if d["status"] in ACTIVE_STATUSES]


def _deployment_url(deployment_row: dict[str, Any], info: Any) -> str | None:
    found = _ctx(info).model.where(
        "serviceDomains", serviceId=deployment_row["serviceId"], environmentId=deployment_row["environmentId"]
    )
    return found[0]["domain"] if found else None


def _config(
    environment_row: dict[str, Any], info: Any, decryptVariables: bool | None = None
) -> dict[str, Any]:
    return environment_config(_ctx(info).model, environment_row, bool(decryptVariables))


def _config_etag(environment_row: dict[str, Any], info: Any) -> str:
    config = environment_config(_ctx(info).model, environment_row, True)
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:20]


def _total_replicas(instance: dict[str, Any]) -> int:
    return sum(c["numReplicas"] for c in instance["multiRegionConfig"].values())


def _public_meta(deployment_row: dict[str, Any]) -> dict[str, Any]:
    meta = copy.deepcopy(deployment_row["meta"])
    meta.pop("variablesHash", None)
    return meta


def _shared_variable_has_no_service() -> Any:
    raise not_emulated("Variable.service of a shared variable")


def _variable_nodes(ctx: Context, environment_row: dict[str, Any]) -> list[dict[str, Any]]:
    """`Environment.variables`: one `Variable` per name of each variable set (shared and per service),
    values left out as Railway's `Variable` has none; `references` are the `${{...}}` a value uses."""
    nodes = []
    for variable_set in ctx.model.where("variables", environmentId=environment_row["id"]):
        for name, value in sorted(variable_set["values"].items()):
            nodes.append(
                {
                    "id": str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"railway-variable:{variable_set['id']}:{name}")
                    ),
                    "name": name,
                    "environmentId": environment_row["id"],
                    "serviceId": variable_set["serviceId"],
                    "pluginId": None,
                    "isSealed": False,
                    "references": REFERENCE.findall(value),
                    "createdAt": variable_set["createdAt"],
                    "updatedAt": variable_set["updatedAt"],
                }
            )
    return nodes


FieldResolver = Callable[..., Any]
OBJECT_FIELDS: dict[str, dict[str, FieldResolver]] = {
    "User": {
        "workspaces": lambda user, info: _ctx(info).model.where("workspaces"),
        "apiTokenRateLimit": lambda user, info: _rate_limit(info),
    },
    "Workspace": {
        "apiTokenRateLimit": lambda ws, info: _rate_limit(info),
        "projects": lambda ws, info, **page: connection(
            _ctx(info).model.where("projects", workspaceId=ws["id"]), **page
        ),
        "projectCount": lambda ws, info: len(_ctx(info).model.where("projects", workspaceId=ws["id"])),
    },
    "Project": {
        "teamId": lambda p, info: p["workspaceId"],
        "workspace": lambda p, info: _ctx(info).model.table("workspaces").get(p["workspaceId"]),
        "baseEnvironment": lambda p, info: (
            _ctx(info).model.table("environments").get(p["baseEnvironmentId"] or "")
        ),
        "environments": lambda p, info, isEphemeral=None, sort=None, **page: connection(
            [
                e
                for e in _ctx(info).model.where("environments", projectId=p["id"])
                if (isEphemeral is None or e["isEphemeral"] == isEphemeral)
                and (
                    _ctx(info).principal is None
                    or _ctx(info).principal.kind != "project"  # type: ignore[union-attr]
                    or e["id"] == _ctx(info).principal.environment_id  # type: ignore[union-attr]
                )
            ][:: -1 if sort == "desc" else 1],
            **page,
        ),
        "services": lambda p, info, **page: connection(
            _ctx(info).model.where("services", projectId=p["id"]), **page
        ),
        "volumes": lambda p, info, **page: connection(
            _ctx(info).model.where("volumes", projectId=p["id"]), **page
        ),
        "deployments": lambda p, info, **page: connection(
            [_ctx(info).deployment(d) for d in _ctx(info).model.where("deployments", projectId=p["id"])][
                ::-1
            ],
            **page,
        ),
        "deploymentTriggers": lambda p, info, **page: connection(
            _ctx(info).model.triggers(projectId=p["id"]), **page
        ),
    },
    "Environment": {
        "canAccess": lambda e, info: True,
        # An environment made through the API has no pull request behind it: every key null.
        "meta": lambda e, info: {
            "baseBranch": None,
            "branch": None,
            "latestSuccessfulGitHubDeploymentId": None,
            "prCommentId": None,
            "prNumber": None,
            "prRepo": None,
            "prTitle": None,
            "skippedResourceIds": None,
        },
        "deployments": lambda e, info, **page: connection(
            [_ctx(info).deployment(d) for d in _ctx(info).model.where("deployments", environmentId=e["id"])][
                ::-1
            ],
            **page,
        ),
        "deploymentTriggers": lambda e, info, **page: connection(
            _ctx(info).model.triggers(environmentId=e["id"]), **page
        ),
        "variables": lambda e, info, **page: connection(_variable_nodes(_ctx(info), e), **page),
        "sourceEnvironment": lambda e, info: (
            _ctx(info).model.table("environments").get(e.get("sourceEnvironmentId") or "")
        ),
        "config": _config,
        "configEtag": _config_etag,
        "serviceInstances": lambda e, info, **page: connection(
            _instances_of(info, environmentId=e["id"]), **page
        ),
        "volumeInstances": lambda e, info, **page: connection(
            _ctx(info).model.where("volumeInstances", environmentId=e["id"]), **page
        ),
    },
    "Service": {
        # Registry credentials are hidden only for services deployed from a template (none here).
        "hasHiddenRegistryCredentialsFromTemplate": lambda s, info: False,
        "project": lambda s, info: _ctx(info).model.table("projects")[s["projectId"]],
        "repoTriggers": lambda s, info, **page: connection(
            _ctx(info).model.triggers(serviceId=s["id"]), **page
        ),
        "serviceInstances": lambda s, info, **page: connection(
            _instances_of(info, serviceId=s["id"]), **page
        ),
        "deployments": lambda s, info, **page: connection(
            [
                _ctx(info).deployment(d)
                for d in _ctx(info).model.where("deployments", serviceId=s["id"])
                if d["environmentId"] in {i["environmentId"] for i in _instances_of(info, serviceId=s["id"])}
            ][::-1],
            **page,
        ),
    },
    "ServiceInstance": {
        "service": lambda i, info: _ctx(info).model.table("services")[i["serviceId"]],
        "serviceName": lambda i, info: _ctx(info).model.table("services")[i["serviceId"]]["name"],
        "numReplicas": lambda i, info: _total_replicas(i),
        "region": lambda i, info: next(iter(i["multiRegionConfig"]), None),
        "isUpdatable": lambda i, info: True,
        "nextCronRunAt": lambda i, info: None,
        "upstreamUrl": lambda i, info: None,
        "domains": lambda i, info: _all_domains(_ctx(info), i),
        "latestDeployment": _latest,
        "activeDeployments": _active,
    },
    "Deployment": {
        "environment": lambda d, info: _ctx(info).model.table("environments")[d["environmentId"]],
        "service": lambda d, info: _ctx(info).model.table("services")[d["serviceId"]],
        "meta": lambda d, info: _public_meta(d),
        "url": lambda d, info: f"https://{u}" if (u := _deployment_url(d, info)) else None,
        "staticUrl": _deployment_url,
        "canRedeploy": lambda d, info: d["status"] in ("SUCCESS", "FAILED", "CRASHED", "REMOVED"),
        "canRollback": lambda d, info: d["status"] in ("SUCCESS", "REMOVED"),
        "deploymentStopped": lambda d, info: d["status"] == "REMOVED",
        "suggestAddServiceDomain": lambda d, info: _deployment_url(d, info) is None,
        "instances": lambda d, info: [
            {
                "id": f"{d['id'][:8]}-{index}",
                "status": {"SUCCESS": "RUNNING", "CRASHED": "CRASHED", "REMOVED": "REMOVED"}.get(
                    d["status"], "INITIALIZING"
                ),
            }
            for index in range(d["meta"]["serviceManifest"]["deploy"]["numReplicas"] or 0)
            if d["status"] not in ("FAILED", "INITIALIZING", "BUILDING")
        ],
    },
    "CustomDomain": {"status": lambda d, info: custom_domain_status(d)},
    "Variable": {
        "environment": lambda v, info: _ctx(info).model.table("environments")[v["environmentId"]],
        "service": lambda v, info: (
            _ctx(info).model.table("services")[v["serviceId"]]
            if v["serviceId"]
            else _shared_variable_has_no_service()
        ),
    },
    "Volume": {
        "project": lambda v, info: _ctx(info).model.table("projects")[v["projectId"]],
        "volumeInstances": lambda v, info, **page: connection(
            _ctx(info).model.where("volumeInstances", volumeId=v["id"]), **page
        ),
    },
    "VolumeInstance": {
        "volume": lambda v, info: _ctx(info).model.table("volumes")[v["volumeId"]],
        "environment": lambda v, info: _ctx(info).model.table("environments")[v["environmentId"]],
        "service": lambda v, info: _ctx(info).model.table("services").get(v["serviceId"] or ""),
    },
    "ProjectToken": {
        "project": lambda t, info: _ctx(info).model.table("projects")[t["projectId"]],
        "environment": lambda t, info: _ctx(info).model.table("environments")[t["environmentId"]],
    },
}
