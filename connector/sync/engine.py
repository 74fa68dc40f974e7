"""``run_sync``: pull, link, score, plan, apply — once from the CLI, on a timer from the daemon."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from connector.config import Config
from connector.errors import ConnectorError, ExitCode, FatalError
from connector.logs import bind_run, redact_text, unbind_run
from connector.model import System
from connector.planning import WritebackReport, plan_and_apply_step
from connector.ports import Clock
from connector.scoring import ScoredPartner
from connector.store import SqlStore
from connector.sync.progress import Progress, SilentProgress
from connector.sync.pull import PullAdapter, PullResult, pull_all
from connector.sync.steps import link_step, score_step

log = structlog.get_logger("partnerpulse.sync")


@dataclass(frozen=True)
class SyncOptions:
    """How one run goes: ``full`` reconciles, ``dry_run`` writes nothing to a CRM and keeps no
    snapshot, ``as_of`` scores as of another date, ``approve`` lifts the blast-radius guard."""

    full: bool = False
    dry_run: bool = False
    as_of: datetime | None = None
    approve: bool = False
    kind: str = "sync"


@dataclass
class SyncReport:
    """What a run did, for the CLI summary, the runs table, status and metrics."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = "running"
    pull: PullResult = field(default_factory=PullResult)
    links_changed: int = 0
    scored: list[ScoredPartner] = field(default_factory=list)
    writeback: WritebackReport | None = None
    api_calls: dict[str, int] = field(default_factory=dict)  # "system:endpoint" -> calls
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    exit_code: ExitCode = ExitCode.OK

    def keep_writeback(self, writeback: WritebackReport) -> None:
        self.writeback = writeback

    @property
    def rejects(self) -> int:
        """Records quarantined by the pull plus writes a CRM refused."""
        return self.pull.rejects + (self.writeback.rejects if self.writeback else 0)

    @property
    def written(self) -> int:
        return self.writeback.written if self.writeback else 0

    @property
    def duration_s(self) -> float:
        end = self.finished_at or self.started_at
        return (end - self.started_at).total_seconds()


def run_sync(
    config: Config,
    *,
    adapters: Mapping[System, PullAdapter],
    store: SqlStore,
    clock: Clock,
    options: SyncOptions = SyncOptions(),
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> SyncReport:
    """Run the whole flow once. Errors that end the run are recorded, then re-raised."""
    progress = progress or SilentProgress()
    stop = stop or threading.Event()
    started = clock.now()
    host = socket.gethostname()
    store.abandon_dead_runs(host)
    report = SyncReport(
        run_id=store.start_run(options.kind, host, pid=os.getpid()), started_at=started
    )
    bind_run(report.run_id)
    log.info("run started", kind=options.kind, full=options.full)
    try:
        report.pull = pull_all(
            adapters,
            store,
            run_id=report.run_id,
            now=started,
            full=options.full,
            progress=progress,
            stop=stop,
            result=report.pull,
        )
        report.notes.extend(report.pull.notes)
        if not report.pull.stopped:
            progress.step("link")
            report.links_changed = link_step(store, config)
            progress.step("score")
            as_of = options.as_of or started
            report.scored = score_step(store, config, as_of)
            progress.step("write" if not options.dry_run else "plan")
            # Saves the snapshots itself, after the plan is in the ledger, so a crash
            # between the two cannot lose a grade or tier transition's task. The report is
            # kept as soon as applying starts: a run stopped by one CRM (budget, auth)
            # still records what the other wrote.
            report.writeback = plan_and_apply_step(
                config,
                report.scored,
                store,
                adapters,
                run_id=report.run_id,
                as_of=as_of,
                dry_run=options.dry_run,
                approve=options.approve,
                applying=report.keep_writeback,
            )
        report.outcome = _outcome(report)
        report.exit_code = ExitCode.REJECTED if report.outcome == "rejected" else ExitCode.OK
    except ConnectorError as exc:
        report.outcome = "stopped" if isinstance(exc, FatalError) else "failed"
        report.error = redact_text(str(exc))
        report.exit_code = exc.exit_code
        raise
    except BaseException as exc:
        report.outcome = "failed"
        report.error = redact_text(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        _finish(report, adapters, store, clock)
        unbind_run()
    return report


def _outcome(report: SyncReport) -> str:
    if report.pull.stopped:
        return "interrupted"
    return "rejected" if report.rejects else "ok"


def _budgets(adapters: Mapping[System, PullAdapter]) -> dict[str, object]:
    """What each CRM's allocation looks like after the run, for status and metrics."""
    budgets: dict[str, object] = {}
    for system, adapter in adapters.items():
        try:
            budgets[system] = adapter.budget()
        except ConnectorError as exc:  # a budget we cannot read must not fail a finished run
            budgets[system] = {"error": redact_text(str(exc))}
    return budgets


def _finish(
    report: SyncReport, adapters: Mapping[System, PullAdapter], store: SqlStore, clock: Clock
) -> None:
    report.finished_at = clock.now()
    report.api_calls = {
        f"{system}:{endpoint}": n
        for system, adapter in adapters.items()
        for endpoint, n in adapter.calls.snapshot().items()
    }
    store.finish_run(
        report.run_id,
        outcome=report.outcome,
        records_pulled=report.pull.records,
        records_written=report.written,
        rejects=report.rejects,
        api_calls=report.api_calls,
        detail={
            "pulled": dict(report.pull.pulled),
            "deleted": dict(report.pull.deleted),
            "quarantined": dict(report.pull.quarantined),
            "full_streams": report.pull.full_streams,
            "links_changed": report.links_changed,
            "scored": len(report.scored),
            "notes": report.notes,
            "writeback": report.writeback.summary() if report.writeback else None,
            "budget": _budgets(adapters),
            "rate_limited": {
                system: int(getattr(adapter.calls, "rate_limited", 0))
                for system, adapter in adapters.items()
            },
        },
        error=report.error,
    )
    log.info(
        "run finished",
        outcome=report.outcome,
        records=report.pull.records,
        rejects=report.rejects,
        written=report.written,
        duration_s=round(report.duration_s, 2),
    )
