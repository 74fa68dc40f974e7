"""HubSpot's request limits: a rolling 10-second window, a daily count, a per-second search limit.

Choices (docs: developers.hubspot.com usage guidelines; details marked [unverified] in
crm-api.md §11):
- The 10-second window and the daily count cover every authenticated API call except search;
  search has its own rolling 1-second window (default 5) and counts towards the daily total.
- The daily count resets at midnight UTC (the portal's time zone is UTC).
- A refused call is not counted.
- ``Retry-After`` (whole seconds): sent for TEN_SECONDLY_ROLLING (until the oldest call in the
  window ages out) and SECONDLY (1); not for DAILY. HubSpot does not always send it (airbyte
  source-hubspot BEHAVIOR.md §9), so ``HubSpotOptions.retry_after_on_429=False`` drops it, and
  the ``429-no-retry-after`` fault exercises its absence.
- Headers (``X-HubSpot-RateLimit-*``) go on non-search responses only; the daily pair is left
  out for OAuth-authorised calls (HubSpot changelog "Rate limit headers will now appear for OAuth
  authenticated calls").
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.hubspot.options import HubSpotOptions

WINDOW_S = 10.0
SEARCH_WINDOW_S = 1.0


@dataclass(frozen=True)
class Refusal:
    policy: str  # TEN_SECONDLY_ROLLING, DAILY, SECONDLY
    group: str
    retry_after: int | None


class RateLimiter:
    def __init__(
        self,
        options: HubSpotOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.enabled = options.rate_limits
        self.window_max = options.ten_secondly_max
        self.daily_limit = options.daily_max
        self.search_max = options.search_per_second
        self.retry_after = options.retry_after_on_429
        self.hub_id = options.hub_id
        self._clock = clock
        self._wall = wall
        self._window: deque[float] = deque()
        self._search: deque[float] = deque()
        self.daily_used = 0
        self._day = self._today()

    def _today(self) -> int:
        return int(self._wall() // 86_400)

    def _roll(self, now: float) -> None:
        while self._window and now - self._window[0] >= WINDOW_S:
            self._window.popleft()
        while self._search and now - self._search[0] >= SEARCH_WINDOW_S:
            self._search.popleft()
        today = self._today()
        if today != self._day:
            self._day = today
            self.daily_used = 0

    def admit(self, search: bool, group_kind: str = "private-app") -> Refusal | None:
        """Count one call, or say which limit refuses it."""
        now = self._clock()
        self._roll(now)
        if self.enabled:
            if self.daily_used >= self.daily_limit:
                return Refusal(
                    "DAILY", f"publicapi:{group_kind}-api-calls-daily:{self.hub_id}", None
                )
            if search and len(self._search) >= self.search_max:
                wait = 1 if self.retry_after else None
                return Refusal(
                    "SECONDLY", f"publicapi:search-api-calls-secondly:{self.hub_id}", wait
                )
            if not search and len(self._window) >= self.window_max:
                wait = None
                if self.retry_after:
                    wait = max(1, math.ceil(WINDOW_S - (now - self._window[0])))
                group = f"publicapi:{group_kind}-api-calls-ten-secondly:{self.hub_id}"
                return Refusal("TEN_SECONDLY_ROLLING", group, wait)
        self.daily_used += 1
        (self._search if search else self._window).append(now)
        return None

    def spend_daily(self) -> Refusal:
        """The refusal a spent daily allocation gives (the ``daily-limit`` fault)."""
        return Refusal("DAILY", f"publicapi:private-app-api-calls-daily:{self.hub_id}", None)

    def headers(self, oauth: bool) -> dict[str, str]:
        self._roll(self._clock())
        out = {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_S * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.window_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.window_max - len(self._window))),
        }
        if not oauth:
            out["X-HubSpot-RateLimit-Daily"] = str(self.daily_limit)
            out["X-HubSpot-RateLimit-Daily-Remaining"] = str(
                max(0, self.daily_limit - self.daily_used)
            )
        return out

    def set_daily(self, limit: int | None = None, used: int | None = None) -> None:
        if limit is not None:
            self.daily_limit = limit
        if used is not None:
            self.daily_used = used

    def snapshot(self) -> dict[str, int | bool]:
        self._roll(self._clock())
        return {
            "daily_used": self.daily_used,
            "daily_limit": self.daily_limit,
            "ten_secondly_used": len(self._window),
            "ten_secondly_limit": self.window_max,
            "search_secondly_used": len(self._search),
            "search_secondly_limit": self.search_max,
            "rate_limits_enabled": self.enabled,
        }
