"""Neon ConnectionUri: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field

from providers.base import (
    resource_props,
    unless_gone,
    with_secret_outputs,
)
from providers.neon.base import (
    ID_PATTERN,
    POSTGRES_PORT,
    NeonProvider,
    _input_dump,
    _Inputs,
    _inputs,
    about,
    host_of,
    pooled_uri_of,
    pooler_host_of,
)


class ConnectionUriInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    database_name: str = Field(min_length=1, max_length=63)
    role_name: str = Field(min_length=1, max_length=63)
    # Unset = the project's default branch and that branch's read_write endpoint.
    branch_id: str | None = Field(default=None, pattern=ID_PATTERN)
    endpoint_id: str | None = Field(default=None, pattern=ID_PATTERN)
    # The role's password (pass `Role.password`): a new value re-reads the URIs after a rotation.
    password: str | None = None


# -- ConnectionUri -----------------------------------------------------------------------------------------
CONNECTION_OUTPUTS = ("connection_uri", "pooled_connection_uri", "host", "pooler_host", "port")


CONNECTION_SECRETS = ("connection_uri", "pooled_connection_uri", "password")


class ConnectionUriProvider(NeonProvider):
    """A lookup (no Neon object of its own): the direct and pooled URIs for a role and database."""

    create_is_idempotent = True  # it makes nothing

    Inputs = ConnectionUriInputs
    kind = "connection URI"
    replace_keys = frozenset({"project_id", "branch_id", "endpoint_id", "database_name", "role_name"})

    def _fetch(self, inputs: ConnectionUriInputs) -> dict[str, Any]:
        uri = self.client().get_connection_uri(
            inputs.project_id,
            database_name=inputs.database_name,
            role_name=inputs.role_name,
            branch_id=inputs.branch_id,
            endpoint_id=inputs.endpoint_id,
        )
        host = host_of(uri)
        return {
            **_input_dump(inputs),
            "connection_uri": uri,
            "pooled_connection_uri": pooled_uri_of(uri),
            "host": host,
            "pooler_host": pooler_host_of(host),
            "port": POSTGRES_PORT,
        }

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, props)
        with about(self.kind, f"{inputs.role_name}@{inputs.database_name}"):
            outs = self._fetch(inputs)
        branch = inputs.branch_id or "default"
        endpoint = inputs.endpoint_id or "rw"
        id_ = f"{inputs.project_id}/{branch}/{endpoint}/{inputs.database_name}/{inputs.role_name}"
        return dynamic.CreateResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, news)
        with about(self.kind, f"{inputs.role_name}@{inputs.database_name}"):
            return dynamic.UpdateResult(self._fetch(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, props)
        outs = unless_gone(lambda: self._fetch(inputs))
        if outs is None:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to delete: the URIs belong to the role and database."""


@dataclass
class ConnectionUriArgs:
    project_id: pulumi.Input[str]
    database_name: pulumi.Input[str]
    role_name: pulumi.Input[str]
    branch_id: pulumi.Input[str] | None = None  # default: the project's default branch
    endpoint_id: pulumi.Input[str] | None = None  # default: the branch's read_write endpoint
    password: pulumi.Input[str] | None = None  # pass Role.password so a rotation re-reads the URIs


class ConnectionUri(dynamic.Resource, module="neon", name="ConnectionUri"):
    project_id: pulumi.Output[str]
    database_name: pulumi.Output[str]
    role_name: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    endpoint_id: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: ConnectionUriArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ConnectionUriProvider(),
            resource_name,
            resource_props(args, CONNECTION_OUTPUTS),
            with_secret_outputs(opts, CONNECTION_SECRETS),
        )
