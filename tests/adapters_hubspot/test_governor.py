"""The governor paces under HubSpot's limits, with a fake clock: nobody waits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from adapters.hubspot.governor import SEARCH_SAFETY, Governor, Limits, TokenBucket, limits_for
from connector.errors import BudgetExhausted
from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.ratelimit import RateLimiter


class FakeTime:
    """A monotonic clock that only moves when someone sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.wall = datetime(2024, 5, 1, 12, tzinfo=UTC)
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> datetime:
        return self.wall + timedelta(seconds=self.now - 1_000.0)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def governor(t: FakeTime, limits: Limits | None = None, reserve: float = 0.2) -> Governor:
    return Governor(
        limits or limits_for("professional"),
        daily_reserve=reserve,
        sleep=t.sleep,
        clock=t.clock,
        wall=t.wall_clock,
    )


@pytest.mark.parametrize(
    ("tier", "interval", "daily"),
    [
        ("free", 100, 250_000),
        ("starter", 100, 250_000),
        ("professional", 190, 625_000),
        ("enterprise", 190, 1_000_000),
    ],
)
def test_tier_limits(tier: str, interval: int, daily: int) -> None:
    assert limits_for(tier) == Limits(interval, daily, 5)


def test_a_token_bucket_reserves_in_order() -> None:
    bucket = TokenBucket(capacity=2, rate=1.0, now=0.0)
    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 1.0, 2.0]
    assert bucket.reserve(10.0) == 0.0  # refilled, capped at capacity


@pytest.mark.parametrize(
    ("tier", "search"), [("professional", False), ("free", False), ("professional", True)]
)
def test_a_long_paced_run_meets_hubspots_own_limiter_without_a_429(tier: str, search: bool) -> None:
    """Thousands of calls against the sandbox's rolling-window limiter (same fake clock):
    no refusal, and throughput within 15 % of the bound."""
    t = FakeTime()
    server = RateLimiter(HubSpotOptions(tier=tier), clock=t.clock, wall=lambda: t.now)
    gov = governor(t, limits_for(tier))
    refused = 0
    calls = 3_000
    start = t.now
    for _ in range(calls):
        gov.acquire(search=search)
        t.now += 0.002  # latency: the server sees the call a little later
        refusal = server.admit(search=search)
        refused += refusal is not None
        headers = {} if search else server.headers(oauth=False)
        gov.observe(200 if refusal is None else 429, headers, search=search)
    elapsed = t.now - start
    bound = calls / 5.0 if search else calls / (limits_for(tier).interval_max / 10.0)
    assert refused == 0
    assert elapsed <= bound / 0.85


def test_headers_correct_the_interval_limit_and_what_is_left() -> None:
    t = FakeTime()
    gov = governor(t)
    gov.observe(
        200,
        {"X-HubSpot-RateLimit-Max": "250", "X-HubSpot-RateLimit-Remaining": "249"},
        search=False,
    )
    assert gov.limits.interval_max == 250  # an API-limit-increase pack
    gov.observe(
        200, {"X-HubSpot-RateLimit-Max": "250", "X-HubSpot-RateLimit-Remaining": "0"}, search=False
    )
    t.slept.clear()
    gov.acquire(search=False)
    assert t.slept
    assert t.slept[0] > 0


def test_a_429_empties_the_bucket_and_is_not_counted_against_the_day() -> None:
    t = FakeTime()
    gov = governor(t)
    gov.acquire(search=True)
    gov.observe(429, {}, search=True)
    assert gov.daily_used == 0
    gov.acquire(search=True)
    assert t.slept == [pytest.approx(1 / (5 * SEARCH_SAFETY))]


def test_the_daily_reserve_is_kept_for_other_integrations() -> None:
    t = FakeTime()
    gov = governor(t, Limits(190, 1_000, 5), reserve=0.2)
    gov.observe(
        200,
        {"X-HubSpot-RateLimit-Daily": "1000", "X-HubSpot-RateLimit-Daily-Remaining": "205"},
        search=False,
    )
    assert gov.daily_used == 795
    for _ in range(5):
        gov.acquire(search=False)
    with pytest.raises(BudgetExhausted) as caught:
        gov.acquire(search=False)
    assert caught.value.resets_at == datetime(2024, 5, 2, tzinfo=UTC)
    assert "estimate" in str(caught.value)
    budget = gov.budget()
    assert budget["used"] == 800
    assert budget["remaining"] == 0
    assert budget["reserve"] == 200
    assert budget["resets_at_is_estimate"] is True
    assert budget["used_source"] == "headers"


def test_the_day_rolls_over_at_midnight_utc() -> None:
    t = FakeTime()
    gov = governor(t, Limits(190, 10, 5), reserve=0.0)
    for _ in range(10):
        gov.acquire(search=False)
    with pytest.raises(BudgetExhausted):
        gov.acquire(search=False)
    t.now += 12 * 3600  # past midnight
    gov.acquire(search=False)
    assert gov.daily_used == 1


def test_search_and_the_ten_second_window_are_separate_buckets() -> None:
    t = FakeTime()
    gov = governor(t)
    for _ in range(50):
        gov.acquire(search=False)
    waited_for_search = sum(t.slept)
    gov.acquire(search=True)
    assert sum(t.slept) == waited_for_search  # the search bucket was still full


def test_search_pacing_survives_latency_jitter_without_a_429() -> None:
    """Calls reach HubSpot after a latency that varies by up to 35 ms either way: HubSpot
    must still never see a sixth search within a second."""
    rng = random.Random(5)
    t = FakeTime()
    gov = governor(t, limits_for("professional"))
    arrivals = []
    for _ in range(2_000):
        gov.acquire(search=True)
        arrivals.append(t.clock() + 0.1 + rng.uniform(-0.035, 0.035))
        t.now += 0.001
    for n in range(5, len(arrivals)):
        window = sorted(arrivals[n - 5 : n + 1])
        assert window[-1] - window[0] >= 1.0, n  # six searches span more than a second
