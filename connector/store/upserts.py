"""Bulk ``INSERT ... ON CONFLICT DO UPDATE`` for SQLite and PostgreSQL, and chunked IN lists.

Rows go to the driver as one executemany (sqlite3 steps one prepared statement; psycopg 3
pipelines), never one round trip per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

T = TypeVar("T")
Excluded = ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]
"""The incoming row of an upsert (``excluded.col``), as opposed to ``table.c.col``."""

# SQLite (before 3.32) caps bound parameters at 999; stay below it for IN lists.
IN_CHUNK = 900


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keep: Sequence[str] = (),
    overrides: Callable[[Excluded], Mapping[str, Any]] | None = None,
    only_if: Callable[[Excluded], ColumnElement[bool]] | None = None,
) -> None:
    """Insert ``rows`` into ``table``; on a primary-key conflict update every non-key column.

    ``keep`` names columns a conflict leaves as they are (e.g. ``first_seen``);
    ``overrides`` gives expressions to set instead of the incoming values (e.g. a counter
    + 1); ``only_if`` is a condition the conflicting row must meet to be updated at all.
    """
    if not rows:
        return
    dialect = conn.dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    excluded = stmt.excluded
    key = [c.name for c in table.primary_key.columns]
    skip = {*key, *keep}
    updates: dict[str, Any] = {
        c.name: excluded[c.name] for c in table.columns if c.name not in skip
    }
    if overrides is not None:
        updates.update(overrides(excluded))
    where = None if only_if is None else only_if(excluded)
    conn.execute(
        stmt.on_conflict_do_update(index_elements=key, set_=updates, where=where),
        list(rows),
    )


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``, for IN lists and parameter limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
