"""``partnerpulse run``: the daemon — the config's jobs on a timer, health and metrics
over HTTP, and a graceful stop.

Jobs run one at a time in a single worker thread (the incremental cycle never races the
reconcile inside one process); across replicas the job leases in :mod:`scheduler.locks`
keep each job to one replica at a time. SIGTERM or SIGINT sets the stop event every run
watches: the current page commits, the run is recorded "interrupted", and the process
exits within ``[daemon] shutdown_timeout_s``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime
from types import FrameType
from typing import Any

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from connector.cli.compose import WallClock, build_adapters
from connector.config import Config
from connector.errors import ConfigError
from connector.logs import redact_text
from connector.ports import Clock
from connector.store import SqlStore
from scheduler.http import HttpServer, create_app
from scheduler.jobs import AdapterFactory, SyncJob
from scheduler.locks import JobLocks, locks_for
from scheduler.metrics import DaemonMetrics
from scheduler.status import NextRun, StatusFacts, gather_status
from scheduler.triggers import build_trigger, job_specs

log = structlog.get_logger("partnerpulse.daemon")

FIRST_RUN_AT_START = "incremental"


class Daemon:
    """The scheduler, its jobs, the HTTP server and the stop event, for one config."""

    def __init__(
        self,
        config: Config,
        store: SqlStore,
        *,
        clock: Clock | None = None,
        adapters: AdapterFactory = build_adapters,
        locks: JobLocks | None = None,
    ) -> None:
        if not config.systems():
            raise ConfigError("no CRM is enabled (set enabled = true in [salesforce] or [hubspot])")
        for spec in job_specs(config.schedule):
            if not spec.schedule.every and not spec.schedule.cron:
                raise ConfigError(
                    f'[schedule.{spec.name}]: set `every` (e.g. "5m") or `cron`, '
                    "or `enabled = false`"
                )
        self.config = config
        self.store = store
        self.clock: Clock = clock or WallClock()
        self.stop = threading.Event()
        self.metrics = DaemonMetrics()
        locks = locks or locks_for(store.engine, config.workspace.name, config.systems())
        self.jobs = [
            SyncJob(
                spec,
                config=config,
                store=store,
                locks=locks,
                metrics=self.metrics,
                stop=self.stop,
                clock=self.clock,
                adapters=adapters,
            )
            for spec in job_specs(config.schedule)
        ]
        self.scheduler = BackgroundScheduler(
            timezone=config.schedule.timezone,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
        )
        self.http: HttpServer | None = None

    def start(self) -> None:
        """Schedule the jobs (the incremental cycle once right away) and serve HTTP."""
        timezone = self.config.schedule.timezone
        for job in self.jobs:
            schedule = job.spec.schedule
            extra: dict[str, Any] = {}
            if job.spec.name == FIRST_RUN_AT_START:
                extra["next_run_time"] = self.clock.now()
            self.scheduler.add_job(
                job,
                trigger=build_trigger(schedule, timezone),
                id=job.spec.name,
                name=job.spec.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=schedule.misfire_grace_s,
                **extra,
            )
        daemon = self.config.daemon
        try:
            self.http = HttpServer(create_app(self), host=daemon.http_host, port=daemon.http_port)
        except OSError as exc:
            raise ConfigError(
                f"[daemon] http_host/http_port: cannot listen on "
                f"{daemon.http_host}:{daemon.http_port}: {exc.strerror or exc}"
            ) from None
        self.http.start()
        self.scheduler.start()
        log.info(
            "daemon started",
            workspace=self.config.workspace.name,
            http=f"http://{self.http.host}:{self.http.port}/",
            jobs=[f"{j.spec.name}: {j.spec.describe()}" for j in self.jobs],
        )

    def serve_until_signalled(self) -> bool:
        """Run until SIGTERM/SIGINT, then shut down; True when the stop was clean."""
        requested = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if not requested.is_set():
                log.info("stop requested", signal=signal.Signals(signum).name)
            requested.set()
            self.stop.set()  # at once: the running job stops at its next page

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not requested.wait(0.5):
                pass
        finally:
            clean = self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return clean

    def shutdown(self) -> bool:
        """Stop scheduling, let the running job commit its page and finish, stop HTTP.
        Returns False when a job was still running at ``shutdown_timeout_s``."""
        timeout = self.config.daemon.shutdown_timeout_s
        deadline = time.monotonic() + timeout - min(2.0, timeout * 0.2)  # room to exit
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        clean = all(job.idle.wait(max(deadline - time.monotonic(), 0)) for job in self.jobs)
        if self.http is not None:
            self.http.stop(timeout=max(min(deadline - time.monotonic(), 5), 0.5))
        if clean:
            log.info("daemon stopped")
        else:
            busy = [job.spec.name for job in self.jobs if not job.idle.is_set()]
            log.error(
                "shutdown timed out; the running job is abandoned",
                jobs=busy,
                timeout_s=self.config.daemon.shutdown_timeout_s,
            )
        return clean

    # What the HTTP endpoints ask (scheduler.http.Health).

    def health(self) -> tuple[bool, dict[str, Any]]:
        running = self.scheduler.running and not self.stop.is_set()
        store = self._store_health()
        detail: dict[str, Any] = {
            "status": "ok" if running and store == "ok" else "unhealthy",
            "scheduler": "running" if running else "stopped",
            "store": store,
            "jobs": {run.job: _iso(run.at) for run in self._next_runs()},
        }
        return running and store == "ok", detail

    def status(self) -> StatusFacts:
        return gather_status(self.config, self.store, self.clock.now(), next_runs=self._next_runs())

    def metrics_body(self) -> tuple[bytes, str]:
        return self.metrics.render(), self.metrics.content_type

    def _store_health(self) -> str:
        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            return "unreachable: " + redact_text(first[0] if first else type(exc).__name__)
        return "ok"

    def _next_runs(self) -> list[NextRun]:
        runs = []
        for job in self.jobs:
            scheduled = self.scheduler.get_job(job.spec.name) if self.scheduler.running else None
            at = getattr(scheduled, "next_run_time", None) if scheduled else None
            runs.append(NextRun(job.spec.name, job.spec.describe(), at))
        return runs


class _ToStructlog(logging.Handler):
    """Library records (APScheduler, uvicorn) as structlog lines: JSON logs stay JSON."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            extra: dict[str, Any] = {"logger": record.name}
            if record.exc_info:
                extra["exc_info"] = record.exc_info
            structlog.get_logger(record.name).log(record.levelno, record.getMessage(), **extra)
        except Exception:
            self.handleError(record)


def route_library_logs() -> None:
    """Send the standard library's log records through structlog (after ``configure``)."""
    logging.getLogger().handlers = [_ToStructlog()]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
