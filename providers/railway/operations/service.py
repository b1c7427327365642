"""Railway services: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.railway.operations.base import (
    Operations,
    register_document,
)

# Services
register_document("query service($id: String!) { service(id: $id) { id name projectId } }")
register_document(
    "mutation serviceCreate($input: ServiceCreateInput!) "
    "{ serviceCreate(input: $input) { id name projectId } }"
)
register_document(
    "mutation serviceUpdate($id: String!, $input: ServiceUpdateInput!) "
    "{ serviceUpdate(id: $id, input: $input) { id name } }"
)
register_document(
    "mutation serviceConnect($id: String!, $input: ServiceConnectInput!) "
    "{ serviceConnect(id: $id, input: $input) { id } }"
)
register_document("mutation serviceDisconnect($id: String!) { serviceDisconnect(id: $id) { id } }")
register_document(
    "mutation serviceDelete($id: String!, $environmentId: String) "
    "{ serviceDelete(id: $id, environmentId: $environmentId) }"
)


class ServiceOperations(Operations):
    """RailwayClient's methods for services."""

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
