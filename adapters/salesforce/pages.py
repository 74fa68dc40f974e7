"""Rows into Pages: mapping, deletes, the lookback de-duplication, and the cursor after each page.

A pull re-reads ``lookback_s`` before its cursor (a record can commit with a stamp a
little older than one already read). Rows from that overlap are emitted only if they
were not emitted before with the same stamp: the ids emitted near the cursor travel in
``Cursor.state["lookback_seen"]`` (bounded; an overflow only means a harmless re-emit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.salesforce.soql import STAMP
from connector.model import AnyRecord, Quarantined, SourceRef
from connector.ports import Cursor, Page
from mappings.salesforce import SalesforceMapping, quarantine
from mappings.salesforce_values import BadValue, boolean, moment

SEEN_KEY = "lookback_seen"
MAX_SEEN = 2000
_AFTER_ANY_ID = "\uffff"

Key = tuple[datetime, str]


def _seen_of(cursor: Cursor | None) -> dict[str, datetime]:
    """The ids emitted near the cursor, with their stamps; anything unreadable is dropped."""
    if cursor is None:
        return {}
    try:
        loaded = json.loads(cursor.state.get(SEEN_KEY, "{}"))
        return {str(k): datetime.fromisoformat(str(v)) for k, v in loaded.items()}
    except (ValueError, AttributeError):
        return {}


def row_key(row: Mapping[str, Any]) -> Key | None:
    """(SystemModstamp, Id) of a raw row, None when either is unreadable."""
    try:
        stamp = moment(row.get(STAMP))
    except BadValue:
        return None
    record_id = row.get("Id")
    if stamp is None or not isinstance(record_id, str) or not record_id:
        return None
    return stamp, record_id


class PageBuilder:
    """Builds the pages of one pull of one stream and carries its cursor forward.

    ``ordered`` says rows arrive in (stamp, id) order, so each page's cursor is true after
    it; an unordered read (Bulk) moves the cursor only on the last page. ``dedupe`` drops
    lookback rows already emitted (incremental pulls); a full pull emits every row.
    """

    def __init__(
        self,
        stream: str,
        mapping: SalesforceMapping,
        prior: Cursor | None,
        *,
        lookback: timedelta,
        ordered: bool,
        dedupe: bool,
    ) -> None:
        self.stream = stream
        self.mapping = mapping
        self.lookback = lookback
        self.ordered = ordered
        self.dedupe = dedupe
        self.prior = prior
        self._prior_key: Key | None = None
        if prior is not None and prior.modified_at is not None:
            self._prior_key = (prior.modified_at, prior.last_id or _AFTER_ANY_ID)
        self._best = self._prior_key  # the highest (stamp, id) read; never goes back
        self._moved = False
        self._seen = _seen_of(prior)
        self._last_emitted: Cursor | None = prior
        self.rows = 0

    def page(self, rows: Sequence[Mapping[str, Any]]) -> Page | None:
        """The page for one batch of raw rows (None when it holds nothing and moves nothing)."""
        records: list[AnyRecord] = []
        deleted: list[SourceRef] = []
        quarantined: list[Quarantined] = []
        for row in rows:
            self.rows += 1
            key = row_key(row)
            if key is None:
                record_id = str(row.get("Id") or "")
                quarantined.append(
                    quarantine(self.stream, record_id, "no readable SystemModstamp", row)
                )
                continue
            record_id = key[1]
            if self._already_emitted(key):
                continue
            self._advance(key)
            self._remember(key)
            if _is_deleted(row):
                deleted.append(SourceRef(system="salesforce", id=record_id))
                continue
            mapped = self.mapping.map(self.stream, row)
            records.extend(mapped.records)
            quarantined.extend(mapped.quarantined)
        cursor = self._cursor() if self.ordered else self._last_emitted or self._empty_cursor()
        if not (records or deleted or quarantined) and cursor == self._last_emitted:
            return None
        self._last_emitted = cursor
        return Page(
            stream=self.stream,
            records=tuple(records),
            deleted=tuple(deleted),
            quarantined=tuple(quarantined),
            cursor=cursor,
        )

    def finish(self, floor: datetime | None) -> Page | None:
        """The last page: the cursor after a complete read, at least ``floor`` (cap - lookback)."""
        if floor is not None:
            self._advance((floor, _AFTER_ANY_ID))
        cursor = self._cursor()
        if cursor == self._last_emitted:
            return None
        self._last_emitted = cursor
        return Page(stream=self.stream, cursor=cursor)

    def _remember(self, key: Key) -> None:
        stamp, record_id = key
        self._seen[record_id] = stamp
        if len(self._seen) > 4 * MAX_SEEN and self._best is not None:
            horizon = self._best[0] - self.lookback
            self._seen = {k: v for k, v in self._seen.items() if v >= horizon}

    def _already_emitted(self, key: Key) -> bool:
        stamp, record_id = key
        if not self.dedupe or self._prior_key is None or key > self._prior_key:
            return False
        return self._seen.get(record_id) == stamp

    def _advance(self, key: Key) -> None:
        if self._best is None or key > self._best:
            self._best, self._moved = key, True

    def _empty_cursor(self) -> Cursor:
        return Cursor(system="salesforce", stream=self.stream)

    def _cursor(self) -> Cursor:
        best = self._best
        if best is None or not self._moved:
            base = self.prior or self._empty_cursor()
            return base.model_copy(update={"state": self._state(base.modified_at)})
        stamp, last_id = best
        return Cursor(
            system="salesforce",
            stream=self.stream,
            modified_at=stamp,
            last_id=None if last_id == _AFTER_ANY_ID else last_id,
            state=self._state(stamp),
        )

    def _state(self, at: datetime | None) -> dict[str, str]:
        state = dict(self.prior.state) if self.prior is not None else {}
        if at is None or not self.lookback:
            state.pop(SEEN_KEY, None)
            return state
        horizon = at - self.lookback
        near = [(v, k) for k, v in self._seen.items() if v >= horizon]
        newest = {k: v.isoformat() for v, k in sorted(near)[-MAX_SEEN:]}
        state[SEEN_KEY] = json.dumps(newest, separators=(",", ":"), sort_keys=True)
        return state


def _is_deleted(row: Mapping[str, Any]) -> bool:
    try:
        return bool(boolean(row.get("IsDeleted")))
    except BadValue:
        return False
