"""Pulumi mocks for component and stack tests: every registration recorded with its inputs (secrets still
marked), parent, protect flag, dependencies and additional secret outputs.

Use `run(program)`: it installs fresh mocks and config, runs `program()` as a Pulumi program and returns the
`Recorder` once every registration has been answered. Dynamic providers never run under mocks; the fake
outputs below stand in for what each vendor computes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as runtime_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings

PROJECT = "platform"
PROVIDER_KEY = "__provider"


def is_secret(value: Any) -> bool:
    return rpc.is_rpc_secret(value)


def reveal(value: Any) -> Any:
    """The value with every secret marker removed (deeply)."""
    if rpc.is_rpc_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    protect: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    additional_secret_outputs: list[str]
    outputs: dict[str, Any] = field(default_factory=dict)

    def plain(self, key: str) -> Any:
        return reveal(self.inputs.get(key))


def _fake_outputs(typ: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    plain = reveal(dict(inputs))
    kind = typ.rsplit("/", 1)[-1]
    if kind == "railway:Project":
        return {
            "workspace_id": plain.get("workspace_id") or "ws-mock",
            "default_environment_id": f"env-{name}",
        }
    if kind == "railway:ServiceInstance":
        return {"deployment_id": f"dep-{name}", "deployment_status": "SUCCESS"}
    if kind == "railway:ServiceDomain":
        return {"domain": f"{name}.up.railway.app", "url": f"https://{name}.up.railway.app"}
    if kind == "railway:CustomDomain":
        return {
            "dns_records": [
                {"recordType": "DNS_RECORD_TYPE_CNAME", "requiredValue": f"{name}.up.railway.app"}
            ],
            "verification_host": f"_railway-verify.{plain.get('domain')}",
            "verification_token": "railway-verify=mock",
            "verified": False,
            "certificate_status": None,
        }
    if kind == "railway:Volume":
        return {"volume_instance_id": f"vi-{name}", "name": name, "size_mb": 5000}
    if kind == "railway:TcpProxy":
        return {"domain": "mock.proxy.rlwy.net", "proxy_port": 31337}
    if kind == "neon:Project":
        db, role = plain.get("database_name") or "neondb", plain.get("role_name") or "neondb_owner"
        host = "ep-mock.us-west-2.aws.neon.tech"
        return {
            "project_id": f"neon-{name}",
            "database_name": db,
            "role_name": role,
            "host": host,
            "pooler_host": "ep-mock-pooler.us-west-2.aws.neon.tech",
            "port": 5432,
            "password": rpc.wrap_rpc_secret("neon-pw"),
            "connection_uri": rpc.wrap_rpc_secret(f"postgresql://{role}:neon-pw@{host}/{db}"),
            "pooled_connection_uri": rpc.wrap_rpc_secret(f"postgresql://{role}:neon-pw@pooler/{db}"),
        }
    if kind == "supabase:Project":
        ref = "mockref"
        return {
            "ref": ref,
            "status": "ACTIVE_HEALTHY",
            "api_url": f"https://{ref}.supabase.co",
            "anon_key": rpc.wrap_rpc_secret("anon-key"),
            "service_role_key": rpc.wrap_rpc_secret("service-key"),
            "database_host": f"db.{ref}.supabase.co",
            "database_port": 5432,
            "database_name": "postgres",
            "database_user": "postgres",
            "postgres_version": "17",
            "connection_uri": rpc.wrap_rpc_secret(
                f"postgresql://postgres:pw@db.{ref}.supabase.co:5432/postgres"
            ),
            "pooled_connection_uri": rpc.wrap_rpc_secret(
                "postgresql://postgres.mockref:pw@pooler:6543/postgres"
            ),
        }
    if kind == "supabase:BackupPolicy":
        return {"pitr_enabled": plain.get("pitr_days") is not None}
    if typ == "random:index/randomPassword:RandomPassword":
        return {"result": rpc.wrap_rpc_secret(f"generated-{name}"), "bcrypt_hash": rpc.wrap_rpc_secret("x")}
    if typ == "command:local:Command":
        return {"stdout": "", "stderr": ""}
    return {}


class FakeVendors(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}
        return f"{args.name}-id", {**inputs, **_fake_outputs(args.typ, args.name, inputs)}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


class Recorder(runtime_mocks.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # the monitor's gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            inputs = {k: v for k, v in inputs.items() if k != PROVIDER_KEY}
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    custom=bool(request.custom),
                    protect=bool(request.protect),
                    inputs=inputs,
                    dependencies=list(request.dependencies),
                    additional_secret_outputs=list(request.additionalSecretOutputs),
                    outputs=self.resources.get(response.urn, (None, None, {}))[2],
                )
            )
        return response

    # -- queries ------------------------------------------------------------------------------------------
    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        assert len(found) == 1, f"expected one registration named {name!r}, got {len(found)}: {self.names()}"
        return found[0]

    def of_type(self, suffix: str) -> list[Registration]:
        return [r for r in self.registrations if r.type.endswith(suffix)]

    def names(self) -> list[str]:
        return [r.name for r in self.registrations]

    def children_of(self, parent: Registration) -> list[Registration]:
        return [r for r in self.registrations if r.parent == parent.urn]


def sink(name: str, value: Any) -> pulumi.CustomResource:
    """A resource whose only input is `value`: a test reads an output's resolved value, still marked secret
    if it is one, as `rec.named(name).inputs["value"]`."""
    return pulumi.CustomResource("test:index:Sink", name, {"value": value})


def config_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file values as Pulumi hands them to a program: strings, objects JSON-encoded."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def run(
    program: Callable[[], Any],
    *,
    config: Mapping[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
    stack: str = "dev",
    preview: bool = False,
    recorder: Recorder | None = None,
) -> Recorder:
    """Run `program` under fresh mocks with `config` (keys with namespace); return what it registered.

    Pass your own `recorder` to inspect the registrations when the program raises.
    """
    old_settings = runtime_settings.SETTINGS
    recorder = recorder or Recorder(FakeVendors())
    runtime_mocks.set_mocks(FakeVendors(), project=PROJECT, stack=stack, preview=preview, monitor=recorder)
    pulumi.runtime.set_all_config(config_values(config or {}), secret_keys=list(secret_keys))
    try:

        @pulumi.runtime.test
        def _program() -> Any:
            return program()

        _program()
    finally:
        pulumi.runtime.set_all_config({}, secret_keys=[])
        runtime_settings.configure(old_settings)
        # The program's root stack resource (and any stack transformation registered on it) must not
        # outlive the run: a later test under mocks would otherwise register its resources beneath it.
        runtime_settings.ROOT.set(None)
    return recorder


REPO_ROOT = Path(__file__).resolve().parent.parent


def run_main(**kwargs: Any) -> Recorder:
    """Run the project's `__main__.py` (the real entry point) under mocks; see `run`."""
    import runpy

    def program() -> None:
        runpy.run_path(str(REPO_ROOT / "__main__.py"), run_name="__main__")

    return run(program, **kwargs)
