"""The Railway emulator's state and the rules that change it.

State is one plain JSON-able dict (it is written to the state file as is), one table per kind, each a
dict from id to object. Objects hold Railway's own field names, so a resolver can mostly hand them to
GraphQL unchanged; what Railway computes on read (deployment status, derived settings, connections) is
computed by the resolvers in `responses.py`.

How settings behave (Railway: "changes take effect on the next deployment"):
- `serviceInstanceUpdate` writes the instance's configuration at once; `serviceInstance` and
  `environment.config` read that configuration (what the dashboard shows as the service's settings).
- A deployment copies the configuration when it is created (`deployment.meta.serviceManifest`), so
  what is *running* changes only with the next `serviceInstanceDeployV2` / `serviceInstanceRedeploy` (or a
  variable change without `skipDeploys`). `latestDeployment.meta.serviceManifest.deploy.multiRegionConfig`
  is how Railway's own tools read regions back; it shows the new value only after a deploy.
- `serviceInstanceRedeploy` re-runs the source (image/repo) of the latest deployment with the current
  settings and variables; a newly set `source.image` needs `serviceInstanceDeployV2`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.railway.exceptions import InvalidInput, NotFound

if TYPE_CHECKING:
    from emulator.core.clock import Clock

TABLES = (
    "workspaces",
    "projects",
    "environments",
    "services",
    "serviceInstances",
    "variables",
    "deployments",
    "serviceDomains",
    "customDomains",
    "tcpProxies",
    "volumes",
    "volumeInstances",
    "backupSchedules",
    "notificationRules",
    "projectTokens",
    "observabilityDashboards",
    "environmentPatches",
)
PROJECT_DELETE_GRACE_SECONDS = 48 * 3600.0  # projectScheduleDelete: "a 48 hour grace period"
CERTIFICATE_LIFETIME_DAYS = 90  # Railway issues Let's Encrypt certificates

DEFAULT_REGION = "us-west2"
MAX_TOTAL_REPLICAS = 50
# (region identifier, airport code, location, country, replacement when deprecated)
REGIONS: tuple[tuple[str, str | None, str, str, str | None], ...] = (
    ("us-west2", "sjc", "California, USA", "US", None),
    ("us-east4-eqdc4a", "iad", "Virginia, USA", "US", None),
    ("europe-west4-drams3a", "ams", "Amsterdam, Netherlands", "NL", None),
    ("asia-southeast1-eqsg3a", "sin", "Singapore", "SG", None),
    ("us-west1", None, "Oregon, USA", "US", "us-west2"),
    ("us-east4", None, "Virginia, USA", "US", "us-east4-eqdc4a"),
    ("europe-west4", None, "Netherlands", "NL", "europe-west4-drams3a"),
    ("asia-southeast1", None, "Singapore", "SG", "asia-southeast1-eqsg3a"),
)
REGION_NAMES = {r[0] for r in REGIONS}

# Settings of a service instance that `serviceInstanceUpdate` sets one by one, with what `null` restores.
SETTING_DEFAULTS: dict[str, Any] = {
    "buildCommand": None,
    "builder": "RAILPACK",
    "cronSchedule": None,
    "dockerfilePath": None,
    "drainingSeconds": None,
    "healthcheckPath": None,
    "healthcheckTimeout": None,
    "ipv6EgressEnabled": False,
    "nixpacksPlan": None,
    "overlapSeconds": None,
    "preDeployCommand": None,
    "railwayConfigFile": None,
    "registryCredentials": None,
    "restartPolicyMaxRetries": 10,
    "restartPolicyType": "ON_FAILURE",
    "rootDirectory": None,
    "sleepApplication": False,
    "source": None,
    "startCommand": None,
    "watchPatterns": [],
}
DEFAULT_LIMITS = {"vCPUs": 32.0, "memoryGB": 32.0}  # the Pro plan's per-replica ceiling

# Real durations (seconds) of each deployment stage; the clock scales them (0: one poll each... at once).
IMAGE_STAGES = (("INITIALIZING", 2.0), ("BUILDING", 5.0), ("DEPLOYING", 15.0))
REPO_STAGES = (("INITIALIZING", 3.0), ("BUILDING", 60.0), ("DEPLOYING", 20.0))
CRASH_AFTER_SECONDS = 10.0
TERMINAL_STATUSES = {"SUCCESS", "FAILED", "CRASHED", "REMOVED", "SKIPPED"}
ACTIVE_STATUSES = {"SUCCESS", "SLEEPING", "CRASHED"}
IN_PROGRESS_STATUSES = {"QUEUED", "WAITING", "INITIALIZING", "BUILDING", "DEPLOYING"}
CUSTOM_DOMAIN_DNS_SECONDS = 300.0  # until the emulated user's DNS records "propagate"

BACKUP_KINDS = {
    "DAILY": ("Daily", "0 0 * * *", 6 * 86400),
    "WEEKLY": ("Weekly", "0 0 * * 0", 30 * 86400),
    "MONTHLY": ("Monthly", "0 0 1 * *", 90 * 86400),
}
PROXY_WORDS = ("roundhouse", "viaduct", "junction", "shuttle", "trolley", "caboose", "monorail", "turntable")
VOLUME_WORDS = ("striking", "quiet", "brave", "gentle", "rapid", "sturdy", "bright", "calm")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
REFERENCE = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def new_id() -> str:
    return str(uuid.uuid4())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "service"


def present(data: dict[str, Any], key: str) -> bool:
    """Railway's three states per input field: absent keeps, `null` clears, a value sets."""
    return key in data


class _CountingTable(dict[str, dict[str, Any]]):
    """A table that counts its changes (rows added, replaced or removed), so an index of it knows when it
    is out of date. Rows' own fields may change; the index only groups by fields fixed at creation."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        self._changed()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._changed()
        super().__delitem__(key)

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[str, dict[str, Any]]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        self._changed()
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)


class RailwayModel:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self._deployment_index: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._deployment_index_key: tuple[int, int] | None = None
        self.reset()

    # -- state --------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.data = {table: {} for table in TABLES}
        self._deployment_index_key = None
        now = self.now_iso()
        workspace_id = new_id()
        self.data["workspaces"][workspace_id] = {
            "id": workspace_id,
            "name": "Emulated Workspace",
            "createdAt": now,
            "updatedAt": now,
            "preferredRegion": DEFAULT_REGION,
            "allowDeprecatedRegions": False,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.data = {table: dict(state.get(table) or {}) for table in TABLES}
        self._deployment_index_key = None
        if not self.data["workspaces"]:
            self.reset()

    def dump(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    def now_iso(self) -> str:
        return (
            datetime.fromtimestamp(self.clock.now(), UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.data[name]

    def get(self, table: str, object_id: str | None, kind: str) -> dict[str, Any]:
        found = self.data[table].get(object_id or "")
        if found is None:
            raise NotFound(kind)
        return found

    def where(self, table: str, **match: Any) -> list[dict[str, Any]]:
        """Objects of `table` whose fields equal `match`, oldest first."""
        rows = [r for r in self.data[table].values() if all(r.get(k) == v for k, v in match.items())]
        return sorted(rows, key=lambda r: (r.get("createdAt") or "", r["id"]))

    def _delete(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        for row in list(rows):
            self.data[table].pop(row["id"], None)

    # -- workspaces and projects ------------------------------------------------------------------------
    def default_workspace(self) -> dict[str, Any]:
        return self.where("workspaces")[0]

    def create_project(self, data: dict[str, Any]) -> dict[str, Any]:
        workspace_id = data.get("workspaceId")
        workspaces = self.where("workspaces")
        if workspace_id:
            workspace = self.get("workspaces", workspace_id, "Workspace")
        elif len(workspaces) == 1:
            workspace = workspaces[0]
        else:
            raise InvalidInput("You must specify a workspaceId")
        now = self.now_iso()
        project = {
            "id": new_id(),
            "name": data.get("name") or f"emulated-project-{secrets.token_hex(3)}",
            "description": data.get("description"),
            "isPublic": bool(data.get("isPublic") or False),
            "prDeploys": bool(data.get("prDeploys") or False),
            "botPrEnvironments": False,
            "focusedPrEnvironments": False,
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
            "expiredAt": None,
            "baseEnvironmentId": None,
            "primaryEnvironmentId": None,
            "workspaceId": workspace["id"],
            "isTempProject": False,
        }
        self.data["projects"][project["id"]] = project
        environment = self.create_environment(
            {"projectId": project["id"], "name": data.get("defaultEnvironmentName") or "production"}
        )
        project["baseEnvironmentId"] = environment["id"]
        project["primaryEnvironmentId"] = environment["id"]
        return project

    def update_project(self, project_id: str, data: dict[str, Any]) -> dict[str, Any]:
        project = self.get("projects", project_id, "Project")
        if present(data, "name") and not data["name"]:
            raise InvalidInput("Project name cannot be empty")
        if data.get("baseEnvironmentId"):
            environment = self.get("environments", data["baseEnvironmentId"], "Environment")
            if environment["projectId"] != project_id:
                raise NotFound("Environment")
        for key in ("name", "description", "baseEnvironmentId"):
            if present(data, key):
                project[key] = data[key]
        for key in ("isPublic", "prDeploys", "botPrEnvironments", "focusedPrEnvironments"):
            if present(data, key):
                project[key] = bool(data[key])
        project["updatedAt"] = self.now_iso()
        return project

    def delete_project(self, project_id: str) -> None:
        self.get("projects", project_id, "Project")
        for environment in self.where("environments", projectId=project_id):
            self._delete_environment_contents(environment["id"])
        self._delete("environments", self.where("environments", projectId=project_id))
        self._delete("services", self.where("services", projectId=project_id))
        for volume in self.where("volumes", projectId=project_id):
            self._delete_volume(volume["id"])
        self._delete("notificationRules", self.where("notificationRules", projectId=project_id))
        self._delete("projectTokens", self.where("projectTokens", projectId=project_id))
        self.data["projects"].pop(project_id, None)

    # -- environments -------------------------------------------------------------------------------------
    def create_environment(self, data: dict[str, Any]) -> dict[str, Any]:
        project = self.get("projects", data.get("projectId"), "Project")
        name = (data.get("name") or "").strip()
        if not name:
            raise InvalidInput("Environment name cannot be empty")
        if any(e["name"] == name for e in self.where("environments", projectId=project["id"])):
            raise InvalidInput(f"Environment with name {name} already exists")
        source = None
        if data.get("sourceEnvironmentId"):
            source = self.get("environments", data["sourceEnvironmentId"], "Environment")
            if source["projectId"] != project["id"]:
                raise NotFound("Environment")
        now = self.now_iso()
        environment = {
            "id": new_id(),
            "name": name,
            "projectId": project["id"],
            "isEphemeral": bool(data.get("ephemeral") or False),
            "sourceEnvironmentId": source["id"] if source else None,
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
        }
        self.data["environments"][environment["id"]] = environment
        if source is None:
            # A plain environment gets an (unconfigured) instance of every service of the project.
            for service in self.where("services", projectId=project["id"]):
                self._create_instance(service, environment, {})
            return environment
        self._fork(source, environment, deploy=not data.get("skipInitialDeploys"))
        return environment

    def _fork(self, source: dict[str, Any], target: dict[str, Any], deploy: bool) -> None:
        """Copy services (instances with every setting), variables and volumes into a new environment."""
        for instance in self.where("serviceInstances", environmentId=source["id"]):
            service = self.get("services", instance["serviceId"], "Service")
            settings = {
                k: copy.deepcopy(instance[k]) for k in (*SETTING_DEFAULTS, "multiRegionConfig", "branch")
            }
            self._create_instance(service, target, settings, limits=copy.deepcopy(instance.get("limits")))
        for variable_set in self.where("variables", environmentId=source["id"]):
            self.set_variables(
                target["projectId"], target["id"], variable_set["serviceId"], variable_set["values"]
            )
        for volume_instance in self.where("volumeInstances", environmentId=source["id"]):
            copied = self._create_volume_instance(
                self.get("volumes", volume_instance["volumeId"], "Volume"),
                target["id"],
                volume_instance.get("serviceId"),
                volume_instance["mountPath"],
                volume_instance.get("region"),
            )
            for schedule in self.where("backupSchedules", volumeInstanceId=volume_instance["id"]):
                self._add_backup_schedule(copied["id"], schedule["kind"])
        # Networking is configuration too: the fork gets Railway domains and TCP proxies of its own (new
        # names and proxy ports, same target ports). A custom domain names one environment's service, so it
        # stays with the source.
        for service_domain in self.where("serviceDomains", environmentId=source["id"]):
            self.create_service_domain(
                {
                    "serviceId": service_domain["serviceId"],
                    "environmentId": target["id"],
                    "targetPort": service_domain.get("targetPort"),
                }
            )
        for proxy in self.where("tcpProxies", environmentId=source["id"]):
            self.create_tcp_proxy(
                {
                    "serviceId": proxy["serviceId"],
                    "environmentId": target["id"],
                    "applicationPort": proxy["applicationPort"],
                }
            )
        if deploy:
            for instance in self.where("serviceInstances", environmentId=target["id"]):
                if instance.get("source"):
                    self.create_deployment(instance, reason="environmentCreate")

    def rename_environment(self, environment_id: str, name: str) -> dict[str, Any]:
        environment = self.get("environments", environment_id, "Environment")
        name = (name or "").strip()
        if not name:
            raise InvalidInput("Environment name cannot be empty")
        if any(
            e["name"] == name and e["id"] != environment_id
            for e in self.where("environments", projectId=environment["projectId"])
        ):
            raise InvalidInput(f"Environment with name {name} already exists")
        environment["name"] = name
        environment["updatedAt"] = self.now_iso()
        return environment

    def delete_environment(self, environment_id: str) -> None:
        environment = self.get("environments", environment_id, "Environment")
        siblings = self.where("environments", projectId=environment["projectId"])
        if len(siblings) <= 1:
            raise InvalidInput("Cannot delete the last environment of a project")
        self._delete_environment_contents(environment_id)
        self.data["environments"].pop(environment_id, None)
        project = self.data["projects"].get(environment["projectId"])
        if project:
            remaining = self.where("environments", projectId=project["id"])
            for key in ("baseEnvironmentId", "primaryEnvironmentId"):
                if project.get(key) == environment_id:
                    project[key] = remaining[0]["id"] if remaining else None
        for environment_row in self.where("environments", sourceEnvironmentId=environment_id):
            environment_row["sourceEnvironmentId"] = None

    def _delete_environment_contents(self, environment_id: str) -> None:
        for table in (
            "serviceInstances",
            "variables",
            "deployments",
            "serviceDomains",
            "customDomains",
            "tcpProxies",
            "projectTokens",
            "observabilityDashboards",
            "environmentPatches",
        ):
            self._delete(table, self.where(table, environmentId=environment_id))
        for volume_instance in self.where("volumeInstances", environmentId=environment_id):
            self._delete_volume_instance(volume_instance["id"])

    def is_fork(self, environment: dict[str, Any]) -> bool:
        return bool(environment.get("sourceEnvironmentId"))

    # -- services and their instances -------------------------------------------------------------------
    def create_service(self, data: dict[str, Any], only_environment: str | None = None) -> dict[str, Any]:
        """`only_environment`: a project token's environment, the one place its service may go."""
        project = self.get("projects", data.get("projectId"), "Project")
        environments = self.where("environments", projectId=project["id"])
        if only_environment:
            environments = [self.get("environments", only_environment, "Environment")]
        elif data.get("environmentId"):
            target = self.get("environments", data["environmentId"], "Environment")
            if target["projectId"] != project["id"]:
                raise NotFound("Environment")
            # "If the specified environment is a fork, the service will only be created in it.
            # Otherwise it will be created in all environments that are not forks."
            environments = (
                [target] if self.is_fork(target) else [e for e in environments if not self.is_fork(e)]
            )
        # Railway does not refuse a second service with the same name (its private DNS name is made
        # unique instead), so neither does the emulator: clients must not rely on names being unique.
        name = data.get("name") or f"service-{secrets.token_hex(2)}"
        variables = data.get("variables") or {}
        self.check_variables(variables)
        source = data.get("source") or None
        settings: dict[str, Any] = {}
        if source and (source.get("image") or source.get("repo")):
            settings["source"] = {"image": source.get("image"), "repo": source.get("repo")}
            settings["branch"] = data.get("branch") if source.get("repo") else None
        if data.get("registryCredentials"):
            settings["registryCredentials"] = dict(data["registryCredentials"])
        now = self.now_iso()
        service = {
            "id": new_id(),
            "name": name,
            "icon": data.get("icon"),
            "projectId": project["id"],
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
            "templateId": data.get("templateId"),
            "templateServiceId": data.get("templateServiceId"),
            "groupId": None,
            "isRestricted": False,
        }
        self.data["services"][service["id"]] = service
        for environment in environments:
            instance = self._create_instance(service, environment, settings)
            if variables:
                self.set_variables(project["id"], environment["id"], service["id"], variables)
            if instance.get("source"):
                self.create_deployment(instance, reason="serviceCreate")
        return service

    def _create_instance(
        self,
        service: dict[str, Any],
        environment: dict[str, Any],
        settings: dict[str, Any],
        limits: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = self.now_iso()
        instance: dict[str, Any] = {
            "id": new_id(),
            "serviceId": service["id"],
            "environmentId": environment["id"],
            "projectId": service["projectId"],
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
            "branch": None,
            "multiRegionConfig": {DEFAULT_REGION: {"numReplicas": 1}},
            "limits": limits,
            **copy.deepcopy(SETTING_DEFAULTS),
        }
        instance.update(copy.deepcopy(settings))
        self.data["serviceInstances"][instance["id"]] = instance
        return instance

    def instance(self, service_id: str, environment_id: str) -> dict[str, Any]:
        found = self.where("serviceInstances", serviceId=service_id, environmentId=environment_id)
        if not found:
            raise NotFound("ServiceInstance")
        return found[0]

    def update_service(self, service_id: str, data: dict[str, Any]) -> dict[str, Any]:
        service = self.get("services", service_id, "Service")
        if present(data, "name"):
            name = data["name"]
            if not name:
                raise InvalidInput("Service name cannot be empty")
            service["name"] = name
        if present(data, "icon"):
            service["icon"] = data["icon"]
        service["updatedAt"] = self.now_iso()
        return service

    def connect_service(self, service_id: str, data: dict[str, Any]) -> dict[str, Any]:
        service = self.get("services", service_id, "Service")
        if not data.get("image") and not data.get("repo"):
            raise InvalidInput("Either an image or a repo is required")
        if data.get("image") and data.get("repo"):
            raise InvalidInput("Cannot connect both an image and a repo")
        for instance in self.where("serviceInstances", serviceId=service_id):
            instance["source"] = {"image": data.get("image"), "repo": data.get("repo")}
            instance["branch"] = (data.get("branch") or "main") if data.get("repo") else None
            instance["updatedAt"] = self.now_iso()
            self.create_deployment(instance, reason="serviceConnect")
        return service

    def disconnect_service(self, service_id: str) -> dict[str, Any]:
        service = self.get("services", service_id, "Service")
        for instance in self.where("serviceInstances", serviceId=service_id):
            instance["source"] = None
            instance["branch"] = None
            instance["updatedAt"] = self.now_iso()
        return service

    def delete_service(self, service_id: str, environment_id: str | None) -> None:
        self.get("services", service_id, "Service")
        scope: dict[str, Any] = {"serviceId": service_id}
        if environment_id:
            self.get("environments", environment_id, "Environment")
            scope["environmentId"] = environment_id
            self.instance(service_id, environment_id)
        for table in (
            "serviceInstances",
            "variables",
            "deployments",
            "serviceDomains",
            "customDomains",
            "tcpProxies",
        ):
            self._delete(table, self.where(table, **scope))
        for volume_instance in self.where("volumeInstances", **scope):
            volume_instance["serviceId"] = None  # the volume outlives the service, detached
        if not self.where("serviceInstances", serviceId=service_id):
            self.data["services"].pop(service_id, None)

    def update_instance(self, service_id: str, environment_id: str | None, data: dict[str, Any]) -> None:
        """`serviceInstanceUpdate`: every field in `data` is set (a value) or cleared (`null`)."""
        self.get("services", service_id, "Service")
        if environment_id:
            instances = [self.instance(service_id, environment_id)]
        else:
            instances = self.where("serviceInstances", serviceId=service_id)
        planned = [self._updated_settings(instance, data) for instance in instances]
        for instance, settings in zip(instances, planned, strict=True):
            instance.update(settings)
            instance["updatedAt"] = self.now_iso()

    def _updated_settings(self, instance: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """The instance's settings after `data`, validated first so a bad input changes nothing."""
        result = {k: copy.deepcopy(instance[k]) for k in (*SETTING_DEFAULTS, "multiRegionConfig", "branch")}
        for key, default in SETTING_DEFAULTS.items():
            if key in data:
                result[key] = copy.deepcopy(default) if data[key] is None else copy.deepcopy(data[key])
        if "source" in data and data["source"] is not None:
            source = data["source"]
            result["source"] = (
                {"image": source.get("image"), "repo": source.get("repo")}
                if source.get("image") or source.get("repo")
                else None
            )
        for key in ("healthcheckTimeout", "drainingSeconds", "overlapSeconds", "restartPolicyMaxRetries"):
            if isinstance(result[key], int) and result[key] < 0:
                raise InvalidInput(f"{key} must not be negative")
        regions = dict(result["multiRegionConfig"] or {})
        if "multiRegionConfig" in data:
            patch = data["multiRegionConfig"]
            if patch is None:
                regions = {DEFAULT_REGION: {"numReplicas": 1}}
            elif not isinstance(patch, dict):
                raise InvalidInput("multiRegionConfig must be an object of region to {numReplicas}")
            else:
                # A patch, as the CLI uses it: a region set to null is removed, others are set.
                for region, config in patch.items():
                    if config is None:
                        regions.pop(region, None)
                        continue
                    self.check_region(region)
                    replicas = config.get("numReplicas", 1) if isinstance(config, dict) else None
                    if not isinstance(replicas, int) or replicas < 0:
                        raise InvalidInput(f"multiRegionConfig.{region}.numReplicas must be an integer >= 0")
                    regions[region] = {"numReplicas": replicas}
        if "region" in data or "numReplicas" in data:
            region = data.get("region") if "region" in data else None
            if "region" in data and region is None:
                region = DEFAULT_REGION
            if region is not None:
                self.check_region(region)
            if "numReplicas" in data:
                replicas = 1 if data["numReplicas"] is None else data["numReplicas"]
                if replicas < 0:
                    raise InvalidInput("numReplicas must not be negative")
            else:
                replicas = sum(c["numReplicas"] for c in regions.values()) or 1
            if region is None:
                if len(regions) > 1:
                    raise InvalidInput(
                        "numReplicas cannot be set on a multi-region service; set multiRegionConfig"
                    )
                region = next(iter(regions), DEFAULT_REGION)
            regions = {region: {"numReplicas": replicas}}
        if not regions:
            raise InvalidInput("A service must run in at least one region")
        total = sum(c["numReplicas"] for c in regions.values())
        if total > MAX_TOTAL_REPLICAS:
            raise InvalidInput(f"A service can have at most {MAX_TOTAL_REPLICAS} replicas in total")
        result["multiRegionConfig"] = regions
        if result["preDeployCommand"] is not None and not isinstance(result["preDeployCommand"], list):
            result["preDeployCommand"] = [result["preDeployCommand"]]
        return result

    def check_region(self, region: str) -> None:
        if region not in REGION_NAMES:
            raise InvalidInput(f"Invalid region: {region}")

    def update_limits(self, data: dict[str, Any]) -> None:
        instance = self.instance(data["serviceId"], data["environmentId"])
        limits = dict(instance.get("limits") or {})
        for key in ("vCPUs", "memoryGB"):
            if key in data:
                value = data[key]
                if value is not None and (value <= 0 or value > DEFAULT_LIMITS[key]):
                    raise InvalidInput(f"{key} must be between 0 and {DEFAULT_LIMITS[key]:g}")
                if value is None:
                    limits.pop(key, None)
                else:
                    limits[key] = float(value)
        instance["limits"] = limits or None
        instance["updatedAt"] = self.now_iso()

    def limits(self, instance: dict[str, Any]) -> dict[str, float]:
        return {**DEFAULT_LIMITS, **(instance.get("limits") or {})}

    # -- deployments ------------------------------------------------------------------------------------
    def manifest(self, instance: dict[str, Any], source: dict[str, Any] | None = None) -> dict[str, Any]:
        regions = copy.deepcopy(instance["multiRegionConfig"])
        source = source if source is not None else (instance.get("source") or {})
        return {
            "source": {"image": source.get("image"), "repo": source.get("repo")},
            "build": {
                "builder": instance["builder"],
                "buildCommand": instance["buildCommand"],
                "dockerfilePath": instance["dockerfilePath"],
                "watchPatterns": list(instance["watchPatterns"] or []),
                "nixpacksPlan": instance["nixpacksPlan"],
            },
            "deploy": {
                "startCommand": instance["startCommand"],
                "preDeployCommand": instance["preDeployCommand"],
                "healthcheckPath": instance["healthcheckPath"],
                "healthcheckTimeout": instance["healthcheckTimeout"],
                "numReplicas": sum(c["numReplicas"] for c in regions.values()),
                "region": next(iter(regions), None),
                "multiRegionConfig": regions,
                "cronSchedule": instance["cronSchedule"],
                "restartPolicyType": instance["restartPolicyType"],
                "restartPolicyMaxRetries": instance["restartPolicyMaxRetries"],
                "sleepApplication": instance["sleepApplication"],
                "overlapSeconds": instance["overlapSeconds"],
                "drainingSeconds": instance["drainingSeconds"],
                "ipv6EgressEnabled": instance["ipv6EgressEnabled"],
                "limitOverride": self._limit_override(instance),
            },
        }

    def _limit_override(self, instance: dict[str, Any]) -> dict[str, Any] | None:
        limits = instance.get("limits")
        if not limits:
            return None
        containers: dict[str, Any] = {}
        if "vCPUs" in limits:
            containers["cpu"] = limits["vCPUs"]
        if "memoryGB" in limits:
            containers["memoryBytes"] = int(limits["memoryGB"] * 1024**3)
        return {"containers": containers}

    def create_deployment(
        self,
        instance: dict[str, Any],
        reason: str,
        outcome: str = "success",
        source: dict[str, Any] | None = None,
        commit_sha: str | None = None,
    ) -> dict[str, Any]:
        source = source if source is not None else instance.get("source")
        if not source:
            raise InvalidInput("Service has no source to deploy; connect an image or a repo first")
        now = self.now_iso()
        # A newer deployment supersedes the ones still building.
        for older in self.deployments_of(instance):
            if older["status"] in IN_PROGRESS_STATUSES:
                self._set_status(older, "REMOVED")
        manifest = self.manifest(instance, source)
        deployment = {
            "id": new_id(),
            "projectId": instance["projectId"],
            "environmentId": instance["environmentId"],
            "serviceId": instance["serviceId"],
            "createdAt": now,
            "updatedAt": now,
            "status": "INITIALIZING",
            "statusUpdatedAt": now,
            "startedAt": self.clock.now(),
            "observations": 0,
            "outcome": outcome,
            "stages": [list(s) for s in (REPO_STAGES if source.get("repo") else IMAGE_STAGES)],
            "snapshotId": new_id(),
            "meta": {
                "reason": reason,
                "image": source.get("image"),
                "repo": source.get("repo"),
                "branch": instance.get("branch") if source.get("repo") else None,
                "commitHash": commit_sha or (secrets.token_hex(20) if source.get("repo") else None),
                "serviceManifest": manifest,
                "variablesHash": self._variables_hash(instance),
            },
        }
        self.data["deployments"][deployment["id"]] = deployment
        return deployment

    def _variables_hash(self, instance: dict[str, Any]) -> str:
        values = self.rendered_variables(
            instance["projectId"], instance["environmentId"], instance["serviceId"]
        )
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]

    def _set_status(self, deployment: dict[str, Any], status: str) -> None:
        if deployment["status"] != status:
            deployment["status"] = status
            deployment["statusUpdatedAt"] = self.now_iso()
            deployment["updatedAt"] = deployment["statusUpdatedAt"]

    def observe(self, deployment: dict[str, Any]) -> dict[str, Any]:
        """A client looked at the deployment: move it along its lifecycle as far as emulated time allows."""
        if deployment["status"] in TERMINAL_STATUSES and deployment["status"] != "SUCCESS":
            return deployment
        deployment["observations"] = deployment.get("observations", 0) + 1
        if deployment["status"] == "SUCCESS" and deployment["outcome"] != "crashed":
            return deployment
        elapsed = 0.0
        status = "INITIALIZING"
        for stage, duration in deployment["stages"]:
            elapsed += duration
            if not self.clock.reached(deployment["startedAt"], elapsed, deployment["observations"]):
                status = stage
                break
            if stage == "BUILDING" and deployment["outcome"] == "failed":
                status = "FAILED"
                break
        else:
            status = "SUCCESS"
            if deployment["outcome"] == "crashed" and self.clock.reached(
                deployment["startedAt"], elapsed + CRASH_AFTER_SECONDS, deployment["observations"]
            ):
                status = "CRASHED"
        if status == "SUCCESS" and deployment["status"] != "SUCCESS":
            # The new deployment is live: the one it replaces is taken down.
            for older in self.deployments_of(deployment):
                if older["id"] != deployment["id"] and older["status"] in ("SUCCESS", "SLEEPING", "CRASHED"):
                    self._set_status(older, "REMOVED")
        self._set_status(deployment, status)
        return deployment

    def deployments_of(self, instance: dict[str, Any]) -> list[dict[str, Any]]:
        """The instance's deployments, oldest first (as `where` orders them). An environment's read asks
        this of every instance: by an index of the deployments table, rebuilt when the table changes (a
        scan per instance made that read grow with services times deployments)."""
        table = self.data["deployments"]
        if not isinstance(table, _CountingTable):
            table = self.data["deployments"] = _CountingTable(table)
        key = (id(table), table.version)
        if self._deployment_index_key != key:
            index: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for row in table.values():
                index.setdefault((str(row.get("serviceId")), str(row.get("environmentId"))), []).append(row)
            for rows in index.values():
                rows.sort(key=lambda r: (r.get("createdAt") or "", r["id"]))
            self._deployment_index, self._deployment_index_key = index, key
        found = self._deployment_index.get((str(instance["serviceId"]), str(instance["environmentId"])))
        return list(found or [])

    def latest_deployment(self, instance: dict[str, Any]) -> dict[str, Any] | None:
        rows = self.deployments_of(instance)
        return rows[-1] if rows else None

    def redeploy(self, instance: dict[str, Any], outcome: str) -> dict[str, Any]:
        """Re-run what the latest deployment ran (its source), with the current settings and variables."""
        latest = self.latest_deployment(instance)
        if latest is None:
            raise InvalidInput("No deployment to redeploy")
        source = latest["meta"]["serviceManifest"]["source"]
        return self.create_deployment(instance, reason="redeploy", outcome=outcome, source=source)

    def remove_deployment(self, deployment: dict[str, Any]) -> None:
        self._set_status(deployment, "REMOVED")

    def restart_deployment(self, deployment: dict[str, Any]) -> None:
        """`deploymentRestart`: the running containers restart (no build, no new deployment); a crashed
        deployment runs again."""
        if deployment["status"] not in ACTIVE_STATUSES:
            raise InvalidInput("Only a running, sleeping or crashed deployment can be restarted")
        deployment["restartedAt"] = self.now_iso()
        deployment["outcome"] = "success"
        self._set_status(deployment, "SUCCESS")

    # -- deployment triggers (a repo-connected instance's trigger; one per service and environment) -----
    def trigger_of(self, instance: dict[str, Any]) -> dict[str, Any] | None:
        source = instance.get("source") or {}
        if not source.get("repo") or instance.get("triggerRemoved"):
            return None
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"railway-trigger:{instance['id']}")),
            "branch": instance.get("branch") or "main",
            "checkSuites": bool(instance.get("checkSuites")),
            "environmentId": instance["environmentId"],
            "projectId": instance["projectId"],
            "provider": "github",
            "repository": source["repo"],
            "serviceId": instance["serviceId"],
            "rootDirectory": instance.get("rootDirectory"),
            "baseEnvironmentOverrideId": None,
            "validCheckSuites": 0,
        }

    def triggers(self, **match: Any) -> list[dict[str, Any]]:
        rows = [self.trigger_of(i) for i in self.where("serviceInstances", **match)]
        return [r for r in rows if r is not None]

    def instance_of_trigger(self, trigger_id: str) -> dict[str, Any]:
        for instance in self.data["serviceInstances"].values():
            trigger = self.trigger_of(instance)
            if trigger and trigger["id"] == trigger_id:
                return instance
        raise NotFound("DeploymentTrigger")

    def set_trigger(self, instance: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        repository = data.get("repository") or (instance.get("source") or {}).get("repo")
        if not repository:
            raise InvalidInput("A deployment trigger needs a repository")
        instance["source"] = {"image": None, "repo": repository}
        if data.get("branch"):
            instance["branch"] = data["branch"]
        for key in ("checkSuites", "rootDirectory"):
            if key in data:
                instance[key] = data[key]
        instance["triggerRemoved"] = False
        instance["updatedAt"] = self.now_iso()
        trigger = self.trigger_of(instance)
        assert trigger is not None
        return trigger

    # -- scheduled project deletion -----------------------------------------------------------------------
    def schedule_project_delete(self, project_id: str) -> None:
        project = self.get("projects", project_id, "Project")
        if project.get("deleteScheduledAt") is None:
            project["deletedAt"] = self.now_iso()
            project["deleteScheduledAt"] = self.clock.now()
            project["deleteObservations"] = 0

    def purge_if_due(self, project: dict[str, Any]) -> bool:
        """A project scheduled for deletion goes once its grace period is over (at time scale 0: the next
        time a client looks); whether it is gone."""
        if project.get("deleteScheduledAt") is None:
            return False
        project["deleteObservations"] = project.get("deleteObservations", 0) + 1
        if self.clock.reached(
            project["deleteScheduledAt"], PROJECT_DELETE_GRACE_SECONDS, project["deleteObservations"]
        ):
            self.delete_project(project["id"])
            return True
        return False

    # -- variables --------------------------------------------------------------------------------------
    def variable_set_id(self, environment_id: str, service_id: str | None) -> str:
        return f"{environment_id}:{service_id or 'shared'}"

    def check_variables(self, variables: Any) -> None:
        if not isinstance(variables, dict):
            raise InvalidInput("variables must be an object of name to string value")
        for name, value in variables.items():
            if not VARIABLE_NAME.match(str(name)):
                raise InvalidInput(f"Invalid variable name: {name}")
            if not isinstance(value, str):
                raise InvalidInput(f"Variable {name} must be a string")

    def variables(self, environment_id: str, service_id: str | None) -> dict[str, str]:
        row = self.data["variables"].get(self.variable_set_id(environment_id, service_id))
        return dict(row["values"]) if row else {}

    def set_variables(
        self,
        project_id: str,
        environment_id: str,
        service_id: str | None,
        values: dict[str, str],
        replace: bool = False,
    ) -> bool:
        """Upsert (or with `replace`, replace) a variable set; returns whether anything changed."""
        set_id = self.variable_set_id(environment_id, service_id)
        current = self.variables(environment_id, service_id)
        new = dict(values) if replace else {**current, **values}
        if new == current:
            return False
        if new:
            now = self.now_iso()
            row = self.data["variables"].get(set_id) or {
                "id": set_id,
                "projectId": project_id,
                "environmentId": environment_id,
                "serviceId": service_id,
                "createdAt": now,
            }
            row.update(values=new, updatedAt=now)
            self.data["variables"][set_id] = row
        else:
            self.data["variables"].pop(set_id, None)
        return True

    def delete_variable(self, environment_id: str, service_id: str | None, name: str) -> bool:
        current = self.variables(environment_id, service_id)
        if name not in current:
            return False
        del current[name]
        row = self.data["variables"][self.variable_set_id(environment_id, service_id)]
        if current:
            row.update(values=current, updatedAt=self.now_iso())
        else:
            self.data["variables"].pop(row["id"], None)
        return True

    def railway_variables(
        self, project_id: str, environment_id: str, service_id: str | None
    ) -> dict[str, str]:
        """What Railway injects into every deployment (only in rendered reads)."""
        project = self.data["projects"].get(project_id) or {}
        environment = self.data["environments"].get(environment_id) or {}
        values = {
            "RAILWAY_PROJECT_ID": project_id,
            "RAILWAY_PROJECT_NAME": project.get("name", ""),
            "RAILWAY_ENVIRONMENT_ID": environment_id,
            "RAILWAY_ENVIRONMENT_NAME": environment.get("name", ""),
            "RAILWAY_ENVIRONMENT": environment.get("name", ""),
        }
        if service_id and service_id in self.data["services"]:
            service = self.data["services"][service_id]
            values["RAILWAY_SERVICE_ID"] = service_id
            values["RAILWAY_SERVICE_NAME"] = service["name"]
            values["RAILWAY_PRIVATE_DOMAIN"] = f"{slug(service['name'])}.railway.internal"
            domains = self.where("serviceDomains", serviceId=service_id, environmentId=environment_id)
            if domains:
                values["RAILWAY_PUBLIC_DOMAIN"] = domains[0]["domain"]
                values["RAILWAY_STATIC_URL"] = domains[0]["domain"]
            proxies = self.where("tcpProxies", serviceId=service_id, environmentId=environment_id)
            if proxies:
                values["RAILWAY_TCP_PROXY_DOMAIN"] = proxies[0]["domain"]
                values["RAILWAY_TCP_PROXY_PORT"] = str(proxies[0]["proxyPort"])
                values["RAILWAY_TCP_APPLICATION_PORT"] = str(proxies[0]["applicationPort"])
        return values

    def rendered_variables(
        self, project_id: str, environment_id: str, service_id: str | None
    ) -> dict[str, str]:
        """Values with `${{shared.X}}`, `${{Service.X}}` and `${{X}}` references resolved, plus RAILWAY_*."""
        own = self.variables(environment_id, service_id)
        shared = self.variables(environment_id, None)
        by_name = {s["name"]: s["id"] for s in self.where("services", projectId=project_id)}

        def lookup(reference: str, depth: int) -> str:
            if depth > 5:
                return ""
            scope, _, name = reference.rpartition(".")
            if not scope:
                raw = own.get(name, shared.get(name))
                context: str | None = service_id
            elif scope == "shared":
                raw, context = shared.get(name), None
            elif scope in by_name:
                context = by_name[scope]
                values = {
                    **self.railway_variables(project_id, environment_id, context),
                    **self.variables(environment_id, context),
                }
                raw = values.get(name)
            else:
                return ""
            if raw is None:
                return ""
            return render(raw, depth + 1) if context == service_id else raw

        def render(value: str, depth: int = 0) -> str:
            return REFERENCE.sub(lambda m: lookup(m.group(1), depth), value)

        rendered = {name: render(value) for name, value in own.items()}
        return {**self.railway_variables(project_id, environment_id, service_id), **rendered}

    # -- domains and proxies ----------------------------------------------------------------------------
    def create_service_domain(self, data: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance(data["serviceId"], data["environmentId"])
        service = self.get("services", data["serviceId"], "Service")
        environment = self.get("environments", data["environmentId"], "Environment")
        taken = {d["domain"] for d in self.data["serviceDomains"].values()}
        while True:
            name = f"{slug(service['name'])}-{slug(environment['name'])}-{secrets.token_hex(2)}"
            if f"{name}.up.railway.app" not in taken:
                break
        now = self.now_iso()
        domain = {
            "id": new_id(),
            "domain": f"{name}.up.railway.app",
            "suffix": "up.railway.app",
            "environmentId": instance["environmentId"],
            "serviceId": instance["serviceId"],
            "projectId": instance["projectId"],
            "targetPort": data.get("targetPort"),
            "syncStatus": "ACTIVE",
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
        }
        self.data["serviceDomains"][domain["id"]] = domain
        return domain

    def update_service_domain(self, data: dict[str, Any]) -> dict[str, Any]:
        domain = self.get("serviceDomains", data["serviceDomainId"], "ServiceDomain")
        if domain["serviceId"] != data["serviceId"] or domain["environmentId"] != data["environmentId"]:
            raise NotFound("ServiceDomain")
        new_name = data["domain"].strip().lower()
        if new_name != domain["domain"]:
            label = new_name.removesuffix(".up.railway.app")
            if label == new_name or not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label):
                raise InvalidInput(f"Invalid domain: {data['domain']}")
            if any(d["domain"] == new_name for d in self.data["serviceDomains"].values()):
                raise InvalidInput(f"Domain {new_name} is not available")
            domain["domain"] = new_name
        if "targetPort" in data:
            domain["targetPort"] = data["targetPort"]
        domain["updatedAt"] = self.now_iso()
        return domain

    def create_custom_domain(self, data: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance(data["serviceId"], data["environmentId"])
        if instance["projectId"] != data["projectId"]:
            raise NotFound("ServiceInstance")
        name = data["domain"].strip().lower().rstrip(".")
        if not HOSTNAME.match(name) or name.endswith(".railway.app") or name.endswith(".rlwy.net"):
            raise InvalidInput(f"Invalid domain: {data['domain']}")
        if any(d["domain"] == name for d in self.data["customDomains"].values()):
            raise InvalidInput(f"Domain {name} is already in use")
        labels = name.split(".")
        zone = ".".join(labels[-2:])
        hostlabel = ".".join(labels[:-2]) or "@"
        now = self.now_iso()
        domain = {
            "id": new_id(),
            "domain": name,
            "environmentId": instance["environmentId"],
            "serviceId": instance["serviceId"],
            "projectId": instance["projectId"],
            "targetPort": data.get("targetPort"),
            "syncStatus": "ACTIVE",
            "isRailwayDomain": False,
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
            "createdAtEpoch": self.clock.now(),
            "observations": 0,
            "zone": zone,
            "hostlabel": hostlabel,
            "cnameTarget": f"{secrets.token_hex(4)}.up.railway.app",
            "verificationHostlabel": "_railway-verify" + ("" if hostlabel == "@" else f".{hostlabel}"),
            "verificationToken": f"railway-verify={secrets.token_hex(32)}",
            "verified": False,
        }
        self.data["customDomains"][domain["id"]] = domain
        return domain

    def observe_custom_domain(self, domain: dict[str, Any]) -> dict[str, Any]:
        """The emulated owner sets the DNS records; after a while (or the next look, at time scale 0)
        Railway sees them and issues the certificate."""
        if not domain["verified"]:
            domain["observations"] = domain.get("observations", 0) + 1
            if self.clock.reached(
                domain["createdAtEpoch"], CUSTOM_DOMAIN_DNS_SECONDS, domain["observations"]
            ):
                domain["verified"] = True
                domain["verifiedAt"] = self.now_iso()
        return domain

    def update_custom_domain(self, domain_id: str, environment_id: str, data: dict[str, Any]) -> None:
        domain = self.get("customDomains", domain_id, "CustomDomain")
        if domain["environmentId"] != environment_id:
            raise NotFound("CustomDomain")
        if "targetPort" in data:
            domain["targetPort"] = data["targetPort"]
        domain["updatedAt"] = self.now_iso()

    def create_tcp_proxy(self, data: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance(data["serviceId"], data["environmentId"])
        port = data["applicationPort"]
        if not 1 <= port <= 65535:
            raise InvalidInput("applicationPort must be between 1 and 65535")
        taken = {(p["domain"], p["proxyPort"]) for p in self.data["tcpProxies"].values()}
        while True:
            domain = f"{secrets.choice(PROXY_WORDS)}.proxy.rlwy.net"
            proxy_port = 10000 + secrets.randbelow(55001)
            if (domain, proxy_port) not in taken:
                break
        now = self.now_iso()
        proxy = {
            "id": new_id(),
            "applicationPort": port,
            "proxyPort": proxy_port,
            "domain": domain,
            "environmentId": instance["environmentId"],
            "serviceId": instance["serviceId"],
            "projectId": instance["projectId"],
            "syncStatus": "ACTIVE",
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
        }
        self.data["tcpProxies"][proxy["id"]] = proxy
        return proxy

    # -- volumes ----------------------------------------------------------------------------------------
    def create_volume(self, data: dict[str, Any]) -> dict[str, Any]:
        project = self.get("projects", data.get("projectId"), "Project")
        mount_path = data.get("mountPath") or ""
        if not mount_path.startswith("/"):
            raise InvalidInput("mountPath must be an absolute path")
        if data.get("region"):
            self.check_region(data["region"])
        if data.get("serviceId"):
            service = self.get("services", data["serviceId"], "Service")
            if service["projectId"] != project["id"]:
                raise NotFound("Service")
        if "environmentId" not in data:
            # Documented: `undefined` deploys the volume to every environment.
            environments = self.where("environments", projectId=project["id"])
        elif data["environmentId"] is None:
            environments = []
        else:
            environment = self.get("environments", data["environmentId"], "Environment")
            if environment["projectId"] != project["id"]:
                raise NotFound("Environment")
            environments = [environment]
        for environment in environments:
            if data.get("serviceId") and self.where(
                "volumeInstances", serviceId=data["serviceId"], environmentId=environment["id"]
            ):
                raise InvalidInput("This service already has a volume attached in this environment")
        now = self.now_iso()
        volume = {
            "id": new_id(),
            "name": f"{secrets.choice(VOLUME_WORDS)}-volume-{secrets.token_hex(2)}",
            "projectId": project["id"],
            "createdAt": now,
        }
        self.data["volumes"][volume["id"]] = volume
        for environment in environments:
            self._create_volume_instance(
                volume, environment["id"], data.get("serviceId"), mount_path, data.get("region")
            )
        return volume

    def _create_volume_instance(
        self,
        volume: dict[str, Any],
        environment_id: str,
        service_id: str | None,
        mount_path: str,
        region: str | None,
    ) -> dict[str, Any]:
        if region is None and service_id:
            found = self.where("serviceInstances", serviceId=service_id, environmentId=environment_id)
            region = next(iter(found[0]["multiRegionConfig"]), None) if found else None
        row = {
            "id": new_id(),
            "volumeId": volume["id"],
            "projectId": volume["projectId"],
            "environmentId": environment_id,
            "serviceId": service_id,
            "mountPath": mount_path,
            "region": region or DEFAULT_REGION,
            "sizeMB": 5000,
            "currentSizeMB": 0.0,
            "state": "READY",
            "isPendingDeletion": False,
            "externalId": None,
            "createdAt": self.now_iso(),
            "deletedAt": None,
        }
        self.data["volumeInstances"][row["id"]] = row
        return row

    def update_volume(self, volume_id: str, data: dict[str, Any]) -> dict[str, Any]:
        volume = self.get("volumes", volume_id, "Volume")
        if "name" in data:
            if not data["name"]:
                raise InvalidInput("Volume name cannot be empty")
            volume["name"] = data["name"]
        return volume

    def update_volume_instance(
        self, volume_id: str, environment_id: str | None, data: dict[str, Any]
    ) -> None:
        self.get("volumes", volume_id, "Volume")
        rows = self.where("volumeInstances", volumeId=volume_id)
        if environment_id:
            rows = [r for r in rows if r["environmentId"] == environment_id]
            if not rows:
                raise NotFound("VolumeInstance")
        if data.get("mountPath") is not None and not data["mountPath"].startswith("/"):
            raise InvalidInput("mountPath must be an absolute path")
        for row in rows:
            if data.get("serviceId"):
                self.instance(data["serviceId"], row["environmentId"])
        for row in rows:
            if data.get("mountPath"):
                row["mountPath"] = data["mountPath"]
            if "serviceId" in data:
                row["serviceId"] = data["serviceId"]
            if data.get("state"):
                row["state"] = data["state"]

    def _delete_volume_instance(self, volume_instance_id: str) -> None:
        self._delete("backupSchedules", self.where("backupSchedules", volumeInstanceId=volume_instance_id))
        self.data["volumeInstances"].pop(volume_instance_id, None)

    def _delete_volume(self, volume_id: str) -> None:
        for row in self.where("volumeInstances", volumeId=volume_id):
            self._delete_volume_instance(row["id"])
        self.data["volumes"].pop(volume_id, None)

    def delete_volume(self, volume_id: str) -> None:
        self.get("volumes", volume_id, "Volume")
        self._delete_volume(volume_id)

    def _add_backup_schedule(self, volume_instance_id: str, kind: str) -> dict[str, Any]:
        name, cron, retention = BACKUP_KINDS[kind]
        row: dict[str, Any] = {
            "id": new_id(),
            "volumeInstanceId": volume_instance_id,
            "kind": kind,
            "name": name,
            "cron": cron,
            "retentionSeconds": retention,
            "createdAt": self.now_iso(),
        }
        self.data["backupSchedules"][row["id"]] = row
        return row

    def set_backup_schedules(self, volume_instance_id: str, kinds: list[str]) -> None:
        """`volumeInstanceBackupScheduleUpdate`: the schedules become exactly `kinds`."""
        self.get("volumeInstances", volume_instance_id, "VolumeInstance")
        current = {s["kind"]: s for s in self.where("backupSchedules", volumeInstanceId=volume_instance_id)}
        for kind, schedule in current.items():
            if kind not in kinds:
                self.data["backupSchedules"].pop(schedule["id"], None)
        for kind in dict.fromkeys(kinds):
            if kind not in current:
                self._add_backup_schedule(volume_instance_id, kind)

    # -- notification rules -----------------------------------------------------------------------------
    def _channels(self, workspace_id: str, configs: list[Any]) -> list[dict[str, Any]]:
        channels = []
        for config in configs:
            if not isinstance(config, dict) or not config.get("type"):
                raise InvalidInput(
                    'Each channel config needs a "type" (e.g. {"type": "webhook", "url": ...})'
                )
            kind = str(config["type"]).lower()
            if kind not in ("webhook", "email", "inapp"):
                raise InvalidInput(f"Unknown notification channel type: {config['type']}")
            if kind == "webhook" and not str(config.get("url", "")).startswith(("https://", "http://")):
                raise InvalidInput("A webhook channel needs an http(s) url")
            now = self.now_iso()
            channels.append(
                {
                    "id": new_id(),
                    "config": config,
                    "workspaceId": workspace_id,
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
        return channels

    def create_notification_rule(self, data: dict[str, Any]) -> dict[str, Any]:
        workspace = self.get("workspaces", data["workspaceId"], "Workspace")
        if data.get("projectId"):
            project = self.get("projects", data["projectId"], "Project")
            if project["workspaceId"] != workspace["id"]:
                raise NotFound("Project")
        if not data["eventTypes"]:
            raise InvalidInput("At least one event type is required")
        now = self.now_iso()
        rule = {
            "id": new_id(),
            "workspaceId": workspace["id"],
            "projectId": data.get("projectId"),
            "environmentId": None,
            "serviceId": None,
            "eventTypes": list(data["eventTypes"]),
            "severities": list(data.get("severities") or []),
            "ephemeralEnvironments": data.get("ephemeralEnvironments"),
            "channels": self._channels(workspace["id"], list(data["channelConfigs"])),
            "createdAt": now,
            "updatedAt": now,
        }
        self.data["notificationRules"][rule["id"]] = rule
        return rule

    def update_notification_rule(self, rule_id: str, data: dict[str, Any]) -> dict[str, Any]:
        rule = self.get("notificationRules", rule_id, "NotificationRule")
        channels = None
        if data.get("channelConfigs") is not None:
            channels = self._channels(rule["workspaceId"], list(data["channelConfigs"]))
        if data.get("eventTypes") is not None and not data["eventTypes"]:
            raise InvalidInput("At least one event type is required")
        if channels is not None:
            rule["channels"] = channels
        if data.get("eventTypes") is not None:
            rule["eventTypes"] = list(data["eventTypes"])
        if "severities" in data:
            rule["severities"] = list(data["severities"] or [])
        if "ephemeralEnvironments" in data:
            rule["ephemeralEnvironments"] = data["ephemeralEnvironments"]
        rule["updatedAt"] = self.now_iso()
        return rule

    # -- observability dashboards -----------------------------------------------------------------------
    # One dashboard per environment. Railway does not document its default items; these (usage of the
    # project, then CPU/memory and logs of the environment's services, in a two-column grid) are inferred.
    def _default_dashboard_items(self, environment_id: str) -> list[dict[str, Any]]:
        service_ids = [i["serviceId"] for i in self.where("serviceInstances", environmentId=environment_id)]
        defaults: list[tuple[str, str, dict[str, Any]]] = [
            ("Project usage", "PROJECT_USAGE_ITEM", {"projectUsageProperties": ["CURRENT_USAGE"]}),
            ("CPU and memory", "SERVICE_METRICS_ITEM", {"measurements": ["CPU_USAGE", "MEMORY_USAGE_GB"]}),
            ("Logs", "SERVICE_LOGS_ITEM", {}),
        ]
        items = []
        for index, (name, kind, config) in enumerate(defaults):
            item_config = {**config, "resourceIds": service_ids if kind != "PROJECT_USAGE_ITEM" else None}
            items.append(
                {
                    "id": new_id(),
                    "displayConfig": {"x": (index % 2) * 6, "y": (index // 2) * 4, "w": 6, "h": 4},
                    "dashboardItem": {
                        "id": new_id(),
                        "name": name,
                        "description": None,
                        "type": kind,
                        "config": self._item_config(item_config),
                    },
                }
            )
        return items

    @staticmethod
    def _item_config(config: dict[str, Any]) -> dict[str, Any]:
        keys = ("httpMetric", "logsFilter", "measurements", "projectUsageProperties", "resourceIds")
        return {key: copy.deepcopy(config.get(key)) for key in keys}

    def _dashboard_items(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`ObservabilityDashboardUpdateInput`s as stored items; the whole list is refused on any error."""
        seen: set[str] = set()
        items = []
        for update in updates:
            item = update["dashboardItem"]
            for key in (update["id"], item["id"]):
                if not key.strip():
                    raise InvalidInput("Dashboard item ids cannot be empty")
            if update["id"] in seen:
                raise InvalidInput(f"Duplicate dashboard item id: {update['id']}")
            seen.add(update["id"])
            if not item["name"].strip():
                raise InvalidInput("Dashboard item name cannot be empty")
            config = item["config"]
            if item["type"] in ("SERVICE_METRICS_ITEM", "VOLUME_METRICS_ITEM") and not config.get(
                "measurements"
            ):
                raise InvalidInput(f"Dashboard item {item['name']}: a metrics item needs measurements")
            if item["type"] == "HTTP_METRICS_ITEM" and not config.get("httpMetric"):
                raise InvalidInput(f"Dashboard item {item['name']}: an HTTP metrics item needs httpMetric")
            if not isinstance(update["displayConfig"], dict):
                raise InvalidInput(f"Dashboard item {item['name']}: displayConfig must be an object")
            items.append(
                {
                    "id": update["id"],
                    "displayConfig": copy.deepcopy(update["displayConfig"]),
                    "dashboardItem": {
                        "id": item["id"],
                        "name": item["name"],
                        "description": item.get("description"),
                        "type": item["type"],
                        "config": self._item_config(config),
                    },
                }
            )
        return items

    def create_dashboard(self, environment_id: str, updates: list[dict[str, Any]] | None) -> dict[str, Any]:
        environment = self.get("environments", environment_id, "Environment")
        if self.where("observabilityDashboards", environmentId=environment_id):
            raise InvalidInput("An observability dashboard already exists for this environment")
        items = self._dashboard_items(updates) if updates else self._default_dashboard_items(environment_id)
        now = self.now_iso()
        dashboard = {
            "id": new_id(),
            "projectId": environment["projectId"],
            "environmentId": environment_id,
            "items": items,
            "createdAt": now,
            "updatedAt": now,
        }
        self.data["observabilityDashboards"][dashboard["id"]] = dashboard
        return dashboard

    def update_dashboard(self, dashboard_id: str, updates: list[dict[str, Any]]) -> dict[str, Any]:
        dashboard = self.get("observabilityDashboards", dashboard_id, "ObservabilityDashboard")
        dashboard["items"] = self._dashboard_items(updates)
        dashboard["updatedAt"] = self.now_iso()
        return dashboard

    def reset_dashboard(self, dashboard_id: str) -> dict[str, Any]:
        dashboard = self.get("observabilityDashboards", dashboard_id, "ObservabilityDashboard")
        dashboard["items"] = self._default_dashboard_items(dashboard["environmentId"])
        dashboard["updatedAt"] = self.now_iso()
        return dashboard

    # -- project tokens ---------------------------------------------------------------------------------
    def create_project_token(self, data: dict[str, Any]) -> str:
        project = self.get("projects", data["projectId"], "Project")
        environment = self.get("environments", data["environmentId"], "Environment")
        if environment["projectId"] != project["id"]:
            raise NotFound("Environment")
        if not data["name"]:
            raise InvalidInput("Token name cannot be empty")
        token = str(uuid.uuid4())
        row = {
            "id": new_id(),
            "name": data["name"],
            "projectId": project["id"],
            "environmentId": environment["id"],
            "tokenHash": hashlib.sha256(token.encode()).hexdigest(),
            "displayToken": token[:4] + "*" * 8,
            "createdAt": self.now_iso(),
        }
        self.data["projectTokens"][row["id"]] = row
        return token

    def project_token(self, token: str) -> dict[str, Any] | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return next((t for t in self.data["projectTokens"].values() if t["tokenHash"] == digest), None)
