"""What planning works from and what it returns: :class:`PlanInputs` in, a :class:`Plan` out.

Both are plain values, so the planner is a pure function and its tests are tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from connector.model import SYSTEMS, Activity, Owner, PartnerRecord, SourceRef, System
from connector.operations import Operation, TagUpdate, TagValue, TaskClose, TaskCreate
from connector.planning.values import shown
from connector.scoring import ScoredPartner
from connector.store.entries import LedgerEntry


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is made from, read from the store after the pull.

    ``records``: the linked partner records with their live tags. ``memory``: per
    record, the tag values the tool last wrote there (from the ledger's latest done tag
    update). ``tool_tasks``: every task carrying a task key, deleted ones included.
    ``task_ledger``: the ledger's recent task creates and closes by ledger key.
    ``systems``: the CRMs this run talks to (a plan never writes to a CRM it did not
    just pull, since its live values would be stale).
    """

    as_of: datetime
    scored: Sequence[ScoredPartner]
    links: Mapping[str, Sequence[SourceRef]]
    records: Mapping[SourceRef, PartnerRecord]
    owners: Mapping[SourceRef, Owner] = field(default_factory=dict)
    tool_tasks: Sequence[Activity] = ()
    memory: Mapping[SourceRef, Mapping[str, TagValue]] = field(default_factory=dict)
    task_ledger: Mapping[str, LedgerEntry] = field(default_factory=dict)
    systems: frozenset[System] = frozenset(SYSTEMS)


@dataclass(frozen=True, slots=True)
class Kept:
    """A tag the policy left as it is although it differs from the score: reported, not
    written."""

    system: System
    record_id: str
    partner_id: str
    tag: str
    crm_field: str
    live: TagValue
    desired: TagValue
    why: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One line of ``partnerpulse plan``: one field of a tag update, or one task."""

    system: System
    record: str
    partner_id: str
    kind: str
    field: str
    old: str
    new: str
    reason: str
    key: str


@dataclass(frozen=True)
class Plan:
    """Every write one run would make, each with its reason, and what the policy kept.

    ``partners_total`` is how many active partners the plan was made over: the blast-
    radius guard's denominator.
    """

    as_of: datetime
    operations: tuple[Operation, ...] = ()
    kept: tuple[Kept, ...] = ()
    partners_total: int = 0

    def touched(self) -> frozenset[str]:
        """The partners at least one operation writes to."""
        return frozenset(op.partner_id for op in self.operations)

    def by_system(self) -> dict[System, list[Operation]]:
        """The operations grouped per CRM, in plan order."""
        grouped: dict[System, list[Operation]] = {}
        for op in self.operations:
            grouped.setdefault(op.system, []).append(op)
        return grouped

    def counts(self) -> Counter[str]:
        """Operations per kind (``tag_update``, ``task_create``, ``task_close``)."""
        return Counter(op.kind for op in self.operations)

    def rows(self) -> list[PlanRow]:
        """The plan as lines a person reads: CRM, record, field, old, new, reason."""
        return [row for op in self.operations for row in _rows(op)]


def _rows(op: Operation) -> list[PlanRow]:
    if isinstance(op, TagUpdate):
        return [
            PlanRow(
                op.system,
                op.record_id,
                op.partner_id,
                op.kind,
                c.crm_field,
                shown(c.old),
                shown(c.new),
                c.reason,
                op.key,
            )
            for c in op.changes
        ]
    if isinstance(op, TaskCreate):
        owner = f"owner {op.owner_id}" if op.owner_id else "no owner"
        detail = f"{op.reason}; due {op.due.isoformat()}, {op.priority}, {owner}"
        return [
            PlanRow(
                op.system,
                op.record_id,
                op.partner_id,
                op.kind,
                f"task: {op.playbook}",
                "∅",
                op.subject,
                detail,
                op.key,
            )
        ]
    assert isinstance(op, TaskClose)
    return [
        PlanRow(
            op.system,
            op.task_id,
            op.partner_id,
            op.kind,
            f"task: {op.playbook}",
            "open",
            "closed",
            op.reason,
            op.key,
        )
    ]
