"""run_sync over fake adapters at the port and a real SQLite store."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from connector.config import Config
from connector.errors import BudgetExhausted, ExitCode
from connector.model import (
    Activity,
    ActivityKind,
    AnyRecord,
    Deal,
    PartnerRecord,
    Quarantined,
    SourceRef,
)
from connector.store import SqlStore, make_engine, migrate
from connector.sync.engine import SyncOptions, run_sync
from tests.sync.fakes import T0, FakeAdapter, StepClock


def sf(id_: str) -> SourceRef:
    return SourceRef(system="salesforce", id=id_)


def hs(id_: str) -> SourceRef:
    return SourceRef(system="hubspot", id=id_)


def partner(
    ref: SourceRef, name: str, domain: str, minutes: int = 0, **kw: object
) -> PartnerRecord:
    return PartnerRecord(
        ref=ref,
        modified_at=T0 + timedelta(minutes=minutes),
        name=name,
        domain=domain,
        partner_since=date(2024, 1, 1),
        **kw,  # type: ignore[arg-type]
    )


def call(ref: SourceRef, account: SourceRef, days_ago: int, minutes: int = 0) -> Activity:
    return Activity(
        ref=ref,
        modified_at=T0 + timedelta(minutes=minutes),
        partner=account,
        kind=ActivityKind.CALL,
        occurred_at=T0 - timedelta(days=days_ago),
    )


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'pp.db'}")
    migrate(engine)
    return SqlStore(engine, "test", clock=StepClock(T0))


def world() -> tuple[dict[str, list[AnyRecord]], dict[str, list[AnyRecord]]]:
    salesforce: dict[str, list[AnyRecord]] = {
        "Account": [
            partner(sf("001A"), "Acme", "https://www.acme.com/"),
            partner(sf("001B"), "Globex", "globex.io", minutes=1),
            partner(sf("001C"), "Customer Co", "cust.com", is_partner=False),
        ],
        "Task": [call(sf(f"00T{i}"), sf("001A"), days_ago=i, minutes=i) for i in range(5)],
        "Opportunity": [
            Deal(
                ref=sf("006A"),
                modified_at=T0,
                partner=sf("001A"),
                amount=Decimal("1200.50"),
                close_date=date(2025, 12, 1),
                won=True,
                closed=True,
            )
        ],
    }
    hubspot: dict[str, list[AnyRecord]] = {
        "companies": [
            partner(hs("11"), "ACME Inc", "acme.com"),
            partner(hs("12"), "Initech", "initech.com", linked_salesforce_id="001B"),
            partner(hs("13"), "Hooli", "hooli.com"),
        ],
        "calls": [call(hs("21"), hs("13"), days_ago=3)],
    }
    return salesforce, hubspot


def adapters(**kw: object) -> dict[str, FakeAdapter]:
    salesforce, hubspot = world()
    return {
        "salesforce": FakeAdapter("salesforce", salesforce, **kw),  # type: ignore[arg-type]
        "hubspot": FakeAdapter("hubspot", hubspot, **kw),  # type: ignore[arg-type]
    }


def run(store: SqlStore, fakes: dict[str, FakeAdapter], **options: object):  # type: ignore[no-untyped-def]
    return run_sync(
        Config(),
        adapters=fakes,  # type: ignore[arg-type]
        store=store,
        clock=StepClock(T0 + timedelta(hours=1)),
        options=SyncOptions(**options),  # type: ignore[arg-type]
    )


def test_a_first_run_lands_every_record_links_and_scores(store: SqlStore) -> None:
    fakes = adapters()
    report = run(store, fakes)
    assert report.outcome == "ok"
    assert report.exit_code == ExitCode.OK
    assert store.count(PartnerRecord) == 6
    assert store.count(Activity) == 6
    assert report.pull.pulled["salesforce/Task"] == 5
    links = {link.ref: link.partner_id for link in store.links()}
    assert links[sf("001A")] == links[hs("11")], "same domain: one partner"
    assert links[sf("001B")] == links[hs("12")], "salesforceaccountid: one partner"
    assert sf("001C") not in links, "a customer is not a partner"
    assert len(report.scored) == 3
    assert len(store.latest_snapshots()) == 3
    runs = store.runs()
    assert runs[0].outcome == "ok"
    assert runs[0].records_pulled == 13
    assert sum(runs[0].api_calls.values()) == sum(f.calls.total for f in fakes.values())


def test_a_second_run_with_nothing_changed_reads_one_page_per_stream(store: SqlStore) -> None:
    run(store, adapters())
    fakes = adapters()
    report = run(store, fakes)
    assert report.pull.records == 0
    for fake in fakes.values():
        assert fake.fulls == []
        assert fake.calls.total == len(fake.streams)


def test_a_full_run_marks_what_the_crm_no_longer_has_deleted(store: SqlStore) -> None:
    run(store, adapters())
    fakes = adapters()
    fakes["salesforce"].data["Task"] = fakes["salesforce"].data["Task"][1:]
    report = run(store, fakes, full=True)
    assert report.pull.deleted["salesforce/Task"] == 1
    alive = {a.ref.id for a in store.records(Activity)}
    assert "00T0" not in alive
    assert "00T1" in alive


def test_quarantined_records_finish_the_run_with_exit_1(store: SqlStore) -> None:
    bad = Quarantined(system="hubspot", stream="calls", record_id="99", reason="hs_timestamp 'x'")
    fakes = adapters()
    fakes["hubspot"].quarantine = {"calls": [bad]}
    report = run(store, fakes)
    assert report.outcome == "rejected"
    assert report.exit_code == ExitCode.REJECTED
    assert [q.record_id for q in store.quarantined()] == ["99"]
    assert store.count(Activity) == 6, "the rest synced"


def test_a_spent_budget_stops_cleanly_and_the_next_run_resumes(store: SqlStore) -> None:
    fakes = adapters(budget_after_pages=3)
    with pytest.raises(BudgetExhausted):
        run(store, fakes)
    assert store.runs()[0].outcome == "stopped"
    kept = store.count(PartnerRecord) + store.count(Activity)
    assert 0 < kept < 12
    report = run(store, adapters())
    assert report.outcome == "ok"
    assert store.count(PartnerRecord) + store.count(Activity) == 12


def test_a_stop_request_ends_the_run_between_pages(store: SqlStore) -> None:
    stop = threading.Event()
    stop.set()
    report = run_sync(
        Config(),
        adapters=adapters(),  # type: ignore[arg-type]
        store=store,
        clock=StepClock(T0),
        stop=stop,
    )
    assert report.outcome == "interrupted"
    assert report.scored == []


def test_a_cursor_older_than_the_deletion_window_forces_a_full_reconcile(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pp.db'}")
    migrate(engine)
    clock = StepClock(T0)
    run(SqlStore(engine, "test", clock=clock), adapters())
    clock.current += timedelta(days=20)
    fakes = adapters()
    report = run_sync(
        Config(),
        adapters=fakes,  # type: ignore[arg-type]
        store=SqlStore(engine, "test", clock=clock),
        clock=StepClock(clock.current),
    )
    assert "Task" in fakes["salesforce"].fulls
    assert any("longer ago than the CRM keeps deleted records" in n for n in report.notes)


def test_a_dry_run_keeps_no_snapshot(store: SqlStore) -> None:
    report = run(store, adapters(), dry_run=True)
    assert len(report.scored) == 3
    assert store.latest_snapshots() == {}
