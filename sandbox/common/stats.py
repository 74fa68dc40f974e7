"""Call accounting for a sandbox server: what benchmarks and tests compare against."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class CallStats:
    """Thread-safe counters of calls by method and route template, 429s, records read and written.

    ``route`` is the template, not the concrete path (``/services/data/vXX.X/query``,
    ``/crm/v3/objects/{type}/search``), so call shapes can be compared across runs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.calls: Counter[str] = Counter()
            self.statuses: Counter[int] = Counter()
            self.rate_limited = 0
            self.records_returned = 0
            self.records_written = 0
            self.by_object: Counter[str] = Counter()

    def record_call(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.calls[f"{method} {route}"] += 1
            self.statuses[status] += 1
            if status == 429:
                self.rate_limited += 1

    def add_returned(self, count: int, obj: str | None = None) -> None:
        with self._lock:
            self.records_returned += count
            if obj:
                self.by_object[f"read {obj}"] += count

    def add_written(self, count: int, obj: str | None = None) -> None:
        with self._lock:
            self.records_written += count
            if obj:
                self.by_object[f"write {obj}"] += count

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total_calls": sum(self.calls.values()),
                "calls": dict(sorted(self.calls.items())),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "rate_limited": self.rate_limited,
                "records_returned": self.records_returned,
                "records_written": self.records_written,
                "by_object": dict(sorted(self.by_object.items())),
            }
