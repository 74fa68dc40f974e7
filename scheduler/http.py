"""The daemon's HTTP endpoints: ``/healthz``, ``/metrics``, ``/status`` (JSON) and ``/``.

Starlette served by uvicorn in a background thread, bound to ``[daemon] http_host``
(127.0.0.1 by default: put a proxy in front to expose it). Handlers are plain functions,
which Starlette runs in its thread pool, so a slow store query never blocks the loop.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from scheduler.page import render_page
from scheduler.status import StatusFacts


class Health(Protocol):
    """What the endpoints ask of the daemon."""

    def health(self) -> tuple[bool, dict[str, Any]]: ...

    def status(self) -> StatusFacts: ...

    def metrics_body(self) -> tuple[bytes, str]: ...


def create_app(daemon: Health) -> Starlette:
    """The ASGI app over ``daemon``."""

    def healthz(request: Request) -> JSONResponse:
        ok, detail = daemon.health()
        return JSONResponse(detail, status_code=200 if ok else 503)

    def metrics(request: Request) -> Response:
        body, content_type = daemon.metrics_body()
        return Response(body, media_type=content_type)

    def status(request: Request) -> JSONResponse:
        return JSONResponse(daemon.status().to_json())

    def page(request: Request) -> HTMLResponse:
        ok, detail = daemon.health()
        summary = "ok" if ok else "; ".join(f"{k}: {v}" for k, v in detail.items() if v != "ok")
        return HTMLResponse(render_page(daemon.status(), healthy=ok, health_detail=summary))

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/metrics", metrics),
            Route("/status", status),
            Route("/", page),
        ]
    )


class HttpServer:
    """uvicorn on ``host:port`` in a thread; port 0 lets the OS choose (see ``port``)."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self, timeout: float = 10.0) -> HttpServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self._sock.close()
                raise RuntimeError(f"the HTTP server on {self.host}:{self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)
        self._sock.close()
