"""Railway's public GraphQL API, one typed method per operation.

Every document sent has exactly one named operation whose name equals its root field (`mutation
serviceCreate(...) { serviceCreate(...) { ... } }`); the emulator's fault injection and request log match on
that name, and `DOCUMENTS` (every document this module can send) is validated against Railway's published
schema by the contract tests.

How the API is used here, and why:
- The endpoint gets `?source=platform-pulumi`: Railway's Cloudflare edge limits requests *without* a query
  string to 10 per second and answers 429 "error code: 1015" with no rate-limit headers.
- Errors come back with HTTP 200 as `{"errors": [...]}`; they become `RailwayApiError` carrying the
  message. "... not found" means the object is gone; "Not Authorized" is kept apart (it is also what a
  wrong token gets, so it never counts as "gone").
- Railway reads an omitted input field as "keep" and `null` as "clear". Inputs are sent without `None`
  values; a setting the user removed is cleared with the explicit `CLEAR` marker, which becomes `null`.
- Queries and idempotent mutations (updates, deletes, upserts) are sent `safe=True` so the HTTP layer may
  repeat them after a 5xx or timeout; creates are not, and an ambiguous create raises
  `AmbiguousRequestError` for the caller to look the object up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import httpx

from providers.http import AmbiguousRequestError, ApiError, HttpClient, RetryPolicy, Secret, redact

DEFAULT_API_URL: Final = "https://backboard.railway.com/graphql/v2"
SOURCE_PARAM: Final = {"source": "platform-pulumi"}
VENDOR: Final = "railway"


class _Clear:
    """Sent as `null`: tells Railway to unset a setting the user removed (omission means "keep")."""

    _instance: _Clear | None = None

    def __new__(cls) -> _Clear:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "CLEAR"

    def __reduce__(self) -> str:
        return "CLEAR"


CLEAR: Final = _Clear()


def prepare_variables(value: Any) -> Any:
    """Drop `None` everywhere (= leave unchanged) and turn `CLEAR` into `null` (= unset)."""
    if value is CLEAR:
        return None
    if isinstance(value, Mapping):
        return {k: prepare_variables(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [prepare_variables(v) for v in value if v is not None]
    return value


class RailwayApiError(ApiError):
    """A GraphQL error in a 200 response (or an HTTP error) from Railway."""

    @property
    def is_not_found(self) -> bool:
        return is_not_found(self)

    @property
    def is_not_authorized(self) -> bool:
        return "not authorized" in self.message.lower()


def is_not_found(error: BaseException) -> bool:
    """Whether Railway said the object does not exist ("Project not found", "Service not found", HTTP 404)."""
    if not isinstance(error, ApiError):
        return False
    return error.status == 404 or "not found" in error.message.lower()


# -- the documents ---------------------------------------------------------------------------------
DOCUMENTS: dict[str, str] = {}
_OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)")


def _document(text: str) -> str:
    match = _OPERATION.match(text)
    if not match:
        raise ValueError(f"not a named operation: {text[:60]}")
    name = match.group(2)
    if name in DOCUMENTS:
        raise ValueError(f"two documents named {name}")
    DOCUMENTS[name] = " ".join(text.split())
    return name


def is_mutation(name: str) -> bool:
    return DOCUMENTS[name].startswith("mutation")


_ENVIRONMENTS = "environments { edges { node { id name createdAt } } }"
_SERVICE_DOMAIN = "id domain suffix targetPort environmentId serviceId"
_CUSTOM_DOMAIN = (
    "id domain environmentId serviceId projectId targetPort status { verified verificationDnsHost "
    "verificationToken certificateStatus dnsRecords { hostlabel fqdn zone recordType requiredValue "
    "currentValue status purpose } }"
)
_VOLUME_INSTANCE = "id volumeId environmentId serviceId mountPath region sizeMB state"
_NOTIFICATION_RULE = "id workspaceId projectId eventTypes severities channels { id config }"
_TCP_PROXY = "id applicationPort proxyPort domain environmentId serviceId"
_DASHBOARD = (
    "id items { id displayConfig dashboardItem { id name description type "
    "config { httpMetric logsFilter measurements projectUsageProperties resourceIds } } }"
)

# Projects
_document(
    "query project($id: String!) "
    f"{{ project(id: $id) {{ id name description workspaceId {_ENVIRONMENTS} "
    "services { edges { node { id name projectId } } } } }"
)
_document(
    "mutation projectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) "
    f"{{ id name description workspaceId {_ENVIRONMENTS} }} }}"
)
_document(
    "mutation projectUpdate($id: String!, $input: ProjectUpdateInput!) "
    "{ projectUpdate(id: $id, input: $input) { id name description workspaceId } }"
)
_document("mutation projectDelete($id: String!) { projectDelete(id: $id) }")

# Environments
_document(
    "query environment($id: String!) { environment(id: $id) { id name projectId createdAt "
    "sourceEnvironment { id } config(decryptVariables: false) "
    "serviceInstances { edges { node { serviceId latestDeployment { id status } } } } } }"
)
_document(
    "mutation environmentCreate($input: EnvironmentCreateInput!) { environmentCreate(input: $input) "
    "{ id name projectId createdAt } }"
)
_document(
    "mutation environmentRename($id: String!, $input: EnvironmentRenameInput!) "
    "{ environmentRename(id: $id, input: $input) { id name } }"
)
_document("mutation environmentDelete($id: String!) { environmentDelete(id: $id) }")

# Services
_document("query service($id: String!) { service(id: $id) { id name projectId } }")
_document(
    "mutation serviceCreate($input: ServiceCreateInput!) "
    "{ serviceCreate(input: $input) { id name projectId } }"
)
_document(
    "mutation serviceUpdate($id: String!, $input: ServiceUpdateInput!) "
    "{ serviceUpdate(id: $id, input: $input) { id name } }"
)
_document(
    "mutation serviceConnect($id: String!, $input: ServiceConnectInput!) "
    "{ serviceConnect(id: $id, input: $input) { id } }"
)
_document("mutation serviceDisconnect($id: String!) { serviceDisconnect(id: $id) { id } }")
_document(
    "mutation serviceDelete($id: String!, $environmentId: String) "
    "{ serviceDelete(id: $id, environmentId: $environmentId) }"
)

# Service instances and deployments
_document(
    "query serviceInstance($serviceId: String!, $environmentId: String!) "
    "{ serviceInstance(serviceId: $serviceId, environmentId: $environmentId) { id serviceId environmentId "
    "buildCommand builder cronSchedule drainingSeconds overlapSeconds healthcheckPath healthcheckTimeout "
    "numReplicas preDeployCommand region restartPolicyMaxRetries restartPolicyType rootDirectory "
    "sleepApplication startCommand watchPatterns dockerfilePath source { image repo } "
    f"latestDeployment {{ id status }} domains {{ serviceDomains {{ {_SERVICE_DOMAIN} }} }} }} }}"
)
_document(
    "mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, "
    "$input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, "
    "environmentId: $environmentId, input: $input) }"
)
_document(
    "query serviceInstanceLimits($serviceId: String!, $environmentId: String!) "
    "{ serviceInstanceLimits(serviceId: $serviceId, environmentId: $environmentId) }"
)
_document(
    "mutation serviceInstanceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) "
    "{ serviceInstanceLimitsUpdate(input: $input) }"
)
_document(
    "mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) "
    "{ serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }"
)
_document(
    "query deployment($id: String!) { deployment(id: $id) { id status serviceId environmentId createdAt url "
    "staticUrl } }"
)
_document(
    "query deploymentLogs($deploymentId: String!, $limit: Int) "
    "{ deploymentLogs(deploymentId: $deploymentId, limit: $limit) { timestamp message severity } }"
)
_document(
    "query buildLogs($deploymentId: String!, $limit: Int) "
    "{ buildLogs(deploymentId: $deploymentId, limit: $limit) { timestamp message severity } }"
)

# Variables
_document(
    "query variables($projectId: String!, $environmentId: String!, $serviceId: String, $unrendered: Boolean) "
    "{ variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, "
    "unrendered: $unrendered) }"
)
_document(
    "mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) "
    "{ variableCollectionUpsert(input: $input) }"
)
_document("mutation variableDelete($input: VariableDeleteInput!) { variableDelete(input: $input) }")

# Domains
_document(
    "mutation serviceDomainCreate($input: ServiceDomainCreateInput!) "
    f"{{ serviceDomainCreate(input: $input) {{ {_SERVICE_DOMAIN} }} }}"
)
_document(
    "mutation serviceDomainUpdate($input: ServiceDomainUpdateInput!) { serviceDomainUpdate(input: $input) }"
)
_document("mutation serviceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }")
_document(
    "query customDomain($id: String!, $projectId: String!) "
    f"{{ customDomain(id: $id, projectId: $projectId) {{ {_CUSTOM_DOMAIN} }} }}"
)
_document(
    "mutation customDomainCreate($input: CustomDomainCreateInput!) "
    f"{{ customDomainCreate(input: $input) {{ {_CUSTOM_DOMAIN} }} }}"
)
_document(
    "mutation customDomainUpdate($id: String!, $environmentId: String!, $targetPort: Int) "
    "{ customDomainUpdate(id: $id, environmentId: $environmentId, targetPort: $targetPort) }"
)
_document("mutation customDomainDelete($id: String!) { customDomainDelete(id: $id) }")

# Volumes
_document(
    "mutation volumeCreate($input: VolumeCreateInput!) { volumeCreate(input: $input) { id name projectId "
    f"volumeInstances {{ edges {{ node {{ {_VOLUME_INSTANCE} }} }} }} }} }}"
)
_document(
    "query volumeInstance($id: String!) "
    f"{{ volumeInstance(id: $id) {{ {_VOLUME_INSTANCE} volume {{ id name }} }} }}"
)
_document(
    "mutation volumeInstanceUpdate($volumeId: String!, $environmentId: String, "
    "$input: VolumeInstanceUpdateInput!) { volumeInstanceUpdate(volumeId: $volumeId, "
    "environmentId: $environmentId, input: $input) }"
)
_document("mutation volumeDelete($volumeId: String!) { volumeDelete(volumeId: $volumeId) }")
_document(
    "query volumeInstanceBackupScheduleList($volumeInstanceId: String!) "
    "{ volumeInstanceBackupScheduleList(volumeInstanceId: $volumeInstanceId) { id kind cron name } }"
)
_document(
    "mutation volumeInstanceBackupScheduleUpdate($volumeInstanceId: String!, "
    "$kinds: [VolumeInstanceBackupScheduleKind!]!) { volumeInstanceBackupScheduleUpdate("
    "volumeInstanceId: $volumeInstanceId, kinds: $kinds) }"
)

# TCP proxies
_document(
    f"query tcpProxies($serviceId: String!, $environmentId: String!) "
    f"{{ tcpProxies(serviceId: $serviceId, environmentId: $environmentId) {{ {_TCP_PROXY} }} }}"
)
_document(
    "mutation tcpProxyCreate($input: TCPProxyCreateInput!) "
    f"{{ tcpProxyCreate(input: $input) {{ {_TCP_PROXY} }} }}"
)
_document("mutation tcpProxyDelete($id: String!) { tcpProxyDelete(id: $id) }")

# Notification rules
_document(
    "query notificationRules($workspaceId: String!, $projectId: String) "
    f"{{ notificationRules(workspaceId: $workspaceId, projectId: $projectId) {{ {_NOTIFICATION_RULE} }} }}"
)
_document(
    "mutation notificationRuleCreate($input: CreateNotificationRuleInput!) "
    f"{{ notificationRuleCreate(input: $input) {{ {_NOTIFICATION_RULE} }} }}"
)
_document(
    "mutation notificationRuleUpdate($id: String!, $input: UpdateNotificationRuleInput!) "
    f"{{ notificationRuleUpdate(id: $id, input: $input) {{ {_NOTIFICATION_RULE} }} }}"
)
_document("mutation notificationRuleDelete($id: String!) { notificationRuleDelete(id: $id) }")

# Observability dashboards (the mutations answer only a Boolean: the id is read back with the query)
_document(
    "query observabilityDashboards($environmentId: String!) "
    f"{{ observabilityDashboards(environmentId: $environmentId) {{ edges {{ node {{ {_DASHBOARD} }} }} }} }}"
)
_document(
    "mutation observabilityDashboardCreate($input: ObservabilityDashboardCreateInput!) "
    "{ observabilityDashboardCreate(input: $input) }"
)
_document(
    "mutation observabilityDashboardUpdate($id: String!, $input: [ObservabilityDashboardUpdateInput!]!) "
    "{ observabilityDashboardUpdate(id: $id, input: $input) }"
)
_document("mutation observabilityDashboardReset($id: String!) { observabilityDashboardReset(id: $id) }")

# Creates are never repeated blindly; everything else is safe to send twice.
UNSAFE_OPERATIONS: Final = frozenset(
    {
        "projectCreate",
        "environmentCreate",
        "serviceCreate",
        "serviceInstanceDeployV2",
        "serviceDomainCreate",
        "customDomainCreate",
        "volumeCreate",
        "tcpProxyCreate",
        "notificationRuleCreate",
        "observabilityDashboardCreate",
    }
)


def _edges(connection: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (connection or {}).get("edges", []) if edge and edge.get("node")]


class RailwayClient:
    """Typed access to the Railway operations the providers use. Build it in `configure()`; not picklable."""

    def __init__(
        self,
        *,
        token: Secret | None = None,
        project_token: Secret | None = None,
        api_url: str = DEFAULT_API_URL,
        transport: httpx.BaseTransport | None = None,
        sleep: Any = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        headers: dict[str, Secret] = {}
        if token:
            headers["Authorization"] = Secret(f"Bearer {token.reveal()}")
        if project_token:
            headers["Project-Access-Token"] = project_token
        if not headers:
            raise ValueError("RailwayClient needs an account/workspace token or a project token")
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        self._http = HttpClient(
            vendor=VENDOR,
            base_url=api_url,
            auth_headers=headers,
            request_id_headers=("x-railway-request-id", "x-request-id", "cf-ray"),
            transport=transport,
            retry=retry,
            default_params=SOURCE_PARAM,
            **extra,
        )

    def __repr__(self) -> str:
        return f"RailwayClient(api_url={self._http.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("RailwayClient is not picklable; build it in configure()")

    def close(self) -> None:
        self._http.close()

    # -- transport ---------------------------------------------------------------------------------
    def execute(self, operation: str, variables: Mapping[str, Any] | None = None) -> Any:
        """Send the registered document `operation`; return the value of its root field."""
        document = DOCUMENTS[operation]
        body = {
            "query": document,
            "variables": prepare_variables(dict(variables or {})),
            "operationName": operation,
        }
        safe = operation not in UNSAFE_OPERATIONS
        try:
            response = self._http.request("POST", "", operation=operation, json_body=body, safe=safe)
        except ApiError as exc:
            raise _as_railway_error(exc) from None
        try:
            payload = response.json()
        except ValueError:
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message=f"response is not JSON: {response.text[:200]}",
                status=response.status_code,
                request_id=self._http.request_id(response),
            ) from None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
            codes = [
                str(e.get("extensions", {}).get("code"))
                for e in errors
                if isinstance(e, dict)
                and isinstance(e.get("extensions"), dict)
                and e["extensions"].get("code")
            ]
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message=redact("; ".join(messages), self._http._secrets),
                status=response.status_code,
                request_id=self._http.request_id(response),
                code=codes[0] if codes else None,
                body=None,
            )
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or operation not in data:
            raise RailwayApiError(
                vendor=VENDOR,
                operation=operation,
                message="response has no data",
                status=response.status_code,
                request_id=self._http.request_id(response),
            )
        return data[operation]

    # -- projects ----------------------------------------------------------------------------------
    def project(self, project_id: str) -> dict[str, Any]:
        project: dict[str, Any] = self.execute("project", {"id": project_id})
        project["environments"] = _edges(project.get("environments"))
        project["services"] = _edges(project.get("services"))
        return project

    def project_create(
        self,
        *,
        name: str,
        description: str | None = None,
        workspace_id: str | None = None,
        default_environment_name: str | None = None,
    ) -> dict[str, Any]:
        project: dict[str, Any] = self.execute(
            "projectCreate",
            {
                "input": {
                    "name": name,
                    "description": description,
                    "workspaceId": workspace_id,
                    "defaultEnvironmentName": default_environment_name,
                }
            },
        )
        project["environments"] = _edges(project.get("environments"))
        return project

    def project_update(self, project_id: str, *, name: Any = None, description: Any = None) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "projectUpdate", {"id": project_id, "input": {"name": name, "description": description}}
        )
        return result

    def project_delete(self, project_id: str) -> bool:
        return bool(self.execute("projectDelete", {"id": project_id}))

    # -- environments ------------------------------------------------------------------------------
    def environment(self, environment_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("environment", {"id": environment_id})
        return result

    def environment_create(
        self,
        *,
        project_id: str,
        name: str,
        source_environment_id: str | None = None,
        ephemeral: bool | None = None,
        skip_initial_deploys: bool | None = None,
    ) -> dict[str, Any]:
        """A new environment; with `source_environment_id` a fork of that one (its services, settings and
        variables copied; with `skip_initial_deploys` nothing deploys until asked)."""
        result: dict[str, Any] = self.execute(
            "environmentCreate",
            {
                "input": {
                    "projectId": project_id,
                    "name": name,
                    "sourceEnvironmentId": source_environment_id,
                    "ephemeral": ephemeral,
                    "skipInitialDeploys": skip_initial_deploys,
                }
            },
        )
        return result

    def environment_rename(self, environment_id: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "environmentRename", {"id": environment_id, "input": {"name": name}}
        )
        return result

    def environment_delete(self, environment_id: str) -> bool:
        return bool(self.execute("environmentDelete", {"id": environment_id}))

    # -- services ----------------------------------------------------------------------------------
    def service(self, service_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("service", {"id": service_id})
        return result

    def service_create(
        self,
        *,
        project_id: str,
        name: str,
        image: str | None = None,
        repo: str | None = None,
        branch: str | None = None,
        environment_id: str | None = None,
        registry_credentials: Mapping[str, str] | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        source = {"image": image, "repo": repo} if (image or repo) else None
        result: dict[str, Any] = self.execute(
            "serviceCreate",
            {
                "input": {
                    "projectId": project_id,
                    "name": name,
                    "source": source,
                    "branch": branch,
                    "environmentId": environment_id,
                    "registryCredentials": dict(registry_credentials) if registry_credentials else None,
                    "variables": dict(variables) if variables else None,
                }
            },
        )
        return result

    def service_update(self, service_id: str, *, name: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("serviceUpdate", {"id": service_id, "input": {"name": name}})
        return result

    def service_connect(
        self, service_id: str, *, image: str | None = None, repo: str | None = None, branch: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "serviceConnect", {"id": service_id, "input": {"image": image, "repo": repo, "branch": branch}}
        )
        return result

    def service_disconnect(self, service_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("serviceDisconnect", {"id": service_id})
        return result

    def service_delete(self, service_id: str, *, environment_id: str | None = None) -> bool:
        return bool(self.execute("serviceDelete", {"id": service_id, "environmentId": environment_id}))

    # -- service instances and deployments ---------------------------------------------------------
    def service_instance(self, *, service_id: str, environment_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "serviceInstance", {"serviceId": service_id, "environmentId": environment_id}
        )
        return result

    def service_instance_update(
        self, *, service_id: str, environment_id: str, settings: Mapping[str, Any]
    ) -> bool:
        """`settings` is a ServiceInstanceUpdateInput: `None` leaves a field alone, `CLEAR` unsets it."""
        return bool(
            self.execute(
                "serviceInstanceUpdate",
                {"serviceId": service_id, "environmentId": environment_id, "input": dict(settings)},
            )
        )

    def service_instance_limits(self, *, service_id: str, environment_id: str) -> dict[str, Any]:
        result = self.execute(
            "serviceInstanceLimits", {"serviceId": service_id, "environmentId": environment_id}
        )
        return dict(result or {})

    def service_instance_limits_update(
        self, *, service_id: str, environment_id: str, vcpus: Any = None, memory_gb: Any = None
    ) -> bool:
        return bool(
            self.execute(
                "serviceInstanceLimitsUpdate",
                {
                    "input": {
                        "serviceId": service_id,
                        "environmentId": environment_id,
                        "vCPUs": vcpus,
                        "memoryGB": memory_gb,
                    }
                },
            )
        )

    def service_instance_deploy(self, *, service_id: str, environment_id: str) -> str:
        """Start a deployment of the service's current source with its current settings; its id."""
        return str(
            self.execute(
                "serviceInstanceDeployV2", {"serviceId": service_id, "environmentId": environment_id}
            )
        )

    def deployment(self, deployment_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("deployment", {"id": deployment_id})
        return result

    def deployment_logs(self, deployment_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.execute("deploymentLogs", {"deploymentId": deployment_id, "limit": limit}) or [])

    def build_logs(self, deployment_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.execute("buildLogs", {"deploymentId": deployment_id, "limit": limit}) or [])

    # -- variables ---------------------------------------------------------------------------------
    def variables(
        self, *, project_id: str, environment_id: str, service_id: str | None = None
    ) -> dict[str, str]:
        """Raw (unrendered) values, so references such as `${{Postgres.DATABASE_URL}}` compare as written."""
        result = self.execute(
            "variables",
            {
                "projectId": project_id,
                "environmentId": environment_id,
                "serviceId": service_id,
                "unrendered": True,
            },
        )
        return dict(result or {})

    def variable_collection_upsert(
        self,
        *,
        project_id: str,
        environment_id: str,
        variables: Mapping[str, str],
        service_id: str | None = None,
        skip_deploys: bool | None = None,
    ) -> bool:
        return bool(
            self.execute(
                "variableCollectionUpsert",
                {
                    "input": {
                        "projectId": project_id,
                        "environmentId": environment_id,
                        "serviceId": service_id,
                        "variables": dict(variables),
                        "skipDeploys": skip_deploys,
                    }
                },
            )
        )

    def variable_delete(
        self, *, project_id: str, environment_id: str, name: str, service_id: str | None = None
    ) -> bool:
        return bool(
            self.execute(
                "variableDelete",
                {
                    "input": {
                        "projectId": project_id,
                        "environmentId": environment_id,
                        "serviceId": service_id,
                        "name": name,
                    }
                },
            )
        )

    # -- domains -----------------------------------------------------------------------------------
    def service_domain_create(
        self, *, service_id: str, environment_id: str, target_port: int | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "serviceDomainCreate",
            {"input": {"serviceId": service_id, "environmentId": environment_id, "targetPort": target_port}},
        )
        return result

    def service_domain_update(
        self,
        *,
        service_domain_id: str,
        service_id: str,
        environment_id: str,
        domain: str,
        target_port: Any = None,
    ) -> bool:
        return bool(
            self.execute(
                "serviceDomainUpdate",
                {
                    "input": {
                        "serviceDomainId": service_domain_id,
                        "serviceId": service_id,
                        "environmentId": environment_id,
                        "domain": domain,
                        "targetPort": target_port,
                    }
                },
            )
        )

    def service_domain_delete(self, service_domain_id: str) -> bool:
        return bool(self.execute("serviceDomainDelete", {"id": service_domain_id}))

    def custom_domain(self, custom_domain_id: str, *, project_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "customDomain", {"id": custom_domain_id, "projectId": project_id}
        )
        return result

    def custom_domain_create(
        self,
        *,
        project_id: str,
        service_id: str,
        environment_id: str,
        domain: str,
        target_port: int | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "customDomainCreate",
            {
                "input": {
                    "projectId": project_id,
                    "serviceId": service_id,
                    "environmentId": environment_id,
                    "domain": domain,
                    "targetPort": target_port,
                }
            },
        )
        return result

    def custom_domain_update(self, custom_domain_id: str, *, environment_id: str, target_port: Any) -> bool:
        return bool(
            self.execute(
                "customDomainUpdate",
                {"id": custom_domain_id, "environmentId": environment_id, "targetPort": target_port},
            )
        )

    def custom_domain_delete(self, custom_domain_id: str) -> bool:
        return bool(self.execute("customDomainDelete", {"id": custom_domain_id}))

    # -- volumes -----------------------------------------------------------------------------------
    def volume_create(
        self,
        *,
        project_id: str,
        mount_path: str,
        service_id: str | None = None,
        environment_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        volume: dict[str, Any] = self.execute(
            "volumeCreate",
            {
                "input": {
                    "projectId": project_id,
                    "serviceId": service_id,
                    # Always passed: without it Railway creates no volume instance (TF provider issue #61).
                    "environmentId": environment_id,
                    "mountPath": mount_path,
                    "region": region,
                }
            },
        )
        volume["volumeInstances"] = _edges(volume.get("volumeInstances"))
        return volume

    def volume_instance(self, volume_instance_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.execute("volumeInstance", {"id": volume_instance_id})
        return result

    def volume_instance_update(
        self, *, volume_id: str, environment_id: str, mount_path: str | None = None
    ) -> bool:
        return bool(
            self.execute(
                "volumeInstanceUpdate",
                {"volumeId": volume_id, "environmentId": environment_id, "input": {"mountPath": mount_path}},
            )
        )

    def volume_delete(self, volume_id: str) -> bool:
        return bool(self.execute("volumeDelete", {"volumeId": volume_id}))

    def volume_instance_backup_schedules(self, volume_instance_id: str) -> list[dict[str, Any]]:
        return list(
            self.execute("volumeInstanceBackupScheduleList", {"volumeInstanceId": volume_instance_id}) or []
        )

    def volume_instance_backup_schedule_update(self, volume_instance_id: str, kinds: list[str]) -> bool:
        return bool(
            self.execute(
                "volumeInstanceBackupScheduleUpdate", {"volumeInstanceId": volume_instance_id, "kinds": kinds}
            )
        )

    # -- TCP proxies -------------------------------------------------------------------------------
    def tcp_proxies(self, *, service_id: str, environment_id: str) -> list[dict[str, Any]]:
        return list(
            self.execute("tcpProxies", {"serviceId": service_id, "environmentId": environment_id}) or []
        )

    def tcp_proxy_create(
        self, *, service_id: str, environment_id: str, application_port: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "tcpProxyCreate",
            {
                "input": {
                    "serviceId": service_id,
                    "environmentId": environment_id,
                    "applicationPort": application_port,
                }
            },
        )
        return result

    def tcp_proxy_delete(self, tcp_proxy_id: str) -> bool:
        return bool(self.execute("tcpProxyDelete", {"id": tcp_proxy_id}))

    # -- notification rules ------------------------------------------------------------------------
    def notification_rules(self, *, workspace_id: str, project_id: str | None = None) -> list[dict[str, Any]]:
        return list(
            self.execute("notificationRules", {"workspaceId": workspace_id, "projectId": project_id}) or []
        )

    def notification_rule_create(
        self,
        *,
        workspace_id: str,
        event_types: list[str],
        channel_configs: list[dict[str, Any]],
        project_id: str | None = None,
        severities: list[str] | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "notificationRuleCreate",
            {
                "input": {
                    "workspaceId": workspace_id,
                    "projectId": project_id,
                    "eventTypes": event_types,
                    "severities": severities,
                    "channelConfigs": channel_configs,
                }
            },
        )
        return result

    def notification_rule_update(
        self,
        rule_id: str,
        *,
        event_types: list[str] | None = None,
        channel_configs: list[dict[str, Any]] | None = None,
        severities: Any = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "notificationRuleUpdate",
            {
                "id": rule_id,
                "input": {
                    "eventTypes": event_types,
                    "severities": severities,
                    "channelConfigs": channel_configs,
                },
            },
        )
        return result

    def notification_rule_delete(self, rule_id: str) -> bool:
        return bool(self.execute("notificationRuleDelete", {"id": rule_id}))

    # -- observability dashboards ------------------------------------------------------------------
    def observability_dashboards(self, environment_id: str) -> list[dict[str, Any]]:
        return _edges(self.execute("observabilityDashboards", {"environmentId": environment_id}))

    def observability_dashboard_create(
        self, environment_id: str, items: list[dict[str, Any]] | None = None
    ) -> bool:
        """Without items Railway makes its default dashboard. Answers only whether it worked."""
        variables = {"input": {"environmentId": environment_id, "items": items}}
        return bool(self.execute("observabilityDashboardCreate", variables))

    def observability_dashboard_update(self, dashboard_id: str, items: list[dict[str, Any]]) -> bool:
        """Replaces the dashboard's whole item list with `items` (`ObservabilityDashboardUpdateInput`s)."""
        return bool(self.execute("observabilityDashboardUpdate", {"id": dashboard_id, "input": items}))

    def observability_dashboard_reset(self, dashboard_id: str) -> bool:
        return bool(self.execute("observabilityDashboardReset", {"id": dashboard_id}))


def _as_railway_error(exc: ApiError) -> ApiError:
    """HTTP-level failures keep their class (AmbiguousRequestError, RateLimitedError) and gain the
    Railway not-found reading; a plain ApiError becomes a RailwayApiError."""
    if type(exc) is ApiError:
        converted = RailwayApiError(
            vendor=exc.vendor,
            operation=exc.operation,
            message=exc.message,
            status=exc.status,
            request_id=exc.request_id,
            code=exc.code,
            body=exc.body,
        )
        return converted
    return exc


__all__ = [
    "CLEAR",
    "DEFAULT_API_URL",
    "DOCUMENTS",
    "AmbiguousRequestError",
    "RailwayApiError",
    "RailwayClient",
    "is_not_found",
    "prepare_variables",
]
