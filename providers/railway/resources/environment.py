"""Railway Environment: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator, model_validator

from providers.base import (
    changed_keys,
    resource_props,
    unless_gone,
    with_secret_outputs,
)
from providers.pending_create import PendingCreate
from providers.railway.base import (
    RailwayProvider,
    _adopt_or_retry,
    _check_variable_names,
    _gone_is_fine,
    _oldest_environment,
    _secret_inputs,
    _strict,
)
from providers.railway.client import CLEAR, is_not_found
from providers.railway.resources.variables import _sync_variables


# ==========================================================================================================
# Environment
# ==========================================================================================================
class EnvironmentInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=64)
    source_environment_id: str | None = Field(default=None, min_length=1)
    # A pull request's environment: Railway lists it as ephemeral; with skip_initial_deploys a fork deploys
    # nothing until asked, so its variables can be overridden first.
    ephemeral: bool | None = None
    skip_initial_deploys: bool | None = None


class EnvironmentProvider(RailwayProvider):
    Inputs = EnvironmentInputs
    replace_keys = frozenset({"project_id", "source_environment_id", "ephemeral"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: EnvironmentInputs = self.parse(props)
        client = self.client()
        env = _adopt_or_retry(
            lambda: client.environment_create(
                project_id=inputs.project_id,
                name=inputs.name,
                source_environment_id=inputs.source_environment_id,
                ephemeral=inputs.ephemeral,
                skip_initial_deploys=inputs.skip_initial_deploys,
            ),
            lambda: [
                e for e in client.project(inputs.project_id)["environments"] if e.get("name") == inputs.name
            ],
            f"environment name {inputs.name!r} in project {inputs.project_id}",
            self.sleep,
        )
        return dynamic.CreateResult(str(env["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        new: EnvironmentInputs = self.parse(news)
        if changed_keys(olds, news, ("name",)):
            self.client().environment_rename(id_, new.name)
        return dynamic.UpdateResult(self.inputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        env = unless_gone(lambda: self.client().environment(id_), is_not_found)
        if env is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        source = (env.get("sourceEnvironment") or {}).get("id")
        inputs = {
            **old,
            "project_id": env.get("projectId") or old.get("project_id"),
            "name": env.get("name"),
            "source_environment_id": source or old.get("source_environment_id"),
        }
        return self.read_result(id_, inputs, {})

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Environment names are unique in a project.
        inputs: EnvironmentInputs = self.parse(props)
        environments = self.client().project(inputs.project_id).get("environments") or []
        return [str(e["id"]) for e in environments if e.get("name") == inputs.name]

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().environment_delete(id_))


@dataclass
class EnvironmentArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    source_environment_id: pulumi.Input[str] | None = None
    ephemeral: pulumi.Input[bool] | None = None
    skip_initial_deploys: pulumi.Input[bool] | None = None


class Environment(dynamic.Resource, module="railway", name="Environment"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    source_environment_id: pulumi.Output[str | None]

    def __init__(
        self, resource_name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(EnvironmentProvider(), resource_name, resource_props(args), opts)


class ServiceInputs(BaseModel):
    model_config = _strict()
    project_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=100)
    image: str | None = Field(default=None, min_length=1)
    repo: str | None = Field(default=None, min_length=1)
    branch: str | None = Field(default=None, min_length=1)
    registry_username: str | None = Field(default=None, min_length=1)
    registry_password: str | None = Field(default=None, min_length=1)
    variables: dict[str, str] | None = None
    environment_id: str | None = Field(default=None, min_length=1)

    _names = field_validator("variables")(_check_variable_names)

    @model_validator(mode="after")
    def _source(self) -> ServiceInputs:
        if self.image and self.repo:
            raise ValueError("set either image or repo, not both")
        if self.branch and not self.repo:
            raise ValueError("branch needs repo")
        if (self.registry_username is None) != (self.registry_password is None):
            raise ValueError("registry_username and registry_password go together")
        if self.registry_username and not self.image:
            raise ValueError("registry credentials need an image source")
        return self


class ServiceProvider(RailwayProvider):
    Inputs = ServiceInputs
    replace_keys = frozenset({"project_id", "environment_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ServiceInputs = self.parse(props)
        credentials = (
            {"username": inputs.registry_username, "password": inputs.registry_password}
            if inputs.registry_username and inputs.registry_password
            else None
        )
        client = self.client()
        service = _adopt_or_retry(
            lambda: client.service_create(
                project_id=inputs.project_id,
                name=inputs.name,
                image=inputs.image,
                repo=inputs.repo,
                branch=inputs.branch,
                environment_id=inputs.environment_id,
                registry_credentials=credentials,
                # In serviceCreate itself, so the first build never starts without them (TF issue #22).
                variables=inputs.variables,
            ),
            lambda: [
                s for s in client.project(inputs.project_id)["services"] if s.get("name") == inputs.name
            ],
            f"service name {inputs.name!r} in project {inputs.project_id}",
            self.sleep,
        )
        return dynamic.CreateResult(str(service["id"]), self.inputs(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        old: ServiceInputs = self.parse(olds)
        new: ServiceInputs = self.parse(news)
        client = self.client()
        if new.name != old.name:
            client.service_update(id_, name=new.name)
        if (new.image, new.repo, new.branch) != (old.image, old.repo, old.branch):
            if new.image or new.repo:
                client.service_connect(id_, image=new.image, repo=new.repo, branch=new.branch)
            else:
                client.service_disconnect(id_)
        if (new.registry_username, new.registry_password) != (old.registry_username, old.registry_password):
            credentials: Any = (
                {"username": new.registry_username, "password": new.registry_password}
                if new.registry_username
                else CLEAR
            )
            client.service_instance_update(
                service_id=id_,
                environment_id=new.environment_id or self._environment(new),
                settings={"registryCredentials": credentials},
            )
        old_vars, new_vars = old.variables or {}, new.variables or {}
        if old_vars != new_vars:
            environment_id = new.environment_id or self._environment(new)
            _sync_variables(
                client,
                project_id=new.project_id,
                environment_id=environment_id,
                service_id=id_,
                old=old_vars,
                new=new_vars,
            )
        return dynamic.UpdateResult(self.inputs(news))

    def _environment(self, inputs: ServiceInputs) -> str:
        project = self.client().project(inputs.project_id)
        env = _oldest_environment(project.get("environments") or [])
        if env is None:
            raise RuntimeError(
                f"project {inputs.project_id} has no environment to hold the service's variables"
            )
        return env

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        service = unless_gone(lambda: self.client().service(id_), is_not_found)
        if service is None:
            return dynamic.ReadResult(None, {})
        old = self.inputs(props)
        inputs = {
            **old,
            "name": service.get("name"),
            "project_id": service.get("projectId") or old["project_id"],
        }
        return self.read_result(id_, inputs, {})

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Service names are unique in a project.
        inputs: ServiceInputs = self.parse(props)
        services = self.client().project(inputs.project_id).get("services") or []
        return [str(s["id"]) for s in services if s.get("name") == inputs.name]

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        _gone_is_fine(lambda: self.client().service_delete(id_))


@dataclass
class ServiceArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    image: pulumi.Input[str] | None = None
    repo: pulumi.Input[str] | None = None
    branch: pulumi.Input[str] | None = None
    registry_username: pulumi.Input[str] | None = None
    registry_password: pulumi.Input[str] | None = None
    variables: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    environment_id: pulumi.Input[str] | None = None


class Service(dynamic.Resource, module="railway", name="Service"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    image: pulumi.Output[str | None]
    repo: pulumi.Output[str | None]
    branch: pulumi.Output[str | None]
    environment_id: pulumi.Output[str | None]
    variables: pulumi.Output[dict[str, str] | None]

    def __init__(
        self, resource_name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        secrets = ["registry_password", "variables"]
        props = _secret_inputs(resource_props(args), secrets)
        super().__init__(ServiceProvider(), resource_name, props, with_secret_outputs(opts, secrets))
