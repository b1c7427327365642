"""The Railway Resource classes under Pulumi mocks: type tokens, registered inputs, secret outputs."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

import providers.railway as railway


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: dict[str, tuple[str, dict[str, Any]]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered[args.name] = (args.typ, dict(args.inputs))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(
        mocks, project="platform", stack="dev", preview=False, monitor=MockMonitor(mocks)
    )
    return mocks


EXAMPLES: dict[str, tuple[type, Any]] = {
    "Project": (railway.Project, railway.ProjectArgs(name="sentia")),
    "Environment": (railway.Environment, railway.EnvironmentArgs(project_id="p", name="staging")),
    "Service": (
        railway.Service,
        railway.ServiceArgs(
            project_id="p",
            name="web",
            image="i:1",
            registry_username="u",
            registry_password="pw",
            variables={"A": "1"},
        ),
    ),
    "ServiceInstance": (
        railway.ServiceInstance,
        railway.ServiceInstanceArgs(service_id="s", environment_id="e", regions={"us-west2": 2}),
    ),
    "Variables": (
        railway.Variables,
        railway.VariablesArgs(project_id="p", environment_id="e", variables={"K": "v"}),
    ),
    "ServiceDomain": (railway.ServiceDomain, railway.ServiceDomainArgs(service_id="s", environment_id="e")),
    "CustomDomain": (
        railway.CustomDomain,
        railway.CustomDomainArgs(project_id="p", service_id="s", environment_id="e", domain="a.example.com"),
    ),
    "Volume": (
        railway.Volume,
        railway.VolumeArgs(project_id="p", service_id="s", environment_id="e", mount_path="/data"),
    ),
    "TcpProxy": (
        railway.TcpProxy,
        railway.TcpProxyArgs(service_id="s", environment_id="e", application_port=5432),
    ),
    "NotificationRule": (
        railway.NotificationRule,
        railway.NotificationRuleArgs(
            workspace_id="w", event_types=["Deployment.failed"], webhook_url="https://h.x/y"
        ),
    ),
}

SECRET_SIG, SECRET_SIG_VALUE = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
SECRET_OUTPUTS = {
    "Service": ["registry_password", "variables"],
    "Variables": ["variables"],
    "NotificationRule": ["webhook_url"],
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_type_token_inputs_and_secrets(mocks: Mocks, kind: str) -> None:
    cls, args = EXAMPLES[kind]

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        resource = cls(f"x-{kind}", args)

        async def inspect() -> None:
            for name in SECRET_OUTPUTS.get(kind, []):
                assert await getattr(resource, name).is_secret(), name
            for field in dataclasses.fields(args):
                value = getattr(args, field.name)
                if value is not None and field.name not in SECRET_OUTPUTS.get(kind, []):
                    assert not await getattr(resource, field.name).is_secret(), field.name

        return pulumi.Output.from_input(asyncio.ensure_future(inspect()))

    program()
    typ, inputs = mocks.registered[f"x-{kind}"]
    assert typ == f"pulumi-python:dynamic/railway:{kind}"
    expected = {
        f.name: getattr(args, f.name) for f in dataclasses.fields(args) if getattr(args, f.name) is not None
    }
    registered = {k: v for k, v in inputs.items() if k != "__provider"}
    for name in SECRET_OUTPUTS.get(kind, []):
        if name in expected:
            # Registered as a secret input too, so the state's inputs never hold it in plain text.
            assert registered[name].get(SECRET_SIG) == SECRET_SIG_VALUE, name
            registered[name] = registered[name]["value"]
    assert registered == expected
    assert "__provider" in inputs


def test_args_and_classes_are_exported() -> None:
    for kind in EXAMPLES:
        assert hasattr(railway, kind) and hasattr(railway, f"{kind}Args")
        assert dataclasses.is_dataclass(getattr(railway, f"{kind}Args"))
