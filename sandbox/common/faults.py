"""Fault injection for the sandbox CRMs, reproducible by seed.

A fault spec names, per system, how often each kind of fault happens::

    salesforce.429=0.05,salesforce.503=0.02,hubspot.reset=0.02,*.token-expiry=300

``*`` applies to both systems. Rates are probabilities per request (0..1), except
``token-expiry`` (every N calls, the current token dies) and ``slow`` / ``timeout``
whose optional ``-ms`` companions set the delay (``salesforce.slow-ms=300``).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

SYSTEMS = ("salesforce", "hubspot")

# Faults drawn per request by the middleware, before the app sees the request.
TRANSPORT_KINDS = ("429", "429-no-retry-after", "500", "503", "reset", "timeout", "slow")
# Faults the app applies itself, because only it knows the protocol detail.
APP_KINDS = ("partial-batch", "query-timeout", "malformed-json", "daily-limit")
RATE_KINDS = TRANSPORT_KINDS + APP_KINDS
COUNT_KINDS = ("token-expiry",)
DELAY_KINDS = ("slow-ms", "timeout-ms")
ALL_KINDS = RATE_KINDS + COUNT_KINDS + DELAY_KINDS

DEFAULT_SLOW_MS = 300.0
DEFAULT_TIMEOUT_MS = 30_000.0


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed; the message names the bad part."""


@dataclass(frozen=True)
class FaultRates:
    """Fault settings for one system."""

    rates: Mapping[str, float] = field(default_factory=dict)
    token_expiry_every: int | None = None
    slow_ms: float = DEFAULT_SLOW_MS
    timeout_ms: float = DEFAULT_TIMEOUT_MS

    def rate(self, kind: str) -> float:
        return self.rates.get(kind, 0.0)


def parse_fault_spec(spec: str) -> dict[str, FaultRates]:
    """Parse ``system.kind=value,...`` into settings per system (both systems always present)."""
    raw: dict[str, dict[str, float]] = {s: {} for s in SYSTEMS}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        system, dot, kind = key.strip().partition(".")
        if not sep or not dot:
            raise FaultSpecError(f"fault {part!r}: expected system.kind=value")
        if system not in (*SYSTEMS, "*"):
            raise FaultSpecError(f"fault {part!r}: system must be salesforce, hubspot or *")
        if kind not in ALL_KINDS:
            raise FaultSpecError(
                f"fault {part!r}: unknown kind {kind!r}; known: {', '.join(ALL_KINDS)}"
            )
        try:
            number = float(value)
        except ValueError:
            raise FaultSpecError(f"fault {part!r}: {value!r} is not a number") from None
        if kind in RATE_KINDS and not 0.0 <= number <= 1.0:
            raise FaultSpecError(f"fault {part!r}: a rate must lie between 0 and 1")
        if number < 0:
            raise FaultSpecError(f"fault {part!r}: must not be negative")
        for target in SYSTEMS if system == "*" else (system,):
            raw[target][kind] = number
    return {system: _rates(values) for system, values in raw.items()}


def _rates(values: dict[str, float]) -> FaultRates:
    every = values.get("token-expiry")
    return FaultRates(
        rates={k: v for k, v in values.items() if k in RATE_KINDS},
        token_expiry_every=int(every) if every else None,
        slow_ms=values.get("slow-ms", DEFAULT_SLOW_MS),
        timeout_ms=values.get("timeout-ms", DEFAULT_TIMEOUT_MS),
    )


class FaultPlan:
    """Draws faults for one system's server; thread-safe, reproducible for a seed.

    The middleware calls :meth:`draw_transport` once per API request. Apps call
    :meth:`draw` for the protocol-level kinds (``partial-batch`` once per batch item,
    ``query-timeout`` once per query, ...) and :meth:`tick_token` once per
    authenticated call: it returns True when the caller's token must now be treated
    as expired.
    """

    def __init__(self, rates: FaultRates | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._rates = rates or FaultRates()
        self._calls = 0
        self.injected: dict[str, int] = {}

    @property
    def rates(self) -> FaultRates:
        return self._rates

    def replace(self, rates: FaultRates, seed: int | None = None) -> None:
        """Change the settings at run time (tests turn faults on and off mid-run)."""
        with self._lock:
            self._rates = rates
            self._calls = 0
            if seed is not None:
                self._random = random.Random(seed)

    def draw_transport(self) -> str | None:
        """One draw for a request: a transport-level kind, or None."""
        with self._lock:
            roll = self._random.random()
            for kind in TRANSPORT_KINDS:
                rate = self._rates.rate(kind)
                if roll < rate:
                    self._count(kind)
                    return kind
                roll -= rate
            return None

    def draw(self, kind: str) -> bool:
        """One draw for an app-level kind: True when the fault should happen now."""
        with self._lock:
            if self._random.random() < self._rates.rate(kind):
                self._count(kind)
                return True
            return False

    def tick_token(self) -> bool:
        """Count an authenticated call; True every ``token-expiry`` calls."""
        every = self._rates.token_expiry_every
        with self._lock:
            self._calls += 1
            if every and self._calls % every == 0:
                self._count("token-expiry")
                return True
            return False

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1
