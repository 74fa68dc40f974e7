"""``plan_and_apply_step``: the write-back part of ``run_sync``, after scoring.

1. read the plan's inputs from the store (the pull has just refreshed the live values);
2. settle what a crashed run left in flight (:mod:`connector.planning.settle`);
3. build the plan (pure);
4. check the blast-radius guard;
5. apply: ledger, save the snapshots, send, settle the answers.

A dry run stops after 4 and stores nothing — no ledger entry, no snapshot; settling
only reads (the CRM is asked for in-flight task keys so the plan shown is the one a
sync would make) and a guard breach is reported instead of raised. When the guard
refuses a run, nothing is stored either, snapshots included: the rerun with
``--approve`` sees the same transitions and plans the same tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from connector.config import Config
from connector.errors import ConfigError
from connector.model import System
from connector.operations import OperationResult
from connector.planning.apply import ApplyResult, apply_plan
from connector.planning.gather import gather_inputs
from connector.planning.guard import blast_radius, check_blast_radius
from connector.planning.plan import Plan
from connector.planning.planner import build_plan
from connector.planning.ports import WritebackAdapter
from connector.planning.settle import settle, settled_inputs
from connector.scoring import ScoredPartner
from connector.store import SqlStore

log = structlog.get_logger("partnerpulse.writeback")


@dataclass
class WritebackReport:
    """What the write-back step did: the plan, what settling found, what applying did.

    ``applied`` is ``None`` in a dry run. ``guard`` says why the plan is above the blast-
    radius guard (a dry run reports it; a real run raised unless approved).
    """

    plan: Plan
    settled: list[OperationResult] = field(default_factory=list)
    applied: ApplyResult | None = None
    guard: str | None = None

    @property
    def rejects(self) -> int:
        return len(self.applied.rejected) if self.applied else 0

    @property
    def written(self) -> int:
        return self.applied.done if self.applied else 0

    def summary(self) -> dict[str, object]:
        """For the runs table: counts, not contents."""
        applied = self.applied or ApplyResult()
        return {
            "planned": dict(self.plan.counts()),
            "kept": len(self.plan.kept),
            "partners_touched": len(self.plan.touched()),
            "settled": len(self.settled),
            "done": applied.done,
            "skipped": applied.skipped,
            "rejected": len(applied.rejected),
            "deferred": len(applied.deferred),
            "unanswered": len(applied.unanswered),
            "guard": self.guard,
        }


def writeback_adapters(adapters: Mapping[System, object]) -> dict[System, WritebackAdapter]:
    """``adapters`` as write-back sees them; one without ``apply``/``find_tasks`` is a
    config error naming the CRM."""
    found: dict[System, WritebackAdapter] = {}
    for system, adapter in adapters.items():
        if not isinstance(adapter, WritebackAdapter):
            raise ConfigError(
                f"the {system} adapter cannot write back (it has no apply/find_tasks) — "
                "set [writeback] enabled = false to sync without writing"
            )
        found[system] = adapter
    return found


def plan_and_apply_step(
    config: Config,
    scored: Sequence[ScoredPartner],
    store: SqlStore,
    adapters: Mapping[System, object],
    *,
    run_id: str,
    as_of: datetime,
    dry_run: bool = False,
    approve: bool = False,
    applying: Callable[[WritebackReport], None] | None = None,
) -> WritebackReport:
    """Plan the run's writes and, unless ``dry_run``, apply them; saves the snapshots
    of ``scored`` in order with the ledger (see :func:`connector.planning.apply_plan`).

    Each adapter must implement :class:`WritebackAdapter` unless write-back is disabled
    (then only the snapshots are saved).
    """

    def save_snapshots() -> None:
        store.save_snapshots([s.snapshot for s in scored], run_id)

    if not config.writeback.enabled:
        if not dry_run:
            save_snapshots()
        return WritebackReport(
            Plan(as_of, partners_total=sum(not s.snapshot.churned for s in scored))
        )
    writers = writeback_adapters(adapters)
    inputs = gather_inputs(
        store, scored, as_of=as_of, systems=writers.keys(), playbooks=config.playbooks
    )
    in_flight = store.ledger_in_flight()
    settlement = settle(in_flight, inputs, writers)
    if settlement.results:
        log.info(
            "settled writes left in flight",
            found=settlement.found,
            missing=len(settlement.results) - settlement.found,
            left=len(settlement.left),
        )
        if not dry_run:
            store.ledger_finish(settlement.results)
    inputs = settled_inputs(inputs, in_flight, settlement)
    plan = build_plan(inputs, config.writeback, config.playbooks)
    report = WritebackReport(plan, settlement.results, guard=blast_radius(plan, config.writeback))
    if dry_run:
        return report
    check_blast_radius(plan, config.writeback, approve=approve)
    report.applied = ApplyResult()
    if applying is not None:
        applying(report)  # the caller holds the report even if applying raises
    apply_plan(plan, writers, store, run_id, after_ledger=save_snapshots, result=report.applied)
    return report
