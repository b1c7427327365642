"""The pieces the fault matrix stands on: the create-or-adopt rule, Retry-After on 503s, the emulator's cut
connection, cron ranges, and what migration and smoke commands see of the environment."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest

from components.commands import isolated_interpreter
from emulator.testing import RunningEmulator
from providers.adoption import create_or_adopt, new_since
from providers.backoff import BACKOFF_SCALE_ENV, backoff_scale
from providers.http import AmbiguousRequestError, HttpClient, Secret
from stack_config import Service


def _ambiguous(retry_after: float | None = None) -> AmbiguousRequestError:
    error = AmbiguousRequestError(vendor="v", operation="thingCreate", message="no answer", status=503)
    error.retry_after = retry_after
    return error


def test_a_lost_answer_adopts_the_one_object_it_made_without_creating_again() -> None:
    sent: list[str] = []

    def create() -> dict[str, str]:
        sent.append("create")
        raise _ambiguous()

    made = create_or_adopt(create, lambda: [{"id": "made"}], "thing", sleep=lambda _s: None)
    assert made == {"id": "made"} and sent == ["create"]


def test_an_absent_object_is_created_again_after_the_wait_the_vendor_asked_for() -> None:
    answers: list[object] = [_ambiguous(retry_after=7), {"id": "second"}]
    waits: list[float] = []
    lookups: list[str] = []

    def create() -> object:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def find() -> list[object]:
        lookups.append("find")
        return []

    assert create_or_adopt(create, find, "thing", sleep=waits.append) == {"id": "second"}
    assert waits == [7] and lookups == ["find"]  # exactly one lookup between the two creates


def test_two_matches_are_the_users_to_choose_and_every_attempt_failing_says_so() -> None:
    def failing() -> dict[str, str]:
        raise _ambiguous()

    with pytest.raises(AmbiguousRequestError, match="2 objects match thing"):
        create_or_adopt(failing, lambda: [{"id": "a"}, {"id": "b"}], "thing", sleep=lambda _s: None)
    with pytest.raises(AmbiguousRequestError, match="nothing was made for thing; tried 3 times"):
        create_or_adopt(failing, lambda: [], "thing", attempts=3, sleep=lambda _s: None)


def test_new_since_ignores_what_was_there_before() -> None:
    listing = [{"id": "old"}, {"id": "new"}]
    assert new_since(["old"], lambda: listing)() == [{"id": "new"}]


def test_a_503_on_a_create_carries_retry_after_and_is_not_repeated_by_the_http_layer() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, headers={"Retry-After": "12"}, json={"message": "busy"})

    client = HttpClient(
        vendor="v", base_url="http://v", auth_headers={"Authorization": Secret("Bearer t")},
        transport=httpx.MockTransport(handler), sleep=lambda _s: None,
    )  # fmt: skip
    with pytest.raises(AmbiguousRequestError) as raised:
        client.request("POST", "/things", operation="thingCreate", json_body={})
    assert raised.value.retry_after == 12 and "busy" in str(raised.value) and len(calls) == 1


def test_the_emulator_cuts_the_connection_after_the_vendor_acted(emulator: RunningEmulator) -> None:
    emulator.inject(vendor="neon", operation="createProject", when="after", cut=True)
    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{emulator.neon_url}/projects", json={"project": {"name": "cut"}},
            headers={"Authorization": "Bearer t"}, timeout=10,
        )  # fmt: skip
    assert [p["name"] for p in emulator.state()["neon"]["projects"]] == ["cut"]
    emulator.inject(vendor="neon", operation="createProject", when="before", cut=True)
    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{emulator.neon_url}/projects", json={"project": {"name": "never"}},
            headers={"Authorization": "Bearer t"}, timeout=10,
        )  # fmt: skip
    assert [p["name"] for p in emulator.state()["neon"]["projects"]] == ["cut"]


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("61 * * * *", "minute 61 is outside 0-59"),
        ("* 25 * * *", "hour 25 is outside 0-23"),
        ("*/0 * * * *", "minute step /0 must be at least 1"),
        ("0 0 0 * *", "day of month 0 is outside 1-31"),
        ("0 0 * 13 *", "month 13 is outside 1-12"),
        ("0 0 * * 8", "day of week 8 is outside 0-7"),
        ("30-10 * * * *", "minute range 30-10 runs backwards"),
    ],
)
def test_cron_fields_out_of_range_are_refused(schedule: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Service.model_validate({"kind": "worker", "image": "x", "cron": schedule})


@pytest.mark.parametrize("schedule", ["*/15 * * * *", "0 3 * * 1-5", "0,30 9-17 1 1,6 0", "59 23 31 12 7"])
def test_valid_cron_schedules_pass(schedule: str) -> None:
    assert Service.model_validate({"kind": "worker", "image": "x", "cron": schedule}).cron == schedule


def test_commands_see_only_their_own_variables() -> None:
    env = {
        **os.environ,
        "RAILWAY_API_TOKEN": "tok-railway",
        "PULUMI_CONFIG_PASSPHRASE": "the-passphrase",
        "DATABASE_URL": "postgres://db",
        "NODE_ENV": "production",
    }
    interpreter = isolated_interpreter(["DATABASE_URL", "NODE_ENV"])
    shown = subprocess.run([*interpreter, "env"], env=env, capture_output=True, text=True, check=True).stdout
    names = {line.split("=", 1)[0] for line in shown.splitlines() if "=" in line}
    assert {"DATABASE_URL", "NODE_ENV", "PATH"} <= names
    assert "RAILWAY_API_TOKEN" not in names and "PULUMI_CONFIG_PASSPHRASE" not in names
    assert "tok-railway" not in shown and "the-passphrase" not in shown
    with pytest.raises(ValueError):
        isolated_interpreter(["NOT A NAME"])


def _recorded_sleeps(*answers: httpx.Response) -> list[float]:
    sleeps: list[float] = []
    queue = list(answers)
    client = HttpClient(
        vendor="v", base_url="http://v", auth_headers={"Authorization": Secret("Bearer t")},
        transport=httpx.MockTransport(lambda _r: queue.pop(0)), sleep=sleeps.append,
    )  # fmt: skip
    client.request("GET", "/things", operation="things")
    return sleeps


def test_the_backoff_scale_shortens_the_providers_own_waits_but_never_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    busy = [httpx.Response(500, json={"message": "busy"}) for _ in range(3)]
    asked = httpx.Response(429, headers={"Retry-After": "5"}, json={"message": "slow down"})
    unscaled = _recorded_sleeps(*busy, asked, httpx.Response(200, json={}))
    monkeypatch.setenv(BACKOFF_SCALE_ENV, "0.01")
    scaled = _recorded_sleeps(*busy, asked, httpx.Response(200, json={}))
    assert sum(unscaled[:3]) >= 3.5 and sum(scaled[:3]) <= 0.1  # 0.5, 1, 2 s plus jitter, a hundredth
    assert 5 <= unscaled[3] <= 5.25 and 5 <= scaled[3] <= 5.0025  # what the server asked, as it asked

    waits: list[float] = []
    answers: list[object] = [_ambiguous(), _ambiguous(retry_after=3), {"id": "third"}]

    def create() -> object:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert create_or_adopt(create, lambda: [], "thing", sleep=waits.append) == {"id": "third"}
    assert waits == [0.005, 3]


@pytest.mark.parametrize(("value", "problem"), [("fast", "is not a number"), ("2", "outside 0-1")])
def test_a_bad_backoff_scale_is_refused_naming_the_variable(
    value: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BACKOFF_SCALE_ENV, value)
    with pytest.raises(ValueError, match=f"{BACKOFF_SCALE_ENV}=.*{problem}"):
        backoff_scale()
    monkeypatch.delenv(BACKOFF_SCALE_ENV)
    assert backoff_scale() == 1.0
