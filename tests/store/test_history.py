"""Snapshots, links and runs: what the store remembers between runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from connector.model import Link, LinkReason, Tier
from connector.store import SqlStore
from connector.store.tables import links
from tests.store.conftest import FakeClock
from tests.store.factories import T0, ref, snapshot


def test_snapshots_round_trip_and_replace_on_the_same_key(store: SqlStore) -> None:
    first = snapshot("P1", T0)
    store.save_snapshots([first], run_id="r1")
    assert store.snapshot_history("P1") == [first]

    rescored = snapshot("P1", T0, score=12.0, tier=Tier.BRONZE)
    store.save_snapshots([rescored], run_id="r2")
    assert store.snapshot_history("P1") == [rescored]


def test_latest_history_and_near(store: SqlStore) -> None:
    days = [T0 + timedelta(days=d) for d in (0, 10, 20, 30)]
    store.save_snapshots([snapshot("P1", d, score=float(i)) for i, d in enumerate(days)])
    store.save_snapshots([snapshot("P2", days[1], score=50.0)])

    latest = store.latest_snapshots()
    assert {k: v.score for k, v in latest.items()} == {"P1": 3.0, "P2": 50.0}
    assert [s.score for s in store.snapshot_history("P1", limit=2)] == [3.0, 2.0]

    near = store.snapshots_near(T0 + timedelta(days=25))
    assert {k: v.score for k, v in near.items()} == {"P1": 2.0, "P2": 50.0}
    windowed = store.snapshots_near(T0 + timedelta(days=25), window=timedelta(days=7))
    assert {k: v.score for k, v in windowed.items()} == {"P1": 2.0}
    assert store.snapshots_near(T0 - timedelta(seconds=1)) == {}


def test_links_are_replaced_whole_and_keep_their_linked_since(
    store: SqlStore, clock: FakeClock
) -> None:
    a = Link(partner_id="P1", ref=ref("001A"), reason=LinkReason.ID_FIELD, detail="Partner_Id__c")
    b = Link(partner_id="P1", ref=ref("9001", "hubspot"), reason=LinkReason.DOMAIN, confidence=0.9)
    c = Link(partner_id="P2", ref=ref("001B"), reason=LinkReason.ONLY_SOURCE)
    linked = clock.now()
    store.save_links([a, b, c])
    assert store.links() == [b, a, c]  # by partner, then system and id

    moved_at = clock.advance(days=1)
    moved = b.model_copy(update={"partner_id": "P3"})
    store.save_links([a, moved])
    assert store.links() == [a, moved]
    assert _linked_at(store) == {"001A": linked, "9001": moved_at}


def _linked_at(store: SqlStore) -> dict[str, datetime]:
    c = links.c
    query = select(c.source_id, c.linked_at).where(c.workspace == store.workspace)
    with store.engine.connect() as conn:
        return {source_id: stamp for source_id, stamp in conn.execute(query)}


def test_link_overrides_set_replace_and_clear(store: SqlStore) -> None:
    store.set_link_override(ref("9001", "hubspot"), "P1", note="same company, two domains")
    store.set_link_override(ref("9001", "hubspot"), "P2", note="actually P2")
    store.set_link_override(ref("001A"), "P1")
    assert [(o.ref.id, o.partner_id, o.note) for o in store.link_overrides()] == [
        ("9001", "P2", "actually P2"),
        ("001A", "P1", ""),
    ]
    store.set_link_override(ref("9001", "hubspot"), None)
    assert [o.ref.id for o in store.link_overrides()] == ["001A"]


def test_runs_start_finish_and_list_newest_first(store: SqlStore, clock: FakeClock) -> None:
    first = store.start_run("sync", host="node-1")
    started = clock.now()
    clock.advance(minutes=3)
    store.finish_run(
        first,
        "rejected",
        records_pulled=1200,
        records_written=14,
        rejects=2,
        api_calls={"salesforce": 31, "hubspot": 12},
        detail={"streams": {"Account": 300}, "dry_run": False},
        error=None,
    )
    clock.advance(minutes=1)
    second = store.start_run("plan")

    runs = store.runs()
    assert [r.id for r in runs] == [second, first]
    assert (runs[0].outcome, runs[0].finished_at) == ("running", None)
    done = runs[1]
    assert (done.kind, done.host, done.outcome) == ("sync", "node-1", "rejected")
    assert (done.started_at, done.finished_at) == (started, started + timedelta(minutes=3))
    assert (done.records_pulled, done.records_written, done.rejects) == (1200, 14, 2)
    assert done.api_calls == {"salesforce": 31, "hubspot": 12}
    assert done.detail == {"streams": {"Account": 300}, "dry_run": False}
    assert [r.id for r in store.runs(limit=1)] == [second]


def test_a_killed_run_is_closed_as_abandoned_by_the_next_run_on_its_host(
    store: SqlStore,
) -> None:
    killed = store.start_run("sync", host="h1", pid=111)
    going = store.start_run("sync", host="h1", pid=222)
    elsewhere = store.start_run("sync", host="h2", pid=111)
    no_pid = store.start_run("sync", host="h1")
    assert store.abandon_dead_runs("h1", alive=lambda pid: pid == 222) == [killed]
    outcome = {r.id: r.outcome for r in store.runs()}
    assert outcome == {
        killed: "abandoned",
        going: "running",
        elsewhere: "running",
        no_pid: "running",
    }
    (closed,) = [r for r in store.runs() if r.id == killed]
    assert closed.finished_at is not None
    assert "killed" in (closed.error or "")
    store.finish_run(going, "ok")
    assert store.abandon_dead_runs("h1", alive=lambda pid: False) == []  # finished stay finished
