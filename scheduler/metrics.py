"""Prometheus metrics of the daemon, in a registry of its own, updated from each run.

Counters count this process's runs only; the runs table is the history across restarts
and replicas. ``partnerpulse_runs_total`` is incremented once per run the daemon started,
after the run's row is finished, so it always matches that process's rows by outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from connector.sync.engine import SyncReport

_DURATION_BUCKETS = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


@dataclass(frozen=True)
class CrmCounters:
    """What metrics read from an adapter after a run: calls sent, 429s, budget left."""

    calls: int = 0
    rate_limited: int = 0
    budget_remaining: float | None = None


class DaemonMetrics:
    """The daemon's metrics; :meth:`render` is the ``/metrics`` body."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.runs = Counter(
            "partnerpulse_runs", "Runs by job and outcome.", ["job", "outcome"], registry=r
        )
        self.skipped = Counter(
            "partnerpulse_jobs_skipped",
            "Job firings skipped because another replica held the job.",
            ["job"],
            registry=r,
        )
        self.job_errors = Counter(
            "partnerpulse_job_errors",
            "Job firings that failed before a run could start (adapters, store).",
            ["job"],
            registry=r,
        )
        self.pulled = Counter(
            "partnerpulse_records_pulled",
            "Records pulled, by system/stream.",
            ["stream"],
            registry=r,
        )
        self.written = Counter(
            "partnerpulse_records_written", "Writes a CRM confirmed.", ["job"], registry=r
        )
        self.rejects = Counter(
            "partnerpulse_rejects",
            "Records quarantined plus writes a CRM refused.",
            ["job"],
            registry=r,
        )
        self.api_calls = Counter(
            "partnerpulse_api_calls", "API calls sent, by CRM.", ["crm"], registry=r
        )
        self.rate_limited = Counter(
            "partnerpulse_api_rate_limited",
            "429 (rate-limited) answers, by CRM.",
            ["crm"],
            registry=r,
        )
        self.budget = Gauge(
            "partnerpulse_api_budget_remaining",
            "API calls left in the CRM's daily allocation (after our reserve), as last seen.",
            ["crm"],
            registry=r,
        )
        self.last_success = Gauge(
            "partnerpulse_last_success_timestamp_seconds",
            "When a run of this job last finished ok (or with rejects only).",
            ["job"],
            registry=r,
        )
        self.duration = Histogram(
            "partnerpulse_run_duration_seconds",
            "Run duration, by job.",
            ["job"],
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.drift = Gauge(
            "partnerpulse_reconcile_drift",
            "Records the CRM holds minus records the store holds, per stream group, at the "
            "last full reconcile.",
            ["stream"],
            registry=r,
        )

    def observe(self, job: str, report: SyncReport, crms: Mapping[str, CrmCounters]) -> None:
        """Count a finished run (any outcome) from its report."""
        self.runs.labels(job=job, outcome=report.outcome).inc()
        for stream, n in report.pull.pulled.items():
            self.pulled.labels(stream=stream).inc(n)
        self.written.labels(job=job).inc(report.written)
        self.rejects.labels(job=job).inc(report.rejects)
        self.duration.labels(job=job).observe(report.duration_s)
        self._crms(crms)
        if report.outcome in ("ok", "rejected") and report.finished_at is not None:
            self.last_success.labels(job=job).set(report.finished_at.timestamp())

    def observe_failure(self, job: str, outcome: str, crms: Mapping[str, CrmCounters]) -> None:
        """Count a run that raised: run_sync recorded it with ``outcome`` and re-raised."""
        self.runs.labels(job=job, outcome=outcome).inc()
        self._crms(crms)

    def observe_drift(self, drift: Mapping[str, int]) -> None:
        for stream, difference in drift.items():
            self.drift.labels(stream=stream).set(difference)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def _crms(self, crms: Mapping[str, CrmCounters]) -> None:
        for crm, seen in crms.items():
            self.api_calls.labels(crm=crm).inc(seen.calls)
            self.rate_limited.labels(crm=crm).inc(seen.rate_limited)
            if seen.budget_remaining is not None:
                self.budget.labels(crm=crm).set(seen.budget_remaining)
