"""The waits' poll schedule on a fake clock: each ends within 10% (or 1 s) of the vendor finishing, near
the vendor's typical time and whenever nothing is expected, and costs no more polls than the budget (a
two-minute Supabase project: at most 20)."""

from __future__ import annotations

import pytest

from providers.base import PollPolicy, poll_schedule, poll_until
from providers.railway.resources import TYPICAL_DEPLOY_SECONDS, typical_deploy_seconds
from providers.supabase.resources import SupabaseProvider

RAILWAY_DEPLOY = PollPolicy(initial_interval=2.0, max_interval=15.0, factor=1.5, timeout=3600.0)
SUPABASE = SupabaseProvider.poll_policy


def overshoot_allowed(finish: float) -> float:
    return max(0.1 * finish, 1.0)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (RAILWAY_DEPLOY, TYPICAL_DEPLOY_SECONDS["image"]),
        (RAILWAY_DEPLOY, TYPICAL_DEPLOY_SECONDS["repo"]),
        (SUPABASE, SupabaseProvider.typical_project_seconds),
        (SUPABASE, SupabaseProvider.typical_services_seconds),
    ],
)
def test_a_wait_ends_within_ten_percent_of_a_vendor_at_or_after_its_typical_time(
    policy: PollPolicy, expected: float
) -> None:
    for step in range(0, 60):
        finish = expected * (0.9 + step * 0.05)  # from 90% of the typical time to four times it
        polls = poll_schedule(policy, expected, finish)
        assert polls[-1] >= finish
        assert polls[-1] - finish <= overshoot_allowed(finish) + 1e-9, (finish, polls)


def test_with_nothing_expected_every_finish_time_is_seen_within_ten_percent_or_a_second() -> None:
    policy = PollPolicy(initial_interval=0.5, max_interval=10.0, factor=1.5, timeout=1800.0)
    for tenth in range(1, 3000):
        finish = tenth / 10
        polls = poll_schedule(policy, None, finish)
        assert polls[-1] - finish <= overshoot_allowed(finish) + 1e-9, finish


def test_a_two_minute_supabase_project_costs_at_most_20_polls() -> None:
    polls = poll_schedule(SUPABASE, SupabaseProvider.typical_project_seconds, 120.0)
    assert len(polls) <= 20
    assert polls[-1] - 120.0 <= 12.0


def test_a_deployment_at_its_typical_time_is_seen_at_once() -> None:
    polls = poll_schedule(RAILWAY_DEPLOY, 22.0, 22.0)
    assert polls[-1] == pytest.approx(22.0)
    assert len(polls) <= 8


def test_poll_until_follows_the_schedule_on_a_fake_clock() -> None:
    now = [0.0]
    seen: list[float] = []

    def fetch() -> str:
        seen.append(now[0])
        return "SUCCESS" if now[0] >= 30.0 else "DEPLOYING"

    def sleep(seconds: float) -> None:
        now[0] += seconds

    poll_until(
        fetch,
        lambda status: status == "SUCCESS",
        subject="deployment",
        describe=str,
        policy=RAILWAY_DEPLOY,
        sleep=sleep,
        clock=lambda: now[0],
        expected=22.0,
    )
    assert seen == pytest.approx(poll_schedule(RAILWAY_DEPLOY, 22.0, 30.0))


def test_the_typical_deployment_time_follows_the_source() -> None:
    assert typical_deploy_seconds({"meta": {"repo": "acme/api"}}) == TYPICAL_DEPLOY_SECONDS["repo"]
    assert typical_deploy_seconds({"meta": {"image": "redis:7"}}) == TYPICAL_DEPLOY_SECONDS["image"]
    assert typical_deploy_seconds({}) == TYPICAL_DEPLOY_SECONDS["image"]
