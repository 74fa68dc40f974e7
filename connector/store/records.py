"""Canonical records in the store: bulk upsert, delete marks, full-reconcile and reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    exists,
    func,
    select,
    update,
)

from connector.model import AnyRecord, Record, SourceRef, System
from connector.store import tables
from connector.store.bulk import copy_rows, row_format, upsert_rows
from connector.store.engine import writing
from connector.store.rows import kind_of, rows_by_kind
from connector.store.scope import Scoped

R = TypeVar("R", bound=Record)

# Ids seen by a full pull, for the anti-join of mark_missing_deleted; lives one transaction.
_seen = Table(
    "pp_seen_ids",
    MetaData(),
    Column("source_id", String(tables.SID), primary_key=True),
    prefixes=["TEMPORARY"],
)


def write_records(
    conn: Connection,
    workspace: str,
    stream: str,
    records: Sequence[AnyRecord],
    run_id: str | None,
) -> None:
    """Upsert ``records`` into their tables. A version older than the stored one (a stale
    re-read) changes nothing; the same stamp again replaces it (a full resync re-maps)."""
    grouped = rows_by_kind(records, workspace, stream, run_id, row_format(conn.dialect))
    for kind, rows in grouped.items():
        upsert_rows(conn, kind, rows)


def mark_deleted(conn: Connection, workspace: str, refs: Sequence[SourceRef]) -> None:
    """Mark ``refs`` deleted in whichever record table holds them.

    A delete feed does not say the record's type, so every record table gets one
    executemany of primary-key updates: seven indexed statements per page, cheaper than
    a lookup round trip first.
    """
    if not refs:
        return
    unique = sorted({(r.system, r.id) for r in refs})  # key order: no deadlock between writers
    params = [{"b_ws": workspace, "b_system": system, "b_id": i} for system, i in unique]
    for table in tables.RECORD_TABLES.values():
        stmt = (
            update(table)
            .where(
                table.c.workspace == bindparam("b_ws"),
                table.c.system == bindparam("b_system"),
                table.c.source_id == bindparam("b_id"),
            )
            .values(deleted=True)
        )
        conn.execute(stmt, params)


class RecordStore(Scoped):
    """Canonical records of this workspace."""

    def upsert_records(
        self, records: Sequence[AnyRecord], *, stream: str, run_id: str | None = None
    ) -> None:
        """Store ``records`` (any mix of types) pulled from ``stream``, in one transaction."""
        with writing(self.engine) as conn:
            write_records(conn, self.workspace, stream, records, run_id)

    def records(
        self, kind: type[R], system: System | None = None, include_deleted: bool = False
    ) -> list[R]:
        """Every stored record of type ``kind`` (e.g. ``Deal``), ordered by system and id."""
        storage = kind_of(kind)
        table = storage.table
        query = (
            select(table)
            .where(self._filter(table, system, include_deleted))
            .order_by(table.c.system, table.c.source_id)
        )
        with self.engine.connect() as conn:
            return [storage.from_row(row) for row in conn.execute(query).mappings()]

    def count(
        self, kind: type[Record], system: System | None = None, include_deleted: bool = False
    ) -> int:
        """How many records of type ``kind`` are stored (not deleted, unless asked)."""
        table = kind_of(kind).table
        query = select(func.count()).select_from(table)
        query = query.where(self._filter(table, system, include_deleted))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def mark_missing_deleted(
        self, kind: type[Record], system: System, seen_ids: Iterable[str], *, stream: str
    ) -> int:
        """After a full pull of ``stream``: mark deleted every live ``kind`` record of
        ``system`` from that stream whose id is not in ``seen_ids``; returns how many.

        Per stream because two streams may share a table (Salesforce Task and Event are
        both activities): a full pull of one must not delete the other's records.

        The ids go to a temporary table and the update is one anti-join, so 100k+ ids cost
        one bulk insert, not a giant IN list.
        """
        table = kind_of(kind).table
        ids = list(dict.fromkeys(seen_ids))
        with writing(self.engine) as conn:
            # DDL is transactional on both databases: a failure rolls the table away too.
            _seen.create(conn)
            if conn.dialect.name == "postgresql":
                copy_rows(conn, "COPY pp_seen_ids (source_id) FROM STDIN", [(i,) for i in ids])
            elif ids:
                conn.exec_driver_sql(
                    "INSERT INTO pp_seen_ids (source_id) VALUES (?)", [(i,) for i in ids]
                )
            missing = ~exists().where(_seen.c.source_id == table.c.source_id)
            result = conn.execute(
                update(table)
                .where(self._filter(table, system, False), table.c.stream == stream, missing)
                .values(deleted=True)
            )
            _seen.drop(conn)
            return int(result.rowcount)

    def _filter(
        self, table: Table, system: System | None, include_deleted: bool
    ) -> ColumnElement[bool]:
        clauses = [table.c.workspace == self.workspace]
        if system is not None:
            clauses.append(table.c.system == system)
        if not include_deleted:
            clauses.append(table.c.deleted.is_(False))
        return and_(*clauses)
