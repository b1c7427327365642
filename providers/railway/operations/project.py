"""Railway projects: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    ENVIRONMENTS,
    VOLUME_INSTANCE,
    Operations,
    nodes_of,
    register_document,
)

# Projects
register_document(
    "query project($id: String!) "
    f"{{ project(id: $id) {{ id name description workspaceId {ENVIRONMENTS} "
    "services { edges { node { id name projectId } } } "
    # The volumes, so a volumeCreate whose answer was lost can find what it made.
    "volumes { edges { node { id name projectId "
    f"volumeInstances {{ edges {{ node {{ {VOLUME_INSTANCE} }} }} }} }} }} }} }} }}"
)
register_document(
    "mutation projectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) "
    f"{{ id name description workspaceId {ENVIRONMENTS} }} }}"
)
register_document(
    "mutation projectUpdate($id: String!, $input: ProjectUpdateInput!) "
    "{ projectUpdate(id: $id, input: $input) { id name description workspaceId } }"
)
register_document("mutation projectDelete($id: String!) { projectDelete(id: $id) }")
# Projects of a workspace by name: what a projectCreate whose answer was lost may have made.
register_document(
    "query projects($workspaceId: String) { projects(workspaceId: $workspaceId) "
    "{ edges { node { id name description workspaceId createdAt } } } }"
)


class ProjectOperations(Operations):
    """RailwayClient's methods for projects."""

    def project(self, project_id: str) -> dict[str, Any]:
        project: dict[str, Any] = self.execute("project", {"id": project_id})
        project["environments"] = nodes_of(project.get("environments"))
        project["services"] = nodes_of(project.get("services"))
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
        project["environments"] = nodes_of(project.get("environments"))
        return project

    def projects(self, *, workspace_id: str | None = None) -> list[dict[str, Any]]:
        return nodes_of(self.execute("projects", {"workspaceId": workspace_id}))

    def project_update(self, project_id: str, *, name: Any = None, description: Any = None) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "projectUpdate", {"id": project_id, "input": {"name": name, "description": description}}
        )
        return result

    def project_delete(self, project_id: str) -> bool:
        return bool(self.execute("projectDelete", {"id": project_id}))
