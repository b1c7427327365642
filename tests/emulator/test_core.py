"""The vendor-neutral emulator server: request log, faults, state file, reset, settings, clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.core.app import EmulatorApp, Settings
from emulator.core.clock import Clock
from emulator.core.ratelimit import RateLimiter
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend
from emulator.testing import running_emulator


class ItemsBackend(VendorBackend):
    """A minimal vendor: POST /items creates, GET /items lists."""

    name = "items"
    prefix = "/items-api"

    def reset(self) -> None:
        self.items: list[dict[str, Any]] = []

    def dump_state(self) -> dict[str, Any]:
        return {"items": self.items}

    def load_state(self, state: dict[str, Any]) -> None:
        self.items = state["items"]

    def resolve_operation(self, request: EmuRequest) -> str:
        return "createItem" if request.method == "POST" else "listItems"

    def before(self, request: EmuRequest) -> EmuResponse | None:
        if not request.headers.get("authorization"):
            return EmuResponse(401, {"message": "no token"})
        return None

    def handle(self, request: EmuRequest) -> EmuResponse:
        if request.method == "POST":
            item = {"id": len(self.items) + 1, **(request.body or {})}
            self.items.append(item)
            return EmuResponse(201, item)
        return EmuResponse(200, {"items": self.items})


AUTH = {"Authorization": "Bearer t"}


Serve = Callable[..., tuple[EmulatorApp, httpx.Client]]


@pytest.fixture
def make_client() -> Iterator[Serve]:
    """Starts real servers on loopback ports (optionally with a state file); all stop after the test."""
    with ExitStack() as stack:

        def serve(tmp_path: Path | None = None) -> tuple[EmulatorApp, httpx.Client]:
            settings = Settings(state_file=tmp_path / "state.json" if tmp_path else None, time_scale=0)
            running = stack.enter_context(running_emulator(settings, vendor_classes=(ItemsBackend,)))
            return running.app, stack.enter_context(httpx.Client(base_url=running.url))

        yield serve


def test_request_log_records_vendor_operation_bodies_and_status(make_client: Serve) -> None:
    _, client = make_client()
    client.post("/items-api/items?x=1", json={"name": "a"}, headers=AUTH)
    log = client.get("/_emulator/requests").json()
    assert log == [
        {
            "vendor": "items",
            "method": "POST",
            "path": "/items",
            "query": {"x": "1"},
            "status": 201,
            "operation": "createItem",
            "request": {"name": "a"},
            "response": {"id": 1, "name": "a"},
        }
    ]
    client.delete("/_emulator/requests")
    assert client.get("/_emulator/requests").json() == []


def test_before_fault_answers_instead_of_the_vendor_for_count_requests(make_client: Serve) -> None:
    app, client = make_client()
    created = client.post(
        "/_emulator/faults",
        json={"vendor": "items", "operation": "createItem", "count": 2, "status": 503, "retry_after": 7},
    )
    assert created.status_code == 201
    first = client.post("/items-api/items", json={}, headers=AUTH)
    second = client.post("/items-api/items", json={}, headers=AUTH)
    third = client.post("/items-api/items", json={}, headers=AUTH)
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 201)
    assert first.headers["retry-after"] == "7"
    assert len(app.vendors["items"].items) == 1  # type: ignore[attr-defined]


def test_fault_for_another_operation_does_not_fire(make_client: Serve) -> None:
    _, client = make_client()
    client.post("/_emulator/faults", json={"vendor": "items", "operation": "listItems", "status": 500})
    assert client.post("/items-api/items", json={}, headers=AUTH).status_code == 201
    assert client.get("/items-api/items", headers=AUTH).status_code == 500


def test_after_fault_lets_the_vendor_act_then_fails_the_response(make_client: Serve) -> None:
    app, client = make_client()
    armed = client.post("/_emulator/faults", json={"vendor": "items", "status": 502, "when": "after"})
    assert armed.status_code == 201
    response = client.post("/items-api/items", json={"name": "made"}, headers=AUTH)
    assert response.status_code == 502
    assert app.vendors["items"].items == [{"id": 1, "name": "made"}]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fault",
    [
        {"operation": "x"},
        {"vendor": "nope"},
        {"vendor": "items", "when": "later"},
        {"vendor": "items", "bogus": 1},
    ],
)
def test_bad_fault_is_rejected_and_nothing_is_armed(fault: dict[str, Any], make_client: Serve) -> None:
    app, client = make_client()
    assert client.post("/_emulator/faults", json=fault).status_code == 400
    assert app.faults == []


def test_vendor_auth_runs_before_the_handler(make_client: Serve) -> None:
    app, client = make_client()
    assert client.post("/items-api/items", json={}).status_code == 401
    assert app.vendors["items"].items == []  # type: ignore[attr-defined]


def test_state_file_survives_a_restart(tmp_path: Path, make_client: Serve) -> None:
    _, client = make_client(tmp_path)
    client.post("/items-api/items", json={"name": "kept"}, headers=AUTH)
    _, restarted = make_client(tmp_path)
    assert restarted.get("/items-api/items", headers=AUTH).json() == {"items": [{"id": 1, "name": "kept"}]}
    assert restarted.get("/_emulator/state").json() == {"items": {"items": [{"id": 1, "name": "kept"}]}}


def test_reset_empties_vendors_log_and_faults(tmp_path: Path, make_client: Serve) -> None:
    app, client = make_client(tmp_path)
    client.post("/items-api/items", json={}, headers=AUTH)
    client.post("/_emulator/faults", json={"vendor": "items", "status": 500})
    client.post("/_emulator/reset")
    assert client.get("/_emulator/state").json() == {"items": {"items": []}}
    assert app.requests == [] and app.faults == []
    _, restarted = make_client(tmp_path)
    assert restarted.get("/_emulator/state").json() == {"items": {"items": []}}


def test_settings_change_time_scale_latency_and_vendor_options(make_client: Serve) -> None:
    app, client = make_client()
    answer = client.post(
        "/_emulator/settings",
        json={"time_scale": 0.5, "latency_ms": 3, "vendors": {"items": {"plan": "free"}}},
    ).json()
    assert answer == {"time_scale": 0.5, "latency_ms": 3.0, "vendors": {"items": {"plan": "free"}}}
    assert app.clock.time_scale == 0.5
    assert app.vendor_option("items", "plan") == "free"
    assert app.vendor_option("items", "missing", "default") == "default"


def test_clock_time_scale_zero_completes_on_next_observation() -> None:
    clock = Clock(time_scale=0, now=lambda: 1000.0)
    assert not clock.reached(1000.0, 120, observations=0)
    assert clock.reached(1000.0, 120, observations=1)


def test_clock_scales_real_durations_and_can_be_advanced() -> None:
    now = [1000.0]
    clock = Clock(time_scale=0.5, now=lambda: now[0])
    now[0] += 59
    assert not clock.reached(1000.0, 120, observations=5)
    clock.advance(1)
    assert clock.reached(1000.0, 120, observations=0)


def test_rate_limiter_counts_per_key_and_window() -> None:
    now = [0.0]
    limiter = RateLimiter(Clock(1, now=lambda: now[0]), limit=2, window_seconds=60)
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("b").allowed
    refused = limiter.hit("a")
    assert refused.remaining == 0 and refused.retry_after == 60
    now[0] = 61
    assert limiter.hit("a").allowed
