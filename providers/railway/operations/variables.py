"""Railway variables: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from collections.abc import Mapping

from providers.railway.operations.base import (
    Operations,
    register_document,
)

# Variables
register_document(
    "query variables($projectId: String!, $environmentId: String!, $serviceId: String, $unrendered: Boolean) "
    "{ variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, "
    "unrendered: $unrendered) }"
)
register_document(
    "mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) "
    "{ variableCollectionUpsert(input: $input) }"
)
register_document("mutation variableDelete($input: VariableDeleteInput!) { variableDelete(input: $input) }")


class VariablesOperations(Operations):
    """RailwayClient's methods for variables."""

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
