"""Helpers for the Neon provider tests: configured providers against the in-process emulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from pulumi import dynamic

from emulator.neon.models import NeonModels
from emulator.testing import RunningEmulator
from providers.base import PollPolicy
from providers.neon.resources import NeonProvider, ProjectProvider

API_KEY = "neon-test-key-1234567890"
FAST_POLLS = PollPolicy(initial_interval=0.001, max_interval=0.01, factor=2.0, timeout=30.0)

P = TypeVar("P", bound=NeonProvider)


def no_sleep(_seconds: float) -> None:
    pass


def configured(cls: type[P], emulator: RunningEmulator, **config: str) -> P:
    """A provider as the provider host makes it: unpickled empty, then `configure()`d with stack config."""
    provider = cls()
    raw = {"neon:apiKey": API_KEY, "neon:apiUrl": emulator.neon_url, **config}
    provider.configure(dynamic.ConfigureRequest(dynamic.Config(raw, "platform")))
    provider.sleep = no_sleep
    provider.poll_policy = FAST_POLLS
    return provider


def checked(
    provider: NeonProvider, props: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, Any]:
    result = provider.check(olds or {}, props)
    assert not result.failures, [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


@dataclass
class Made:
    """A create or update result with the optional parts of the SDK types made definite."""

    id: str
    outs: dict[str, Any]


@dataclass
class Read:
    id: str | None
    outs: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)


def create(provider: NeonProvider, props: dict[str, Any]) -> Made:
    result = provider.create(checked(provider, props))
    assert result.id and result.outs is not None
    return Made(str(result.id), dict(result.outs))


def update(
    provider: NeonProvider, id_: str, olds: dict[str, Any], changes: dict[str, Any]
) -> tuple[dynamic.DiffResult, Made]:
    """What the engine does for a change: check the new inputs, diff against the old outputs, update."""
    inputs = {k: olds[k] for k in provider.Inputs.model_fields if olds.get(k) is not None}
    news = checked(provider, {**inputs, **changes}, olds)
    diff = provider.diff(id_, olds, news)
    result = provider.update(id_, olds, news)
    assert result.outs is not None
    return diff, Made(id_, dict(result.outs))


def read(provider: NeonProvider, id_: str, props: dict[str, Any]) -> Read:
    result = provider.read(id_, props)
    return Read(result.id, dict(result.outs or {}), dict(result.inputs or {}))


def neon_models(emulator: RunningEmulator) -> NeonModels:
    return cast(NeonModels, emulator.app.vendors["neon"].models)  # type: ignore[attr-defined]


def neon_state(emulator: RunningEmulator) -> dict[str, Any]:
    return cast(dict[str, Any], emulator.state()["neon"])


def new_project(emulator: RunningEmulator, **props: Any) -> Made:
    provider = configured(ProjectProvider, emulator)
    return create(provider, {"name": "sentia-dev", **props})
