"""Railway service instances and deployments: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.railway.operations.base import (
    SERVICE_DOMAIN,
    Operations,
    register_document,
)

# Service instances and deployments
register_document(
    "query serviceInstance($serviceId: String!, $environmentId: String!) "
    "{ serviceInstance(serviceId: $serviceId, environmentId: $environmentId) { id serviceId environmentId "
    "buildCommand builder cronSchedule drainingSeconds overlapSeconds healthcheckPath healthcheckTimeout "
    "numReplicas preDeployCommand region restartPolicyMaxRetries restartPolicyType rootDirectory "
    "sleepApplication startCommand watchPatterns dockerfilePath source { image repo } "
    f"latestDeployment {{ id status createdAt }} domains {{ serviceDomains {{ {SERVICE_DOMAIN} }} }} }} }}"
)
register_document(
    "mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, "
    "$input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, "
    "environmentId: $environmentId, input: $input) }"
)
register_document(
    "query serviceInstanceLimits($serviceId: String!, $environmentId: String!) "
    "{ serviceInstanceLimits(serviceId: $serviceId, environmentId: $environmentId) }"
)
register_document(
    "mutation serviceInstanceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) "
    "{ serviceInstanceLimitsUpdate(input: $input) }"
)
register_document(
    "mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) "
    "{ serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }"
)
register_document(
    "query deployment($id: String!) { deployment(id: $id) { id status serviceId environmentId createdAt url "
    "staticUrl meta } }"
)
register_document(
    "query deploymentLogs($deploymentId: String!, $limit: Int) "
    "{ deploymentLogs(deploymentId: $deploymentId, limit: $limit) { timestamp message severity } }"
)
register_document(
    "query buildLogs($deploymentId: String!, $limit: Int) "
    "{ buildLogs(deploymentId: $deploymentId, limit: $limit) { timestamp message severity } }"
)


class ServiceInstanceOperations(Operations):
    """RailwayClient's methods for service instances and deployments."""

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
