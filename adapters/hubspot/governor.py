"""The HubSpot API-budget governor: one per adapter, shared by every stream.

Three limits (developers.hubspot.com usage guidelines; crm-api.md §11):

- a rolling 10-second limit per app (free/starter 100, professional/enterprise 190);
- a daily limit per account (250,000 / 625,000 / 1,000,000), of which ``daily_reserve`` is
  left for the portal's other integrations;
- search: about 5 requests per second, its own limit (search responses carry no rate headers).

Pacing uses token buckets that never allow more than the limit in *any* window: a bucket of
``capacity`` tokens refilled at ``rate``/s admits at most ``capacity + rate * window`` calls
in a window, so both are chosen to stay a safety margin under the limit (90 % of it by
default; 93 % for search, see ``SEARCH_SAFETY``). A steady run therefore goes at ~90 % of
the rate-limit bound with no 429s, and the rare 429 (another app on the same portal, a
clock edge) is handled by ``Retry-After`` in ``adapters/retry.py``. Tokens are reserved in
order (a bucket may go negative), so several threads queue fairly and the sleep happens
outside the lock.

Headers correct the estimates when HubSpot sends them: ``X-HubSpot-RateLimit-Remaining`` /
``-Max`` for the 10-second window, ``-Daily`` / ``-Daily-Remaining`` for the day (these count
other integrations too). The clock, the wall clock and ``sleep`` are injected so tests do not
wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from adapters.hubspot.errors import next_midnight_utc
from connector.errors import BudgetExhausted

# tier -> (calls per 10 s, calls per day)
TIER_LIMITS: dict[str, tuple[int, int]] = {
    "free": (100, 250_000),
    "starter": (100, 250_000),
    "professional": (190, 625_000),
    "enterprise": (190, 1_000_000),
}
INTERVAL_S = 10.0
SEARCH_PER_S = 5
SAFETY = 0.9
# Search goes one call at a time (a stream reads ahead one page, never two calls at once),
# and a bucket of one token at a rate below 5/s never sends six searches within a second;
# at 93 % six searches span 1.075 s, which leaves room for +-35 ms of latency jitter, and
# a search-bound pull (the HubSpot full pull) stays within ~1.08x of the rate-limit bound.
SEARCH_SAFETY = 0.93


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; :meth:`reserve` says how long
    the caller must wait for its token (already taken)."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def reserve(self, now: float) -> float:
        self._refill(now)
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def limit_to(self, available: float, now: float) -> None:
        """The server says only ``available`` calls remain right now: believe it."""
        self._refill(now)
        self.tokens = min(self.tokens, available)

    def resize(self, capacity: float, rate: float, now: float) -> None:
        self._refill(now)
        self.capacity, self.rate = capacity, rate
        self.tokens = min(self.tokens, capacity)


@dataclass(frozen=True)
class Limits:
    interval_max: int
    daily_max: int
    search_per_s: int = SEARCH_PER_S


def limits_for(tier: str) -> Limits:
    interval, daily = TIER_LIMITS.get(tier, TIER_LIMITS["professional"])
    return Limits(interval, daily)


def _interval_bucket(limit: int, now: float, safety: float) -> tuple[float, float]:
    """(capacity, rate) so that capacity + rate * 10 s <= safety * limit, with a small burst."""
    allowed = max(limit * safety, 2.0)
    capacity = max(1.0, round(allowed * 0.02))
    return capacity, (allowed - capacity) / INTERVAL_S


class Governor:
    """Paces calls under HubSpot's limits and keeps the daily reserve."""

    def __init__(
        self,
        limits: Limits,
        *,
        daily_reserve: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        safety: float = SAFETY,
        search_safety: float = SEARCH_SAFETY,
    ) -> None:
        self.limits = limits
        self.daily_reserve = daily_reserve
        self.safety = safety
        self._sleep = sleep
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        now = clock()
        self._interval = TokenBucket(*_interval_bucket(limits.interval_max, now, safety), now)
        search_rate = limits.search_per_s * search_safety
        self._search = TokenBucket(1.0, search_rate, now)
        self._day: date = wall().date()
        self.daily_used = 0
        self.daily_from_headers = False
        self.slept_s = 0.0
        self.calls = 0

    # -- before a call ------------------------------------------------------------------
    @property
    def daily_usable(self) -> int:
        return int(self.limits.daily_max * (1.0 - self.daily_reserve))

    def acquire(self, *, search: bool) -> None:
        """Wait until one more call is within every limit; BudgetExhausted if the day's
        share (limit less the reserve) is spent."""
        with self._lock:
            self._roll_day()
            if self.daily_used >= self.daily_usable:
                resets = next_midnight_utc(self._wall())
                raise BudgetExhausted(
                    f"HubSpot daily API budget reached: {self.daily_used} of "
                    f"{self.limits.daily_max} used, {self.daily_reserve:.0%} kept for other "
                    f"integrations; resumes after about {resets:%Y-%m-%d %H:%M} UTC (estimate)",
                    resets_at=resets,
                )
            now = self._clock()
            bucket = self._search if search else self._interval
            wait = bucket.reserve(now)
            self.daily_used += 1
            self.calls += 1
        if wait > 0:
            self.slept_s += wait
            self._sleep(wait)

    def _roll_day(self) -> None:
        today = self._wall().date()
        if today != self._day:
            self._day = today
            self.daily_used = 0
            self.daily_from_headers = False

    # -- after a call -------------------------------------------------------------------
    def observe(self, status: int, headers: Mapping[str, str], *, search: bool) -> None:
        """Correct the estimates from a response's status and rate-limit headers."""
        found = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-hubspot-")}
        with self._lock:
            now = self._clock()
            if status == 429:
                # Refused calls do not count towards HubSpot's totals; the bucket is emptied
                # so the calls that follow wait for a refill instead of piling on.
                self.daily_used = max(0, self.daily_used - 1)
                (self._search if search else self._interval).limit_to(0.0, now)
            self._correct_interval(found, now)
            self._correct_daily(found)

    def _correct_interval(self, found: Mapping[str, str], now: float) -> None:
        maximum = _int(found.get("x-hubspot-ratelimit-max"))
        remaining = _int(found.get("x-hubspot-ratelimit-remaining"))
        if maximum and maximum != self.limits.interval_max:
            self.limits = Limits(maximum, self.limits.daily_max, self.limits.search_per_s)
            self._interval.resize(*_interval_bucket(maximum, now, self.safety), now)
        if remaining is not None:
            # Keep the margin we pace with: the server's last few calls are not ours to use.
            margin = (1.0 - self.safety) * self.limits.interval_max
            self._interval.limit_to(max(remaining - margin, 0.0), now)

    def _correct_daily(self, found: Mapping[str, str]) -> None:
        daily = _int(found.get("x-hubspot-ratelimit-daily"))
        remaining = _int(found.get("x-hubspot-ratelimit-daily-remaining"))
        if daily:
            self.limits = Limits(self.limits.interval_max, daily, self.limits.search_per_s)
        if daily and remaining is not None:
            self.daily_used = max(daily - remaining, 0)
            self.daily_from_headers = True

    # -- status -------------------------------------------------------------------------
    def budget(self) -> dict[str, object]:
        with self._lock:
            self._roll_day()
            resets = next_midnight_utc(self._wall())
            return {
                "used": self.daily_used,
                "limit": self.limits.daily_max,
                "reserve": self.limits.daily_max - self.daily_usable,
                "remaining": max(self.daily_usable - self.daily_used, 0),
                "resets_at": resets.isoformat(),
                "resets_at_is_estimate": True,
                "used_source": "headers" if self.daily_from_headers else "counted this run",
                "interval_limit": self.limits.interval_max,
                "interval_s": INTERVAL_S,
                "search_per_s": self.limits.search_per_s,
                "paced_s": round(self.slept_s, 3),
            }


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None
