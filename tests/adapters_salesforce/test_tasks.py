"""Follow-up tasks against the sandbox org over TLS: upserted once, found by key, closed."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.salesforce.composite import Item, send
from connector.operations import Operation, TaskClose, TaskCreate
from tests.adapters_salesforce.harness import Sandbox
from tests.adapters_salesforce.test_writes import update

KEY_FIELD = "PartnerPulse_Key__c"
UPSERT = "PATCH /services/data/vXX.X/composite/sobjects/{type}/{field}"
NOTE = "Closed by PartnerPulse: the condition that raised this task has cleared."


def accounts(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sorted(
        (r for r in sandbox.records("Account") if not r.get("IsDeleted")), key=lambda r: r["Id"]
    )


def create(
    account: dict[str, Any], n: int, *, owner: bool = True, priority: str = "high"
) -> TaskCreate:
    task_key = f"at_risk_call:P-{n:012d}:2026-03-02"
    return TaskCreate(
        key=f"{task_key}@salesforce",
        task_key=task_key,
        system="salesforce",
        record_id=account["Id"],
        partner_id=f"P-{n:012d}",
        playbook="at_risk_call",
        owner_id=account["OwnerId"] if owner else None,
        subject=f"Call partner {n}: score 41.5",
        body=f"Why: no meeting for {n} days",
        due=date(2026, 3, 9),
        priority=priority,
        reason="test",
    )


def close(task_id: str, n: int) -> TaskClose:
    return TaskClose(
        key=f"close:{task_id}",
        task_key=f"at_risk_call:P-{n:012d}:2026-03-02",
        system="salesforce",
        task_id=task_id,
        partner_id=f"P-{n:012d}",
        playbook="at_risk_call",
        note=NOTE,
        reason="test",
    )


def ours(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """Live tasks carrying a key, by key; a second task with one key fails the test."""
    found: dict[str, dict[str, Any]] = {}
    for row in sandbox.records("Task"):
        key = row.get(KEY_FIELD)
        if key and not row.get("IsDeleted"):
            assert key not in found, f"two tasks carry {key}"
            found[key] = row
    return found


def test_tasks_are_upserted_once_and_a_replay_creates_nothing(sandbox: Sandbox) -> None:
    accts = accounts(sandbox)
    operations = [
        create(accts[0], 1),
        create(accts[1], 2, owner=False, priority="low"),
        create(accts[2], 3, priority="normal"),
    ]
    adapter = sandbox.adapter()
    before = len(sandbox.records("Task"))

    first = adapter.apply(operations)

    assert [r.key for r in first] == [op.key for op in operations]
    assert all(r.ok for r in first)
    tasks = ours(sandbox)
    assert len(sandbox.records("Task")) == before + 3
    one, two, three = (tasks[op.task_key] for op in operations)
    assert one["Id"] == first[0].crm_id
    assert (one["WhatId"], one["OwnerId"]) == (accts[0]["Id"], accts[0]["OwnerId"])
    assert (one["Priority"], two["Priority"], three["Priority"]) == ("High", "Low", "Normal")
    assert one["ActivityDate"] == "2026-03-09"
    assert one["Status"] == "Not Started"
    assert one["Subject"] == "Call partner 1: score 41.5"
    assert one["Description"] == "Why: no meeting for 1 days"
    assert two["OwnerId"]  # none given: Salesforce's default (the API user) applies
    assert adapter.calls.snapshot()["PATCH composite/sobjects/{type}/{field}"] == 1

    again = adapter.apply(operations)

    assert [r.crm_id for r in again] == [r.crm_id for r in first]
    assert len(sandbox.records("Task")) == before + 3
    items = [Item(op.task_key, adapter.writer.tasks.record(op)) for op in operations]
    path = f"composite/sobjects/Task/{KEY_FIELD}"
    answers = send(adapter.session, path, items, what="replay")
    assert [answers.done[i.ref]["created"] for i in items] == [False, False, False]
    assert len(sandbox.records("Task")) == before + 3
    assert adapter.calls.total == sandbox.stats()["total_calls"]


def test_find_tasks_finds_live_keys_only(sandbox: Sandbox) -> None:
    accts = accounts(sandbox)
    operations = [create(accts[n % len(accts)], n) for n in range(90)]
    adapter = sandbox.adapter()
    created = {
        op.task_key: r.crm_id for op, r in zip(operations, adapter.apply(operations), strict=True)
    }
    gone = operations[5].task_key
    sandbox.post("delete", {"object": "Task", "ids": [created[gone]]})
    odd = 'it\'s a "key" with \\ and\nnewline'

    found = adapter.find_tasks([*created, "never:made:2026-01-01", odd])

    assert found == {k: v for k, v in created.items() if k != gone}
    # 90 keys of 39 characters: chunked so each WHERE stays well under 4,000 characters.
    assert adapter.calls.snapshot()["query"] == 2
    assert adapter.find_tasks([]) == {}


def test_close_completes_with_the_note_once(sandbox: Sandbox) -> None:
    accts = accounts(sandbox)
    adapter = sandbox.adapter()
    made = adapter.apply([create(accts[n], n) for n in range(3)])
    open_id, done_id, gone_id = (r.crm_id or "" for r in made)
    sandbox.post("mutate", {"object": "Task", "ids": [done_id], "set": {"Status": "Completed"}})
    sandbox.post("delete", {"object": "Task", "ids": [gone_id]})
    before = {r["Id"]: r for r in sandbox.records("Task")}
    writes = adapter.calls.snapshot().get("PATCH composite", 0)

    results = adapter.apply([close(open_id, 0), close(done_id, 1), close(gone_id, 2)])

    assert [r.ok for r in results] == [True, True, False]
    assert [r.crm_id for r in results[:2]] == [open_id, done_id]
    assert (results[2].error or "").startswith(f"Salesforce rejected Task {gone_id}: NOT_FOUND")
    after = {r["Id"]: r for r in sandbox.records("Task")}
    assert after[open_id]["Status"] == "Completed"
    assert after[open_id]["IsClosed"] is True
    assert after[open_id]["Description"] == f"Why: no meeting for 0 days\n\n{NOTE}"
    assert after[done_id] == before[done_id]  # closed already: not written
    assert adapter.calls.snapshot()["PATCH composite"] == writes + 1

    again = adapter.apply([close(open_id, 0)])  # a replay appends nothing
    assert again[0].ok
    replayed = {r["Id"]: r for r in sandbox.records("Task")}[open_id]
    assert replayed["Description"] == f"Why: no meeting for 0 days\n\n{NOTE}"


def test_a_reset_during_the_upsert_is_retried_safely(sandbox: Sandbox) -> None:
    accts = accounts(sandbox)
    operations = [create(accts[n % len(accts)], n) for n in range(250)]
    adapter = sandbox.adapter()
    adapter.find_tasks(["warm-up"])  # log in before the faults start
    sandbox.faults("salesforce.reset=0.5", seed=2)

    results = adapter.apply(operations)

    assert all(r.ok for r in results)
    stats = sandbox.stats()
    assert stats["faults_injected"]["reset"] >= 1
    assert stats["calls"][UPSERT] > 2  # at least one upsert was cut off and sent again
    assert adapter.calls.retries == stats["faults_injected"]["reset"]
    tasks = ours(sandbox)  # fails on a second task with one key
    assert {op.task_key for op in operations} <= set(tasks)
    assert {tasks[op.task_key]["Id"] for op in operations} == {r.crm_id for r in results}
    assert adapter.calls.total == stats["total_calls"]


def test_mixed_operations_come_back_in_order(sandbox: Sandbox) -> None:
    accts = accounts(sandbox)
    adapter = sandbox.adapter()
    [made] = adapter.apply([create(accts[0], 0)])
    urgent = create(accts[3], 3, priority="urgent")
    operations: list[Operation] = [
        create(accts[1], 1),
        close(made.crm_id or "", 0),
        update(accts[2]["Id"], {"tier": "gold"}),
        urgent,
    ]
    results = adapter.apply(operations)
    assert [r.key for r in results] == [op.key for op in operations]
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[3].error == (
        f"PartnerPulse cannot write Task {urgent.task_key}: "
        "priority 'urgent' is not one of low, normal, high"
    )
