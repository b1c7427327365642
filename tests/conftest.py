"""Shared fixtures: one in-process emulator per test session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.core.app import Settings
from emulator.testing import RunningEmulator, running_emulator
from localengine.program import undo_sdk_pickler_patch
from providers import pacing

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_API = REPO_ROOT.parent / "shared" / "api"


@pytest.fixture(autouse=True)
def _sdk_pickler_unpatched() -> Iterator[None]:
    """Every dynamic resource built in a test nests the SDK's pickler patch once more; undo it per test."""
    yield
    undo_sdk_pickler_patch()


@pytest.fixture(scope="session")
def _emulator_session() -> Iterator[RunningEmulator]:
    with running_emulator(Settings(time_scale=0)) as emulator:
        yield emulator


@pytest.fixture
def emulator(_emulator_session: RunningEmulator) -> Iterator[RunningEmulator]:
    _emulator_session.reset()
    _emulator_session.app.settings.latency_ms = 0
    _emulator_session.app.settings.time_scale = 0
    _emulator_session.app.clock.time_scale = 0
    _emulator_session.app.settings.vendor_options.clear()
    # The emulator's rate windows start over, so do the process's shared pacers: a test's waits are its own,
    # not those of the requests earlier tests sent within the vendor's window.
    with pacing._PACERS_LOCK:
        pacing._PACERS.clear()
    yield _emulator_session


@pytest.fixture
def shared_api() -> Path:
    """`../shared/api`, the vendors' schemas; tests that need it skip with the reason where it is absent."""
    if not SHARED_API.is_dir():
        pytest.skip(f"vendor reference data not found at {SHARED_API} (../shared/api beside the repository)")
    return SHARED_API
