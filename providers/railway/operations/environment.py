"""Railway environments: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    Operations,
    register_document,
)

# Environments
register_document(
    "query environment($id: String!) { environment(id: $id) { id name projectId createdAt "
    "sourceEnvironment { id } config(decryptVariables: false) "
    "serviceInstances { edges { node { serviceId latestDeployment { id status } } } } } }"
)
register_document(
    "mutation environmentCreate($input: EnvironmentCreateInput!) { environmentCreate(input: $input) "
    "{ id name projectId createdAt } }"
)
register_document(
    "mutation environmentRename($id: String!, $input: EnvironmentRenameInput!) "
    "{ environmentRename(id: $id, input: $input) { id name } }"
)
register_document("mutation environmentDelete($id: String!) { environmentDelete(id: $id) }")


class EnvironmentOperations(Operations):
    """RailwayClient's methods for environments."""

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
