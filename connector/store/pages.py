"""The page sink: a pulled page and the cursor it makes true, committed together.

Invariant 1 of DESIGN.md rests here: the cursor moves in the same transaction that stores
its page's records, deletes and quarantine, so a crash anywhere leaves the store at the
previous page and the next run re-reads from there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from connector.ports import Cursor, Page
from connector.store.engine import writing
from connector.store.quarantine import resolve_arrived, write_quarantined
from connector.store.records import mark_deleted, write_records
from connector.store.scope import Scoped
from connector.store.tables import cursors
from connector.store.upserts import upsert


def write_cursor(
    conn: Connection, workspace: str, connection: str, cursor: Cursor, now: datetime
) -> None:
    """Set the cursor of (``connection``, ``cursor.stream``)."""
    row = {
        "workspace": workspace,
        "connection": connection,
        "stream": cursor.stream,
        "system": cursor.system,
        "modified_at": cursor.modified_at,
        "last_id": cursor.last_id,
        "state": dict(cursor.state),
        "updated_at": now,
    }
    upsert(conn, cursors, [row])


def _cursor(row: dict[str, object]) -> Cursor:
    values = {k: row[k] for k in ("system", "stream", "modified_at", "last_id", "state")}
    return Cursor.model_validate({**values, "checked_at": row["updated_at"]})


class PageStore(Scoped):
    """Implements :class:`connector.ports.PageSink` for this workspace."""

    def cursor(self, connection: str, stream: str) -> Cursor | None:
        """The committed cursor of ``stream`` on ``connection``, or None before its first page."""
        c = cursors.c
        query = select(cursors).where(
            c.workspace == self.workspace, c.connection == connection, c.stream == stream
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _cursor(dict(row))

    def cursors(self) -> dict[tuple[str, str], Cursor]:
        """Every cursor of this workspace, keyed by (connection, stream), for status."""
        c = cursors.c
        query = select(cursors).where(c.workspace == self.workspace)
        query = query.order_by(c.connection, c.stream)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return {(row["connection"], row["stream"]): _cursor(dict(row)) for row in rows}

    def save_page(self, connection: str, page: Page, *, run_id: str) -> None:
        """Store ``page`` (records, deletes, quarantine) and move its cursor, atomically.

        Records arriving clean resolve their open quarantine entries in the same stream.
        """
        now = self._now()
        with writing(self.engine) as conn:
            write_records(conn, self.workspace, page.stream, page.records, run_id)
            mark_deleted(conn, self.workspace, page.deleted)
            resolve_arrived(conn, self.workspace, page.stream, page.records)
            write_quarantined(conn, self.workspace, page.quarantined, now)
            write_cursor(conn, self.workspace, connection, page.cursor, now)
