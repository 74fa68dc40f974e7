"""Running compiled queries against the store, and the server-side cursors behind paging.

A query's matching rows are materialised once (under the store lock) and kept with its
locator, so each later page is a slice: no page re-filters or re-sorts. When the ORDER BY is
SystemModstamp[, Id] (or absent) and WHERE bounds SystemModstamp, rows come from the ordered
index by bisection, and a LIMIT stops the scan early.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.salesforce.ids import KEY_PREFIXES, make_id
from sandbox.salesforce.schema import Record
from sandbox.salesforce.soql_ast import SoqlError
from sandbox.salesforce.soql_compile import CompiledQuery, compile_query

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore


def run_query(store: SalesforceStore, cq: CompiledQuery, *, include_deleted: bool) -> list[Record]:
    """Every row ``cq`` returns, in order, after OFFSET and LIMIT."""
    table = store.tables[cq.obj]
    deleted = None if include_deleted else table.deleted_slot
    predicate = cq.predicate
    end = None if cq.limit is None else cq.offset + cq.limit
    with store.lock:
        source: Iterable[Record]
        if cq.index_order is not None:
            lo, lo_inc, hi, hi_inc = cq.interval or (None, True, None, True)
            source = table.in_stamp_order(lo, lo_inc, hi, hi_inc, reverse=cq.index_order == "desc")
        else:
            source = table.by_id.values()
        rows: list[Record] = []
        early_stop = end is not None and cq.index_order is not None
        for rec in source:
            if deleted is not None and rec[deleted]:
                continue
            if predicate is not None and not predicate(rec):
                continue
            rows.append(rec)
            if early_stop and len(rows) >= end:  # type: ignore[operator]
                break
    if cq.index_order is None:
        for step in cq.sort_steps:
            rows.sort(key=step.key, reverse=step.descending)
    if cq.offset or end is not None:
        rows = rows[cq.offset : end]
    return rows


def compile_and_bind(store: SalesforceStore, text: str, version: str) -> CompiledQuery:
    """Compile with semi-joins wired to run against the same store (deleted rows excluded)."""

    def semi_join(sub: CompiledQuery) -> set[str]:
        get = sub.columns[0].getter
        return {v for rec in run_query(store, sub, include_deleted=False) if (v := get(rec))}

    return compile_query(store, text, version=version, run_semi_join=semi_join)


@dataclass
class Cursor:
    """The rows of one query, kept for its nextRecordsUrl pages."""

    rows: list[Record]
    query: CompiledQuery
    endpoint: str  # "query" or "queryAll"
    batch_size: int
    last_used: float = field(default_factory=time.monotonic)


class CursorStore:
    """Open query locators: idle ones expire after ``ttl_s``; the least recently used go first
    when more than ``max_rows`` rows are held (a memory cap; Salesforce's is per org)."""

    def __init__(self, ttl_s: float, max_rows: int = 3_000_000) -> None:
        self.ttl_s = ttl_s
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._numbers = itertools.count(1)

    def open(self, cursor: Cursor) -> str:
        locator = make_id(KEY_PREFIXES["QueryLocator"], next(self._numbers), pod="QL")
        with self._lock:
            self._expire()
            self._cursors[locator] = cursor
            held = sum(len(c.rows) for c in self._cursors.values())
            while held > self.max_rows and len(self._cursors) > 1:
                _, dropped = self._cursors.popitem(last=False)
                held -= len(dropped.rows)
        return locator

    def get(self, locator: str) -> Cursor:
        with self._lock:
            self._expire()
            cursor = self._cursors.get(locator)
            if cursor is None:
                raise SoqlError("INVALID_QUERY_LOCATOR", "invalid query locator")
            cursor.last_used = time.monotonic()
            self._cursors.move_to_end(locator)
            return cursor

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl_s
        for locator in [k for k, c in self._cursors.items() if c.last_used < cutoff]:
            del self._cursors[locator]

    def __len__(self) -> int:
        return len(self._cursors)
