"""One firing of a daemon job: take the lease, build the adapters, ``run_sync``, count.

This is the whole of what the daemon adds to a run: the flow itself is the same
``run_sync`` the ``sync`` command calls, with ``kind`` set to the job's name, the daemon's
stop event, and log lines instead of progress bars.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime

import structlog

from connector.cli.compose import build_adapters, close_adapters
from connector.config import Config
from connector.errors import ConnectorError, FatalError
from connector.logs import redact_text
from connector.model import System
from connector.ports import Clock
from connector.store import SqlStore
from connector.sync.engine import SyncOptions, SyncReport, run_sync
from connector.sync.pull import PullAdapter
from scheduler.locks import JobLocks
from scheduler.metrics import CrmCounters, DaemonMetrics
from scheduler.reconcile import count_drift, record_drift
from scheduler.triggers import JobSpec

log = structlog.get_logger("partnerpulse.daemon")

AdapterFactory = Callable[[Config, datetime], dict[System, PullAdapter]]


class LogProgress:
    """Progress as log lines: one per stream pulled, one per later step (debug level)."""

    def __init__(self) -> None:
        self._stream: str | None = None
        self._records = 0

    def stream_started(self, system: str, stream: str, expected: int | None) -> None:
        self._flush()
        self._stream, self._records = f"{system}/{stream}", 0

    def advanced(self, system: str, stream: str, records: int) -> None:
        self._records += records

    def step(self, name: str, detail: str = "") -> None:
        self._flush()
        log.debug("step", step=name, detail=detail)

    def _flush(self) -> None:
        if self._stream is not None:
            log.debug("stream pulled", stream=self._stream, records=self._records)
            self._stream = None


class SyncJob:
    """Callable the scheduler fires; ``idle`` is clear while a run is in progress."""

    def __init__(
        self,
        spec: JobSpec,
        *,
        config: Config,
        store: SqlStore,
        locks: JobLocks,
        metrics: DaemonMetrics,
        stop: threading.Event,
        clock: Clock,
        adapters: AdapterFactory = build_adapters,
    ) -> None:
        self.spec = spec
        self.config = config
        self.store = store
        self.locks = locks
        self.metrics = metrics
        self.stop = stop
        self.clock = clock
        self.adapters = adapters
        self.idle = threading.Event()
        self.idle.set()
        self.last_report: SyncReport | None = None

    def __call__(self) -> None:
        # Busy before looking at ``stop``: a shutdown that saw this job idle has already
        # set ``stop``, so a firing that slipped past it returns here without a run.
        self.idle.clear()
        try:
            if self.stop.is_set():
                return
            with structlog.contextvars.bound_contextvars(job=self.spec.name):
                self._leased()
        finally:
            self.idle.set()

    def _leased(self) -> None:
        with self.locks.hold(self.spec.name) as held:
            if not held:
                log.info("skipped: another replica holds it")
                self.metrics.skipped.labels(job=self.spec.name).inc()
                return
            self._run()

    def _run(self) -> None:
        name = self.spec.name
        try:
            adapters = self.adapters(self.config, self.clock.now())
        except ConnectorError as exc:
            log.error("job not started", error=redact_text(str(exc)))
            self.metrics.job_errors.labels(job=name).inc()
            return
        report: SyncReport | None = None
        outcome = "failed"
        try:
            report = run_sync(
                self.config,
                adapters=adapters,
                store=self.store,
                clock=self.clock,
                options=SyncOptions(full=self.spec.full, kind=name),
                progress=LogProgress(),
                stop=self.stop,
            )
            if self.spec.full and report.outcome in ("ok", "rejected"):
                self._drift(adapters, report.run_id)
        except ConnectorError as exc:
            # run_sync has recorded the run with this outcome; the daemon lives on.
            outcome = "stopped" if isinstance(exc, FatalError) else "failed"
            log.error("run ended with an error", outcome=outcome, error=redact_text(str(exc)))
        except Exception:
            log.error("run failed", outcome=outcome, exc_info=True)
        finally:
            counters = _counters(adapters)
            close_adapters(adapters)
        if report is None:
            self.metrics.observe_failure(name, outcome, counters)
            return
        self.last_report = report
        self.metrics.observe(name, report, counters)

    def _drift(self, adapters: dict[System, PullAdapter], run_id: str) -> None:
        """After a full reconcile: CRM counts against the store, into the run's detail."""
        try:
            drift = count_drift(adapters, self.store)
            calls = {
                f"{system}:{endpoint}": n
                for system, adapter in adapters.items()
                for endpoint, n in adapter.calls.snapshot().items()
            }
            record_drift(self.store, run_id, drift, api_calls=calls)
        except Exception as exc:
            log.warning("drift check failed", error=redact_text(f"{type(exc).__name__}: {exc}"))
            return
        self.metrics.observe_drift(drift)


def _counters(adapters: Mapping[System, PullAdapter]) -> dict[str, CrmCounters]:
    """Calls, 429s and budget left per CRM, read from the adapters after the run."""
    counters: dict[str, CrmCounters] = {}
    for system, adapter in adapters.items():
        remaining: float | None = None
        budget = getattr(adapter, "budget", None)
        if callable(budget):
            try:
                value = budget().get("remaining")
            except Exception:  # a budget that cannot be read is not worth failing a job
                value = None
            remaining = float(value) if isinstance(value, int | float) else None
        counters[system] = CrmCounters(
            calls=adapter.calls.total,
            rate_limited=int(getattr(adapter.calls, "rate_limited", 0)),
            budget_remaining=remaining,
        )
    return counters
