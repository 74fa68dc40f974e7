"""What both adapters' ``apply`` share: split a run's operations by kind, send each kind
its own way, and answer in the order the operations came."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from connector.model import System
from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate

Op = TypeVar("Op", TagUpdate, TaskCreate, TaskClose)
Outcome = TypeVar("Outcome")


def apply_by_kind(
    operations: Sequence[Operation],
    *,
    system: System,
    tags: Callable[[list[TagUpdate]], list[OperationResult]],
    creates: Callable[[list[TaskCreate]], list[OperationResult]],
    closes: Callable[[list[TaskClose]], list[OperationResult]],
) -> list[OperationResult]:
    """Tags first, then task creates, then closes; results sorted back into request order.

    An operation whose outcome is unknown has no result (the next run settles it by key).
    """
    foreign = [op.key for op in operations if op.system != system]
    if foreign:
        raise ValueError(f"not {system} operations: {', '.join(foreign[:5])}")
    tag_ops = [op for op in operations if isinstance(op, TagUpdate)]
    create_ops = [op for op in operations if isinstance(op, TaskCreate)]
    close_ops = [op for op in operations if isinstance(op, TaskClose)]
    results: list[OperationResult] = []
    if tag_ops:
        results += tags(tag_ops)
    if create_ops:
        results += creates(create_ops)
    if close_ops:
        results += closes(close_ops)
    order = {op.key: n for n, op in enumerate(operations)}
    return sorted(results, key=lambda r: order[r.key])


def results_by_ref(
    operations: Sequence[Op],
    outcomes: Mapping[str, Outcome],
    ref_of: Callable[[Op], str],
    to_result: Callable[[str, Outcome, str], OperationResult],
) -> list[OperationResult]:
    """One result per operation whose CRM outcome is known, looked up by the operation's
    reference (record id, task key or task id); ``to_result(key, outcome, ref)`` words it.
    An operation without an outcome gets none: it stays in flight in the ledger."""
    results = []
    for op in operations:
        ref = str(ref_of(op))
        outcome = outcomes.get(ref)
        if outcome is not None:
            results.append(to_result(op.key, outcome, ref))
    return results
