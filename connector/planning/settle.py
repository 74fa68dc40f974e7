"""Settling writes a crashed run left in flight, before anything is planned anew.

A ledger entry still ``pending`` was stored before it was sent and never answered, so
whether the CRM has it is unknown. Each is settled by looking, never by sending again:

- a **task create** is done if a task carrying its key was pulled, or if the adapter's
  ``find_tasks`` finds it in the CRM (search-before-create, pitfall 12); otherwise it
  failed before the CRM had it, and the planner retries it (same key) while it still
  makes sense;
- a **tag update** is done if the record's live tags, just pulled, hold every value it
  set; otherwise it failed and the tags are simply re-planned from the live values;
- a **task close** is done if the task was pulled closed; otherwise it is re-planned
  while the task is open.

Entries of a CRM this run does not talk to stay in flight for a run that does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from connector.model import SourceRef, System
from connector.operations import OperationResult, TagUpdate, TaskClose, TaskCreate
from connector.planning.gather import written_by
from connector.planning.plan import PlanInputs
from connector.planning.ports import WritebackAdapter
from connector.planning.values import same
from connector.store import LedgerEntry

CUT_OFF = "cut off before the CRM answered"


@dataclass
class Settlement:
    """What settling decided: a result per settled key, and the keys left in flight."""

    results: list[OperationResult] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(1 for r in self.results if r.ok)


def settle(
    entries: Sequence[LedgerEntry],
    inputs: PlanInputs,
    adapters: Mapping[System, WritebackAdapter],
) -> Settlement:
    """Decide every in-flight entry from the live values and, for creates, the CRM."""
    settlement = Settlement()
    tasks_by_key = {(t.ref.system, t.task_key): t for t in inputs.tool_tasks if t.task_key}
    tasks_by_id = {t.ref: t for t in inputs.tool_tasks}
    lookups: dict[System, list[TaskCreate]] = defaultdict(list)
    for entry in entries:
        op = entry.operation
        if op.system not in adapters or op.system not in inputs.systems:
            settlement.left.append(op.key)
        elif isinstance(op, TaskCreate):
            pulled = tasks_by_key.get((op.system, op.task_key))
            if pulled is not None and not pulled.deleted:
                settlement.results.append(_done(op.key, pulled.ref.id))
            else:
                lookups[op.system].append(op)
        elif isinstance(op, TagUpdate):
            record = inputs.records.get(SourceRef(system=op.system, id=op.record_id))
            applied = record is not None and all(
                same(c.tag, record.tags.get(c.tag), c.new) for c in op.changes
            )
            settlement.results.append(
                _done(op.key, op.record_id)
                if applied
                else _failed(op.key, f"{CUT_OFF}; re-planned from the live values")
            )
        else:
            assert isinstance(op, TaskClose)
            task = tasks_by_id.get(SourceRef(system=op.system, id=op.task_id))
            closed = task is not None and not task.is_open
            settlement.results.append(
                _done(op.key, op.task_id)
                if closed
                else _failed(op.key, f"{CUT_OFF}; closed again while the task is open")
            )
    for system, creates in lookups.items():
        found = adapters[system].find_tasks([op.task_key for op in creates])
        for op in creates:
            crm_id = found.get(op.task_key)
            settlement.results.append(
                _done(op.key, crm_id)
                if crm_id is not None
                else _failed(op.key, f"{CUT_OFF}; not in {system}, so created again")
            )
    return settlement


def settled_inputs(
    inputs: PlanInputs, entries: Sequence[LedgerEntry], settlement: Settlement
) -> PlanInputs:
    """``inputs`` as they read once ``settlement`` is in the ledger: the task ledger with
    the settled states, the tag memory with the tag updates found done."""
    by_key = {r.key: r for r in settlement.results}
    task_ledger = dict(inputs.task_ledger)
    memory = dict(inputs.memory)
    for entry in entries:
        result = by_key.get(entry.key)
        if result is None:
            continue
        state = "done" if result.ok else "failed"
        updated = entry.model_copy(
            update={"state": state, "crm_id": result.crm_id, "error": result.error}
        )
        op = entry.operation
        if isinstance(op, TagUpdate):
            if result.ok:
                memory[SourceRef(system=op.system, id=op.record_id)] = written_by(op)
        else:
            task_ledger[entry.key] = updated
    return replace(inputs, task_ledger=task_ledger, memory=memory)


def _done(key: str, crm_id: str | None) -> OperationResult:
    return OperationResult(key=key, ok=True, crm_id=crm_id)


def _failed(key: str, error: str) -> OperationResult:
    return OperationResult(key=key, ok=False, error=error)
