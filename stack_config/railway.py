"""The `platform:railway` section: which Railway workspace, project and environment a stack uses."""

from __future__ import annotations

from pydantic import (
    Field,
    model_validator,
)

from stack_config.fields import Model, RailwayRegion


class RailwayScope(Model):
    """Where the services live: a project this stack creates, or an existing one, and its environment."""

    project: str | None = Field(None, description="name of a project this stack creates")
    project_id: str | None = Field(None, description="id of an existing project")
    workspace_id: str | None = Field(
        None, description="workspace for a new project and for notification rules"
    )
    environment: str = Field("production", description="environment name (created in an existing project)")
    environment_id: str | None = Field(None, description="id of an existing environment of project_id")
    region: RailwayRegion = Field("us-west2", description="default region of the services")

    @model_validator(mode="after")
    def _one_project(self) -> RailwayScope:
        if bool(self.project) == bool(self.project_id):
            raise ValueError(
                "give exactly one of project (a new project's name) or projectId (an existing one)"
            )
        if self.environment_id and not self.project_id:
            raise ValueError("environmentId names an environment of an existing project: give projectId too")
        return self

    @property
    def creates_project(self) -> bool:
        return self.project_id is None
