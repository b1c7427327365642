"""Helpers the Railway per-object tests share."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.client import RailwayClient
from providers.railway.resources import (
    ProjectProvider,
)
from tests.providers.railway.support import (
    Engine,
    configure,
)


def engine(cls: type, emulator: RunningEmulator) -> Engine:
    return Engine(configure(cls(), emulator))


def client(emulator: RunningEmulator) -> RailwayClient:
    provider = configure(ProjectProvider(), emulator)
    return provider.client()


def env_id(project: Engine) -> str:
    return str(project.outs["default_environment_id"])
