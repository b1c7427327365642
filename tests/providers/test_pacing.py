"""The rate-limit pacer on a fake clock: it never sends more than a limit allows in any window, waits no
longer than it must, honours a response that says the window is used up, and keeps the emulator (whose
limiter is the vendors') from ever answering 429."""

from __future__ import annotations

import threading

import pytest

from emulator.testing import RunningEmulator
from providers.http import HttpClient, Secret
from providers.pacing import (
    JITTER_MARGIN_SECONDS,
    Pacer,
    RateLimit,
    railway_limits,
    shared_pacer,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def clock(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times))


def test_never_more_than_the_limit_in_any_window() -> None:
    fake = FakeTime()
    pacer = Pacer([RateLimit(10, 1.0)], clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(95):
        pacer.before_request()
        sent.append(fake.clock())
    assert most_in_any_window(sent, 1.0) == 10
    # and no slower than it must be: 95 requests take 9 full windows (plus the jitter margin)
    assert sent[-1] - sent[0] <= 9 * RateLimit(10, 1.0).window + 1e-9


def test_every_limit_holds_at_once() -> None:
    fake = FakeTime()
    pacer = Pacer([RateLimit(5, 1.0), RateLimit(12, 10.0)], clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(40):
        pacer.before_request()
        sent.append(fake.clock())
    assert most_in_any_window(sent, 1.0) <= 5
    assert most_in_any_window(sent, 10.0) <= 12


def test_threads_share_one_pacer_without_exceeding_it() -> None:
    fake = FakeTime()
    pacer = Pacer([RateLimit(8, 1.0)], clock=fake.clock, sleep=fake.sleep)
    sent: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            pacer.before_request()
            with lock:
                sent.append(fake.clock())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 60
    # A thread records its time a moment after the pacer let it go; another may have slept since, so the
    # recorded times can only be later than the send times: windows can only look emptier, never fuller
    # than the pacer allowed. The pacer's own log is exact:
    assert most_in_any_window(list(pacer._windows[0].sent), 1.0) <= 8


def test_a_slow_answer_keeps_its_request_in_the_window_until_it_came_back() -> None:
    # The vendor may see a request as late as its answer: a request sent at t=0 and answered at t=0.8
    # still holds its place until 0.8 + the window, so a vendor that counted it at 0.8 never sees more
    # than the limit. Counted from the send time, the 3rd request would leave at about 1.07 s.
    fake = FakeTime()
    pacer = Pacer([RateLimit(2, 1.0)], clock=fake.clock, sleep=fake.sleep)
    start = fake.clock()
    pacer.before_request()
    fake.sleep(0.8)
    pacer.request_done()
    pacer.before_request()
    pacer.request_done()
    pacer.before_request()
    assert fake.clock() - start == pytest.approx(0.8 + RateLimit(2, 1.0).window)


def test_a_request_done_twice_or_never_sent_changes_nothing() -> None:
    fake = FakeTime()
    pacer = Pacer([RateLimit(1, 1.0)], clock=fake.clock, sleep=fake.sleep)
    pacer.request_done()  # nothing in flight on this thread
    assert pacer.before_request() == 0
    pacer.request_done()
    pacer.request_done()
    assert list(pacer._windows[0].sent) == [fake.clock()]


def test_a_used_up_window_holds_requests_until_its_reset() -> None:
    fake = FakeTime()
    pacer = Pacer([RateLimit(100, 1.0)], clock=fake.clock, sleep=fake.sleep, wall_clock=lambda: 2e9)
    pacer.before_request()
    pacer.after_response({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "5"})  # Supabase: seconds left
    assert pacer.before_request() == pytest.approx(5 + JITTER_MARGIN_SECONDS)
    pacer.after_response({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(2e9 + 3)})  # Railway: epoch
    assert pacer.before_request() == pytest.approx(3 + JITTER_MARGIN_SECONDS)
    pacer.after_response({"x-ratelimit-remaining": "7", "x-ratelimit-reset": "50"})
    assert pacer.before_request() == 0


def test_pacers_are_shared_per_endpoint_and_credential() -> None:
    limits = railway_limits()
    a = shared_pacer("railway", "http://x/graphql", "Bearer one", limits)
    assert shared_pacer("railway", "http://x/graphql/", "Bearer one", limits) is a
    assert shared_pacer("railway", "http://x/graphql", "Bearer two", limits) is not a


def test_paced_requests_never_meet_the_emulators_429(emulator: RunningEmulator) -> None:
    emulator.app.settings.vendor_options["railway"] = {"rate_limit_per_second": 5}
    emulator.app.settings.time_scale = 1.0
    emulator.app.clock.time_scale = 1.0
    fake = FakeTime()

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        emulator.app.clock.advance(seconds)  # the vendor's clock moves with ours

    pacer = Pacer([RateLimit(5, 1.0)], clock=fake.clock, sleep=sleep)
    client = HttpClient(
        vendor="railway",
        base_url=emulator.railway_url,
        auth_headers={"Authorization": Secret("Bearer pacing-test")},
        pacer=pacer,
        sleep=sleep,
    )
    emulator.clear_requests()
    for _ in range(23):
        client.request(
            "POST", "", operation="regions", json_body={"query": "query regions { regions { name } }"}
        )
    statuses = [r["status"] for r in emulator.requests("railway")]
    assert len(statuses) == 23 and set(statuses) == {200}  # never a 429, so never a retry
    assert pacer.waited > 0  # it did have to pace
