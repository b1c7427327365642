"""Neon Branch: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi import dynamic
from pydantic import Field

from providers.adoption import create_or_adopt
from providers.base import (
    resource_props,
    strip_provider,
    unless_gone,
)
from providers.neon.base import ID_PATTERN, NeonProvider, _input_dump, _Inputs, _inputs, about, project_lock
from providers.neon.client import Json
from providers.pending_create import PendingCreate, report_created_id


class BranchInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    # Unset = the project's default branch.
    parent_id: str | None = Field(default=None, pattern=ID_PATTERN)
    protected: bool = False
    # Neon deletes the branch at this time (RFC 3339, seconds precision): a pull request's safety net.
    expires_at: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
    )
    # `parent-data` (Neon's default) copies the parent's data; `schema-only` only its schema.
    init_source: Literal["parent-data", "schema-only"] | None = None


# -- Branch ------------------------------------------------------------------------------------------------
BRANCH_OUTPUTS = ("branch_id", "default")


class BranchProvider(NeonProvider):
    Inputs = BranchInputs
    kind = "branch"
    replace_keys = frozenset({"project_id", "parent_id", "init_source"})
    vendor_default_keys = frozenset({"parent_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: BranchInputs = _inputs(BranchInputs, props)
        client = self.client()
        project_id = inputs.project_id
        body: Json = {"name": inputs.name, "protected": inputs.protected}
        if inputs.parent_id:
            body["parent_id"] = inputs.parent_id
        if inputs.expires_at:
            body["expires_at"] = inputs.expires_at
        if inputs.init_source:
            body["init_source"] = inputs.init_source
        with about(self.kind, inputs.name), project_lock(project_id):
            # It may have been made: a branch by that name now there is ours; none, and it is sent again.
            created = create_or_adopt(
                lambda: client.create_project_branch(project_id, body),
                lambda: [
                    {"branch": b, "operations": self.running_operations(project_id)}
                    for b in client.list_project_branches(project_id, search=inputs.name)
                    if b["name"] == inputs.name
                ],
                f"branch name {inputs.name!r} in project {project_id}",
                sleep=self.sleep,
            )
            branch = created["branch"]
            report_created_id(str(branch["id"]))
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon branch {inputs.name}",
                undo=lambda: client.delete_project_branch(project_id, branch["id"]),
                what=f"branch {branch['id']}",
            )
        return dynamic.CreateResult(branch["id"], self._outputs(inputs, branch))

    @staticmethod
    def _vendor_values(branch: Json) -> dict[str, Any]:
        return {
            "name": branch["name"],
            "protected": branch.get("protected", False),
            "parent_id": branch.get("parent_id"),
            "default": bool(branch.get("default", False)),
        }

    def _outputs(self, inputs: BranchInputs, branch: Json) -> dict[str, Any]:
        return {**_input_dump(inputs), **self._vendor_values(branch), "branch_id": branch["id"]}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: BranchInputs = _inputs(BranchInputs, news)
        client = self.client()
        with about(self.kind, inputs.name), project_lock(inputs.project_id):
            body: Json = {"name": inputs.name, "protected": inputs.protected}
            if inputs.expires_at or olds.get("expires_at"):
                body["expires_at"] = inputs.expires_at  # None clears it
            response = client.update_project_branch(inputs.project_id, id_, body)
            self.wait_for_operations(
                inputs.project_id, response.get("operations"), f"neon branch {inputs.name}"
            )
        return dynamic.UpdateResult(self._outputs(inputs, response["branch"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        branch = unless_gone(lambda: self.client().get_project_branch(props["project_id"], id_))
        if branch is None:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, {**strip_provider(props), **self._vendor_values(branch)})

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Branch names are unique in a project.
        inputs: BranchInputs = _inputs(BranchInputs, props)
        listed = self.client().list_project_branches(inputs.project_id, search=inputs.name)
        return [str(b["id"]) for b in listed if b.get("name") == inputs.name]

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        inputs: BranchInputs = _inputs(BranchInputs, props)
        client = self.client()
        with about(self.kind, inputs.name), project_lock(inputs.project_id):
            if unless_gone(lambda: client.get_project_branch(inputs.project_id, id_)) is None:
                return dynamic.ReadResult(None, {})
            running = self.running_operations(inputs.project_id)
            self.wait_for_operations(inputs.project_id, running, f"neon branch {inputs.name}")
            branch = client.get_project_branch(inputs.project_id, id_)
        return self.read_result(id_, self._outputs(inputs, branch))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props.get("name", id_)),
            f"neon branch {id_}",
            lambda: self.client().delete_project_branch(project_id, id_),
        )


@dataclass
class BranchArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    parent_id: pulumi.Input[str] | None = None  # default: the project's default branch; change replaces
    protected: pulumi.Input[bool] | None = None
    expires_at: pulumi.Input[str] | None = None  # RFC 3339: Neon deletes the branch then
    init_source: pulumi.Input[str] | None = None  # parent-data (default) or schema-only; change replaces


class Branch(dynamic.Resource, module="neon", name="Branch"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    parent_id: pulumi.Output[str]
    protected: pulumi.Output[bool]
    branch_id: pulumi.Output[str]
    default: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: BranchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(BranchProvider(), resource_name, resource_props(args, BRANCH_OUTPUTS), opts)
