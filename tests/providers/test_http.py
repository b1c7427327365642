"""The shared HTTP layer: which failures are retried, how long it waits, and what errors carry.

Every test drives `HttpClient` through an `httpx.MockTransport` and an injected `sleep`, so nothing waits
and every request the client makes is counted.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from email.utils import formatdate

import httpx
import pytest

from emulator.testing import RunningEmulator
from providers.http import (
    AmbiguousRequestError,
    ApiError,
    HttpClient,
    RateLimitedError,
    RetryPolicy,
    Secret,
    parse_retry_after,
)

TOKEN = "tok_live_5f3a9c1e8d7b6a5f4e3d2c1b"


class Recorder:
    """A mock server: answers with the scripted responses in turn and records each request."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    def client(self, **kwargs: object) -> HttpClient:
        return HttpClient(
            vendor="acme",
            base_url="https://api.acme.test/v1",
            auth_headers={"Authorization": Secret(f"Bearer {TOKEN}")},
            sleep=self.sleeps.append,
            transport=httpx.MockTransport(self.handler),
            **kwargs,  # type: ignore[arg-type]
        )


def ok() -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


# -- rate limits ------------------------------------------------------------------------------------------
def test_429_with_retry_after_waits_what_the_server_asks() -> None:
    server = Recorder(httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"}), ok())
    response = server.client().request("POST", "/things", operation="createThing", json_body={"a": 1})
    assert response.json() == {"ok": True}
    assert len(server.requests) == 2
    assert len(server.sleeps) == 1
    assert 7 <= server.sleeps[0] <= 7.25  # the server's wait plus a little jitter


def test_429_with_retry_after_as_http_date() -> None:
    when = time.time() + 20
    server = Recorder(httpx.Response(429, headers={"Retry-After": formatdate(when, usegmt=True)}), ok())
    server.client().request("GET", "/things", operation="listThings")
    assert len(server.sleeps) == 1
    assert 18 <= server.sleeps[0] <= 20.25


@pytest.mark.parametrize(
    ("reset", "expected"),
    [
        (lambda now: str(int(now + 12)), 12),  # epoch seconds
        (lambda now: str(int((now + 12) * 1000)), 12),  # epoch milliseconds
        (lambda now: "12", 12),  # seconds until the window resets
    ],
    ids=["epoch-seconds", "epoch-milliseconds", "delta-seconds"],
)
def test_429_with_only_x_ratelimit_reset(reset: Callable[[float], str], expected: float) -> None:
    headers = {"X-RateLimit-Reset": reset(time.time()), "X-RateLimit-Remaining": "0"}
    server = Recorder(httpx.Response(429, headers=headers), ok())
    server.client().request("GET", "/things", operation="listThings")
    assert len(server.requests) == 2
    assert expected - 1.5 <= server.sleeps[0] <= expected + 0.25


def test_bare_429_is_backed_off_and_retried() -> None:
    # Railway's Cloudflare edge answers 429 "error code: 1015" with no rate-limit headers at all.
    server = Recorder(
        httpx.Response(429, text="error code: 1015"),
        httpx.Response(429, text="error code: 1015"),
        httpx.Response(429, text="error code: 1015"),
        ok(),
    )
    server.client().request("POST", "/graphql", operation="projectCreate", json_body={})
    assert len(server.requests) == 4
    assert len(server.sleeps) == 3
    assert all(0 < s <= 30 for s in server.sleeps)
    # Exponential backoff: each wait starts from a larger base (0.5, 1, 2 plus up to 1s of jitter).
    assert server.sleeps[0] <= 1.5
    assert server.sleeps[2] >= 2


def test_429_that_never_ends_raises_rate_limited_after_the_attempts() -> None:
    server = Recorder(httpx.Response(429, headers={"Retry-After": "1"}, json={"message": "slow down"}))
    with pytest.raises(RateLimitedError) as caught:
        server.client(retry=RetryPolicy(attempts=3)).request("GET", "/things", operation="listThings")
    assert len(server.requests) == 3
    assert caught.value.status == 429
    assert "slow down" in str(caught.value)


def test_429_asking_for_too_long_a_wait_is_not_waited_on() -> None:
    server = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError):
        server.client().request("GET", "/things", operation="listThings")
    assert len(server.requests) == 1
    assert server.sleeps == []


def test_parse_retry_after_prefers_retry_after_and_understands_iso_dates() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after({"retry-after": "3", "x-ratelimit-reset": "99"}, now) == 3
    assert parse_retry_after({"x-ratelimit-reset": "2023-11-14T22:13:30Z"}, now) == pytest.approx(10, abs=1)
    assert parse_retry_after({}, now) is None


# -- 5xx, timeouts, connection failures ----------------------------------------------------------------------
def test_post_that_gets_500_is_not_repeated() -> None:
    server = Recorder(httpx.Response(500, json={"message": "internal"}), ok())
    with pytest.raises(AmbiguousRequestError) as caught:
        server.client().request("POST", "/things", operation="createThing", json_body={})
    assert len(server.requests) == 1
    assert caught.value.status == 500
    assert caught.value.operation == "createThing"


def test_post_that_times_out_reading_is_not_repeated() -> None:
    server = Recorder(httpx.ReadTimeout("read timed out"), ok())
    with pytest.raises(AmbiguousRequestError) as caught:
        server.client().request("POST", "/things", operation="createThing", json_body={})
    assert len(server.requests) == 1
    assert "may or may not have taken effect" in str(caught.value)


def test_get_that_gets_500_or_times_out_is_retried() -> None:
    server = Recorder(httpx.Response(502, text="bad gateway"), httpx.ReadTimeout("slow"), ok())
    response = server.client().request("GET", "/things", operation="listThings")
    assert response.status_code == 200
    assert len(server.requests) == 3
    assert len(server.sleeps) == 2


def test_post_marked_safe_is_retried_on_500() -> None:
    server = Recorder(httpx.Response(503), ok())
    server.client().request("POST", "/graphql", operation="project", json_body={}, safe=True)
    assert len(server.requests) == 2


def test_get_500_that_persists_is_a_plain_api_error() -> None:
    server = Recorder(httpx.Response(500, json={"message": "still broken"}))
    with pytest.raises(ApiError) as caught:
        server.client(retry=RetryPolicy(attempts=2)).request("GET", "/things", operation="listThings")
    assert not isinstance(caught.value, AmbiguousRequestError)  # a read changes nothing
    assert caught.value.status == 500
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("connection refused"), httpx.ConnectTimeout("connect timed out")],
    ids=["connect-error", "connect-timeout"],
)
def test_connect_failures_are_retried_even_for_a_post(failure: Exception) -> None:
    server = Recorder(failure, ok())
    server.client().request("POST", "/things", operation="createThing", json_body={})
    assert len(server.requests) == 2


def test_connect_failures_that_persist_raise_api_error_naming_the_operation() -> None:
    server = Recorder(httpx.ConnectError("connection refused"))
    with pytest.raises(ApiError) as caught:
        server.client(retry=RetryPolicy(attempts=3)).request("POST", "/t", operation="createThing")
    assert len(server.requests) == 3
    assert "createThing" in str(caught.value)
    assert "connection" in str(caught.value)


def test_always_retry_statuses_are_retried_for_unsafe_requests() -> None:
    server = Recorder(httpx.Response(423, headers={"Retry-After": "2"}), ok())
    server.client(always_retry_statuses={423}).request("POST", "/t", operation="createThing", json_body={})
    assert len(server.requests) == 2
    assert 2 <= server.sleeps[0] <= 2.25


def test_4xx_is_not_retried() -> None:
    server = Recorder(httpx.Response(400, json={"message": "name is required", "code": "invalid"}), ok())
    with pytest.raises(ApiError) as caught:
        server.client().request("GET", "/t", operation="getThing")
    assert len(server.requests) == 1
    assert caught.value.code == "invalid"


# -- what errors carry ------------------------------------------------------------------------------
def test_error_carries_vendor_message_status_request_id_and_operation() -> None:
    server = Recorder(
        httpx.Response(404, headers={"X-Request-Id": "req-123"}, json={"message": "thing not found"})
    )
    with pytest.raises(ApiError) as caught:
        server.client().request("GET", "/things/1", operation="getThing")
    error = caught.value
    assert (error.vendor, error.operation, error.status, error.request_id) == (
        "acme",
        "getThing",
        404,
        "req-123",
    )
    assert error.message == "thing not found"
    assert error.is_not_found
    text = str(error)
    for part in ("acme", "getThing", "404", "thing not found", "req-123"):
        assert part in text


def test_error_survives_a_pickle_round_trip() -> None:
    server = Recorder(httpx.Response(409, headers={"X-Request-Id": "r9"}, json={"message": "exists"}))
    with pytest.raises(ApiError) as caught:
        server.client().request("GET", "/t", operation="getThing")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.status, copy.request_id, copy.message, str(copy)) == (
        409,
        "r9",
        "exists",
        str(caught.value),
    )


def test_custom_request_id_header_and_error_parser() -> None:
    def parser(response: httpx.Response) -> tuple[str, str | None]:
        return response.json()["error"]["detail"], response.json()["error"]["kind"]

    server = Recorder(
        httpx.Response(422, headers={"sb-request-id": "sb-1"}, json={"error": {"detail": "bad", "kind": "k"}})
    )
    with pytest.raises(ApiError) as caught:
        server.client(request_id_headers=("sb-request-id",), error_parser=parser).request(
            "GET", "/t", operation="getThing"
        )
    assert (caught.value.message, caught.value.code, caught.value.request_id) == ("bad", "k", "sb-1")


def test_auth_header_and_default_params_are_sent() -> None:
    server = Recorder(ok())
    server.client(default_params={"source": "platform-pulumi"}).request(
        "GET", "/things", operation="listThings", params={"limit": 5, "cursor": None}
    )
    sent = server.requests[0]
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert dict(sent.url.params) == {"source": "platform-pulumi", "limit": "5"}
    assert "platform-pulumi" in sent.headers["User-Agent"]


# -- the token never shows ----------------------------------------------------------------------------------
def test_token_never_in_error_repr_logs_or_pickle(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = httpx.Response(
        401, json={"message": f"invalid token Bearer {TOKEN}"}, headers={"X-Request-Id": "q"}
    )
    server = Recorder(httpx.Response(429), httpx.Response(503), httpx.ConnectError(f"refused {TOKEN}"), echo)
    client = server.client()
    with pytest.raises(ApiError) as caught:
        client.request("GET", "/things", operation="listThings")
    error = caught.value
    assert error.status == 401
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)
    assert TOKEN not in error.message
    assert TOKEN not in repr(error.body)
    assert TOKEN not in pickle.dumps(error).decode("latin-1")
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client.__dict__.get("_auth_headers"))
    assert len(caplog.records) >= 3  # the retries were logged ...
    for record in caplog.records:
        assert TOKEN not in record.getMessage()  # ... without the token
    with pytest.raises(TypeError):
        pickle.dumps(client)
    with pytest.raises(TypeError):
        pickle.dumps(Secret(TOKEN))


def test_bare_token_echoed_without_its_scheme_is_redacted() -> None:
    server = Recorder(httpx.Response(403, json={"errors": [{"message": f"token {TOKEN} revoked"}]}))
    with pytest.raises(ApiError) as caught:
        server.client().request("GET", "/t", operation="getThing")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value.body)
    assert "[redacted]" in caught.value.message


def test_token_not_in_error_from_transport_failure_that_echoes_it() -> None:
    server = Recorder(httpx.ConnectError(f"could not connect with {TOKEN}"))
    with pytest.raises(ApiError) as caught:
        server.client(retry=RetryPolicy(attempts=2)).request("GET", "/t", operation="getThing")
    assert TOKEN not in str(caught.value)


def test_secret_hides_itself() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in str(secret) and TOKEN not in f"{secret}"
    assert secret.reveal() == TOKEN


def test_the_vendors_clock_is_read_from_the_date_of_its_answers(emulator: RunningEmulator) -> None:
    client = HttpClient(vendor="neon", base_url=emulator.neon_url, auth_headers={})
    assert client.vendor_time(time.time()) is None  # nothing heard yet
    emulator.app.clock.advance(3600)
    client.request("GET", "/projects", operation="listProjects", ok_statuses=(401,))
    now = time.time()
    vendor_now = client.vendor_time(now)
    expected = emulator.app.clock.now()  # the emulator's clock, however far tests have moved it
    assert vendor_now is not None
    # Whole seconds: up to a second (and the answer's travel) early, never late.
    assert expected - 2 <= vendor_now <= expected + 0.01
