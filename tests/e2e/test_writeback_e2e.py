"""Issue 6, end to end: tags and tasks written into both sandbox CRMs by full syncs through
the real composition, then the policies, a refused record and the call counts.

One world, synced in order (module fixtures): the first sync writes everything; the second,
with nothing changed, writes nothing; a segment edited by hand is kept under
``keep_manual`` and restored under ``overwrite``; a record a person deletes between the
pull and the write is refused, quarantined with the CRM's message, and the run exits 1.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.crash_checks import duplicate_tasks, fields, record_id, task_keys, wrong_tags
from connector.config.writeback import WritebackConfig
from connector.errors import ExitCode
from connector.model import PartnerRecord, Segment, System
from connector.operations import TagUpdate, TaskCreate
from connector.planning import STREAM
from connector.store import SqlStore
from connector.sync.engine import SyncReport
from sandbox.generate_time import default_now
from sandbox.world import World, generate_world
from tests.e2e.harness import (
    SYSTEMS,
    Adapters,
    BeforeApply,
    Crm,
    config_of,
    delta,
    run_calls,
    serve,
    settle,
    sync,
)

PARTNERS = 200
SEED = 23
ACCOUNT: dict[System, str] = {"salesforce": "Account", "hubspot": "companies"}
KEEP_SEGMENT = {"PARTNERPULSE_WRITEBACK__POLICY__SEGMENT": "keep_manual"}
WRITES: dict[str, tuple[str, ...]] = {  # the adapters' write endpoints, per operation kind
    "tag_update": (
        "salesforce:PATCH composite",
        "hubspot:POST /crm/v3/objects/companies/batch/update",
    ),
    "task_create": (
        "salesforce:PATCH composite/sobjects/{type}/{field}",
        "hubspot:POST /crm/v3/objects/tasks/batch/create",
    ),
}
BATCH: dict[System, int] = {"salesforce": 200, "hubspot": 100}


@dataclass
class Synced:
    report: SyncReport
    routes: dict[System, dict[str, int]]
    crm_calls: dict[str, int]
    written: dict[System, int]


def synced(crm: Crm, env: dict[str, str] | None = None, **kw: Any) -> Synced:
    before = crm.stats()
    report = sync(crm.config, env=env or {}, **kw)
    after = crm.stats()
    return Synced(
        report,
        {s: delta(before[s], after[s]) for s in SYSTEMS},
        {s: after[s]["total_calls"] - before[s]["total_calls"] for s in SYSTEMS},
        {s: after[s]["records_written"] - before[s]["records_written"] for s in SYSTEMS},
    )


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(PARTNERS, SEED, default_now())


@pytest.fixture(scope="module")
def crm(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crm]:
    with serve(world, tmp_path_factory.mktemp("writeback"), now=None, seed=SEED) as served:
        yield served


@pytest.fixture(scope="module")
def writeback(crm: Crm) -> WritebackConfig:
    return config_of(crm.config).writeback


@pytest.fixture
def store(crm: Crm) -> Iterator[SqlStore]:
    opened = crm.store()
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="module")
def first(crm: Crm) -> Synced:
    return synced(crm)


@pytest.fixture(scope="module")
def second(crm: Crm, first: Synced) -> Synced:
    settle()  # a run right after a write: see test_a_sync_right_after_a_sync_writes_nothing
    return synced(crm)


def writable(store: SqlStore) -> dict[str, dict[System, list[str]]]:
    """Per active partner, the live, partner-filter-matching records of it in each CRM."""
    latest = store.latest_snapshots()
    records = {(r.ref.system, r.ref.id): r for r in store.records(PartnerRecord)}
    found: dict[str, dict[System, list[str]]] = {}
    for link in store.links():
        snapshot = latest.get(link.partner_id)
        record = records.get((link.ref.system, link.ref.id))
        if snapshot is None or snapshot.churned or record is None or not record.is_partner:
            continue
        found.setdefault(link.partner_id, {}).setdefault(link.ref.system, []).append(link.ref.id)
    return found


@dataclass
class HandEdits:
    edited: dict[System, tuple[str, str, str]]  # system -> (record id, by hand, desired)


@pytest.fixture(scope="module")
def hand_edited(crm: Crm, second: Synced, writeback: WritebackConfig) -> HandEdits:
    """One partner record per CRM gets another segment, set by a person in the CRM."""
    store = crm.store()
    try:
        latest = store.latest_snapshots()
        targets = writable(store)
    finally:
        store.engine.dispose()
    names = {"salesforce": writeback.salesforce_fields, "hubspot": writeback.hubspot_properties}
    edits = HandEdits({})
    for system in SYSTEMS:
        partner = next(p for p in sorted(targets) if system in targets[p])
        rid = sorted(targets[partner][system])[0]
        desired = latest[partner].segment.value
        other = next(s.value for s in Segment if s.value != desired)
        crm.back_door.post(
            system,
            "mutate",
            {"object": ACCOUNT[system], "ids": [rid], "set": {names[system]["segment"]: other}},
        )
        edits.edited[system] = (rid, other, desired)
    settle()
    return edits


@pytest.fixture(scope="module")
def kept(crm: Crm, hand_edited: HandEdits) -> Synced:
    return synced(crm, KEEP_SEGMENT)


@pytest.fixture(scope="module")
def overwritten(crm: Crm, kept: Synced) -> Synced:
    settle()
    return synced(crm)


def segment_of(crm: Crm, system: System, rid: str, writeback: WritebackConfig) -> object:
    name = (
        writeback.salesforce_fields if system == "salesforce" else writeback.hubspot_properties
    )["segment"]
    row = next(
        r for r in crm.back_door.records(system, ACCOUNT[system]) if record_id(system, r) == rid
    )
    return fields(system, row).get(name)


@dataclass
class Refusal:
    run: Synced
    scored: dict[System, list[str]]  # records whose score a person changed
    deleted: dict[System, str]  # ... of which this one was deleted before the write


@pytest.fixture(scope="module")
def refused(crm: Crm, overwritten: Synced, writeback: WritebackConfig) -> Refusal:
    """A person overwrites the score on 5 records per CRM; one of them is deleted between
    the pull and the write (the write of that one fails in the CRM)."""
    store = crm.store()
    try:
        targets = writable(store)
    finally:
        store.engine.dispose()
    names = {"salesforce": writeback.salesforce_fields, "hubspot": writeback.hubspot_properties}
    scored: dict[System, list[str]] = {}
    for system in SYSTEMS:
        ids = sorted(rid for p in targets.values() for rid in p.get(system, ()))[5:10]
        crm.back_door.post(
            system,
            "mutate",
            {"object": ACCOUNT[system], "ids": ids, "set": {names[system]["health_score"]: 1}},
        )
        scored[system] = ids
    settle()
    deleted = {system: scored[system][2] for system in SYSTEMS}

    def wrap(adapters: Adapters) -> Adapters:
        def deleter(system: System) -> BeforeApply:
            obj, rid = ACCOUNT[system], deleted[system]
            return BeforeApply(
                adapters[system],
                lambda: crm.back_door.post(system, "delete", {"object": obj, "ids": [rid]}),
            )

        return {system: deleter(system) for system in adapters}

    return Refusal(synced(crm, wrap=wrap), scored, deleted)


def test_every_partner_carries_the_tags_of_its_latest_snapshot(
    crm: Crm, first: Synced, store: SqlStore, writeback: WritebackConfig
) -> None:
    assert first.report.outcome == "ok", first.report.error
    assert first.report.writeback is not None
    assert first.report.writeback.rejects == 0
    targets = writable(store)
    assert sum(len(ids) for p in targets.values() for ids in p.values()) > PARTNERS // 2
    assert wrong_tags(store, crm.back_door, writeback) == []


def test_each_fired_playbook_has_its_task_once_in_each_crm(
    crm: Crm, first: Synced, store: SqlStore, writeback: WritebackConfig
) -> None:
    keys = task_keys(crm.back_door, writeback)
    assert duplicate_tasks(keys) == []
    targets = writable(store)
    expected: set[tuple[str, str]] = set()
    for scored in first.report.scored:
        if scored.snapshot.churned:
            continue
        for playbook in scored.fired():
            for system in targets.get(scored.partner_id, {}):
                expected.add((system, f"{playbook.name}:{scored.partner_id}:"))
    assert expected, "no playbook fired: nothing is tested"
    found = {(system, key.rsplit(":", 1)[0] + ":") for system, c in keys.items() for key in c}
    assert found == expected
    plan = first.report.writeback.plan if first.report.writeback else None
    assert plan is not None
    creates = [op for op in plan.operations if isinstance(op, TaskCreate)]
    assert len(creates) == len(expected)
    assert all(keys[op.system][op.task_key] == 1 for op in creates)


def test_write_calls_are_one_per_batch_of_each_kind(first: Synced) -> None:
    assert first.report.writeback is not None
    ops = first.report.writeback.plan.operations
    per_kind: dict[str, Counter[System]] = {
        "tag_update": Counter(
            op.system
            for op in {(o.system, o.record_id): o for o in ops if isinstance(o, TagUpdate)}.values()
        ),
        "task_create": Counter(op.system for op in ops if isinstance(op, TaskCreate)),
    }
    for kind, endpoints in WRITES.items():
        for endpoint in endpoints:
            system: System = "salesforce" if endpoint.startswith("salesforce") else "hubspot"
            n = per_kind[kind][system]
            assert n > 0, (kind, system)
            assert first.report.api_calls.get(endpoint, 0) == math.ceil(n / BATCH[system]), endpoint
    for system in SYSTEMS:
        assert first.written[system] == sum(per_kind[k][system] for k in per_kind)
    assert run_calls(first.report) == first.crm_calls


def test_a_second_sync_with_nothing_changed_makes_zero_write_calls(second: Synced) -> None:
    assert second.report.outcome == "ok"
    assert second.report.writeback is not None
    assert second.report.writeback.plan.rows() == []
    assert second.written == {"salesforce": 0, "hubspot": 0}
    writes = [e for e in second.report.api_calls if any(e in w for w in WRITES.values())]
    assert writes == []
    for system in SYSTEMS:
        assert not [r for r in second.routes[system] if r.split()[0] in ("PATCH", "PUT", "DELETE")]
    assert run_calls(second.report) == second.crm_calls


def test_keep_manual_leaves_a_tag_set_by_hand_and_reports_it(
    crm: Crm, hand_edited: HandEdits, kept: Synced, writeback: WritebackConfig
) -> None:
    assert kept.report.writeback is not None
    plan = kept.report.writeback.plan
    reported = {(k.system, k.record_id, k.tag, k.live) for k in plan.kept}
    for system, (rid, by_hand, _) in hand_edited.edited.items():
        assert (system, rid, "segment", by_hand) in reported
        assert segment_of(crm, system, rid, writeback) == by_hand
    assert plan.operations == ()
    assert kept.written == {"salesforce": 0, "hubspot": 0}


def test_overwrite_restores_a_tag_set_by_hand(
    crm: Crm, hand_edited: HandEdits, overwritten: Synced, writeback: WritebackConfig
) -> None:
    assert overwritten.report.outcome == "ok"
    for system, (rid, _, desired) in hand_edited.edited.items():
        assert segment_of(crm, system, rid, writeback) == desired
    assert overwritten.written == {"salesforce": 1, "hubspot": 1}


def test_a_record_refused_in_a_batch_is_quarantined_and_the_others_are_written(
    crm: Crm, refused: Refusal, writeback: WritebackConfig
) -> None:
    report = refused.run.report
    assert report.exit_code == ExitCode.REJECTED
    assert report.outcome == "rejected"
    assert report.writeback is not None
    assert report.writeback.applied is not None
    rejected = report.writeback.applied.rejected
    assert len(rejected) == 2
    store = crm.store()
    try:
        entries = {
            (q.system, q.record_id): q.reason for q in store.quarantined() if q.stream == STREAM
        }
        assert set(entries) == set(refused.deleted.items())
        for reason in entries.values():
            assert "refused" in reason
        live = {s: {record_id(s, r): r for r in crm.back_door.live(s, ACCOUNT[s])} for s in SYSTEMS}
        for system, ids in refused.scored.items():
            for rid in ids:
                if rid == refused.deleted[system]:
                    assert rid not in live[system]
                    continue
                score = fields(system, live[system][rid])[
                    (
                        writeback.salesforce_fields
                        if system == "salesforce"
                        else writeback.hubspot_properties
                    )["health_score"]
                ]
                assert float(score) != 1.0, (system, rid)
    finally:
        store.engine.dispose()
    for endpoint in WRITES["tag_update"]:
        assert report.api_calls.get(endpoint) == 1, endpoint
    assert refused.run.written == {"salesforce": 4, "hubspot": 4}
    assert run_calls(report) == refused.run.crm_calls


def test_a_sync_right_after_a_sync_writes_nothing(tmp_path: Path) -> None:
    """Invariant 2 with no pause between runs (``partnerpulse sync; partnerpulse sync``).

    Salesforce only, so its writes are the last thing the first run does; they are sent at
    the start of a whole second, so the second run starts within that same second.
    """
    world = generate_world(60, 5, default_now())
    only_salesforce = {"PARTNERPULSE_HUBSPOT__ENABLED": "false"}

    def at_a_new_second() -> None:
        time.sleep(1 - datetime.now(UTC).microsecond / 1e6)

    def wrap(adapters: Adapters) -> Adapters:
        return {s: BeforeApply(a, at_a_new_second) for s, a in adapters.items()}

    with serve(world, tmp_path, now=None, seed=5) as served:  # the CRM's clock: real time
        first = sync(served.config, env=only_salesforce, wrap=wrap)
        assert first.written > 0
        again = synced(served, only_salesforce)
    assert again.report.started_at.replace(microsecond=0) == (
        first.finished_at or first.started_at
    ).replace(microsecond=0), "precondition: the second run starts in the second of the writes"
    assert again.report.writeback is not None
    assert again.report.writeback.plan.operations == ()
    assert again.written == {"salesforce": 0, "hubspot": 0}
