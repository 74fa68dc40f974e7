"""The ports the core depends on: a CRM adapter, the state store's page sink, and a clock.

Only the composition root (CLI, scheduler) builds the concrete adapters and store; the
core sees these Protocols, so unit tests plug fakes in here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from pydantic import Field

from connector.model import AnyRecord, Frozen, Quarantined, SourceRef, System, UtcDatetime
from connector.operations import Operation, OperationResult


class Cursor(Frozen):
    """Where a stream's incremental pull stands: the last (stamp, id) committed.

    ``state`` holds adapter detail that must survive a restart (a deletes window, a
    HubSpot archived-records stamp, a bulk threshold decision ...).
    """

    system: System
    stream: str
    modified_at: UtcDatetime | None = None
    last_id: str | None = None
    state: dict[str, str] = Field(default_factory=dict)
    # When the store last committed a page of this stream (set by the store on read;
    # adapters leave it None). A stream whose pull yields no record still yields one
    # empty page, so this is the time of its last successful pull.
    checked_at: UtcDatetime | None = None


class Page(Frozen):
    """One page of a stream: records to upsert, refs seen as deleted, records quarantined,
    and the cursor that is true once this page is committed."""

    stream: str
    records: tuple[AnyRecord, ...] = ()
    deleted: tuple[SourceRef, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()
    cursor: Cursor


class CallCounter(Protocol):
    """An adapter's count of the API calls it sent, by endpoint."""

    @property
    def total(self) -> int: ...

    def snapshot(self) -> dict[str, int]: ...


class CrmAdapter(Protocol):
    """One CRM: read streams as pages, apply planned writes, check the mapped fields exist."""

    @property
    def system(self) -> System: ...

    @property
    def calls(self) -> CallCounter: ...

    def pull(self, stream: str, cursor: Cursor | None, *, full: bool) -> Iterator[Page]: ...

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]: ...

    def check_schema(self) -> list[str]: ...


class PageSink(Protocol):
    """The part of the state store a pull writes to: a page and its cursor, atomically."""

    def cursor(self, connection: str, stream: str) -> Cursor | None: ...

    def save_page(self, connection: str, page: Page, *, run_id: str) -> None: ...


class Clock(Protocol):
    """The time; passed in, never read from the wall inside scoring or planning."""

    def now(self) -> datetime: ...
