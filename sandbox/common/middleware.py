"""ASGI middleware shared by both sandbox CRMs: latency, transport faults, call accounting.

Everything under ``/__sandbox/`` (stats, fault control, test hooks) passes through
untouched: it is the sandbox's own back door, not CRM API, and is never counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.common.faults import FaultPlan
from sandbox.common.stats import CallStats

ADMIN_PREFIX = "/__sandbox/"


class ConnectionDropped(Exception):
    """Raised after the response has started, so uvicorn closes the socket mid-response."""


class SandboxMiddleware:
    """Wraps one CRM app.

    ``route_of`` maps a concrete path to its route template for accounting.
    ``fault_response`` builds the CRM's own response for ``429``, ``429-no-retry-after``,
    ``500`` and ``503`` (bodies and headers differ between Salesforce and HubSpot).
    ``latency_ms`` may be changed at run time through :attr:`latency_ms`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        stats: CallStats,
        faults: FaultPlan,
        route_of: Callable[[str], str],
        fault_response: Callable[[str], Response],
        latency_ms: float = 0.0,
    ) -> None:
        self.app = app
        self.stats = stats
        self.faults = faults
        self.route_of = route_of
        self.fault_response = fault_response
        self.latency_ms = latency_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        route = self.route_of(path)
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)
        kind = self.faults.draw_transport()
        if kind == "slow":
            await asyncio.sleep(self.faults.rates.slow_ms / 1000)
        elif kind == "timeout":
            await asyncio.sleep(self.faults.rates.timeout_ms / 1000)
        elif kind == "reset":
            self.stats.record_call(method, route, 0)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"4096")],
                }
            )
            raise ConnectionDropped(route)
        elif kind is not None:
            response = self.fault_response(kind)
            self.stats.record_call(method, route, response.status_code)
            await response(scope, receive, send)
            return

        recorded = False

        async def counting_send(message: Message) -> None:
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                # Counted before the client can read the answer, so a client that
                # compares its own count with the stats never sees one call missing.
                recorded = True
                self.stats.record_call(method, route, int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if not recorded:
                self.stats.record_call(method, route, 500)
