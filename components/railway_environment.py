"""RailwayEnvironment: where a stack's services live, a Railway project and one of its environments."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from providers import railway


@dataclass
class RailwayEnvironmentArgs:
    project_name: str | None = None
    """Create a project with this name (its default environment becomes `environment_name`)."""
    project_id: pulumi.Input[str] | None = None
    """Or use this existing project."""
    environment_name: str = "production"
    """In an existing project: the environment this stack creates (unless `environment_id` is given)."""
    environment_id: pulumi.Input[str] | None = None
    """An existing environment of `project_id`."""
    workspace_id: pulumi.Input[str] | None = None
    """Workspace of a new project; notification rules need it for an existing project."""
    protect: bool = False
    """Pulumi protect on the project this stack creates (deleting it deletes everything in it)."""


class RailwayEnvironment(pulumi.ComponentResource):
    project_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    workspace_id: pulumi.Output[str | None]

    def __init__(
        self, name: str, args: RailwayEnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:components:RailwayEnvironment", name, None, opts)
        if (args.project_name is None) == (args.project_id is None):
            raise ValueError(f"{name}: give exactly one of project_name (new) or project_id (existing)")
        child = pulumi.ResourceOptions(parent=self)
        self.project: railway.Project | None = None
        self.environment: railway.Environment | None = None
        if args.project_name is not None:
            if args.environment_id is not None:
                raise ValueError(f"{name}: environment_id names an environment of an existing project_id")
            self.project = railway.Project(
                f"{name}-project",
                railway.ProjectArgs(
                    name=args.project_name,
                    workspace_id=args.workspace_id,
                    default_environment_name=args.environment_name,
                ),
                pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.project_id = self.project.id
            self.environment_id = self.project.default_environment_id
            self.workspace_id = self.project.workspace_id
        else:
            assert args.project_id is not None
            self.project_id = pulumi.Output.from_input(args.project_id)
            if args.environment_id is not None:
                self.environment_id = pulumi.Output.from_input(args.environment_id)
            else:
                self.environment = railway.Environment(
                    f"{name}-environment",
                    railway.EnvironmentArgs(project_id=args.project_id, name=args.environment_name),
                    child,
                )
                self.environment_id = self.environment.id
            self.workspace_id = pulumi.Output.from_input(args.workspace_id)
        self.register_outputs(
            {
                "project_id": self.project_id,
                "environment_id": self.environment_id,
                "workspace_id": self.workspace_id,
            }
        )
