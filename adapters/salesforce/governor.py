"""The daily API allocation, as ``Sforce-Limit-Info`` reports it, less a reserve for others.

Every integration in an org draws on one rolling 24-hour allocation. Each response says
``api-usage=used/limit``; the governor keeps the newest figure, counts calls sent since
(so a burst without headers still counts), and refuses the next call once the usage
reaches ``limit x (1 - daily_reserve)`` — before it is sent, so the reserve stays whole.
Salesforce never says when calls free up; ``resets_at`` is an estimate and says so.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from connector.errors import BudgetExhausted

_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")
WINDOW = timedelta(hours=24)


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """``(used, limit)`` from ``api-usage=18/5000; per-app-api-usage=...``, None if absent."""
    if not header:
        return None
    found = _USAGE.search(header)
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2))


class Governor:
    """Tracks the org's API usage and stops us at the reserve line."""

    def __init__(
        self, daily_reserve: float, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.daily_reserve = daily_reserve
        self._now = now
        self._lock = threading.Lock()
        self._used: int | None = None
        self._limit: int | None = None
        self._stopped_at: datetime | None = None

    @property
    def allowance(self) -> int | None:
        """Calls the org may have used before we stop: the limit less the reserve."""
        if self._limit is None:
            return None
        return math.floor(self._limit * (1 - self.daily_reserve))

    def before_call(self, what: str) -> None:
        """Refuse to send ``what`` once usage has reached the allowance; count it otherwise."""
        with self._lock:
            allowance = self.allowance
            if self._used is not None and allowance is not None and self._used >= allowance:
                self._stopped_at = self._stopped_at or self._now()
                raise BudgetExhausted(self._message(what, allowance), resets_at=self.resets_at())
            if self._used is not None:
                self._used += 1

    def observe(self, header: str | None) -> None:
        """Take the usage a response reported (it includes that response's own call)."""
        parsed = parse_limit_info(header)
        if parsed is None:
            return
        with self._lock:
            self._used, self._limit = parsed

    def resets_at(self) -> datetime | None:
        """When enough calls should have aged out of the rolling window (an upper bound)."""
        if self._used is None:
            return None
        return (self._stopped_at or self._now()) + WINDOW

    def snapshot(self) -> dict[str, object]:
        """What ``partnerpulse status`` shows for Salesforce."""
        with self._lock:
            allowance = self.allowance
            resets = self.resets_at() if self._stopped_at else None
            return {
                "used": self._used,
                "limit": self._limit,
                "reserve": self.daily_reserve,
                "allowance": allowance,
                "remaining": None
                if allowance is None or self._used is None
                else max(allowance - self._used, 0),
                "resets_at": resets.isoformat() if resets else None,
                "resets_at_estimated": True,
                "window": "rolling 24 hours",
            }

    def _message(self, what: str, allowance: int) -> str:
        resets = self.resets_at()
        when = f"{resets:%Y-%m-%d %H:%M} UTC" if resets else "within 24 hours"
        return (
            f"Salesforce API budget reached before {what}: the org has used {self._used} of "
            f"{self._limit} daily calls and {self.daily_reserve:.0%} is kept for other "
            f"integrations (stop line {allowance}). Cursors are kept; the next run resumes. "
            f"The allocation is a rolling 24-hour window — estimated free again by {when}, "
            "sooner as day-old calls age out; lower [salesforce].daily_reserve to go on now"
        )
