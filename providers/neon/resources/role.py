"""Neon Role: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field, field_validator

from providers.adoption import create_or_adopt
from providers.base import (
    resource_props,
    strip_provider,
    unless_gone,
    with_secret_outputs,
)
from providers.neon.base import (
    ID_PATTERN,
    NeonProvider,
    _input_dump,
    _Inputs,
    _inputs,
    _version_string,
    about,
    project_lock,
)
from providers.neon.client import Json
from providers.pending_create import PendingCreate


class RoleInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=63)
    password_version: str | None = None

    @field_validator("password_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return _version_string(value)


# -- Role --------------------------------------------------------------------------------------------------
ROLE_OUTPUTS = ("password", "protected")


ROLE_SECRETS = ("password",)


class RoleProvider(NeonProvider):
    """A Postgres role on a branch. Any change of `password_version` rotates the password in place."""

    Inputs = RoleInputs
    kind = "role"
    replace_keys = frozenset({"project_id", "branch_id", "name"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: RoleInputs = _inputs(RoleInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):

            def existing_role() -> list[Json]:
                # Role names are unique in a branch: if it exists now, it is ours; its password is revealed.
                role = unless_gone(lambda: client.get_project_branch_role(project_id, branch_id, inputs.name))
                if role is None:
                    return []
                role["password"] = client.get_project_branch_role_password(project_id, branch_id, inputs.name)
                return [{"role": role, "operations": self.running_operations(project_id)}]

            created = create_or_adopt(
                lambda: client.create_project_branch_role(project_id, branch_id, inputs.name),
                existing_role,
                f"role {inputs.name!r} on branch {branch_id}",
                sleep=self.sleep,
            )
            role = created["role"]
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon role {inputs.name}",
                undo=lambda: client.delete_project_branch_role(project_id, branch_id, inputs.name),
                what=f"role {inputs.name}",
            )
        outs = {
            **_input_dump(inputs),
            "password": role["password"],
            "protected": bool(role.get("protected", False)),
        }
        return dynamic.CreateResult(f"{project_id}/{branch_id}/{inputs.name}", outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: RoleInputs = _inputs(RoleInputs, news)
        outs = {**strip_provider(olds), **_input_dump(inputs)}
        if "password_version" in self.changed(olds, news):
            client = self.client()
            with about(self.kind, inputs.name), project_lock(inputs.project_id):
                response = client.reset_project_branch_role_password(
                    inputs.project_id, inputs.branch_id, inputs.name
                )
                # The old password stays valid until the last operation finishes.
                self.wait_for_operations(
                    inputs.project_id, response.get("operations"), f"neon role {inputs.name}"
                )
            outs["password"] = response["role"]["password"]
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """One request: the role. The password is kept from state (reads never return it)."""
        role = unless_gone(
            lambda: self.client().get_project_branch_role(
                props["project_id"], props["branch_id"], props["name"]
            )
        )
        if role is None:
            return dynamic.ReadResult(None, {})
        outs = {**strip_provider(props), "protected": bool(role.get("protected", False))}
        return self.read_result(id_, outs)

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Role names are unique in a branch.
        inputs: RoleInputs = _inputs(RoleInputs, props)
        role = unless_gone(
            lambda: self.client().get_project_branch_role(inputs.project_id, inputs.branch_id, inputs.name)
        )
        return [f"{inputs.project_id}/{inputs.branch_id}/{inputs.name}"] if role is not None else []

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """The role with its password (revealed: reads never hold it), once the project's operations
        are over."""
        inputs: RoleInputs = _inputs(RoleInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):
            role = unless_gone(lambda: client.get_project_branch_role(project_id, branch_id, inputs.name))
            if role is None:
                return dynamic.ReadResult(None, {})
            self.wait_for_operations(
                project_id, self.running_operations(project_id), f"neon role {inputs.name}"
            )
            password = client.get_project_branch_role_password(project_id, branch_id, inputs.name)
        outs = {
            **_input_dump(inputs),
            "password": password,
            "protected": bool(role.get("protected", False)),
        }
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props["name"]),
            f"neon role {props['name']}",
            lambda: self.client().delete_project_branch_role(project_id, props["branch_id"], props["name"]),
        )


@dataclass
class RoleArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    name: pulumi.Input[str]
    password_version: pulumi.Input[str] | None = None  # change (to anything) to rotate the password in place


class Role(dynamic.Resource, module="neon", name="Role"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    password_version: pulumi.Output[str]
    password: pulumi.Output[str]
    protected: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: RoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            RoleProvider(),
            resource_name,
            resource_props(args, ROLE_OUTPUTS),
            with_secret_outputs(opts, ROLE_SECRETS),
        )
