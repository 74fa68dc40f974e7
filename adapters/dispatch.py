"""What both adapters' ``apply`` share: split a run's operations by kind, send each kind
its own way, and answer in the order the operations came."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from connector.model import System
from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate


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
