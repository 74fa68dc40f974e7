"""The hot path of a pull: upserting a page of record rows, one statement per table.

SQLAlchemy's generic executemany spends most of its time processing each parameter of
each row in Python. Record tables take a leaner path, built once per (dialect, table):

- SQLite: the driver's executemany of one prepared ``INSERT ... ON CONFLICT DO UPDATE``
  over row tuples already in SQLite's storage form (``rows.SQLITE``), in page order;
- PostgreSQL: ``COPY`` into a temporary staging table, then one
  ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``. psycopg formats COPY rows in C; its
  pipelined executemany and an ``unnest(array, ...)`` insert both spend longer in Python
  (figures in docs/benchmarks.md).

Both update a conflicting row only when the incoming ``modified_at`` is not older. On
PostgreSQL the rows of one call must be unique by key (``rows.POSTGRESQL`` ensures it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

from connector.store.rows import POSTGRESQL, SQLITE, Kind, RowFormat, Values


def row_format(dialect: Dialect) -> RowFormat:
    """How rows for :func:`upsert_rows` must be built on ``dialect``."""
    return POSTGRESQL if dialect.name == "postgresql" else SQLITE


@dataclass(frozen=True)
class _Plan:
    upsert: str  # SQLite: INSERT ... VALUES; PostgreSQL: INSERT ... SELECT FROM the staging table
    stage: str = ""  # PostgreSQL: CREATE TEMP TABLE (gone on rollback: DDL is transactional)
    copy: str = ""  # PostgreSQL: COPY staging FROM STDIN
    unstage: str = ""  # PostgreSQL: DROP the staging table


_plans: dict[tuple[str, str], _Plan] = {}


def _plan(dialect: Dialect, kind: Kind[Any]) -> _Plan:
    key = (dialect.name, kind.table.name)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _build(dialect, kind)
    return plan


def _build(dialect: Dialect, kind: Kind[Any]) -> _Plan:
    # Only our own quoted identifiers go into these texts; values are bound or copied.
    q = dialect.identifier_preparer.quote
    table = q(kind.table.name)
    listed = ", ".join(q(n) for n in kind.all_columns)
    key = [c.name for c in kind.table.primary_key.columns]
    sets = ", ".join(f"{q(n)} = excluded.{q(n)}" for n in kind.all_columns if n not in key)
    conflict = (
        f"ON CONFLICT ({', '.join(q(k) for k in key)}) DO UPDATE SET {sets} "
        f"WHERE {table}.{q('modified_at')} <= excluded.{q('modified_at')}"
    )
    if dialect.name == "postgresql":
        stage = q(f"pp_stage_{kind.table.name}")
        return _Plan(
            upsert=f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {stage} {conflict}",  # noqa: S608
            stage=f"CREATE TEMP TABLE {stage} (LIKE {table})",
            copy=f"COPY {stage} ({listed}) FROM STDIN",
            unstage=f"DROP TABLE {stage}",
        )
    marks = ", ".join("?" for _ in kind.all_columns)
    return _Plan(upsert=f"INSERT INTO {table} ({listed}) VALUES ({marks}) {conflict}")  # noqa: S608


def upsert_rows(conn: Connection, kind: Kind[Any], rows: Sequence[Values]) -> None:
    """Upsert ``rows`` of ``kind``, built by ``rows.rows_by_kind`` in :func:`row_format`."""
    if not rows:
        return
    plan = _plan(conn.dialect, kind)
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(plan.upsert, list(rows))
        return
    conn.exec_driver_sql(plan.stage)
    copy_rows(conn, plan.copy, rows)
    conn.exec_driver_sql(plan.upsert)
    conn.exec_driver_sql(plan.unstage)


def copy_rows(conn: Connection, copy_sql: str, rows: Iterable[Values]) -> None:
    """PostgreSQL: stream ``rows`` through ``COPY ... FROM STDIN`` on ``conn``'s transaction."""
    driver = conn.connection.driver_connection  # psycopg, inside SQLAlchemy's transaction
    if driver is None:  # only after invalidation, which would have raised before this
        raise RuntimeError("the PostgreSQL connection was invalidated mid-transaction")
    with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)
