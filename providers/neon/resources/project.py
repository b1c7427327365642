"""Neon Project: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field, field_validator, model_validator

from providers.adoption import create_or_adopt, new_since
from providers.base import (
    resource_props,
    strip_provider,
    unless_gone,
    with_secret_outputs,
)
from providers.neon.base import (
    COMPUTE_KEYS,
    DEFAULT_REGION,
    ID_PATTERN,
    MAX_HISTORY_RETENTION_SECONDS,
    MAX_PG_VERSION,
    MIN_PG_VERSION,
    OPERATION_OK,
    POSTGRES_PORT,
    REGIONS,
    NeonProvider,
    NeonResourceError,
    _cleanup,
    _compute_body,
    _ComputeInputs,
    _input_dump,
    _inputs,
    _version_string,
    about,
    pooled_uri_of,
    pooler_host_of,
    project_lock,
    raise_with_note,
)
from providers.neon.client import Json
from providers.pending_create import PendingCreate, made_since_started, report_created_id


class ProjectInputs(_ComputeInputs):
    name: str = Field(min_length=1, max_length=256)
    region_id: str = DEFAULT_REGION
    pg_version: int = Field(default=17, ge=MIN_PG_VERSION, le=MAX_PG_VERSION)
    # The point-in-time-restore window. Unset = Neon's default for the plan.
    history_retention_seconds: int | None = Field(default=None, ge=0, le=MAX_HISTORY_RETENTION_SECONDS)
    org_id: str | None = Field(default=None, pattern=ID_PATTERN)
    branch_name: str = Field(default="main", min_length=1, max_length=256)
    database_name: str = Field(default="neondb", min_length=1, max_length=63)
    role_name: str | None = Field(default=None, min_length=1, max_length=63)
    password_version: str | None = None

    @field_validator("region_id")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in REGIONS:
            raise ValueError(
                f"unknown Neon region {value!r}; Neon regions are: {', '.join(REGIONS)} "
                "(there is no Canadian region)"
            )
        return value

    @field_validator("password_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return _version_string(value)

    @model_validator(mode="after")
    def _default_role(self) -> ProjectInputs:
        if self.role_name is None:
            self.role_name = f"{self.database_name}_owner"
        return self


# -- Project -----------------------------------------------------------------------------------------------
PROJECT_OUTPUTS = (
    "project_id",
    "default_branch_id",
    "default_endpoint_id",
    "host",
    "pooler_host",
    "port",
    "proxy_host",
    "password",
    "connection_uri",
    "pooled_connection_uri",
)


PROJECT_SECRETS = ("password", "connection_uri", "pooled_connection_uri")


class ProjectProvider(NeonProvider):
    """A Neon project with its default branch, read_write endpoint, owner role and database."""

    Inputs = ProjectInputs
    kind = "project"
    replace_keys = frozenset(
        {"region_id", "pg_version", "org_id", "branch_name", "database_name", "role_name"}
    )
    vendor_default_keys = frozenset({"history_retention_seconds", "org_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ProjectInputs = _inputs(ProjectInputs, props)
        client = self.client()
        body: Json = {
            "name": inputs.name,
            "region_id": inputs.region_id,
            "pg_version": inputs.pg_version,
            "default_endpoint_settings": _compute_body(inputs),
            "branch": {
                "name": inputs.branch_name,
                "database_name": inputs.database_name,
                "role_name": inputs.role_name,
            },
            "store_passwords": True,
        }
        if inputs.history_retention_seconds is not None:
            body["history_retention_seconds"] = inputs.history_retention_seconds
        if inputs.org_id is not None:
            body["org_id"] = inputs.org_id
        with about(self.kind, inputs.name):
            created = self._create_or_adopt(inputs, body)
            project_id = created["project"]["id"]
            report_created_id(project_id)
            try:
                with project_lock(project_id):
                    self.wait_for_operations(
                        project_id, created.get("operations"), f"neon project {inputs.name}"
                    )
                outs = self._outputs_from_created(inputs, created)
            except Exception as error:
                note = _cleanup(lambda: client.delete_project(project_id), f"project {project_id}")
                raise_with_note(error, note)
        return dynamic.CreateResult(project_id, outs)

    def _create_or_adopt(self, inputs: ProjectInputs, body: Json) -> Json:
        """createProject; after a lost answer, the project of this name that appeared since the request
        was sent is adopted (Neon project names are not unique, so the ones there before are excluded)."""
        client = self.client()

        def same_name() -> list[Json]:
            return self._same_name(inputs)

        before = [str(p["id"]) for p in same_name()]
        result: Json = create_or_adopt(
            lambda: client.create_project(body),
            lambda: [{"adopt": p} for p in new_since(before, same_name)()],
            f"Neon project name {inputs.name!r} made since the create was sent",
            sleep=self.sleep,
        )
        if "adopt" in result:
            return self._as_created(inputs, str(result["adopt"]["id"]))
        return result

    def _same_name(self, inputs: ProjectInputs) -> list[Json]:
        listed = self.client().list_projects(search=inputs.name, org_id=inputs.org_id).get("projects") or []
        return [p for p in listed if p.get("name") == inputs.name]

    def _as_created(self, inputs: ProjectInputs, project_id: str) -> Json:
        """An adopted project read back in the shape createProject answers (what `_outputs_from_created`
        needs), with its unfinished operations to wait for."""
        client = self.client()
        project = client.get_project(project_id)
        branches = client.list_project_branches(project_id)
        branch = next(
            (b for b in branches if b.get("default")),
            next(
                (b for b in branches if b.get("name") == inputs.branch_name),
                branches[0] if branches else None,
            ),
        )
        if branch is None:
            raise NeonResourceError(f"adopted Neon project {project_id} has no branch")
        branch_id = str(branch["id"])
        role_name = str(inputs.role_name)  # set by the model's default
        endpoints = client.list_project_branch_endpoints(project_id, branch_id)
        password = client.get_project_branch_role_password(project_id, branch_id, role_name)
        uri = client.get_connection_uri(
            project_id, database_name=inputs.database_name, role_name=role_name, branch_id=branch_id
        )
        operations = client.list_project_operations(project_id).get("operations") or []
        return {
            "project": project,
            "branch": branch,
            "endpoints": endpoints,
            "roles": [{"name": inputs.role_name, "password": password}],
            "connection_uris": [
                {
                    "connection_uri": uri,
                    "connection_parameters": {"role": inputs.role_name, "database": inputs.database_name},
                }
            ],
            "operations": [op for op in operations if op.get("status") not in OPERATION_OK],
        }

    def _outputs_from_created(self, inputs: ProjectInputs, created: Json) -> dict[str, Any]:
        project = created["project"]
        endpoint = next(e for e in created["endpoints"] if e.get("type") == "read_write")
        role = next(r for r in created["roles"] if r["name"] == inputs.role_name)
        details = next(
            c
            for c in created["connection_uris"]
            if c["connection_parameters"]["role"] == inputs.role_name
            and c["connection_parameters"]["database"] == inputs.database_name
        )
        uri = details["connection_uri"]
        return {
            **_input_dump(inputs),
            **self._vendor_values(project),
            "project_id": project["id"],
            "default_branch_id": created["branch"]["id"],
            "default_endpoint_id": endpoint["id"],
            "host": endpoint["host"],
            "pooler_host": details["connection_parameters"].get("pooler_host")
            or pooler_host_of(endpoint["host"]),
            "port": POSTGRES_PORT,
            "proxy_host": project.get("proxy_host"),
            "password": role["password"],
            "connection_uri": uri,
            "pooled_connection_uri": pooled_uri_of(uri),
        }

    @staticmethod
    def _vendor_values(project: Json) -> dict[str, Any]:
        """Input values as the API holds them (for refresh and the vendor-default inputs)."""
        settings = project.get("default_endpoint_settings") or {}
        values: dict[str, Any] = {
            "name": project["name"],
            "region_id": project["region_id"],
            "pg_version": project["pg_version"],
            "history_retention_seconds": project.get("history_retention_seconds"),
            "org_id": project.get("org_id"),
        }
        if "autoscaling_limit_min_cu" in settings:
            values["autoscaling_min_cu"] = settings["autoscaling_limit_min_cu"]
        if "autoscaling_limit_max_cu" in settings:
            values["autoscaling_max_cu"] = settings["autoscaling_limit_max_cu"]
        if "suspend_timeout_seconds" in settings:
            values["suspend_timeout_seconds"] = settings["suspend_timeout_seconds"]
        return values

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: ProjectInputs = _inputs(ProjectInputs, news)
        changed = set(self.changed(olds, news))
        client = self.client()
        outs = {**strip_provider(olds)}
        subject = f"neon project {inputs.name}"
        with about(self.kind, inputs.name), project_lock(id_):
            patch: Json = {}
            if "name" in changed:
                patch["name"] = inputs.name
            compute_changed = bool(changed & set(COMPUTE_KEYS))
            if compute_changed:
                patch["default_endpoint_settings"] = _compute_body(inputs)
            if "history_retention_seconds" in changed:
                patch["history_retention_seconds"] = inputs.history_retention_seconds
            if patch:
                response = client.update_project(id_, patch)
                self.wait_for_operations(id_, response.get("operations"), subject)
            endpoint_id = olds.get("default_endpoint_id")
            if compute_changed and endpoint_id:
                # Project defaults apply to computes made later; the default compute follows them too.
                response = client.update_project_endpoint(id_, endpoint_id, _compute_body(inputs))
                self.wait_for_operations(id_, response.get("operations"), subject)
            if "password_version" in changed:
                response = client.reset_project_branch_role_password(
                    id_, olds["default_branch_id"], str(inputs.role_name)
                )
                self.wait_for_operations(id_, response.get("operations"), subject)
                outs["password"] = response["role"]["password"]
                uri = client.get_connection_uri(
                    id_,
                    database_name=inputs.database_name,
                    role_name=str(inputs.role_name),
                    branch_id=olds["default_branch_id"],
                )
                outs["connection_uri"] = uri
                outs["pooled_connection_uri"] = pooled_uri_of(uri)
            project = client.get_project(id_)
        outs.update(_input_dump(inputs))
        outs.update(self._vendor_values(project))
        outs["proxy_host"] = project.get("proxy_host")
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """One request: the project. Computed values (password, URIs) are kept from state."""
        project = unless_gone(lambda: self.client().get_project(id_))
        if project is None:
            return dynamic.ReadResult(None, {})
        outs = {
            **strip_provider(props),
            **self._vendor_values(project),
            "proxy_host": project.get("proxy_host"),
        }
        return self.read_result(id_, outs)

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # Neon project names are not unique: only one of this name made since the create started.
        inputs: ProjectInputs = _inputs(ProjectInputs, props)
        return made_since_started(
            self._same_name(inputs), pending, f"Neon project {inputs.name!r}", stamp="created_at"
        )

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """The project with its branch, endpoint, role password and URIs, as create answers them, once the
        operations the create would have waited for are over."""
        inputs: ProjectInputs = _inputs(ProjectInputs, props)
        if unless_gone(lambda: self.client().get_project(id_)) is None:
            return dynamic.ReadResult(None, {})
        with about(self.kind, inputs.name), project_lock(id_):
            created = self._as_created(inputs, id_)
            self.wait_for_operations(id_, created.get("operations"), f"neon project {inputs.name}")
            outs = self._outputs_from_created(inputs, created)
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with about(self.kind, str(props.get("name", id_))), project_lock(id_):
            self.client().delete_project(id_)


# -- the Pulumi resources ----------------------------------------------------------------------------------
@dataclass
class ProjectArgs:
    """A Neon project. `region_id`, `pg_version`, `org_id` and the default branch/database/role names
    cannot change (a change replaces the project, and its data with it)."""

    name: pulumi.Input[str]
    region_id: pulumi.Input[str] | None = None  # default aws-us-east-2
    pg_version: pulumi.Input[int] | None = None  # 14-18, default 17
    autoscaling_min_cu: pulumi.Input[float] | None = None  # default 0.25
    autoscaling_max_cu: pulumi.Input[float] | None = None  # default 0.25
    suspend_timeout_seconds: pulumi.Input[int] | None = None  # -1 never, 0 Neon's default (300 s)
    history_retention_seconds: pulumi.Input[int] | None = None  # restore window; unset = plan default
    org_id: pulumi.Input[str] | None = None
    branch_name: pulumi.Input[str] | None = None  # default "main"
    database_name: pulumi.Input[str] | None = None  # default "neondb"
    role_name: pulumi.Input[str] | None = None  # default "<database_name>_owner"
    password_version: pulumi.Input[str] | None = None  # change to rotate the owner's password


class Project(dynamic.Resource, module="neon", name="Project"):
    name: pulumi.Output[str]
    region_id: pulumi.Output[str]
    pg_version: pulumi.Output[int]
    history_retention_seconds: pulumi.Output[int]
    database_name: pulumi.Output[str]
    role_name: pulumi.Output[str]
    project_id: pulumi.Output[str]
    default_branch_id: pulumi.Output[str]
    default_endpoint_id: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]
    proxy_host: pulumi.Output[str]
    password: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ProjectProvider(),
            resource_name,
            resource_props(args, PROJECT_OUTPUTS),
            with_secret_outputs(opts, PROJECT_SECRETS),
        )
