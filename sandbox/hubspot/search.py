"""Running a compiled search: candidates, filters, index lag, order, and a per-query cache.

Fast path: when every filter group bounds ``hs_lastmodifieddate`` (the incremental-sync
pattern), candidates come from the table's sorted modification index instead of a scan, and
those bounds are not re-tested. The full ordered id list of a query is cached (LRU, keyed by
the query and the table/schema versions), so paging with ``after`` does not re-run it.

Index lag: records modified within the last ``search_index_lag_ms`` are not visible yet
(HubSpot's search index is eventually consistent). With a lag, a cached result is reused for
at most that long.

Default order (no ``sorts``): ascending id [unverified; HubSpot documents no default].
Ties on the sort property break by ascending id; records without the property come last.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.records import ObjectTable, Record
from sandbox.hubspot.search_query import Condition, Query
from sandbox.hubspot.store import HubSpotStore

CACHE_ENTRIES = 16
CACHE_MAX_IDS = 300_000


class SearchEngine:
    def __init__(self, store: HubSpotStore, options: HubSpotOptions) -> None:
        self.store = store
        self.lag_ms = int(options.search_index_lag_ms)
        self._cache: OrderedDict[tuple[str, str], tuple[int, int, int, list[int]]] = OrderedDict()

    def ids(self, object_type: str, query: Query, now_ms: int) -> list[int]:
        table = self.store.tables[object_type]
        cache_key = (object_type, query.key)
        cached = self._cache.get(cache_key)
        if cached is not None:
            version, schema, computed_at, ids = cached
            fresh = not self.lag_ms or now_ms - computed_at < self.lag_ms
            if version == table.version and schema == self.store.schema_version and fresh:
                self._cache.move_to_end(cache_key)
                return ids
        ids = self._run(table, query, now_ms)
        if len(ids) <= CACHE_MAX_IDS:
            self._cache[cache_key] = (table.version, self.store.schema_version, now_ms, ids)
            self._cache.move_to_end(cache_key)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return ids

    def _run(self, table: ObjectTable, query: Query, now_ms: int) -> list[int]:
        records = table.records
        visible_until = now_ms - self.lag_ms if self.lag_ms else None
        matched: set[int] | list[int]
        if query.groups and all(_bounds(g) is not None for g in query.groups):
            matched = set()
            for group in query.groups:
                low, high = _bounds(group) or (None, None)
                rest = [c for c in group if not c.on_modified]
                matched.update(_filter(table.window(low, high), records, rest, visible_until))
        else:
            groups = query.groups or [[]]
            if len(groups) == 1:
                matched = _filter(table.live_ids, records, groups[0], visible_until)
            else:
                matched = set()
                for group in groups:
                    matched.update(_filter(table.live_ids, records, group, visible_until))
        return _order(matched, table, query)


def _bounds(group: list[Condition]) -> tuple[int | None, int | None] | None:
    low: int | None = None
    high: int | None = None
    bounded = False
    for c in group:
        if not c.on_modified:
            continue
        bounded = True
        if c.low is not None:
            low = c.low if low is None else max(low, c.low)
        if c.high is not None:
            high = c.high if high is None else min(high, c.high)
    return (low, high) if bounded else None


def _filter(
    ids: Iterable[int],
    records: dict[int, Record],
    conditions: list[Condition],
    visible_until: int | None,
) -> list[int]:
    tests = [c.test for c in conditions]
    out: list[int] = []
    append = out.append
    for record_id in ids:
        record = records[record_id]
        if visible_until is not None and record.updated > visible_until:
            continue
        for test in tests:
            if not test(record):
                break
        else:
            append(record_id)
    return out


def _order(matched: set[int] | list[int], table: ObjectTable, query: Query) -> list[int]:
    ids = sorted(matched)
    if query.sort_by_id:
        if query.descending:
            ids.reverse()
        return ids
    get = query.sort_getter
    assert get is not None
    keyed = [(get(table.records[i]), i) for i in ids]
    present = [pair for pair in keyed if pair[0] is not None]
    absent = [i for value, i in keyed if value is None]
    present.sort(key=lambda pair: pair[0], reverse=query.descending)
    return [i for _, i in present] + absent
