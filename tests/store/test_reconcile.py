"""Full reconcile: records of a stream not seen by a full pull are marked deleted."""

from __future__ import annotations

from connector.model import Activity, PartnerRecord
from connector.store import SqlStore
from tests.store.factories import activity, partner


def test_missing_records_of_that_stream_and_system_only(store: SqlStore) -> None:
    store.upsert_records([activity(f"task{i}") for i in range(5)], stream="Task")
    store.upsert_records([activity(f"event{i}") for i in range(3)], stream="Event")
    store.upsert_records([activity("call1", "hubspot")], stream="calls")

    marked = store.mark_missing_deleted(
        Activity, "salesforce", ["task0", "task3", "x"], stream="Task"
    )

    assert marked == 3
    live = {a.ref.id for a in store.records(Activity)}
    assert live == {"task0", "task3", "event0", "event1", "event2", "call1"}
    # Running it again marks nothing more; an empty seen-set clears the stream.
    assert (
        store.mark_missing_deleted(Activity, "salesforce", ["task0", "task3"], stream="Task") == 0
    )
    assert store.mark_missing_deleted(Activity, "salesforce", [], stream="Task") == 2


def test_a_record_seen_again_comes_back(store: SqlStore) -> None:
    p = partner("001A")
    store.upsert_records([p], stream="Account")
    store.mark_missing_deleted(PartnerRecord, "salesforce", [], stream="Account")
    assert store.count(PartnerRecord) == 0
    store.upsert_records([p], stream="Account")  # same stamp: a full pull re-maps it
    assert store.records(PartnerRecord) == [p]


def test_a_hundred_thousand_seen_ids(store: SqlStore) -> None:
    ids = [f"a{i:06d}" for i in range(100_000)]
    store.upsert_records([activity(i) for i in ids[:3000]], stream="Task")
    store.upsert_records([activity("gone1"), activity("gone2")], stream="Task")
    assert store.mark_missing_deleted(Activity, "salesforce", iter(ids), stream="Task") == 2
    assert store.count(Activity) == 3000
