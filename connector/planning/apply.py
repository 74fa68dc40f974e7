"""Applying a plan: ledger first, then one ``apply`` call per CRM, then the results.

Order, and why:

1. ``ledger_begin`` stores every operation as pending (a key already done is dropped:
   it is never sent twice);
2. ``after_ledger`` runs — ``run_sync`` saves the run's snapshots there, so a crash can
   never leave snapshots saved without the tasks their transitions called for (the
   ledger holds them, and the next run settles and retries them);
3. each CRM's operations go to its adapter in one call (the adapter batches);
4. each answer settles its key (``done`` / ``failed``); an operation with no answer stays
   pending and is settled by key next run. A refused operation is quarantined with the
   CRM's message (stream ``writeback``) and tried again next run: a tag update because
   the live value still differs, a task create from the ledger. A later success resolves
   the quarantine entry.

A whole-call failure (auth, budget) of one CRM does not stop the other; it is raised
once both have been tried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import structlog

from connector.errors import ConnectorError, ExitCode
from connector.model import Quarantined, System
from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate
from connector.planning.plan import Plan
from connector.planning.ports import ApplyStore, WritebackAdapter

log = structlog.get_logger("partnerpulse.writeback")

STREAM = "writeback"


@dataclass
class ApplyResult:
    """What applying a plan did.

    ``skipped``: operations the ledger already had done. ``rejected``: refused by the CRM
    (quarantined). ``deferred``: refused for a transient reason, tried again next run.
    ``unanswered``: keys left in flight (no answer, or the call failed).
    """

    sent: int = 0
    done: int = 0
    skipped: int = 0
    rejected: list[OperationResult] = field(default_factory=list)
    deferred: list[OperationResult] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.REJECTED if self.rejected else ExitCode.OK


def quarantine_id(op: Operation) -> str:
    """What a refused write is quarantined under: the partner record for tags, the task
    key for a create, the CRM task for a close (stable across runs, so a retry counts)."""
    if isinstance(op, TagUpdate):
        return op.record_id
    if isinstance(op, TaskCreate):
        return op.task_key
    return op.task_id


def apply_plan(
    plan: Plan,
    adapters: Mapping[System, WritebackAdapter],
    store: ApplyStore,
    run_id: str | None = None,
    *,
    after_ledger: Callable[[], None] | None = None,
    result: ApplyResult | None = None,
) -> ApplyResult:
    """Ledger, send and settle every operation of ``plan``.

    ``result`` is filled as answers are settled, so when one CRM's call fails (raised once
    both have been tried) the caller still knows what the other wrote.
    """
    result = result if result is not None else ApplyResult()
    to_send = store.ledger_begin(list(plan.operations), run_id)
    result.skipped = len({op.key for op in plan.operations}) - len(to_send)
    if after_ledger is not None:
        after_ledger()
    grouped: dict[System, list[Operation]] = {}
    for op in to_send:
        grouped.setdefault(op.system, []).append(op)
    failure: ConnectorError | None = None
    for system, ops in grouped.items():
        adapter = adapters.get(system)
        if adapter is None:
            result.unanswered.extend(op.key for op in ops)
            continue
        result.sent += len(ops)
        try:
            answers = adapter.apply(ops)
        except ConnectorError as exc:
            log.warning(
                "write-back call failed", system=system, operations=len(ops), error=str(exc)
            )
            result.unanswered.extend(op.key for op in ops)
            failure = failure or exc
            continue
        _settle(system, ops, answers, store, result)
    log.info(
        "write-back applied",
        sent=result.sent,
        done=result.done,
        skipped=result.skipped,
        rejected=len(result.rejected),
        deferred=len(result.deferred),
        unanswered=len(result.unanswered),
    )
    if failure is not None:
        raise failure
    return result


def _settle(
    system: System,
    ops: list[Operation],
    answers: list[OperationResult],
    store: ApplyStore,
    result: ApplyResult,
) -> None:
    by_key = {op.key: op for op in ops}
    answered = {a.key: a for a in answers if a.key in by_key}
    stray = len(answers) - len(answered)
    if stray:
        log.warning("write-back answers for keys not sent", system=system, answers=stray)
    store.ledger_finish(list(answered.values()))
    result.unanswered.extend(key for key in by_key if key not in answered)
    rejects: list[Quarantined] = []
    fixed: list[str] = []
    for key, answer in answered.items():
        op = by_key[key]
        if answer.ok:
            result.done += 1
            fixed.append(quarantine_id(op))
        elif answer.retryable:
            result.deferred.append(answer)
        else:
            result.rejected.append(answer)
            rejects.append(
                Quarantined(
                    system=system,
                    stream=STREAM,
                    record_id=quarantine_id(op),
                    reason=f"{system} refused {_what(op)}: {answer.error or 'no message'}",
                    payload=op.model_dump_json(),
                )
            )
    if rejects:
        store.quarantine(rejects)
    if fixed:
        store.resolve_quarantine(system, STREAM, fixed)


def _what(op: Operation) -> str:
    if isinstance(op, TagUpdate):
        fields = ", ".join(c.crm_field for c in op.changes)
        return f"the tags of {op.record_id} ({fields})"
    if isinstance(op, TaskCreate):
        return f"task {op.task_key} on {op.record_id}"
    assert isinstance(op, TaskClose)
    return f"closing task {op.task_id}"
