"""A fake CRM at the write-back port: tags per record, tasks by id, and faults on demand.

It keeps what it was told in CRM form (scores with two decimals, stamps with ``Z``) and
can hand its state back as canonical records, as the next pull would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from connector.model import Activity, ActivityKind, AnyRecord, PartnerRecord, SourceRef, System
from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate


class Crash(Exception):
    """The process dies mid-call (not a ConnectorError: nothing catches it)."""


@dataclass
class FakeTask:
    key: str
    record_id: str
    owner_id: str | None
    subject: str
    is_open: bool = True


def crm_form(tag: str, value: str | None) -> str | None:
    if value is None:
        return None
    if tag == "health_score":
        return str(Decimal(value).quantize(Decimal("0.01")))
    if tag == "health_updated_at":
        return datetime.fromisoformat(value).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


class FakeCrm:
    """``crash``: "before" dies before applying anything, "after" dies after applying all
    (the answers are lost). ``reject``: quarantine id → the CRM's message. ``silent``:
    keys it applies but never answers for."""

    def __init__(self, system: System, records: Sequence[PartnerRecord] = ()) -> None:
        self.system: System = system
        self.records = {r.ref.id: r for r in records}
        self.tags: dict[str, dict[str, str | None]] = {r.ref.id: dict(r.tags) for r in records}
        self.tasks: dict[str, FakeTask] = {}
        self.applied: list[list[Operation]] = []
        self.found: list[list[str]] = []
        self.crash: str | None = None
        self.reject: dict[str, str] = {}
        self.silent: set[str] = set()
        self.on_apply: Callable[[Sequence[Operation]], None] | None = None
        self.creates = 0

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        self.applied.append(list(operations))
        if self.on_apply is not None:
            self.on_apply(operations)
        if self.crash == "before":
            raise Crash("died before the CRM got anything")
        results = [self._one(op) for op in operations]
        if self.crash == "after":
            raise Crash("died before the answers came back")
        return [r for r in results if r.key not in self.silent]

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        self.found.append(list(task_keys))
        return {t.key: tid for tid, t in self.tasks.items() if t.key in task_keys}

    def _one(self, op: Operation) -> OperationResult:
        target = op.record_id if isinstance(op, TagUpdate | TaskCreate) else op.task_id
        reject_id = op.task_key if isinstance(op, TaskCreate) else target
        if reject_id in self.reject:
            return OperationResult(key=op.key, ok=False, error=self.reject[reject_id])
        if isinstance(op, TagUpdate):
            for c in op.changes:
                self.tags[op.record_id][c.tag] = crm_form(c.tag, c.new)
            return OperationResult(key=op.key, ok=True, crm_id=op.record_id)
        if isinstance(op, TaskCreate):
            # A plain create, no upsert by key: a blind resend would show as a duplicate.
            self.creates += 1
            tid = f"T{len(self.tasks) + 1}"
            self.tasks[tid] = FakeTask(op.task_key, op.record_id, op.owner_id, op.subject)
            return OperationResult(key=op.key, ok=True, crm_id=tid)
        assert isinstance(op, TaskClose)
        self.tasks[op.task_id].is_open = False
        return OperationResult(key=op.key, ok=True, crm_id=op.task_id)

    def pulled(self, modified_at: datetime) -> list[AnyRecord]:
        """Everything this CRM holds, as the next pull would bring it back."""
        records: list[AnyRecord] = [
            r.model_copy(update={"tags": dict(self.tags[rid]), "modified_at": modified_at})
            for rid, r in self.records.items()
        ]
        records.extend(
            Activity(
                ref=SourceRef(system=self.system, id=tid),
                modified_at=modified_at,
                partner=SourceRef(system=self.system, id=t.record_id),
                kind=ActivityKind.TODO,
                occurred_at=None,
                subject=t.subject,
                task_key=t.key,
                is_open=t.is_open,
            )
            for tid, t in self.tasks.items()
        )
        return records
