"""One object's records: by id, in (SystemModstamp, Id) order, and by external id.

The ordered index lets the query engine answer the incremental-sync shape
(``WHERE SystemModstamp > X ... ORDER BY SystemModstamp, Id``) by bisection instead of a
scan and sort. Records are replaced, never changed in place, so a query cursor that holds
old record lists keeps a consistent snapshot.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from sandbox.salesforce.schema import ObjectSchema, Record

_MIN = ""
_MAX = "\uffff"


class ObjectTable:
    """Storage for one sObject type; callers hold the store lock while changing it."""

    def __init__(self, schema: ObjectSchema) -> None:
        self.schema = schema
        self.by_id: dict[str, Record] = {}
        self._keys: list[tuple[str, str]] = []
        self._recs: list[Record] = []
        self.stamp_slot = schema.slots["SystemModstamp"]
        self.deleted_slot = schema.slots.get("IsDeleted")
        self.ext: dict[str, dict[str, list[str]]] = {
            f.name: {} for f in schema.all_fields if f.external_id
        }

    def __len__(self) -> int:
        return len(self.by_id)

    def load(self, records: Iterable[Record]) -> None:
        """Bulk insert (fixture load): one sort instead of many insertions."""
        for rec in records:
            self.by_id[rec[0]] = rec
            self._index_ext(rec, add=True)
        pairs = sorted(((rec[self.stamp_slot], rec[0]), rec) for rec in self.by_id.values())
        self._keys = [key for key, _ in pairs]
        self._recs = [rec for _, rec in pairs]

    def put(self, rec: Record) -> Record | None:
        """Insert or replace a record; returns the version it replaced."""
        old = self.by_id.get(rec[0])
        if old is not None:
            self._index_ext(old, add=False)
            key = (old[self.stamp_slot], old[0])
            at = bisect_left(self._keys, key)
            del self._keys[at]
            del self._recs[at]
        self.by_id[rec[0]] = rec
        self._index_ext(rec, add=True)
        key = (rec[self.stamp_slot], rec[0])
        at = bisect_right(self._keys, key)
        self._keys.insert(at, key)
        self._recs.insert(at, rec)
        return old

    def remove(self, record_id: str) -> None:
        """Take a record out entirely (only to undo an insert of an all-or-none batch)."""
        old = self.by_id.pop(record_id)
        self._index_ext(old, add=False)
        at = bisect_left(self._keys, (old[self.stamp_slot], old[0]))
        del self._keys[at]
        del self._recs[at]

    def restore(self, previous: dict[str, Record | None]) -> None:
        """Undo changes: each id back to its earlier version, or removed if it had none."""
        for record_id, old in previous.items():
            if old is None:
                if record_id in self.by_id:
                    self.remove(record_id)
            else:
                self.put(old)

    def _index_ext(self, rec: Record, *, add: bool) -> None:
        for name, index in self.ext.items():
            value = rec[self.schema.slots[name]]
            if value is None:
                continue
            key = str(value).casefold()
            ids = index.setdefault(key, [])
            if add:
                ids.append(rec[0])
            else:
                ids.remove(rec[0])
                if not ids:
                    del index[key]

    def find_external(self, field: str, value: str) -> list[str]:
        """Ids whose external-id ``field`` equals ``value`` (case-insensitive, as Salesforce)."""
        return list(self.ext.get(field, {}).get(value.casefold(), ()))

    def in_stamp_order(
        self,
        lo: str | None = None,
        lo_inclusive: bool = True,
        hi: str | None = None,
        hi_inclusive: bool = True,
        *,
        reverse: bool = False,
    ) -> Iterator[Record]:
        """Records with lo <(=) SystemModstamp <(=) hi, in (SystemModstamp, Id) order."""
        start = 0
        if lo is not None:
            probe = (lo, _MIN) if lo_inclusive else (lo, _MAX)
            start = bisect_left(self._keys, probe)
        stop = len(self._keys)
        if hi is not None:
            probe = (hi, _MAX) if hi_inclusive else (hi, _MIN)
            stop = bisect_left(self._keys, probe)
        recs = self._recs
        if reverse:
            return (recs[i] for i in range(stop - 1, start - 1, -1))
        return (recs[i] for i in range(start, stop))

    def count_in_stamp_range(self, lo: str, hi: str) -> int:
        return bisect_right(self._keys, (hi, _MAX)) - bisect_left(self._keys, (lo, _MIN))
