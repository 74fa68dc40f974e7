"""Pulling one stream: which endpoint, which window, which pages.

An incremental pull is one ``queryAll`` (deleted rows included) from the cursor, less
the lookback, up to the run's cap, paged by the query locator — a run with nothing
changed costs one call per stream. A first or full pull counts first (``SELECT COUNT()``)
and reads through Bulk API 2.0 above ``bulk_threshold``. A ``QUERY_TIMEOUT`` halves the
time window and asks again from where the read stands; a lost locator re-queries from
the last row read, tie-safe on (SystemModstamp, Id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from simple_salesforce.api import Salesforce

from adapters.prefetch import prefetched
from adapters.salesforce import soql
from adapters.salesforce.bulk import BulkReader
from adapters.salesforce.errors import LocatorExpired, QueryTimeout
from adapters.salesforce.pages import PageBuilder, row_key
from adapters.salesforce.session import SalesforceSession
from connector.errors import CrmRefused, RetryableError
from connector.ports import Cursor, Page
from mappings.salesforce import SalesforceMapping

Rows = Sequence[Mapping[str, Any]]
# No Salesforce org holds records older than the company; the floor of a window split.
EPOCH = datetime(1999, 1, 1, tzinfo=UTC)
MIN_WINDOW = timedelta(seconds=1)
MAX_RESTARTS = 3


@dataclass(frozen=True)
class PullPlan:
    """How one pull reads: from where, through which API, and whether it de-duplicates."""

    start: soql.Position | None
    bulk: bool
    full_read: bool


class StreamReader:
    """Reads Salesforce objects as pages of canonical records for the adapter."""

    def __init__(
        self,
        session: SalesforceSession,
        mapping: SalesforceMapping,
        bulk: BulkReader,
        *,
        cap: datetime,
        page_size: int,
        bulk_threshold: int,
        lookback: timedelta,
    ) -> None:
        self.session = session
        self.mapping = mapping
        self.bulk = bulk
        # Stamps are whole seconds and the second the run started in may still get records:
        # read up to the last second that had fully passed, so "all of it read" stays true.
        self.cap = cap.replace(microsecond=0) - timedelta(seconds=1)
        self.page_size = page_size
        self.bulk_threshold = bulk_threshold
        self.lookback = lookback
        self.last_plan: PullPlan | None = None

    def count(self, stream: str) -> int:
        """Records the object holds up to the cap (deleted ones excluded)."""
        for _ in range(MAX_RESTARTS):
            total = self._count_once(stream)
            if total is not None:
                return total
        raise RetryableError(f"Salesforce keeps timing out counting {stream}; try again later")

    def plan(self, stream: str, cursor: Cursor | None, *, full: bool) -> PullPlan:
        """First and full pulls count, then pick REST or Bulk; increments start at the cursor."""
        if full or cursor is None or cursor.modified_at is None:
            total = self._count_once(stream)
            # An object too big to count in time is read in bulk.
            return PullPlan(None, total is None or total > self.bulk_threshold, True)
        if self.lookback:
            start = soql.Position(cursor.modified_at - self.lookback, inclusive=True)
        else:
            start = soql.Position(cursor.modified_at, cursor.last_id)
        return PullPlan(start, False, False)

    def _count_once(self, stream: str) -> int | None:
        """``SELECT COUNT()`` up to the cap; None when Salesforce timed out counting."""
        text = soql.count(stream, cap=self.cap)
        try:
            result = self.session.run(f"count {stream}", lambda sf: sf.query(text))
        except QueryTimeout:
            return None
        return int(result["totalSize"])

    def pull(self, stream: str, cursor: Cursor | None, *, full: bool) -> Iterator[Page]:
        plan = self.plan(stream, cursor, full=full)
        self.last_plan = plan
        builder = PageBuilder(
            stream,
            self.mapping,
            cursor,
            lookback=self.lookback,
            ordered=not plan.bulk,
            dedupe=not plan.full_read,
        )
        fields = self.mapping.select(stream)
        batches: Iterator[Rows]
        if plan.bulk:
            text = soql.select(stream, fields, after=None, cap=self.cap, ordered=False)
            batches = self.bulk.batches(stream, text, self.mapping.kinds(stream))
        else:
            batches = self._rest(stream, fields, plan.start)
        # The next page is read while this one is mapped and stored (adapters/prefetch.py).
        for rows in prefetched(batches, name=f"salesforce-{stream}"):
            for chunk in _chunks(rows, self.page_size):
                page = builder.page(chunk)
                if page is not None:
                    yield page
        final = builder.finish(self.cap - self.lookback)
        if final is not None:
            yield final

    def _rest(
        self, stream: str, fields: Sequence[str], start: soql.Position | None
    ) -> Iterator[Rows]:
        """Every row after ``start`` up to the cap, in (stamp, id) order, window by window."""
        position, end = start, self.cap
        width: timedelta | None = None
        restarts = stuck = 0
        while True:
            text = soql.select(stream, fields, after=position, cap=end)
            try:
                for rows in self._pages(stream, text):
                    key = _last_key(rows)
                    if key is not None:
                        position = soql.Position(*key)
                    restarts = stuck = 0
                    yield rows
            except QueryTimeout as exc:
                lower = position.stamp if position is not None else EPOCH
                if end - lower > MIN_WINDOW:
                    end = _midpoint(lower, end)
                    width = end - lower
                    continue
                stuck += 1
                if stuck > MAX_RESTARTS:
                    raise RetryableError(
                        f"Salesforce keeps timing out on {stream} even for one second of "
                        "changes; try again later"
                    ) from exc
                continue
            except LocatorExpired:
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise
                continue
            if end >= self.cap:
                return
            position = soql.Position(end)
            width = (width or end - EPOCH) * 2
            end = min(self.cap, end + width)

    def _pages(self, stream: str, text: str) -> Iterator[Rows]:
        """One query and its follow-up pages by locator; a repeated locator is an error."""
        headers = {"Sforce-Query-Options": f"batchSize={self.page_size}"}
        result = self.session.run(
            f"queryAll {stream}", lambda sf: sf.query(text, include_deleted=True, headers=headers)
        )
        seen: set[str] = set()
        while True:
            yield list(result.get("records") or [])
            if result.get("done", True):
                return
            url = str(result.get("nextRecordsUrl") or "")
            if not url or url in seen:
                raise CrmRefused(f"Salesforce repeated or lost the next-page link of {stream}")
            seen.add(url)
            result = self.session.run(f"queryAll {stream} (next page)", _next_page(url, headers))


def _next_page(url: str, headers: dict[str, str]) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.query_more(url, identifier_is_url=True, headers=headers)


def _last_key(rows: Rows) -> tuple[datetime, str] | None:
    for row in reversed(rows):
        key = row_key(row)
        if key is not None:
            return key
    return None


def _midpoint(lower: datetime, upper: datetime) -> datetime:
    middle = lower + (upper - lower) / 2
    return middle.replace(microsecond=0)


def _chunks(rows: Rows, size: int) -> Iterator[Rows]:
    for start in range(0, max(len(rows), 1), size):
        yield rows[start : start + size]
