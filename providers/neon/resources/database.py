"""Neon Database: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field

from providers.adoption import create_or_adopt
from providers.base import (
    resource_props,
    strip_provider,
    unless_gone,
)
from providers.http import ApiError
from providers.neon.base import ID_PATTERN, NeonProvider, _input_dump, _Inputs, _inputs, about, project_lock
from providers.neon.client import Json
from providers.pending_create import PendingCreate, report_created_id


class DatabaseInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=63)
    owner_name: str = Field(min_length=1, max_length=63)


# -- Database ----------------------------------------------------------------------------------------------
DATABASE_OUTPUTS = ("database_id",)


class DatabaseProvider(NeonProvider):
    """A Postgres database on a branch; rename and owner change happen in place."""

    Inputs = DatabaseInputs
    kind = "database"
    replace_keys = frozenset({"project_id", "branch_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: DatabaseInputs = _inputs(DatabaseInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):
            # Database names are unique in a branch: if it exists now, it is ours.
            created = create_or_adopt(
                lambda: client.create_project_branch_database(
                    project_id, branch_id, inputs.name, inputs.owner_name
                ),
                lambda: [
                    {"database": d, "operations": self.running_operations(project_id)}
                    for d in [
                        unless_gone(
                            lambda: client.get_project_branch_database(project_id, branch_id, inputs.name)
                        )
                    ]
                    if d is not None
                ],
                f"database {inputs.name!r} on branch {branch_id}",
                sleep=self.sleep,
            )
            database = created["database"]
            report_created_id(str(database["id"]))
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon database {inputs.name}",
                undo=lambda: client.delete_project_branch_database(project_id, branch_id, inputs.name),
                what=f"database {inputs.name}",
            )
        return dynamic.CreateResult(str(database["id"]), self._outputs(inputs, database))

    @staticmethod
    def _vendor_values(database: Json) -> dict[str, Any]:
        return {"name": database["name"], "owner_name": database["owner_name"], "database_id": database["id"]}

    def _outputs(self, inputs: DatabaseInputs, database: Json) -> dict[str, Any]:
        return {**_input_dump(inputs), **self._vendor_values(database)}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: DatabaseInputs = _inputs(DatabaseInputs, news)
        changed = self.changed(olds, news)
        patch: Json = {k: getattr(inputs, k) for k in ("name", "owner_name") if k in changed}
        client = self.client()
        with about(self.kind, inputs.name), project_lock(inputs.project_id):
            response = client.update_project_branch_database(
                inputs.project_id, inputs.branch_id, str(olds["name"]), patch
            )
            self.wait_for_operations(
                inputs.project_id, response.get("operations"), f"neon database {inputs.name}"
            )
        return dynamic.UpdateResult(self._outputs(inputs, response["database"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        client = self.client()
        project_id, branch_id = props["project_id"], props["branch_id"]
        try:
            database: Json | None = client.get_project_branch_database(project_id, branch_id, props["name"])
        except ApiError as error:
            if not error.is_not_found:
                raise
            # Renamed outside Pulumi? Databases keep their id.
            listed = unless_gone(lambda: client.list_project_branch_databases(project_id, branch_id))
            if listed is None:
                return dynamic.ReadResult(None, {})
            database = next((d for d in listed if str(d["id"]) == id_), None)
        if database is None or str(database["id"]) != id_:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, {**strip_provider(props), **self._vendor_values(database)})

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Database names are unique in a branch.
        inputs: DatabaseInputs = _inputs(DatabaseInputs, props)
        database = unless_gone(
            lambda: self.client().get_project_branch_database(
                inputs.project_id, inputs.branch_id, inputs.name
            )
        )
        return [str(database["id"])] if database is not None else []

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        inputs: DatabaseInputs = _inputs(DatabaseInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):
            database = unless_gone(
                lambda: client.get_project_branch_database(project_id, branch_id, inputs.name)
            )
            if database is None or str(database["id"]) != id_:
                return dynamic.ReadResult(None, {})
            self.wait_for_operations(
                project_id, self.running_operations(project_id), f"neon database {inputs.name}"
            )
        return self.read_result(id_, self._outputs(inputs, database))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props["name"]),
            f"neon database {props['name']}",
            lambda: self.client().delete_project_branch_database(
                project_id, props["branch_id"], props["name"]
            ),
        )


@dataclass
class DatabaseArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    name: pulumi.Input[str]
    owner_name: pulumi.Input[str]


class Database(dynamic.Resource, module="neon", name="Database"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner_name: pulumi.Output[str]
    database_id: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(DatabaseProvider(), resource_name, resource_props(args, DATABASE_OUTPUTS), opts)
