"""The page sink: records, deletes, quarantine and cursor commit together or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

import connector.store.pages as pages_module
from connector.model import Activity, Deal, PartnerRecord, Quarantined
from connector.ports import Cursor, PageSink
from connector.store import SqlStore
from tests.store.conftest import FakeClock
from tests.store.factories import T0, activity, deal, page, partner, ref


class Boom(RuntimeError):
    pass


def committed(cursor: Cursor | None) -> Cursor | None:
    """The cursor as the adapter made it: the store adds when it was last checked."""
    return None if cursor is None else cursor.model_copy(update={"checked_at": None})


def test_the_store_is_a_page_sink(store: SqlStore) -> None:
    sink: PageSink = store
    assert sink.cursor("sf-prod", "Account") is None


def test_save_page_stores_records_and_moves_the_cursor(store: SqlStore) -> None:
    p = page(partner("001A"), partner("001B", modified_at=T0 + timedelta(minutes=1)))
    store.save_page("sf-prod", p, run_id="run-1")

    assert [r.ref.id for r in store.records(PartnerRecord)] == ["001A", "001B"]
    assert committed(store.cursor("sf-prod", "Account")) == p.cursor
    assert store.cursor("sf-prod", "Task") is None
    assert store.cursor("sf-sandbox", "Account") is None
    assert {k: committed(c) for k, c in store.cursors().items()} == {
        ("sf-prod", "Account"): p.cursor
    }
    assert store.cursor("sf-prod", "Account").checked_at is not None  # type: ignore[union-attr]


def test_a_cursor_with_no_stamp_round_trips(store: SqlStore) -> None:
    empty = page(stream="companies", system="hubspot")
    bare = empty.model_copy(
        update={"cursor": Cursor(system="hubspot", stream="companies", state={"after": "0"})}
    )
    store.save_page("hs", bare, run_id="r")
    assert committed(store.cursor("hs", "companies")) == bare.cursor


@pytest.mark.parametrize("failing", ["write_cursor", "write_quarantined", "mark_deleted"])
def test_a_failure_mid_page_leaves_neither_records_nor_cursor(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    first = page(activity("a1"), stream="Task")
    store.save_page("sf", first, run_id="r1")

    def explode(*_args: object, **_kwargs: object) -> None:
        raise Boom(failing)

    monkeypatch.setattr(pages_module, failing, explode)
    second = page(
        activity("a2", modified_at=T0 + timedelta(hours=1)),
        activity("a1", subject="changed", modified_at=T0 + timedelta(hours=1)),
        stream="Task",
        deleted=(ref("00TZ"),),
    )
    with pytest.raises(Boom):
        store.save_page("sf", second, run_id="r2")

    assert store.records(Activity) == [first.records[0]]
    assert committed(store.cursor("sf", "Task")) == first.cursor


def test_a_database_error_mid_page_rolls_the_page_back(store: SqlStore) -> None:
    store.save_page("sf", page(deal("d1"), stream="Opportunity"), run_id="r1")
    # An amount beyond BIGINT cents fails inside the database, after other rows went in.
    bad = page(
        deal("d2", modified_at=T0 + timedelta(hours=1)),
        partner("001Z", modified_at=T0 + timedelta(hours=1)),
        deal("d3", amount=10**20, modified_at=T0 + timedelta(hours=2)),
        stream="Opportunity",
    )
    with pytest.raises(Exception, match=r"(?i)overflow|out of range|too large"):
        store.save_page("sf", bad, run_id="r2")
    assert [d.ref.id for d in store.records(Deal)] == ["d1"]
    assert store.records(PartnerRecord) == []
    assert store.cursor("sf", "Opportunity") is not None
    assert store.cursor("sf", "Opportunity").last_id == "d1"  # type: ignore[union-attr]


def test_deleted_refs_are_marked_in_whichever_table_holds_them(store: SqlStore) -> None:
    store.save_page("sf", page(partner("001A"), deal("006A"), activity("00TA")), run_id="r")
    gone = page(
        stamp=T0 + timedelta(hours=1),
        deleted=(ref("006A"), ref("00TA"), ref("never-seen"), ref("001A", "hubspot")),
    )
    store.save_page("sf", gone, run_id="r")

    assert store.count(Deal) == store.count(Activity) == 0
    assert store.count(PartnerRecord) == 1  # salesforce 001A stays; the hubspot ref is another
    deleted = store.records(Deal, include_deleted=True)
    assert [(d.ref.id, d.deleted) for d in deleted] == [("006A", True)]


def test_quarantine_upserts_attempts_and_last_seen(store: SqlStore, clock: FakeClock) -> None:
    bad = Quarantined(
        system="hubspot", stream="deals", record_id="77", reason="amount 'abc'", payload="{}"
    )
    first_seen = clock.now()
    store.save_page("hs", page(stream="deals", system="hubspot", quarantined=(bad,)), run_id="r")
    later = clock.advance(hours=1)
    again = bad.model_copy(update={"reason": "amount 'abd'"})
    store.save_page("hs", page(stream="deals", system="hubspot", quarantined=(again,)), run_id="r")

    (entry,) = store.quarantined()
    assert (entry.record_id, entry.reason, entry.attempts) == ("77", "amount 'abd'", 2)
    assert (entry.first_seen, entry.last_seen, entry.resolved) == (first_seen, later, False)


def test_a_record_arriving_clean_resolves_its_quarantine_entry(store: SqlStore) -> None:
    bad = Quarantined(system="salesforce", stream="Task", record_id="00TA", reason="no WhatId")
    other = Quarantined(system="salesforce", stream="Task", record_id="00TB", reason="no WhatId")
    store.save_page("sf", page(stream="Task", quarantined=(bad, other)), run_id="r")
    store.save_page("sf", page(activity("00TA"), stream="Task"), run_id="r")

    assert [q.record_id for q in store.quarantined()] == ["00TB"]
    assert [q.record_id for q in store.quarantined(resolved=True)] == ["00TA"]


def test_resolve_and_requarantine(store: SqlStore) -> None:
    bad = Quarantined(system="salesforce", stream="Case", record_id="500X", reason="bad date")
    store.quarantine([bad])
    assert store.resolve_quarantine("salesforce", "Case", ["500X", "unknown"]) == 1
    assert store.quarantined() == []
    store.quarantine([bad])  # it came back: open again, one more attempt
    (entry,) = store.quarantined()
    assert (entry.attempts, entry.resolved) == (2, False)


def test_a_quarantined_record_with_a_huge_id_is_kept_not_fatal(store: SqlStore) -> None:
    # PostgreSQL refuses a value longer than its column; hostile CRM data must not stop a run.
    huge = "x" * 10_000
    bad = Quarantined(system="salesforce", stream="Account", record_id=huge, reason="bad id")
    store.save_page("sf", page(partner("001A"), quarantined=(bad,)), run_id="r")
    assert [(q.record_id, q.reason) for q in store.quarantined()] == [("x" * 255, "bad id")]
