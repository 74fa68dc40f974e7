"""What ``partnerpulse status`` and the daemon's status page show, gathered once.

Last runs, cursors per stream, the quarantine, the API budget left per CRM (from the
newest run whose detail recorded ``budget``) and when each job runs next. Both renderers
— the CLI (text or ``--json``) and the HTML page — read this one value, so they cannot
disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.config import Config
from connector.ports import Cursor
from connector.store import QuarantineEntry, RunInfo, SqlStore
from scheduler.triggers import job_specs, next_fire

RUNS_SHOWN = 10
QUARANTINE_SHOWN = 5


@dataclass(frozen=True)
class NextRun:
    """When a job fires next; ``at`` is None for a schedule that never fires again."""

    job: str
    schedule: str
    at: datetime | None


@dataclass(frozen=True)
class Budget:
    """One CRM's API budget as the run ``run_id`` last saw it."""

    crm: str
    run_id: str
    seen_at: datetime | None
    detail: dict[str, Any]

    @property
    def remaining(self) -> object:
        return self.detail.get("remaining")

    @property
    def limit(self) -> object:
        return self.detail.get("limit")


@dataclass(frozen=True)
class StatusFacts:
    """Everything status shows, for one workspace at ``now``."""

    workspace: str
    now: datetime
    runs: list[RunInfo]
    cursors: dict[tuple[str, str], Cursor]
    quarantine_open: int
    quarantine_latest: list[QuarantineEntry]
    budgets: list[Budget]
    next_runs: list[NextRun]
    quarantine_by_stream: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only (``status --json`` and ``/status``)."""
        return {
            "workspace": self.workspace,
            "now": self.now.isoformat(),
            "runs": [run_json(run) for run in self.runs],
            "cursors": [
                {
                    "connection": connection,
                    "stream": stream,
                    "modified_at": _iso(cursor.modified_at),
                    "last_id": cursor.last_id,
                    "checked_at": _iso(cursor.checked_at),
                }
                for (connection, stream), cursor in self.cursors.items()
            ],
            "quarantine": {
                "open": self.quarantine_open,
                "by_stream": self.quarantine_by_stream,
                "latest": [
                    {
                        "system": q.system,
                        "stream": q.stream,
                        "record_id": q.record_id,
                        "reason": q.reason,
                        "attempts": q.attempts,
                        "last_seen": _iso(q.last_seen),
                    }
                    for q in self.quarantine_latest
                ],
            },
            "budget": {
                b.crm: {"run_id": b.run_id, "seen_at": _iso(b.seen_at), **b.detail}
                for b in self.budgets
            },
            "next_runs": [
                {"job": n.job, "schedule": n.schedule, "at": _iso(n.at)} for n in self.next_runs
            ],
        }


def run_json(run: RunInfo) -> dict[str, Any]:
    """One run as status shows it: outcome, duration, records, API calls, rejects."""
    return {
        "id": run.id,
        "kind": run.kind,
        "host": run.host,
        "outcome": run.outcome,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "duration_s": duration_s(run),
        "records_pulled": run.records_pulled,
        "records_written": run.records_written,
        "rejects": run.rejects,
        "api_calls": sum(run.api_calls.values()),
        "api_calls_by_crm": calls_by_crm(run.api_calls),
        "error": run.error,
    }


def gather_status(
    config: Config,
    store: SqlStore,
    now: datetime,
    *,
    next_runs: list[NextRun] | None = None,
) -> StatusFacts:
    """Read status from the store; ``next_runs`` from a live scheduler, else predicted
    from ``[schedule]``."""
    runs = store.runs(limit=max(RUNS_SHOWN, 50))
    open_entries = store.quarantined()
    return StatusFacts(
        workspace=config.workspace.name,
        now=now,
        runs=runs[:RUNS_SHOWN],
        cursors=store.cursors(),
        quarantine_open=len(open_entries),
        quarantine_latest=open_entries[:QUARANTINE_SHOWN],
        quarantine_by_stream=dict(Counter(f"{q.system}/{q.stream}" for q in open_entries)),
        budgets=budgets(runs),
        next_runs=next_runs if next_runs is not None else predicted_runs(config, runs, now),
    )


def budgets(runs: list[RunInfo]) -> list[Budget]:
    """Per CRM, the budget recorded by the newest run that recorded one."""
    found: dict[str, Budget] = {}
    for run in runs:  # newest first
        recorded = run.detail.get("budget")
        if not isinstance(recorded, dict):
            continue
        for crm, detail in recorded.items():
            if crm not in found and isinstance(detail, dict):
                found[crm] = Budget(crm, run.id, run.finished_at, dict(detail))
    return [found[crm] for crm in sorted(found)]


def predicted_runs(config: Config, runs: list[RunInfo], now: datetime) -> list[NextRun]:
    """When each enabled job would run next, were a daemon running (no jitter)."""
    predicted = []
    for spec in job_specs(config.schedule):
        last = next((r.started_at for r in runs if r.kind == spec.name), None)
        at = next_fire(spec.schedule, config.schedule.timezone, now, last)
        predicted.append(NextRun(spec.name, spec.describe(), at))
    return predicted


def calls_by_crm(api_calls: dict[str, int]) -> dict[str, int]:
    """``{"system:endpoint": n}`` summed per system."""
    totals: Counter[str] = Counter()
    for key, n in api_calls.items():
        totals[key.split(":", 1)[0]] += n
    return dict(sorted(totals.items()))


def duration_s(run: RunInfo) -> float | None:
    if run.finished_at is None:
        return None
    return round((run.finished_at - run.started_at).total_seconds(), 3)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
