"""Client-side pacing: requests leave no faster than the vendor's rate limits allow, so a large `up` is
never answered 429 (the HTTP layer's 429 retries stay for limits nobody told us about).

A `Pacer` holds one or more `RateLimit`s (N requests per W seconds) as sliding windows: a request is sent
only when fewer than N were sent in the last W seconds (plus a small margin for network jitter), so every
interval of W seconds, however the vendor aligns its windows, holds at most N. When a response says the
window is used up (`X-RateLimit-Remaining: 0`), requests also wait for `X-RateLimit-Reset`.

A request reaches the vendor some time between when it is sent and when its answer comes back; on a busy
machine that can be most of a second. So a request counts from when it is sent until its answer, and its
window runs from the answer (`request_done`): the vendor's count, whenever it saw the request, can never
hold more than ours.

Pacers are shared per vendor, endpoint and credential within the process (the dynamic-provider host
serves every resource of a stack from one process, each provider with its own client), and thread-safe.

The limits, from the vendors' documentation (`../shared/docs/*-api.md`), each overridable by stack config
or environment:

| vendor | limit | config / environment | default |
|---|---|---|---|
| Railway | per second | `railway:requestsPerSecond` / `RAILWAY_REQUESTS_PER_SECOND` | 50 (Pro; Hobby 10) |
| Railway | per hour | `railway:requestsPerHour` / `RAILWAY_REQUESTS_PER_HOUR` | 10000 (Pro; Hobby 1000) |
| Neon | per minute, per second (burst) | `neon:requestsPerMinute` / `NEON_REQUESTS_PER_MINUTE` | 700, 40 |
| Supabase | per minute, per endpoint | `supabase:requestsPerMinute` / `SUPABASE_REQUESTS_PER_MINUTE` | 120 |
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

# Sent requests reach the vendor a little apart from when we sent them: keep this much more than the window.
JITTER_MARGIN_SECONDS = 0.05
JITTER_MARGIN_SHARE = 0.02


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.seconds <= 0:
            raise ValueError(f"a rate limit needs at least one request per positive time, got {self}")

    @property
    def window(self) -> float:
        return self.seconds * (1 + JITTER_MARGIN_SHARE) + JITTER_MARGIN_SECONDS


class _Window:
    """The send times of the last `limit.requests` requests."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        window = self.limit.window
        while self.sent and self.sent[0] <= now - window:
            self.sent.popleft()
        if len(self.sent) < self.limit.requests:
            return 0.0
        return self.sent[0] + window - now


class Pacer:
    """Waits before each request until every limit has room; see the module docstring."""

    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = tuple(limits)
        self._windows = [_Window(limit) for limit in self.limits]
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._hold_until = 0.0
        self._in_flight = threading.local()  # the send time of this thread's request, until its answer
        self.waited = 0.0
        """Seconds spent waiting, over all requests (for the benchmarks)."""

    def before_request(self, sleep: Callable[[float], None] | None = None) -> float:
        """Block until a request may be sent, and count it as sent; returns the seconds waited.

        `sleep` is the caller's (the HTTP client's); when its sleeps do not show on this pacer's clock
        (emulated time in tests), one sleep of the delay counts as having waited it."""
        sleep = sleep or self._sleep
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                delay = max([self._hold_until - now, *(w.wait(now) for w in self._windows)])
                if delay <= 0:
                    return self._sent(now, waited)
            sleep(delay)
            waited += delay
            if self._clock() - now < delay / 2:
                with self._lock:
                    self._hold_until = 0.0
                    return self._sent(self._clock(), waited)

    def _sent(self, now: float, waited: float) -> float:
        for window in self._windows:
            window.sent.append(now)
        self._in_flight.sent_at = now
        self.waited += waited
        return waited

    def request_done(self) -> None:
        """This thread's request was answered (or failed): its window now runs from this moment."""
        sent_at = getattr(self._in_flight, "sent_at", None)
        if sent_at is None:
            return
        self._in_flight.sent_at = None
        with self._lock:
            now = self._clock()
            for window in self._windows:
                # Already expired and dropped when the answer took longer than the window: nothing to move.
                if sent_at in window.sent:
                    window.sent.remove(sent_at)
                # Every entry was stamped at or before now, so the log stays in order.
                window.sent.append(now)

    def after_response(self, headers: Mapping[str, str]) -> None:
        """A response's rate-limit headers: when it says nothing is left, hold requests until the reset."""
        remaining = _number(headers.get("x-ratelimit-remaining"))
        reset = _number(headers.get("x-ratelimit-reset"))
        if remaining is None or remaining > 0 or reset is None:
            return
        # Railway sends the reset as epoch seconds, Supabase as seconds left in the window.
        seconds = reset - self._wall_clock() if reset > 1_000_000_000 else reset
        if seconds <= 0:
            return
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock() + seconds + JITTER_MARGIN_SECONDS)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


# -- shared pacers ------------------------------------------------------------------------------------------
_PACERS: dict[tuple[str, ...], Pacer] = {}
_PACERS_LOCK = threading.Lock()


def shared_pacer(
    vendor: str, base_url: str, credential: str, limits: Sequence[RateLimit], scope: str = ""
) -> Pacer:
    """The process's pacer for one vendor endpoint, credential (its digest is the key, never the value),
    `scope` (e.g. a Supabase endpoint) and set of limits."""
    digest = hashlib.sha256(credential.encode()).hexdigest()[:16]
    key = (vendor, base_url.rstrip("/"), digest, scope, repr(tuple(limits)))
    with _PACERS_LOCK:
        pacer = _PACERS.get(key)
        if pacer is None:
            pacer = _PACERS[key] = Pacer(limits)
        return pacer


class ScopedPacer:
    """One pacer per scope (Supabase limits each endpoint separately), made on first use."""

    def __init__(self, make: Callable[[str], Pacer]) -> None:
        self._make = make
        self._by_scope: dict[str, Pacer] = {}
        self._lock = threading.Lock()

    def for_scope(self, scope: str) -> Pacer:
        with self._lock:
            pacer = self._by_scope.get(scope)
            if pacer is None:
                pacer = self._by_scope[scope] = self._make(scope)
            return pacer


def railway_limits(per_second: float | None = None, per_hour: float | None = None) -> list[RateLimit]:
    return [RateLimit(int(per_second or 50), 1.0), RateLimit(int(per_hour or 10_000), 3600.0)]


def neon_limits(per_minute: float | None = None) -> list[RateLimit]:
    return [RateLimit(int(per_minute or 700), 60.0), RateLimit(40, 1.0)]


def supabase_limits(per_minute: float | None = None) -> list[RateLimit]:
    return [RateLimit(int(per_minute or 120), 60.0)]
