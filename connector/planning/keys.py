"""The idempotency keys of planned writes, and the task key a CRM task carries.

A task key is ``playbook:partner_id:period`` (``at_risk_call:P-1a2b3c4d5e6f:2026-03-02``):
the adapter writes it into the task's key field, the pull brings it back in
``Activity.task_key``. ``period`` is the day the playbook's current cooldown window
opened (see :mod:`connector.planning.tasks`), so every run inside the window — a retry, a
rerun after a crash — plans the same key. The ledger keys a write per CRM:
``task_key@system`` for a create, ``close:task_key@system`` for a close, and
``tags:record:as_of:digest@system`` for a tag update (tag updates are re-planned from live
values, so their key only has to be unique per intended write).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from connector.model import SourceRef, System
from connector.operations import FieldChange


@dataclass(frozen=True, slots=True)
class TaskKey:
    """A parsed task key."""

    playbook: str
    partner_id: str
    period: date

    def __str__(self) -> str:
        return f"{self.playbook}:{self.partner_id}:{self.period.isoformat()}"

    @classmethod
    def parse(cls, text: str | None) -> TaskKey | None:
        """The key in ``text``, or ``None`` when it is not one of ours (a person typed it)."""
        if not text:
            return None
        playbook, sep, rest = text.partition(":")
        partner_id, sep2, period = rest.rpartition(":")
        if not (sep and sep2 and playbook and partner_id):
            return None
        try:
            day = date.fromisoformat(period)
        except ValueError:
            return None
        return cls(playbook, partner_id, day) if len(period) == 10 else None


def ledger_key(task_key: str, system: System) -> str:
    """The ledger key of creating the task ``task_key`` in ``system``."""
    return f"{task_key}@{system}"


def close_key(task_key: str, system: System) -> str:
    """The ledger key of closing the task ``task_key`` in ``system``."""
    return f"close:{task_key}@{system}"


def tag_key(ref: SourceRef, as_of: datetime, changes: tuple[FieldChange, ...]) -> str:
    """The ledger key of one tag update: the record, the scoring instant, and a digest of
    the values written (two plans for the same instant but other values differ)."""
    content = "\n".join(f"{c.tag}={c.new}" for c in changes)
    digest = hashlib.sha256(content.encode()).hexdigest()[:10]
    return f"tags:{ref.id}:{as_of.strftime('%Y%m%dT%H%M%S%fZ')}:{digest}@{ref.system}"
