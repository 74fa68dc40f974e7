"""Planning tasks: keys, cooldown, one task per CRM with the right owner, churn, closes,
retries from the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from connector.config.scoring import PlaybooksConfig
from connector.operations import Operation, TaskClose, TaskCreate
from connector.planning import PlanInputs, build_plan, ledger_key
from connector.planning.tasks import period_of
from connector.store import LedgerEntry
from connector.store.entries import LedgerState
from tests.planning.builders import (
    AS_OF,
    PID,
    hs,
    inputs,
    owner,
    playbook,
    record,
    scored,
    sf,
    snapshot,
    synced_tags,
    tool_task,
    writeback,
)

PLAYBOOKS = PlaybooksConfig()
SNAP = snapshot()
TAGGED = synced_tags(SNAP)
DAY = AS_OF.date()
KEY = f"at_risk_call:{PID}:{DAY.isoformat()}"


def tasks_of(plan_inputs: PlanInputs, **config: object) -> list[Operation]:
    plan = build_plan(plan_inputs, writeback(**config), PLAYBOOKS)
    return [op for op in plan.operations if op.kind != "tag_update"]


def creates(ops: Sequence[Operation]) -> list[TaskCreate]:
    return [op for op in ops if isinstance(op, TaskCreate)]


def both_crms(**kw: object) -> PlanInputs:
    partner = scored(SNAP, playbook("at_risk_call"))
    records = [record(sf("001A"), tags=TAGGED), record(hs("11"), tags=TAGGED, owner="77")]
    return inputs([partner], records, **kw)  # type: ignore[arg-type]


def entry(op: TaskCreate, state: LedgerState) -> LedgerEntry:
    return LedgerEntry(
        key=op.key,
        system=op.system,
        operation=op,
        state=state,
        attempts=1,
        created_at=AS_OF,
        updated_at=AS_OF,
    )


def test_a_fired_playbook_gives_one_task_per_crm_owned_by_the_owner_there() -> None:
    ops = creates(tasks_of(both_crms()))
    assert [(op.system, op.record_id, op.owner_id) for op in ops] == [
        ("hubspot", "11", "77"),
        ("salesforce", "001A", "005OWNER"),
    ]
    for op in ops:
        assert op.task_key == KEY
        assert op.key == ledger_key(KEY, op.system)
        assert op.due == DAY + timedelta(days=3)
        assert op.priority == "high"
        assert op.subject == "Do at_risk_call"
        assert op.playbook == "at_risk_call"
        assert op.reason == "at_risk_call fires"
        assert KEY in op.body


def test_two_records_in_one_crm_get_one_task_on_the_owned_record() -> None:
    partner = scored(SNAP, playbook("at_risk_call"))
    records = [record(sf("001A"), tags=TAGGED, owner=None), record(sf("001B"), tags=TAGGED)]
    (op,) = creates(tasks_of(inputs([partner], records)))
    assert (op.record_id, op.owner_id) == ("001B", "005OWNER")


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        ((), "005OWNER"),
        ((owner(sf("005OWNER")),), "005OWNER"),
        ((owner(sf("005OWNER"), active=False),), None),
    ],
    ids=["unknown", "active", "inactive"],
)
def test_an_inactive_owner_leaves_the_task_to_the_crm_default(
    owners: tuple[object, ...], expected: str | None
) -> None:
    partner = scored(SNAP, playbook("at_risk_call"))
    plan_inputs = inputs([partner], [record(sf("001A"), tags=TAGGED)], owners=owners)  # type: ignore[arg-type]
    (op,) = creates(tasks_of(plan_inputs))
    assert op.owner_id == expected


def test_records_not_to_write_to_get_no_task() -> None:
    partner = scored(SNAP, playbook("at_risk_call"))
    records = [
        record(sf("001A"), tags=TAGGED, deleted=True),
        record(sf("001B"), tags=TAGGED, is_partner=False),
        record(hs("11"), tags=TAGGED),
    ]
    assert creates(tasks_of(inputs([partner], records, systems=["salesforce"]))) == []


def test_churned_partners_get_no_tags_no_tasks_and_keep_their_open_tasks() -> None:
    churned = scored(
        snapshot(churned=True), playbook("at_risk_call"), playbook("resolve_backlog", fires=False)
    )
    open_task = tool_task("salesforce", "00T1", f"resolve_backlog:{PID}:2026-02-20")
    plan = build_plan(
        inputs([churned], [record(sf("001A"))], tool_tasks=[open_task]), writeback(), PLAYBOOKS
    )
    assert plan.operations == ()
    assert plan.partners_total == 0


def test_keys_are_the_same_on_every_rerun_inside_the_cooldown() -> None:
    first = creates(tasks_of(both_crms()))
    again = creates(tasks_of(both_crms()))
    assert [op.key for op in first] == [op.key for op in again]
    # A rerun days later, after a crash that ledgered but never sent: the same key.
    pending = {op.key: entry(op, "failed") for op in first}
    later = creates(tasks_of(both_crms(as_of=AS_OF + timedelta(days=5), task_ledger=pending)))
    assert [op.task_key for op in later] == [KEY, KEY]
    # Only the keys sent before may be in a CRM already (HubSpot searches for those).
    assert [op.sent_before for op in first] == [False, False]
    assert [op.sent_before for op in later] == [True, True]


@pytest.mark.parametrize("state", ["pending", "done"])
def test_a_task_in_the_crm_or_done_in_the_ledger_is_not_created_again(state: LedgerState) -> None:
    in_crm = [tool_task("hubspot", "900", KEY, on="11", is_open=False)]
    done = creates(tasks_of(both_crms()))[1]
    ops = creates(
        tasks_of(both_crms(tool_tasks=in_crm, task_ledger={done.key: entry(done, state)}))
    )
    assert [op.system for op in ops] == ([] if state == "done" else ["salesforce"])


def test_a_task_a_person_deleted_is_not_raised_again() -> None:
    deleted = [tool_task("hubspot", "900", KEY, on="11", deleted=True)]
    assert [op.system for op in creates(tasks_of(both_crms(tool_tasks=deleted)))] == ["salesforce"]


def test_the_cooldown_stops_refiring_until_it_ends() -> None:
    earlier = DAY - timedelta(days=29)
    old_key = f"at_risk_call:{PID}:{earlier.isoformat()}"
    done = [
        tool_task("salesforce", "00T1", old_key, is_open=False),
        tool_task("hubspot", "900", old_key, on="11", is_open=False),
    ]
    assert creates(tasks_of(both_crms(tool_tasks=done))) == []
    # One day later the 30-day window has passed: a new window opens on that day.
    later = creates(tasks_of(both_crms(tool_tasks=done, as_of=AS_OF + timedelta(days=1))))
    assert {op.task_key for op in later} == {
        f"at_risk_call:{PID}:{(DAY + timedelta(days=1)).isoformat()}"
    }


@pytest.mark.parametrize(
    ("periods", "cooldown", "expected"),
    [
        ((), 30, DAY),
        ((DAY - timedelta(days=29),), 30, DAY - timedelta(days=29)),
        ((DAY - timedelta(days=30),), 30, DAY),
        ((DAY - timedelta(days=40), DAY - timedelta(days=5)), 30, DAY - timedelta(days=5)),
        ((DAY + timedelta(days=1),), 30, DAY),
        ((DAY,), 0, DAY),
        ((DAY - timedelta(days=1),), 0, DAY),
    ],
)
def test_the_period_is_the_day_the_current_window_opened(
    periods: tuple[date, ...], cooldown: int, expected: date
) -> None:
    assert period_of(set(periods), DAY, cooldown) == expected


def test_an_open_task_of_the_same_playbook_blocks_a_new_window() -> None:
    old_key = f"at_risk_call:{PID}:{(DAY - timedelta(days=60)).isoformat()}"
    waiting = [tool_task("salesforce", "00T1", old_key)]
    assert [op.system for op in creates(tasks_of(both_crms(tool_tasks=waiting)))] == ["hubspot"]


def test_a_cleared_playbook_closes_its_open_task() -> None:
    partner = scored(SNAP, playbook("resolve_backlog", fires=False), playbook("nps_survey"))
    open_tasks = [
        tool_task("salesforce", "00T1", f"resolve_backlog:{PID}:2026-02-20"),
        tool_task("salesforce", "00T2", f"resolve_backlog:{PID}:2026-01-10", is_open=False),
        tool_task("salesforce", "00T3", f"nps_survey:{PID}:2026-02-20"),
        tool_task("salesforce", "00T4", "resolve_backlog:P-someone-else:2026-02-20"),
        tool_task("salesforce", "00T5", "typed by a person"),
    ]
    plan_inputs = inputs([partner], [record(sf("001A"), tags=TAGGED)], tool_tasks=open_tasks)
    ops = tasks_of(plan_inputs)
    closes = [op for op in ops if isinstance(op, TaskClose)]
    assert [(op.task_id, op.playbook) for op in closes] == [("00T1", "resolve_backlog")]
    assert closes[0].note == writeback().close_note
    assert closes[0].key == f"close:resolve_backlog:{PID}:2026-02-20@salesforce"
    assert creates(ops) == [], "nps_survey has an open task in its window already"
    assert [op for op in tasks_of(plan_inputs, auto_close=False) if isinstance(op, TaskClose)] == []


def test_a_playbook_that_still_holds_keeps_its_task_open() -> None:
    partner = scored(SNAP, playbook("at_risk_call", fires=False, holds=True))
    open_task = [tool_task("salesforce", "00T1", KEY)]
    assert (
        tasks_of(inputs([partner], [record(sf("001A"), tags=TAGGED)], tool_tasks=open_task)) == []
    )


def test_writeback_tasks_off_plans_no_task() -> None:
    assert tasks_of(both_crms(), tasks=False) == []


# holds, days after the failed attempt, system in this run → retried?
RETRY_CASES = [
    (True, 1, True, True),
    (True, 29, True, True),
    (True, 30, True, False),
    (False, 1, True, False),
    (True, 1, False, False),
]


@pytest.mark.parametrize(("holds", "days", "in_run", "retried"), RETRY_CASES)
def test_a_failed_create_is_retried_from_the_ledger_while_it_makes_sense(
    holds: bool, days: int, in_run: bool, retried: bool
) -> None:
    (failed,) = creates(
        tasks_of(
            inputs([scored(SNAP, playbook("at_risk_call"))], [record(sf("001A"), tags=TAGGED)])
        )
    )
    # The event playbook no longer fires (the transition is past) but may still hold.
    later = scored(SNAP, playbook("at_risk_call", fires=False, holds=holds))
    plan_inputs = inputs(
        [later],
        [record(sf("001A"), tags=TAGGED)],
        as_of=AS_OF + timedelta(days=days),
        task_ledger={failed.key: entry(failed, "failed")},
        systems=["salesforce"] if in_run else ["hubspot"],
    )
    ops = creates(tasks_of(plan_inputs))
    assert [op.key for op in ops] == ([failed.key] if retried else [])
    if retried:
        assert ops[0].reason == "retry: at_risk_call fires"
        assert ops[0].due == failed.due
        assert ops[0].sent_before


def test_a_retry_is_not_planned_when_the_task_came_back_from_the_crm() -> None:
    (failed,) = creates(
        tasks_of(
            inputs([scored(SNAP, playbook("at_risk_call"))], [record(sf("001A"), tags=TAGGED)])
        )
    )
    later = scored(SNAP, playbook("at_risk_call", fires=False, holds=True))
    plan_inputs = inputs(
        [later],
        [record(sf("001A"), tags=TAGGED)],
        task_ledger={failed.key: entry(failed, "failed")},
        tool_tasks=[tool_task("salesforce", "00T1", KEY, is_open=False)],
    )
    assert tasks_of(plan_inputs) == []
