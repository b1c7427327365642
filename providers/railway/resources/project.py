"""Railway Project: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field

from providers.adoption import new_since
from providers.base import (
    changed_keys,
    resource_props,
    unless_gone,
)
from providers.pending_create import PendingCreate, made_since_started, report_created_id
from providers.railway.base import (
    RailwayProvider,
    _adopt_or_retry,
    _cleanup,
    _gone_is_fine,
    _oldest_environment,
    _raise_after_cleanup,
    _strict,
)
from providers.railway.client import CLEAR, is_not_found


# ==========================================================================================================
# Project
# ==========================================================================================================
class ProjectInputs(BaseModel):
    model_config = _strict()
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    workspace_id: str | None = Field(default=None, min_length=1)
    default_environment_name: str | None = Field(default=None, min_length=1, max_length=64)


class ProjectProvider(RailwayProvider):
    Inputs = ProjectInputs
    replace_keys = frozenset({"workspace_id", "default_environment_name"})
    computed_if_unset = frozenset({"workspace_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ProjectInputs = self.parse(props)
        client = self.client()

        # Railway project names are not unique: a lost answer is resolved by what appeared under this name
        # in the workspace since just before the create (the stack lock keeps our other runs out).
        def same_name() -> list[dict[str, Any]]:
            return [
                p for p in client.projects(workspace_id=inputs.workspace_id) if p.get("name") == inputs.name
            ]

        before = [str(p["id"]) for p in same_name()]
        project = _adopt_or_retry(
            lambda: client.project_create(
                name=inputs.name,
                description=inputs.description,
                workspace_id=inputs.workspace_id,
                default_environment_name=inputs.default_environment_name,
            ),
            new_since(before, same_name),
            f"project name {inputs.name!r} made since the create was sent",
            self.sleep,
        )
        project_id = str(project["id"])
        report_created_id(project_id)
        try:
            environments = project.get("environments") or client.project(project_id).get("environments") or []
            default_env = _oldest_environment(environments, inputs.default_environment_name)
            if default_env is None:
                raise RuntimeError(f"Railway created project {project_id} without a default environment")
        except Exception as exc:
            note: list[str] = []
            _cleanup(lambda: client.project_delete(project_id), note)
            _raise_after_cleanup(exc, f"project {project_id}", note)
            raise
        outs = {
            **self.inputs(props),
            "workspace_id": project.get("workspaceId") or inputs.workspace_id,
            "default_environment_id": default_env,
        }
        return dynamic.CreateResult(project_id, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: ProjectInputs = self.parse(news)
        changed = changed_keys(olds, news, ("name", "description"))
        if changed:
            self.client().project_update(
                id_,
                name=new.name if "name" in changed else None,
                description=(new.description if new.description is not None else CLEAR)
                if "description" in changed
                else None,
            )
        outs = {
            **self.inputs(news),
            "workspace_id": olds.get("workspace_id"),
            "default_environment_id": olds.get("default_environment_id"),
        }
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        project = unless_gone(lambda: self.client().project(id_), is_not_found)
        if project is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        inputs = {
            **old,
            "name": project.get("name"),
            "description": project.get("description") or None,
        }
        if "workspace_id" in old:
            inputs["workspace_id"] = project.get("workspaceId") or old["workspace_id"]
        default_env = _oldest_environment(
            project.get("environments") or [], old.get("default_environment_name")
        )
        computed = {
            "workspace_id": project.get("workspaceId") or props.get("workspace_id"),
            "default_environment_id": default_env or props.get("default_environment_id"),
        }
        return self.read_result(id_, inputs, computed)

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # Names are not unique: only a project of this name made since the create started.
        inputs: ProjectInputs = self.parse(props)
        listed = self.client().projects(workspace_id=inputs.workspace_id)
        same_name = [p for p in listed if p.get("name") == inputs.name]
        return made_since_started(same_name, pending, f"Railway project {inputs.name!r}")

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().project_delete(id_))


@dataclass
class ProjectArgs:
    name: pulumi.Input[str]
    description: pulumi.Input[str] | None = None
    workspace_id: pulumi.Input[str] | None = None
    default_environment_name: pulumi.Input[str] | None = None


class Project(dynamic.Resource, module="railway", name="Project"):
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    workspace_id: pulumi.Output[str]
    default_environment_id: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("workspace_id", "default_environment_id"))
        super().__init__(ProjectProvider(), resource_name, props, opts)
