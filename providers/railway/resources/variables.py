"""Railway Variables: its inputs model, provider, Args and Resource."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator

from providers.base import (
    resource_props,
    unless_gone,
    with_secret_outputs,
)
from providers.railway.base import (
    RailwayProvider,
    _check_variable_names,
    _gone_is_fine,
    _secret_inputs,
    _strict,
)
from providers.railway.client import RailwayClient, is_not_found


# ==========================================================================================================
# Variables
# ==========================================================================================================
class VariablesInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    environment_id: str = Field(min_length=1)
    service_id: str | None = Field(default=None, min_length=1)
    variables: dict[str, str]
    skip_deploys: bool | None = None

    _names = field_validator("variables")(_check_variable_names)


def _sync_variables(
    client: RailwayClient,
    *,
    project_id: str,
    environment_id: str,
    service_id: str | None,
    old: Mapping[str, str],
    new: Mapping[str, str],
    skip_deploys: bool | None = None,
) -> None:
    """One upsert for everything added or changed; one delete per name removed."""
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if changed:
        client.variable_collection_upsert(
            project_id=project_id,
            environment_id=environment_id,
            service_id=service_id,
            variables=changed,
            skip_deploys=skip_deploys,
        )
    for name in sorted(set(old) - set(new)):
        _gone_is_fine(
            functools.partial(
                client.variable_delete,
                project_id=project_id,
                environment_id=environment_id,
                service_id=service_id,
                name=name,
            )
        )


class VariablesProvider(RailwayProvider):
    Inputs = VariablesInputs
    create_is_idempotent = True  # an upsert of the names it manages
    replace_keys = frozenset({"project_id", "environment_id", "service_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: VariablesInputs = self.parse(props)
        _sync_variables(
            self.client(),
            project_id=inputs.project_id,
            environment_id=inputs.environment_id,
            service_id=inputs.service_id,
            old={},
            new=inputs.variables,
            skip_deploys=inputs.skip_deploys,
        )
        id_ = f"{inputs.project_id}:{inputs.environment_id}:{inputs.service_id or 'shared'}"
        return dynamic.CreateResult(id_, self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: VariablesInputs = self.parse(olds)
        new: VariablesInputs = self.parse(news)
        _sync_variables(
            self.client(),
            project_id=new.project_id,
            environment_id=new.environment_id,
            service_id=new.service_id,
            old=old.variables,
            new=new.variables,
            skip_deploys=new.skip_deploys,
        )
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = self.inputs(props)
        current = unless_gone(
            lambda: self.client().variables(
                project_id=old["project_id"],
                environment_id=old["environment_id"],
                service_id=old.get("service_id"),
            ),
            is_not_found,
        )
        if current is None:
            return dynamic.ReadResult(None, {})
        # Only the names this resource manages; others belong to someone else (or to Railway).
        managed = {k: current[k] for k in old.get("variables", {}) if k in current}
        return self.read_result(id_, {**old, "variables": managed}, {})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        inputs: VariablesInputs = self.parse(props)
        client = self.client()
        for name in sorted(inputs.variables):
            _gone_is_fine(
                functools.partial(
                    client.variable_delete,
                    project_id=inputs.project_id,
                    environment_id=inputs.environment_id,
                    service_id=inputs.service_id,
                    name=name,
                )
            )


@dataclass
class VariablesArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    variables: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    service_id: pulumi.Input[str] | None = None
    skip_deploys: pulumi.Input[bool] | None = None


class Variables(dynamic.Resource, module="railway", name="Variables"):
    project_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    service_id: pulumi.Output[str | None]
    variables: pulumi.Output[dict[str, str]]

    def __init__(
        self, resource_name: str, args: VariablesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = _secret_inputs(resource_props(args), ["variables"])
        super().__init__(VariablesProvider(), resource_name, props, with_secret_outputs(opts, ["variables"]))
