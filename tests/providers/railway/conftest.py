"""Fixtures the Railway provider tests share: no ambient credentials, a project and a service at the
emulator.
"""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    ProjectProvider,
    ServiceProvider,
)
from tests.providers.railway.helpers import engine
from tests.providers.railway.support import (
    Engine,
    clear_ambient_credentials,
)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_ambient_credentials(monkeypatch)


@pytest.fixture
def project(emulator: RunningEmulator) -> Engine:
    e = engine(ProjectProvider, emulator)
    e.create({"name": "sentia"})
    return e


@pytest.fixture
def service(emulator: RunningEmulator, project: Engine) -> Engine:
    e = engine(ServiceProvider, emulator)
    e.create({"project_id": project.id, "name": "web", "image": "ghcr.io/acme/web:1"})
    return e
