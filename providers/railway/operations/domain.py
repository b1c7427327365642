"""Railway service and custom domains: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    CUSTOM_DOMAIN,
    SERVICE_DOMAIN,
    Operations,
    register_document,
)

# Domains
register_document(
    "mutation serviceDomainCreate($input: ServiceDomainCreateInput!) "
    f"{{ serviceDomainCreate(input: $input) {{ {SERVICE_DOMAIN} }} }}"
)
register_document(
    "mutation serviceDomainUpdate($input: ServiceDomainUpdateInput!) { serviceDomainUpdate(input: $input) }"
)
register_document("mutation serviceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }")
register_document(
    "query customDomain($id: String!, $projectId: String!) "
    f"{{ customDomain(id: $id, projectId: $projectId) {{ {CUSTOM_DOMAIN} }} }}"
)
register_document(
    "mutation customDomainCreate($input: CustomDomainCreateInput!) "
    f"{{ customDomainCreate(input: $input) {{ {CUSTOM_DOMAIN} }} }}"
)
register_document(
    "mutation customDomainUpdate($id: String!, $environmentId: String!, $targetPort: Int) "
    "{ customDomainUpdate(id: $id, environmentId: $environmentId, targetPort: $targetPort) }"
)
register_document("mutation customDomainDelete($id: String!) { customDomainDelete(id: $id) }")
register_document(
    "query domains($environmentId: String!, $projectId: String!, $serviceId: String!) "
    "{ domains(environmentId: $environmentId, projectId: $projectId, serviceId: $serviceId) "
    f"{{ serviceDomains {{ {SERVICE_DOMAIN} }} customDomains {{ {CUSTOM_DOMAIN} }} }} }}"
)


class DomainOperations(Operations):
    """RailwayClient's methods for service and custom domains."""

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

    def domains(self, *, project_id: str, service_id: str, environment_id: str) -> dict[str, Any]:
        """The service's domains in the environment: `serviceDomains` and `customDomains`."""
        result: dict[str, Any] = self.execute(
            "domains", {"projectId": project_id, "serviceId": service_id, "environmentId": environment_id}
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
