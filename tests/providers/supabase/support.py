"""Helpers for the Supabase provider tests: providers configured against the in-process emulator, with
sleeps that move the emulator's clock instead of waiting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pulumi import dynamic

from emulator.supabase import DEFAULT_ORGANIZATION_SLUG
from emulator.testing import RunningEmulator
from providers.base import PollPolicy
from providers.http import Secret
from providers.supabase.client import SupabaseClient
from providers.supabase.resources import SupabaseProvider

TOKEN = "sbp_test_token_0123456789abcdef"
ORG = DEFAULT_ORGANIZATION_SLUG
PASSWORD = "correct-horse-battery-staple"

P = TypeVar("P", bound=SupabaseProvider)


class EmulatedTime:
    """`sleep` advances the emulator's clock; `clock` reads it. Every sleep is recorded."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self.emulator = emulator
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.emulator.app.clock.advance(seconds)

    def clock(self) -> float:
        return self.emulator.app.clock.now()


def configure_request(emulator: RunningEmulator, token: str | None = TOKEN) -> dynamic.ConfigureRequest:
    raw = {"supabase:apiUrl": emulator.supabase_url}
    if token is not None:
        raw["supabase:accessToken"] = token
    return dynamic.ConfigureRequest(dynamic.Config(raw, "platform"))


def make_provider(
    cls: type[P],
    emulator: RunningEmulator,
    time: EmulatedTime | None = None,
    *,
    token: str | None = TOKEN,
    timeout: float | None = None,
) -> P:
    provider = cls()
    provider.configure(configure_request(emulator, token))
    fake = time or EmulatedTime(emulator)
    provider.sleep = fake.sleep
    provider.clock = fake.clock
    if timeout is not None:
        provider.http_timeout = timeout
    return provider


def client(emulator: RunningEmulator, time: EmulatedTime | None = None) -> SupabaseClient:
    sleep: Callable[[float], None] = time.sleep if time else (lambda _s: None)
    return SupabaseClient(token=Secret(TOKEN), base_url=emulator.supabase_url, sleep=sleep)


def wait_ready(api: SupabaseClient, ref: str) -> dict[str, Any]:
    """Observe a project until it and its services are healthy (time scale 0: a few polls)."""
    for _ in range(10):
        project = api.get_project(ref)
        assert project is not None
        if project["status"] == "ACTIVE_HEALTHY":
            health = api.get_services_health(ref, ["auth", "db", "rest", "pooler"])
            if all(h["status"] == "ACTIVE_HEALTHY" for h in health):
                return dict(project)
    raise AssertionError(f"project {ref} never became ready")


def ready_project(emulator: RunningEmulator, *, size: str | None = None, name: str = "settings-host") -> str:
    api = client(emulator)
    created = api.create_project(
        name=name, organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1", desired_instance_size=size
    )
    wait_ready(api, created["ref"])
    return created["ref"]


def project_props(**overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "organization_slug": ORG,
        "name": "nestsync-dev",
        "region": "ca-central-1",
        "database_password": PASSWORD,
    }
    props.update(overrides)
    return props


def checked(
    provider: SupabaseProvider, props: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, Any]:
    result = provider.check(olds or {}, props)
    assert not result.failures, [(f.property, f.reason) for f in result.failures]
    return result.inputs


FAST_POLLS = PollPolicy(initial_interval=1.0, max_interval=5.0, factor=2.0, timeout=600.0)
