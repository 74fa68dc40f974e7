"""Issue 4, end to end: a generated world pulled from both sandbox CRMs through the real
composition (``partnerpulse sync``'s path), write-back off.

One world is served for the module and synced in order: a first (full) pull, a second with
nothing changed, a third after the CRMs changed 50 records and deleted 5. A second sandbox
serves an identical world with faults on, and its full pull must land the same store.

Size: ``PP_E2E_PARTNERS`` partners (default below; docs/reliability.md has the times and
the command for the 2,000-partner run).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.crash_checks import SERVED, STREAM_TABLES, Lost, lost_records, record_id, store_counts
from connector.model import Deal, System
from connector.sync.engine import SyncReport
from sandbox.generate_time import default_now
from sandbox.world import World, generate_world
from tests.e2e.harness import (
    NO_WRITEBACK,
    SYSTEMS,
    Crm,
    delta,
    record_rows,
    run_calls,
    serve,
    settle,
    sync,
)

PARTNERS = int(os.environ.get("PP_E2E_PARTNERS", "400"))
SEED = 11
NOW = default_now()
# Issue 4's fault mix, but the Salesforce token dies every 40 calls rather than 300: a full
# pull of this world makes ~100-200 Salesforce calls, so 300 would never fire.
FAULTS = (
    "salesforce.429=0.05,salesforce.503=0.02,salesforce.token-expiry=40,salesforce.reset=0.02,"
    "hubspot.429=0.05,hubspot.503=0.02,hubspot.reset=0.02"
)
# Smaller Salesforce pages under faults, and REST for every stream: more calls, so every
# fault kind of the mix fires at any size (at 2,000 partners Bulk 2.0 took the big streams
# in ~60 calls and a 2% reset drew none; Bulk under faults is tested in
# tests/adapters_salesforce/test_faults.py). Same store either way.
FAULTED_ENV = {
    **NO_WRITEBACK,
    "PARTNERPULSE_SALESFORCE__PAGE_SIZE": "200",
    "PARTNERPULSE_SALESFORCE__BULK_THRESHOLD": "100000000",
}
# HubSpot lists archived records at most every archived_check_s (default an hour) so that a
# run with nothing changed stays at one call a stream; the run after the deletes asks now.
CHECK_ARCHIVED = {**NO_WRITEBACK, "PARTNERPULSE_HUBSPOT__ARCHIVED_CHECK_S": "0"}
TOKEN_ROUTES = ("POST /services/oauth2/token", "POST /oauth/v1/token")
STREAMS: dict[System, int] = {"salesforce": 6, "hubspot": 9}


@dataclass
class Run:
    """One sync and what it cost: CRM-side calls per route and in total, the store after."""

    report: SyncReport
    routes: dict[System, dict[str, int]]
    crm_calls: dict[str, int]
    rows: dict[str, set[tuple[Any, ...]]]
    lost: list[Lost] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def measured(crm: Crm, env: dict[str, str], *, check: bool = False) -> Run:
    before = crm.stats()
    report = sync(crm.config, env=env)
    after = crm.stats()
    store = crm.store()
    try:
        run = Run(
            report,
            {s: delta(before[s], after[s]) for s in SYSTEMS},
            {s: after[s]["total_calls"] - before[s]["total_calls"] for s in SYSTEMS},
            record_rows(store, with_run=True),
        )
        if check:
            run.lost = lost_records(store, crm.back_door)
            run.counts = store_counts(store)
    finally:
        store.engine.dispose()
    return run


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(PARTNERS, SEED, NOW)


@pytest.fixture(scope="module")
def present() -> datetime:
    """The CRMs' clock at start (it then runs in real time) and the stamp of every record
    the generator leaves unstamped: the same for both worlds, so both stores can be equal.
    Close to the real time, as a CRM's clock is: the connector caps cursors by its own."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def crm(world: World, present: datetime, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crm]:
    with serve(world, tmp_path_factory.mktemp("pull"), now=present, seed=SEED) as served:
        yield served


@pytest.fixture(scope="module")
def first(crm: Crm) -> Run:
    return measured(crm, NO_WRITEBACK, check=True)


@pytest.fixture(scope="module")
def second(crm: Crm, first: Run) -> Run:
    return measured(crm, NO_WRITEBACK)


@dataclass
class Changes:
    changed: set[tuple[str, str]]
    deleted: set[tuple[str, str]]


# object -> (records to change, field set). 10 Salesforce Tasks share one modstamp.
CHANGE: dict[System, list[tuple[str, int, dict[str, Any]]]] = {
    "salesforce": [
        ("Task", 10, {"Subject": "Call back (edited)"}),
        ("Opportunity", 10, {"Name": "Renewal (edited)"}),
        ("Case", 5, {"Subject": "Escalated (edited)"}),
    ],
    "hubspot": [
        ("calls", 10, {"hs_call_title": "Follow-up (edited)"}),
        ("deals", 10, {"dealname": "Expansion (edited)"}),
        ("tickets", 5, {"subject": "Reopened (edited)"}),
    ],
}
DELETE: dict[System, list[str]] = {
    "salesforce": ["Task", "Event", "Opportunity"],
    "hubspot": ["emails", "deals"],
}


@pytest.fixture(scope="module")
def changes(crm: Crm, second: Run) -> Changes:
    """50 records changed as a person would, 3 Salesforce records deleted, 2 HubSpot archived."""
    rng = random.Random(SEED)
    done = Changes(set(), set())
    # A whole second after the second run started, so the tie is inside the next window.
    while datetime.now(UTC) - timedelta(seconds=1) < second.report.started_at:
        time.sleep(0.1)
    tie = datetime.now(UTC).replace(microsecond=0).isoformat()
    for system in SYSTEMS:
        for obj, n, values in CHANGE[system]:
            ids = sorted(record_id(system, r) for r in crm.back_door.live(system, obj))
            picked = rng.sample(ids, n)
            body = {"object": obj, "ids": picked, "set": values}
            if obj == "Task":
                body["modstamp"] = tie
            crm.back_door.post(system, "mutate", body)
            done.changed.update((system, i) for i in picked)
        for obj in DELETE[system]:
            ids = sorted(record_id(system, r) for r in crm.back_door.live(system, obj))
            gone = rng.choice([i for i in ids if (system, i) not in done.changed])
            crm.back_door.post(system, "delete", {"object": obj, "ids": [gone]})
            done.deleted.add((system, gone))
    assert len(done.changed) == 50
    settle()
    return done


@pytest.fixture(scope="module")
def third(crm: Crm, changes: Changes) -> Run:
    return measured(crm, CHECK_ARCHIVED)


@pytest.fixture(scope="module")
def faulted(
    tmp_path_factory: pytest.TempPathFactory, present: datetime, first: Run
) -> Iterator[Run]:
    """An identical world (same seed, same present) behind faulty CRMs, pulled in full."""
    twin = generate_world(PARTNERS, SEED, NOW)
    workdir = tmp_path_factory.mktemp("faulted")
    with serve(twin, workdir, now=present, faults=FAULTS, seed=SEED) as c:
        run = measured(c, FAULTED_ENV, check=True)
        for system in SYSTEMS:
            for kind, n in c.back_door.stats(system)["faults_injected"].items():
                run.counts[f"{system}.{kind}"] = n
        yield run


def test_a_full_pull_lands_every_record_of_every_stream(first: Run, world: World) -> None:
    report = first.report
    assert report.outcome == "ok", report.error
    assert report.pull.rejects == 0
    assert sorted(report.pull.full_streams) == sorted(
        f"{s}/{stream}" for s, streams in STREAM_TABLES.items() for stream in streams
    )
    assert first.lost == []  # live ids per object: CRM == store, both ways
    for system, objects in SERVED.items():
        for obj in objects:
            table = STREAM_TABLES[system][obj]
            rows = world.salesforce[obj] if system == "salesforce" else world.hubspot[obj]
            assert first.counts[f"{system}/{obj}/{table}"] == len(rows) > 0, obj
    assert first.counts["hubspot/owners/owners"] == len(world.hubspot_owners)


def test_partners_are_linked_across_crms_as_the_generator_intended(
    crm: Crm, first: Run, world: World
) -> None:
    store = crm.store()
    try:
        partner_of = {(link.ref.system, link.ref.id): link.partner_id for link in store.links()}
    finally:
        store.engine.dispose()
    kinds: dict[str, int] = {}
    for truth in world.truth["partners"]:
        kind = truth["link"]
        kinds[kind] = kinds.get(kind, 0) + 1
        sf = partner_of.get(("salesforce", truth["salesforce_id"] or ""))
        hs = partner_of.get(("hubspot", truth["hubspot_id"] or ""))
        if kind in ("salesforceaccountid", "domain"):
            assert sf is not None, truth
            assert sf == hs, truth
        elif kind == "name":  # fuzzy matching is off: a name alone never joins
            assert sf is not None, truth
            assert hs is not None, truth
            assert sf != hs, truth
        else:
            assert (sf is None) != (hs is None), truth
    assert all(kinds.get(k, 0) > 0 for k in ("salesforceaccountid", "domain", "name", "none"))
    partners = [p for p in partner_of.values()]
    joined = len(partners) - len(set(partners))
    assert joined == kinds["salesforceaccountid"] + kinds["domain"]


def boundary_partners(world: World) -> set[str]:
    """Partners with a won deal closed exactly 365 days before the world's present.

    The generator's truth counts that day in "the last 12 months" (``close_day <= 365``);
    scoring's window is ``(as_of - 12 months, as_of]`` and does not. Domain.md says only
    "last 12 months", so such partners are left out of the comparison (reported).
    """
    edge = (NOW - timedelta(days=365)).date().isoformat()
    accounts = {
        o["AccountId"]
        for o in world.salesforce["Opportunity"]
        if o["IsWon"] and o["CloseDate"] == edge
    }
    companies = set()
    for deal in world.hubspot["deals"]:
        props = deal["properties"]
        if props.get("dealstage") == "closedwon" and _day(props.get("closedate")) == edge:
            companies.update(deal.get("associations", {}).get("companies", []))
    return {
        t["key"]
        for t in world.truth["partners"]
        if t["salesforce_id"] in accounts or t["hubspot_id"] in companies
    }


def _day(value: object) -> str:
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date().isoformat()
    return text[:10]


def test_mirrored_deals_count_once_in_won_revenue(crm: Crm, first: Run, world: World) -> None:
    mirrored = world.truth["mirrored_deals"]
    assert mirrored, "the world mirrors no deal: nothing is tested"
    store = crm.store()
    try:
        partner_of = {(link.ref.system, link.ref.id): link.partner_id for link in store.links()}
        stored = {(d.ref.system, d.ref.id) for d in store.records(Deal)}
    finally:
        store.engine.dispose()
    # Both copies of every mirrored deal are in the store: counting once is scoring's doing.
    assert all(
        ("hubspot", h) in stored and ("salesforce", s) in stored for h, s in mirrored.items()
    )
    won = {s.partner_id: s.facts.won_cents_recent for s in first.report.scored}
    edge = boundary_partners(world)
    wrong, compared = [], 0
    for truth in world.truth["partners"]:
        refs = {("salesforce", truth["salesforce_id"]), ("hubspot", truth["hubspot_id"])}
        ids = {partner_of[r] for r in refs if r in partner_of}
        if not ids & won.keys() or truth["key"] in edge:
            continue
        compared += 1
        got = sum(won.get(p, 0) for p in ids)
        if got != round(truth["won_last_12m"] * 100):
            wrong.append((truth["key"], truth["mirrors"], got, truth["won_last_12m"]))
    assert len(edge) <= 0.05 * len(world.truth["partners"])
    assert compared >= 0.85 * len(world.truth["partners"])
    assert wrong == []


def test_a_run_records_the_calls_the_crms_counted(first: Run) -> None:
    assert run_calls(first.report) == first.crm_calls


def test_a_second_run_with_nothing_changed_reads_once_a_stream_and_stores_nothing(
    first: Run, second: Run
) -> None:
    assert second.report.outcome == "ok"
    assert second.report.pull.records == 0
    assert second.report.pull.full_streams == []
    for system in SYSTEMS:
        reads = {r: n for r, n in second.routes[system].items() if r not in TOKEN_ROUTES}
        assert sum(reads.values()) <= STREAMS[system], (system, reads)
    assert run_calls(second.report) == second.crm_calls
    assert second.rows == first.rows  # no modified_at, deleted flag or run_id changed


def test_an_incremental_picks_up_exactly_the_changes(
    second: Run, changes: Changes, third: Run
) -> None:
    report = third.report
    assert report.outcome == "ok"
    assert report.pull.full_streams == []
    moved = {
        (row[0], row[1])
        for name, rows in third.rows.items()
        for row in rows - second.rows[name]
        if name != "surveys"
    }
    assert moved == changes.changed | changes.deleted
    now_deleted = {(r[0], r[1]) for rows in third.rows.values() for r in rows if r[3]}
    was_deleted = {(r[0], r[1]) for rows in second.rows.values() for r in rows if r[3]}
    assert now_deleted - was_deleted == changes.deleted
    assert report.pull.records == 50
    assert sum(report.pull.deleted.values()) == len(changes.deleted) == 5
    assert run_calls(report) == third.crm_calls


def test_a_full_pull_under_faults_lands_the_same_store(first: Run, faulted: Run) -> None:
    assert faulted.report.outcome == "ok", faulted.report.error
    injected = {k: n for k, n in faulted.counts.items() if "/" not in k}
    for kind in ("429", "503", "reset", "token-expiry"):
        assert injected.get(f"salesforce.{kind}", 0) > 0, injected
    for kind in ("429", "503", "reset"):
        assert injected.get(f"hubspot.{kind}", 0) > 0, injected
    assert faulted.lost == []

    def plain(rows: dict[str, set[tuple[Any, ...]]]) -> dict[str, set[tuple[Any, ...]]]:
        return {name: {r[:4] for r in table} for name, table in rows.items()}

    assert plain(faulted.rows) == plain(first.rows)
    assert run_calls(faulted.report) == faulted.crm_calls
