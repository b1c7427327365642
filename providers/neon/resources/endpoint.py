"""Neon Endpoint: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from providers.neon.base import (
    ID_PATTERN,
    POSTGRES_PORT,
    NeonProvider,
    _compute_body,
    _ComputeInputs,
    _input_dump,
    _inputs,
    about,
    pooler_host_of,
    project_lock,
)
from providers.neon.client import Json
from providers.pending_create import PendingCreate, made_since_started, report_created_id


class EndpointInputs(_ComputeInputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    type: Literal["read_write", "read_only"] = "read_write"
    pooler_enabled: bool = False


# -- Endpoint ----------------------------------------------------------------------------------------------
ENDPOINT_OUTPUTS = ("endpoint_id", "host", "pooler_host", "port", "proxy_host", "region_id")


class EndpointProvider(NeonProvider):
    Inputs = EndpointInputs
    kind = "endpoint"
    replace_keys = frozenset({"project_id", "branch_id", "type"})

    @staticmethod
    def _body(inputs: EndpointInputs) -> Json:
        return {**_compute_body(inputs), "pooler_enabled": inputs.pooler_enabled}

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: EndpointInputs = _inputs(EndpointInputs, props)
        client = self.client()
        project_id = inputs.project_id
        name = f"{inputs.type} endpoint on {inputs.branch_id}"
        body = {"branch_id": inputs.branch_id, "type": inputs.type, **self._body(inputs)}
        with about(self.kind, name), project_lock(project_id):
            # A branch has at most one read_write endpoint: one there now is ours. Read-only endpoints
            # have no key, so what appeared since just before the create is.
            before = [
                str(e["id"]) for e in client.list_project_branch_endpoints(project_id, inputs.branch_id)
            ]

            def made() -> list[Json]:
                listed = client.list_project_branch_endpoints(project_id, inputs.branch_id)
                if inputs.type == "read_write":
                    found = [e for e in listed if e["type"] == "read_write"]
                else:
                    found = [e for e in listed if e["type"] == inputs.type and str(e["id"]) not in before]
                return [{"endpoint": e, "operations": self.running_operations(project_id)} for e in found]

            created = create_or_adopt(
                lambda: client.create_project_endpoint(project_id, body),
                made,
                f"a {inputs.type} endpoint on branch {inputs.branch_id}",
                sleep=self.sleep,
            )
            endpoint = created["endpoint"]
            report_created_id(str(endpoint["id"]))
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon {name}",
                undo=lambda: client.delete_project_endpoint(project_id, endpoint["id"]),
                what=f"endpoint {endpoint['id']}",
            )
        return dynamic.CreateResult(endpoint["id"], self._outputs(inputs, endpoint))

    @staticmethod
    def _vendor_values(endpoint: Json) -> dict[str, Any]:
        return {
            "autoscaling_min_cu": endpoint["autoscaling_limit_min_cu"],
            "autoscaling_max_cu": endpoint["autoscaling_limit_max_cu"],
            "suspend_timeout_seconds": endpoint["suspend_timeout_seconds"],
            "pooler_enabled": endpoint["pooler_enabled"],
            "type": endpoint["type"],
            "branch_id": endpoint["branch_id"],
        }

    def _outputs(self, inputs: EndpointInputs, endpoint: Json) -> dict[str, Any]:
        return {
            **_input_dump(inputs),
            **self._vendor_values(endpoint),
            "endpoint_id": endpoint["id"],
            "host": endpoint["host"],
            "pooler_host": pooler_host_of(endpoint["host"]),
            "port": POSTGRES_PORT,
            "proxy_host": endpoint.get("proxy_host"),
            "region_id": endpoint.get("region_id"),
        }

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: EndpointInputs = _inputs(EndpointInputs, news)
        client = self.client()
        with about(self.kind, id_), project_lock(inputs.project_id):
            response = client.update_project_endpoint(inputs.project_id, id_, self._body(inputs))
            self.wait_for_operations(inputs.project_id, response.get("operations"), f"neon endpoint {id_}")
        return dynamic.UpdateResult(self._outputs(inputs, response["endpoint"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        endpoint = unless_gone(lambda: self.client().get_project_endpoint(props["project_id"], id_))
        if endpoint is None:
            return dynamic.ReadResult(None, {})
        outs = {
            **strip_provider(props),
            **self._vendor_values(endpoint),
            "host": endpoint["host"],
            "pooler_host": pooler_host_of(endpoint["host"]),
        }
        return self.read_result(id_, outs)

    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # A branch has at most one read_write endpoint; read-only ones have no key: one made since the
        # create started is ours.
        inputs: EndpointInputs = _inputs(EndpointInputs, props)
        listed = self.client().list_project_branch_endpoints(inputs.project_id, inputs.branch_id)
        same_type = [e for e in listed if e.get("type") == inputs.type]
        if inputs.type == "read_write":
            return [str(e["id"]) for e in same_type]
        return made_since_started(
            same_type, pending, f"read_only endpoint on branch {inputs.branch_id}", stamp="created_at"
        )

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        inputs: EndpointInputs = _inputs(EndpointInputs, props)
        client = self.client()
        with about(self.kind, id_), project_lock(inputs.project_id):
            if unless_gone(lambda: client.get_project_endpoint(inputs.project_id, id_)) is None:
                return dynamic.ReadResult(None, {})
            running = self.running_operations(inputs.project_id)
            self.wait_for_operations(inputs.project_id, running, f"neon endpoint {id_}")
            endpoint = client.get_project_endpoint(inputs.project_id, id_)
        return self.read_result(id_, self._outputs(inputs, endpoint))

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"{props.get('type') or 'read_write'} endpoint on branch {props.get('branch_id')}"

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            id_,
            f"neon endpoint {id_}",
            lambda: self.client().delete_project_endpoint(project_id, id_),
        )


@dataclass
class EndpointArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    type: pulumi.Input[str] | None = None  # "read_write" (default, one per branch) or "read_only"; replaces
    autoscaling_min_cu: pulumi.Input[float] | None = None
    autoscaling_max_cu: pulumi.Input[float] | None = None
    suspend_timeout_seconds: pulumi.Input[int] | None = None
    pooler_enabled: pulumi.Input[bool] | None = None


class Endpoint(dynamic.Resource, module="neon", name="Endpoint"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    type: pulumi.Output[str]
    autoscaling_min_cu: pulumi.Output[float]
    autoscaling_max_cu: pulumi.Output[float]
    suspend_timeout_seconds: pulumi.Output[int]
    pooler_enabled: pulumi.Output[bool]
    endpoint_id: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]
    proxy_host: pulumi.Output[str]
    region_id: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: EndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(EndpointProvider(), resource_name, resource_props(args, ENDPOINT_OUTPUTS), opts)
