"""Applying plans through the ledger, over real stores (SQLite and PostgreSQL) and fake CRMs
at the port: ledger before send, crashes, rejects, dry runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from connector.config import Config
from connector.config.writeback import WritebackConfig
from connector.errors import BudgetExhausted, ConfigError, ExitCode
from connector.model import Activity, Grade, Link, LinkReason, PartnerRecord, System
from connector.operations import Operation, TagUpdate, TaskCreate
from connector.planning import BlastRadiusExceeded, WritebackReport, plan_and_apply_step
from connector.scoring import PlaybookResult, ScoredPartner
from connector.store import SqlStore
from tests.planning.builders import AS_OF, PID, hs, playbook, record, scored, sf, snapshot
from tests.planning.fake_crm import Crash, FakeCrm

KEY = f"at_risk_call:{PID}:{AS_OF.date().isoformat()}"
STREAMS = {"salesforce": ("Account", "Task"), "hubspot": ("companies", "tasks")}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@dataclass
class World:
    """One partner in both CRMs, a store that has pulled it, and a way to run the step."""

    store: SqlStore
    crms: dict[System, FakeCrm]
    writeback: WritebackConfig = field(default_factory=WritebackConfig)
    pulls: int = 0

    def run(
        self, partner: ScoredPartner, *, day: int = 0, dry_run: bool = False, approve: bool = False
    ) -> WritebackReport:
        return plan_and_apply_step(
            Config(writeback=self.writeback),
            [partner],
            self.store,
            self.crms,
            run_id=self.store.start_run("sync"),
            as_of=AS_OF + timedelta(days=day),
            dry_run=dry_run,
            approve=approve,
        )

    def pull(self) -> None:
        """What the next run's pull brings back: the CRMs' tags and tasks, ours included."""
        self.pulls += 1
        stamp = AS_OF + timedelta(minutes=self.pulls)
        for system, crm in self.crms.items():
            accounts, tasks = STREAMS[system]
            pulled = crm.pulled(stamp)
            self.store.upsert_records(
                [r for r in pulled if isinstance(r, PartnerRecord)], stream=accounts
            )
            self.store.upsert_records([r for r in pulled if isinstance(r, Activity)], stream=tasks)

    def ledger(self, *keys: str) -> dict[str, str]:
        return {k: e.state for k, e in self.store.ledger_get(list(keys)).items()}


@pytest.fixture
def world(store_engine: tuple[Engine, str]) -> World:
    engine, workspace = store_engine
    store = SqlStore(engine, workspace, clock=Clock(AS_OF))
    records = [record(sf("001A")), record(hs("11"), owner="77")]
    store.save_links([Link(partner_id=PID, ref=r.ref, reason=LinkReason.DOMAIN) for r in records])
    crms: dict[System, FakeCrm] = {
        "salesforce": FakeCrm("salesforce", [records[0]]),
        "hubspot": FakeCrm("hubspot", [records[1]]),
    }
    w = World(store, crms)
    w.pull()
    return w


def fell(day: int = 0) -> ScoredPartner:
    """The run where the grade became at_risk: the event playbook fires."""
    return scored(
        snapshot(score=35.0, grade=Grade.AT_RISK, as_of=AS_OF + timedelta(days=day)),
        playbook("at_risk_call"),
    )


def still(day: int, *more: PlaybookResult) -> ScoredPartner:
    """A later run: still at_risk, so the playbook holds but no longer fires."""
    return scored(
        snapshot(score=35.0, grade=Grade.AT_RISK, as_of=AS_OF + timedelta(days=day)),
        playbook("at_risk_call", fires=False, holds=True),
        *more,
    )


def sent(crm: FakeCrm) -> list[Operation]:
    return [op for call in crm.applied for op in call]


def test_every_operation_is_ledgered_and_the_snapshot_saved_before_it_is_sent(world: World) -> None:
    seen: list[tuple[set[str], bool]] = []

    def check(ops: object) -> None:
        keys = [op.key for op in ops]  # type: ignore[attr-defined]
        states = set(world.ledger(*keys).values())
        seen.append((states, PID in world.store.latest_snapshots()))

    for crm in world.crms.values():
        crm.on_apply = check
    report = world.run(fell())
    assert seen == [({"pending"}, True), ({"pending"}, True)]
    assert report.applied is not None
    assert report.applied.exit_code == ExitCode.OK
    assert report.written == 4
    assert report.plan.counts() == {"tag_update": 2, "task_create": 2}
    assert world.crms["salesforce"].tasks["T1"].owner_id == "005OWNER"
    assert world.crms["hubspot"].tasks["T1"].owner_id == "77"
    assert set(world.ledger(f"{KEY}@salesforce", f"{KEY}@hubspot").values()) == {"done"}
    assert len(world.crms["hubspot"].applied) == 1, "one apply call per CRM"


def test_a_second_run_with_nothing_changed_writes_nothing(world: World) -> None:
    world.run(fell())
    world.pull()
    for crm in world.crms.values():
        crm.applied.clear()
    report = world.run(still(1))
    assert report.plan.operations == ()
    assert [crm.applied for crm in world.crms.values()] == [[], []]
    assert report.written == 0
    assert report.settled == []


@pytest.mark.parametrize("pulled_back", [False, True], ids=["found-by-key", "pulled-back"])
def test_a_crash_after_the_crm_applied_is_settled_by_key_and_nothing_is_created_twice(
    world: World, pulled_back: bool
) -> None:
    for crm in world.crms.values():
        crm.crash = "after"
    with pytest.raises(Crash):
        world.run(fell())
    assert world.ledger(f"{KEY}@salesforce") == {f"{KEY}@salesforce": "pending"}
    assert PID in world.store.latest_snapshots(), "saved once the plan was ledgered"
    for crm in world.crms.values():
        crm.crash = None
    if pulled_back:
        world.pull()
    # The rerun scores against the saved snapshot: the transition is past, it only holds.
    # HubSpot's batch went first (plan order) and was applied; Salesforce never got its own.
    report = world.run(still(1))
    settled = {r.key: r.ok for r in report.settled}
    assert settled[f"{KEY}@hubspot"] is True
    assert settled[f"{KEY}@salesforce"] is False
    # A tag update counts as done only when the pulled live values show it.
    assert sum(settled.values()) == (2 if pulled_back else 1)
    assert len(settled) == 4
    assert world.crms["salesforce"].creates == 1
    assert world.crms["hubspot"].creates == 1
    assert world.crms["hubspot"].found == ([] if pulled_back else [[KEY]])
    assert world.crms["salesforce"].found == [[KEY]]
    assert set(world.ledger(f"{KEY}@salesforce", f"{KEY}@hubspot").values()) == {"done"}
    world.pull()
    assert world.run(still(2)).plan.operations == ()


def test_a_crash_before_the_crm_got_anything_resends_the_same_key_once(world: World) -> None:
    world.crms["salesforce"].crash = "before"
    with pytest.raises(Crash):
        world.run(fell())
    # The snapshot is saved, so the rerun sees no transition: the ledger carries the task.
    assert world.store.latest_snapshots()[PID].grade is Grade.AT_RISK
    world.crms["salesforce"].crash = None
    world.pull()
    report = world.run(still(3))
    creates = [op for op in sent(world.crms["salesforce"]) if isinstance(op, TaskCreate)]
    # Sent once in the crashed run (never applied), once in the rerun: the same key.
    assert [op.key for op in creates] == [f"{KEY}@salesforce", f"{KEY}@salesforce"]
    assert world.crms["salesforce"].creates == 1
    assert world.crms["hubspot"].creates == 1
    assert report.applied is not None
    assert report.applied.done >= 1
    assert world.ledger(f"{KEY}@salesforce") == {f"{KEY}@salesforce": "done"}
    world.pull()
    assert world.run(still(4)).plan.operations == ()


def test_a_rejected_write_is_quarantined_exits_1_and_is_retried_next_run(world: World) -> None:
    world.crms["hubspot"].reject = {
        KEY: "OWNER_NOT_FOUND: owner 77 is inactive",
        "11": "bad pp_tier",
    }
    report = world.run(fell())
    assert report.applied is not None
    assert report.applied.exit_code == ExitCode.REJECTED
    assert report.rejects == 2
    quarantined = {(q.system, q.stream, q.record_id): q for q in world.store.quarantined()}
    assert set(quarantined) == {("hubspot", "writeback", KEY), ("hubspot", "writeback", "11")}
    assert "OWNER_NOT_FOUND" in quarantined[("hubspot", "writeback", KEY)].reason
    assert world.crms["salesforce"].creates == 1, "the rest is written"
    assert world.ledger(f"{KEY}@hubspot") == {f"{KEY}@hubspot": "failed"}

    world.pull()
    world.crms["hubspot"].reject = {}
    retry = world.run(still(1))
    kinds = sorted(op.kind for op in sent(world.crms["hubspot"])[2:])
    assert kinds == ["tag_update", "task_create"]
    assert retry.rejects == 0
    assert world.crms["hubspot"].creates == 1
    assert world.store.quarantined() == []
    assert {q.record_id for q in world.store.quarantined(resolved=True)} == {KEY, "11"}


def test_a_dry_run_sends_nothing_and_stores_nothing(world: World) -> None:
    world.writeback = WritebackConfig(max_share_per_run=0.5)
    report = world.run(fell(), dry_run=True)
    assert report.plan.counts() == {"tag_update": 2, "task_create": 2}
    assert report.applied is None
    assert report.guard is not None
    assert "--approve" in report.guard
    assert [crm.applied for crm in world.crms.values()] == [[], []]
    assert world.store.ledger_get([op.key for op in report.plan.operations]) == {}
    assert world.store.latest_snapshots() == {}


def test_the_guard_refuses_a_run_and_stores_nothing_until_approved(world: World) -> None:
    world.writeback = WritebackConfig(max_partners_per_run=1, max_share_per_run=0.5)
    with pytest.raises(BlastRadiusExceeded):
        world.run(fell())
    assert world.store.latest_snapshots() == {}
    assert world.store.ledger_in_flight() == []
    assert [crm.applied for crm in world.crms.values()] == [[], []]
    report = world.run(fell(), approve=True)
    assert report.written == 4


def test_an_unanswered_write_stays_in_flight_and_is_settled_next_run(world: World) -> None:
    world.crms["salesforce"].silent = {f"{KEY}@salesforce"}
    report = world.run(fell())
    assert report.applied is not None
    assert report.applied.unanswered == [f"{KEY}@salesforce"]
    assert world.ledger(f"{KEY}@salesforce") == {f"{KEY}@salesforce": "pending"}
    world.crms["salesforce"].silent = set()
    report = world.run(still(1))
    assert [(r.key, r.ok, r.crm_id) for r in report.settled] == [(f"{KEY}@salesforce", True, "T1")]
    assert world.crms["salesforce"].creates == 1


def test_one_crm_failing_whole_does_not_stop_the_other(world: World) -> None:
    salesforce = world.crms["salesforce"]

    def refuse(ops: object) -> None:
        raise BudgetExhausted("Salesforce API allocation spent")

    salesforce.on_apply = refuse
    with pytest.raises(BudgetExhausted):
        world.run(fell())
    assert world.crms["hubspot"].creates == 1
    assert world.ledger(f"{KEY}@salesforce") == {f"{KEY}@salesforce": "pending"}
    salesforce.on_apply = None
    world.pull()
    report = world.run(still(1))
    assert {r.key.split("@")[-1] for r in report.settled} == {"salesforce"}
    assert salesforce.creates == 1
    assert salesforce.tags["001A"]["health_grade"] == "at_risk"


def test_a_value_set_by_hand_is_kept_and_the_tools_own_values_are_not(world: World) -> None:
    world.writeback = WritebackConfig(
        policy=dict.fromkeys(("health_grade", "health_score"), "keep_manual")
    )
    world.run(fell())
    world.pull()
    world.crms["salesforce"].tags["001A"]["health_grade"] = "healthy"  # a person's edit
    world.pull()
    recovered = scored(snapshot(score=55.0, grade=Grade.WATCH, as_of=AS_OF + timedelta(days=1)))
    report = world.run(recovered)
    by_system = {op.system: op for op in report.plan.operations if isinstance(op, TagUpdate)}
    assert {c.tag for c in by_system["salesforce"].changes} == {"health_score", "health_updated_at"}
    assert {c.tag for c in by_system["hubspot"].changes} == {
        "health_score",
        "health_grade",
        "health_updated_at",
    }
    assert [(k.system, k.tag, k.live) for k in report.plan.kept] == [
        ("salesforce", "health_grade", "healthy")
    ]


def test_a_crash_between_the_ledger_and_the_snapshots_plans_the_same_key_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(*args: object, **kw: object) -> None:
        raise Crash("died while saving the snapshots")

    with monkeypatch.context() as patched:
        patched.setattr(world.store, "save_snapshots", die)
        with pytest.raises(Crash):
            world.run(fell())
    assert world.store.latest_snapshots() == {}
    assert [crm.applied for crm in world.crms.values()] == [[], []]
    # No snapshot: the next day's run sees the transition again and fires again; the
    # ledgered key (period = the first day) anchors the window, so the key is the same.
    report = world.run(fell(day=1))
    creates = [op for op in report.plan.operations if isinstance(op, TaskCreate)]
    assert {op.task_key for op in creates} == {KEY}
    assert [crm.creates for crm in world.crms.values()] == [1, 1]
    assert world.store.latest_snapshots()[PID].as_of == AS_OF + timedelta(days=1)


def test_write_back_off_saves_the_snapshots_and_needs_no_writer(world: World) -> None:
    world.writeback = WritebackConfig(enabled=False)
    world.crms = {"salesforce": object()}  # type: ignore[dict-item]
    report = world.run(fell())
    assert report.plan.operations == ()
    assert report.written == 0
    assert PID in world.store.latest_snapshots()


def test_an_adapter_that_cannot_write_is_a_config_error(world: World) -> None:
    world.crms = {"salesforce": object()}  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="salesforce adapter cannot write back"):
        world.run(fell())
