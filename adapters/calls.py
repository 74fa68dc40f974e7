"""API-call accounting: every request an adapter sends, by CRM and endpoint.

Runs record these counts; tests compare them with what the sandbox counted, so every
request (retries, token refreshes, failures) is counted once, where it is sent.
"""

from __future__ import annotations

import threading
from collections import Counter


class ApiCalls:
    """Counts calls by endpoint template and rate-limit answers, thread-safe."""

    def __init__(self, system: str) -> None:
        self.system = system
        self._lock = threading.Lock()
        self._by_endpoint: Counter[str] = Counter()
        self.rate_limited = 0
        self.retries = 0

    def count(self, endpoint: str, n: int = 1) -> None:
        with self._lock:
            self._by_endpoint[endpoint] += n

    def count_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_endpoint.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._by_endpoint.items()))
