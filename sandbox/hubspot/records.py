"""Compact record storage for one object type, with the indexes list and search need.

Sized for ~600,000 records: a record is a ``__slots__`` object holding an int id, a small dict
of stored values (interned keys; datetimes as int milliseconds) and three int timestamps.
System properties (``hs_object_id``, ``createdate``, ``hs_lastmodifieddate``) are not stored
per record; they are read from the record's own fields.

Indexes: ``live_ids`` / ``archived_ids`` (sorted ids, for ``after`` paging by id),
``mod_index`` (sorted ``updated * ID_SPAN + id`` of live records, for search windows on
``hs_lastmodifieddate``) and ``unique`` (value -> id for unique-value properties).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator

from sandbox.hubspot.values import Stored

ID_SPAN = 10**15  # record ids stay below this (HubSpot ids are ~10-12 digits)


class Record:
    __slots__ = ("archived_at", "created", "id", "props", "updated")

    def __init__(
        self, record_id: int, props: dict[str, Stored], created: int, updated: int
    ) -> None:
        self.id = record_id
        self.props = props
        self.created = created
        self.updated = updated
        self.archived_at: int | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class ObjectTable:
    """All records of one type. ``version`` changes on every write (search caches key on it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.records: dict[int, Record] = {}
        self.live_ids: list[int] = []
        self.archived_ids: list[int] = []
        self.mod_index: list[int] = []
        self.unique: dict[str, dict[str, int]] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self.records)

    def get(self, record_id: int) -> Record | None:
        return self.records.get(record_id)

    def live(self, record_id: int) -> Record | None:
        record = self.records.get(record_id)
        return record if record is not None and record.archived_at is None else None

    def bulk_load(self, records: Iterable[Record]) -> None:
        """Add many records at once, then sort the indexes once (fixture loading)."""
        for record in records:
            if record.id >= ID_SPAN or record.id <= 0:
                raise ValueError(f"{self.name} id {record.id} is out of range")
            if record.id in self.records:
                raise ValueError(f"{self.name} id {record.id} appears twice")
            self.records[record.id] = record
            (self.archived_ids if record.archived else self.live_ids).append(record.id)
            if not record.archived:
                self.mod_index.append(record.updated * ID_SPAN + record.id)
                self._index_unique(record)
        self.live_ids.sort()
        self.archived_ids.sort()
        self.mod_index.sort()
        self.version += 1

    def add(self, record: Record) -> None:
        self.records[record.id] = record
        _insert(self.live_ids, record.id)
        insort(self.mod_index, record.updated * ID_SPAN + record.id)
        self._index_unique(record)
        self.version += 1

    def touch(self, record: Record, updated: int) -> None:
        """Move a live record's modification stamp (the write itself already happened)."""
        if record.archived_at is None:
            _remove(self.mod_index, record.updated * ID_SPAN + record.id)
            insort(self.mod_index, updated * ID_SPAN + record.id)
        record.updated = updated
        self.version += 1

    def archive(self, record: Record, when: int) -> None:
        if record.archived_at is not None:
            return
        _remove(self.live_ids, record.id)
        _remove(self.mod_index, record.updated * ID_SPAN + record.id)
        _insert(self.archived_ids, record.id)
        self._unindex_unique(record)
        record.archived_at = when
        self.version += 1

    def set_value(self, record: Record, name: str, value: Stored | None) -> None:
        index = self.unique.get(name)
        old = record.props.get(name)
        if index is not None and old is not None and index.get(str(old)) == record.id:
            del index[str(old)]
        if value is None:
            record.props.pop(name, None)
        else:
            record.props[name] = value
            if index is not None and record.archived_at is None:
                index[str(value)] = record.id

    def drop_property(self, name: str) -> None:
        self.unique.pop(name, None)
        for record in self.records.values():
            record.props.pop(name, None)
        self.version += 1

    def index_unique(self, name: str) -> None:
        index: dict[str, int] = {}
        for record_id in self.live_ids:
            value = self.records[record_id].props.get(name)
            if value is not None:
                index.setdefault(str(value), record_id)
        self.unique[name] = index

    def window(self, low: int | None, high: int | None) -> Iterator[int]:
        """Ids of live records with ``low <= updated <= high`` (either bound may be None)."""
        start = 0 if low is None else bisect_left(self.mod_index, low * ID_SPAN)
        stop = (
            len(self.mod_index)
            if high is None
            else bisect_right(self.mod_index, high * ID_SPAN + ID_SPAN - 1)
        )
        for key in self.mod_index[start:stop]:
            yield key % ID_SPAN

    def _index_unique(self, record: Record) -> None:
        for name, index in self.unique.items():
            value = record.props.get(name)
            if value is not None:
                index.setdefault(str(value), record.id)

    def _unindex_unique(self, record: Record) -> None:
        for name, index in self.unique.items():
            value = record.props.get(name)
            if value is not None and index.get(str(value)) == record.id:
                del index[str(value)]


def _insert(ids: list[int], value: int) -> None:
    if not ids or ids[-1] < value:
        ids.append(value)
    else:
        insort(ids, value)


def _remove(ids: list[int], value: int) -> None:
    position = bisect_left(ids, value)
    if position < len(ids) and ids[position] == value:
        del ids[position]
