"""Records that could not be used, kept with the reason until they sync or someone resolves them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from connector.model import Quarantined, Record, System
from connector.store.engine import writing
from connector.store.entries import QuarantineEntry
from connector.store.scope import Scoped
from connector.store.tables import quarantine
from connector.store.upserts import chunks, upsert

RECORD_ID_MAX = 255  # the length of quarantine.record_id (tables.py)


def write_quarantined(
    conn: Connection, workspace: str, items: Sequence[Quarantined], now: datetime
) -> None:
    """Upsert ``items``: new ones start at one attempt; seen again → attempts + 1, newest
    reason and payload, ``last_seen`` now, and open again if it had been resolved."""
    rows = [
        {
            "workspace": workspace,
            "system": q.system,
            "stream": q.stream,
            "record_id": q.record_id[:RECORD_ID_MAX],  # a hostile id must not stop the run
            "reason": q.reason,
            "payload": q.payload,
            "first_seen": now,
            "last_seen": now,
            "attempts": 1,
            "resolved": False,
        }
        for q in {(q.system, q.stream, q.record_id[:RECORD_ID_MAX]): q for q in items}.values()
    ]
    upsert(
        conn,
        quarantine,
        rows,
        keep=("first_seen",),
        overrides=lambda _new: {"attempts": quarantine.c.attempts + 1},
    )


def _any_open(conn: Connection, workspace: str, stream: str) -> bool:
    c = quarantine.c
    probe = select(c.record_id).where(
        c.workspace == workspace, c.stream == stream, c.resolved.is_(False)
    )
    return conn.execute(probe.limit(1)).first() is not None


def resolve(
    conn: Connection, workspace: str, system: str, stream: str, record_ids: Sequence[str]
) -> int:
    """Mark open entries of ``record_ids`` resolved; returns how many were open."""
    if not record_ids or not _any_open(conn, workspace, stream):
        return 0
    c = quarantine.c
    stmt = (
        update(quarantine)
        .where(
            c.workspace == workspace,
            c.system == system,
            c.stream == stream,
            c.resolved.is_(False),
            c.record_id.in_(bindparam("ids", expanding=True)),
        )
        .values(resolved=True)
    )
    return sum(int(conn.execute(stmt, {"ids": list(part)}).rowcount) for part in chunks(record_ids))


def resolve_arrived(
    conn: Connection, workspace: str, stream: str, records: Sequence[Record]
) -> None:
    """Resolve the open entries of ``records`` that just arrived clean from ``stream``.

    Usually nothing is open, which one indexed probe answers before any work per record.
    """
    if not records or not _any_open(conn, workspace, stream):
        return
    ids_by_system: dict[str, list[str]] = defaultdict(list)
    for record in records:
        ids_by_system[record.ref.system].append(record.ref.id)
    for system, ids in ids_by_system.items():
        resolve(conn, workspace, system, stream, ids)


class QuarantineStore(Scoped):
    """The quarantine of this workspace."""

    def quarantine(self, items: Sequence[Quarantined]) -> None:
        """Quarantine ``items`` outside a page (e.g. a write the CRM rejected)."""
        with writing(self.engine) as conn:
            write_quarantined(conn, self.workspace, items, self._now())

    def quarantined(self, resolved: bool = False) -> list[QuarantineEntry]:
        """Open entries (or, with ``resolved=True``, resolved ones), most recently seen first."""
        c = quarantine.c
        query = (
            select(quarantine)
            .where(c.workspace == self.workspace, c.resolved.is_(resolved))
            .order_by(c.last_seen.desc(), c.system, c.stream, c.record_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        fields = set(QuarantineEntry.model_fields)
        return [QuarantineEntry(**{k: v for k, v in row.items() if k in fields}) for row in rows]

    def resolve_quarantine(self, system: System, stream: str, record_ids: Sequence[str]) -> int:
        """Mark entries resolved (fixed by hand, or no longer relevant); returns how many."""
        with writing(self.engine) as conn:
            return resolve(conn, self.workspace, system, stream, record_ids)
