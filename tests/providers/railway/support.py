"""Helpers for the Railway provider tests: configured providers and an engine-like lifecycle.

`Engine` calls the provider the way the Pulumi engine does: `check` on the new inputs, `diff` against the
old *outputs*, `update` with old outputs and new checked inputs, `read` with stored outputs, `delete` with
old outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi import dynamic

from emulator.testing import RunningEmulator
from providers.railway.resources import ProjectProvider, RailwayProvider, ServiceProvider

TOKEN = "rw-test-token-0f9e8d7c6b5a"
# Where a developer's own Railway credentials could leak into a test.
AMBIENT_VARIABLES = ("RAILWAY_API_TOKEN", "RAILWAY_TOKEN", "RAILWAY_API_URL")


def clear_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Railway test module runs this in an autouse fixture."""
    for name in AMBIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def configure(
    provider: RailwayProvider, emulator: RunningEmulator, token: str | None = TOKEN
) -> RailwayProvider:
    config: dict[str, Any] = {"railway:apiUrl": emulator.railway_url}
    if token:
        config["railway:token"] = token
    provider.configure(dynamic.ConfigureRequest(dynamic.Config(config, "platform")))
    provider.sleep = lambda _seconds: None
    return provider


class CheckFailed(AssertionError):
    pass


@dataclass
class Engine:
    provider: RailwayProvider
    id: str | None = None
    outs: dict[str, Any] = field(default_factory=dict)

    def check(self, news: dict[str, Any]) -> dict[str, Any]:
        result = self.provider.check(self.outs, news)
        if result.failures:
            raise CheckFailed([(f.property, f.reason) for f in result.failures])
        return dict(result.inputs)

    def create(self, news: dict[str, Any]) -> dict[str, Any]:
        inputs = self.check(news)
        result = self.provider.create(inputs)
        assert result.id
        self.id, self.outs = str(result.id), dict(result.outs or {})
        return self.outs

    def diff(self, news: dict[str, Any]) -> dynamic.DiffResult:
        assert self.id is not None
        return self.provider.diff(self.id, self.outs, self.check(news))

    def update(self, news: dict[str, Any]) -> dict[str, Any]:
        assert self.id is not None
        inputs = self.check(news)
        diff = self.provider.diff(self.id, self.outs, inputs)
        assert diff.changes, "update called without a change"
        assert not diff.replaces, f"update of keys that replace: {diff.replaces}"
        result = self.provider.update(self.id, self.outs, inputs)
        assert result.outs is not None
        self.outs = dict(result.outs)
        return self.outs

    def read(self) -> dynamic.ReadResult:
        assert self.id is not None
        return self.provider.read(self.id, self.outs)

    def read_inputs(self) -> dict[str, Any]:
        result = self.read()
        assert result.id == self.id and result.inputs is not None, "the object is gone"
        return dict(result.inputs)

    def refresh(self) -> dict[str, Any]:
        result = self.read()
        assert result.id == self.id, "the object is gone"
        assert result.outs is not None
        self.outs = dict(result.outs)
        return self.outs

    def delete(self) -> None:
        assert self.id is not None
        self.provider.delete(self.id, self.outs)


def project_with_service(
    emulator: RunningEmulator, *, project: str, service: str, image: str
) -> dict[str, str]:
    """A project and one image service made through the providers: the ids a test builds on."""
    project_engine = Engine(configure(ProjectProvider(), emulator))
    project_engine.create({"name": project})
    service_engine = Engine(configure(ServiceProvider(), emulator))
    service_engine.create({"project_id": project_engine.id, "name": service, "image": image})
    return {
        "project_id": str(project_engine.id),
        "service_id": str(service_engine.id),
        "environment_id": str(project_engine.outs["default_environment_id"]),
        "workspace_id": str(project_engine.outs["workspace_id"]),
    }


def live(emulator: RunningEmulator, table: str) -> list[dict[str, Any]]:
    return [row for row in emulator.state()["railway"][table] if not row.get("deletedAt")]


def sent(emulator: RunningEmulator, operation: str | None = None) -> list[dict[str, Any]]:
    """The GraphQL requests the emulator received, in order (optionally of one operation)."""
    return [r for r in emulator.requests("railway") if operation is None or r["operation"] == operation]


def nulls_in(value: Any, path: str = "") -> list[str]:
    """Paths of every `null` inside a request's variables."""
    found: list[str] = []
    if value is None:
        return [path or "<root>"]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(nulls_in(item, f"{path}.{key}" if path else key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(nulls_in(item, f"{path}[{index}]"))
    return found


def variables_of(request: dict[str, Any]) -> dict[str, Any]:
    body = request["request"] or {}
    return dict(body.get("variables") or {})


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
