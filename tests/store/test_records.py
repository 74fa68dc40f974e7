"""Canonical records: exact round trips, idempotent bulk upserts, version order, reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from connector.model import (
    Activity,
    AnyRecord,
    Deal,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    SurveyAnswer,
)
from connector.store import SqlStore
from connector.store.decode import from_cents
from connector.store.rows import sqlite_stamp, to_cents
from connector.store.tables import deals
from connector.store.types import UtcDateTime
from tests.store.factories import (
    T0,
    activity,
    deal,
    issue,
    kpi,
    owner,
    partner,
    ref,
    survey,
)


def test_every_record_type_round_trips_exactly(store: SqlStore) -> None:
    records: list[AnyRecord] = [
        owner(),
        owner("77", "hubspot", email=None, active=False, deleted=True),
        partner(),
        partner(
            "9001",
            "hubspot",
            domain=None,
            owner=None,
            partner_since=None,
            partner_end=datetime(2025, 1, 31).date(),
            created_at=None,
            is_partner=False,
            unique_resources=True,
            linked_salesforce_id="001A",
            tags={"health_score": "55", "note": "ünïcødé ✓", "empty": None},
        ),
        activity(),
        activity("c1", "hubspot", partner=None, occurred_at=None, owner=None, task_key="pp:k1"),
        deal(),
        deal(
            "d1",
            "hubspot",
            partner=None,
            amount=None,
            close_date=None,
            won=False,
            mirror_of=ref("006A"),
        ),
        issue(),
        issue("t1", "hubspot", closed=False, closed_at=None, mirror_of=ref("500A")),
        survey(),
        kpi(),
    ]
    store.upsert_records(records, stream="mixed", run_id="run-1")

    stored = {
        r.ref: r
        for kind in (Owner, PartnerRecord, Activity, Deal, Issue, SurveyAnswer, KpiReading)
        for r in store.records(kind, include_deleted=True)
    }
    assert stored == {r.ref: r for r in records}
    assert all(r.modified_at.tzinfo is UTC for r in stored.values())


def test_datetimes_come_back_as_utc_whatever_zone_went_in(store: SqlStore) -> None:
    paris = timezone(timedelta(hours=1))
    store.upsert_records(
        [activity(modified_at=datetime(2025, 1, 1, 10, 0, 0, 123456, tzinfo=paris))], stream="Task"
    )
    (back,) = store.records(Activity)
    assert back.modified_at == datetime(2025, 1, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert back.modified_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("0.005", 0),  # half-even: to the even cent
        ("0.015", 2),
        ("0.025", 2),
        ("-0.015", -2),
        ("1234.56", 123456),
        ("99999999999.99", 9999999999999),
        ("10", 1000),
    ],
)
def test_money_is_integer_cents_rounded_half_even(amount: str, cents: int) -> None:
    assert to_cents(Decimal(amount)) == cents
    assert from_cents(cents) == Decimal(cents) / 100


def test_deal_amount_is_stored_as_cents_and_read_as_decimal(store: SqlStore) -> None:
    store.upsert_records([deal(amount=Decimal("1999.995"))], stream="Opportunity")
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(deals.c.amount_cents).where(deals.c.workspace == store.workspace)
        ).scalar_one()
    assert stored == 200000
    (back,) = store.records(Deal)
    assert back.amount == Decimal("2000.00")


def test_the_same_page_twice_leaves_the_same_rows(store: SqlStore) -> None:
    batch = [activity(f"a{i}") for i in range(50)] + [deal(f"d{i}") for i in range(20)]
    store.upsert_records(batch, stream="Task")
    first = store.records(Activity), store.records(Deal)
    store.upsert_records(batch, stream="Task")
    assert (store.records(Activity), store.records(Deal)) == first
    assert (store.count(Activity), store.count(Deal)) == (50, 20)


def test_a_newer_version_replaces_and_an_older_one_does_not(store: SqlStore) -> None:
    store.upsert_records([deal(name="v1", modified_at=T0)], stream="Opportunity")
    store.upsert_records(
        [deal(name="v2", modified_at=T0 + timedelta(hours=1))], stream="Opportunity"
    )
    assert [d.name for d in store.records(Deal)] == ["v2"]

    store.upsert_records([deal(name="stale", modified_at=T0)], stream="Opportunity")
    assert [d.name for d in store.records(Deal)] == ["v2"]

    same_stamp = deal(name="remapped", modified_at=T0 + timedelta(hours=1))
    store.upsert_records([same_stamp], stream="Opportunity")
    assert [d.name for d in store.records(Deal)] == ["remapped"]


def test_duplicates_within_one_batch_keep_the_newest(store: SqlStore) -> None:
    newest = deal(name="newest", modified_at=T0 + timedelta(minutes=5))
    batch = [deal(name="old"), newest, deal(name="older", modified_at=T0 - timedelta(days=1))]
    store.upsert_records(batch, stream="Opportunity")
    assert store.records(Deal) == [newest]
    store.upsert_records(
        [*batch, deal(name="last of equals", modified_at=newest.modified_at)], stream="Opportunity"
    )
    assert [d.name for d in store.records(Deal)] == ["last of equals"]


def test_reads_filter_by_system_and_deleted(store: SqlStore) -> None:
    store.upsert_records(
        [
            partner("001A"),
            partner("001B", deleted=True),
            partner("42", "hubspot"),
        ],
        stream="Account",
    )
    assert [p.ref.id for p in store.records(PartnerRecord)] == ["42", "001A"]
    assert [p.ref.id for p in store.records(PartnerRecord, "salesforce")] == ["001A"]
    assert len(store.records(PartnerRecord, include_deleted=True)) == 3
    assert store.count(PartnerRecord) == 2
    assert store.count(PartnerRecord, "hubspot") == 1
    assert store.count(PartnerRecord, include_deleted=True) == 3


def test_an_unknown_record_type_is_refused(store: SqlStore) -> None:
    with pytest.raises(TypeError, match="does not keep"):
        store.records(datetime)  # type: ignore[type-var]


@pytest.mark.parametrize(
    "stamp",
    [
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(999, 1, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_the_fast_sqlite_path_writes_stamps_as_sqlalchemy_does(stamp: datetime) -> None:
    """Record rows bypass SQLAlchemy's types on SQLite; filters bound through SQLAlchemy
    must still compare against the very same text."""
    dialect = sqlite.dialect()
    process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_stamp(stamp) == process(stamp)
