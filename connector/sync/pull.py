"""Pulling every stream of every CRM into the store, page by page, cursor with page."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from connector.model import (
    Activity,
    Deal,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    Record,
    System,
)
from connector.ports import CrmAdapter as _CrmAdapter
from connector.ports import Cursor, PageSink
from connector.sync.progress import Progress

log = structlog.get_logger("partnerpulse.pull")


class PullAdapter(_CrmAdapter, Protocol):
    """What the pull needs of an adapter beyond the port: its streams and deletion window."""

    @property
    def streams(self) -> tuple[str, ...]: ...

    @property
    def deletion_window(self) -> timedelta: ...

    def count(self, stream: str) -> int: ...

    def budget(self) -> dict[str, object]: ...

    def close(self) -> None: ...


class ReconcileSink(PageSink, Protocol):
    """The store, as a full reconcile uses it."""

    def mark_missing_deleted(
        self, kind: type[Record], system: System, seen_ids: Iterable[str], *, stream: str
    ) -> int: ...


# Kinds a full reconcile may mark deleted. Survey answers are history: the CRM keeps only
# the latest answer on the account, the store keeps every answer it has seen.
RECONCILED_KINDS: tuple[type[Record], ...] = (
    Owner,
    PartnerRecord,
    Activity,
    Deal,
    Issue,
    KpiReading,
)


@dataclass
class PullResult:
    """What a pull did, per ``system/stream``."""

    pulled: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    full_streams: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def records(self) -> int:
        return sum(self.pulled.values())

    @property
    def rejects(self) -> int:
        return sum(self.quarantined.values())


def pull_all(
    adapters: Mapping[System, PullAdapter],
    store: ReconcileSink,
    *,
    run_id: str,
    now: datetime,
    full: bool,
    progress: Progress,
    stop: threading.Event,
    result: PullResult | None = None,
) -> PullResult:
    """Pull each stream in order; a stop request ends the run between pages.

    ``result`` is filled as pages are committed, so a run the pull raises out of (budget
    spent, retries exhausted) still reports what it had stored.
    """
    result = result if result is not None else PullResult()
    for system, adapter in adapters.items():
        for stream in adapter.streams:
            if stop.is_set():
                result.stopped = True
                return result
            _pull_stream(adapter, system, stream, store, run_id, now, full, progress, stop, result)
    return result


def _pull_stream(
    adapter: PullAdapter,
    system: System,
    stream: str,
    store: ReconcileSink,
    run_id: str,
    now: datetime,
    full: bool,
    progress: Progress,
    stop: threading.Event,
    result: PullResult,
) -> None:
    key = f"{system}/{stream}"
    cursor = store.cursor(system, stream)
    stream_full = full or cursor is None or _outlived_deletes(adapter, cursor, now, result, key)
    seen: dict[type[Record], list[str]] = defaultdict(list)
    progress.stream_started(system, stream, None)
    for page in adapter.pull(stream, cursor, full=stream_full):
        store.save_page(system, page, run_id=run_id)
        alive = [r for r in page.records if not r.deleted]
        if stream_full:
            for record in alive:
                seen[type(record)].append(record.ref.id)
        result.pulled[key] += len(page.records)
        result.deleted[key] += len(page.deleted) + (len(page.records) - len(alive))
        result.quarantined[key] += len(page.quarantined)
        progress.advanced(system, stream, len(page.records) + len(page.quarantined))
        if stop.is_set():
            result.stopped = True
            log.info("stopping between pages", stream=key)
            return
    if stream_full:
        result.full_streams.append(key)
        kinds = [k for k in RECONCILED_KINDS if k in seen] or list(RECONCILED_KINDS)
        gone = sum(
            store.mark_missing_deleted(kind, system, seen.get(kind, ()), stream=stream)
            for kind in kinds
        )
        result.deleted[key] += gone
        if gone:
            log.info("reconciled", stream=key, marked_deleted=gone)


def _outlived_deletes(
    adapter: PullAdapter, cursor: Cursor, now: datetime, result: PullResult, key: str
) -> bool:
    """True when the cursor is older than the CRM keeps deletes: only a full pull sees them."""
    last = cursor.checked_at or cursor.modified_at
    if last is None or now - last <= adapter.deletion_window:
        return False
    days = adapter.deletion_window.days
    note = (
        f"{key}: last synced {last:%Y-%m-%d}, longer ago than the CRM keeps "
        f"deleted records ({days} days): running a full reconcile"
    )
    log.warning("full reconcile forced", stream=key, last=last.isoformat())
    result.notes.append(note)
    return True
