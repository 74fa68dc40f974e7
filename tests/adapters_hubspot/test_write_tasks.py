"""Follow-up tasks against the sandbox: created once, found by key, closed with a note."""

from __future__ import annotations

import math
from datetime import date

import pytest

from adapters.hubspot import HubSpotAdapter
from adapters.hubspot.associations import companies_of
from connector.model import Activity, SourceRef
from connector.operations import Operation
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox, drain
from tests.adapters_hubspot.writekit import (
    DESIRED,
    FaultOn,
    LoseAnswer,
    by_key,
    calls_settle,
    tag_update,
    task_close,
    task_create,
    use_pool,
    wait_for,
)

SEARCH = "POST /crm/v3/objects/tasks/search"
CREATE = "POST /crm/v3/objects/tasks/batch/create"
READ = "POST /crm/v3/objects/tasks/batch/read"
UPDATE = "POST /crm/v3/objects/tasks/batch/update"


def company_ids(sandbox: Sandbox) -> list[str]:
    return sorted(r["id"] for r in sandbox.records("companies"))


def tasks_by_key(sandbox: Sandbox) -> dict[str, list[str]]:
    return by_key(sandbox.records("tasks"))


def test_a_task_is_created_on_its_company_with_owner_and_priority(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    ops = [
        task_create(1, company, owner_id="86256253", priority="high", due=date(2026, 3, 5)),
        task_create(2, company, priority="low"),
        task_create(3, company),
    ]
    adapter = sandbox.adapter()
    results = adapter.apply(ops)
    assert [(r.key, r.ok) for r in results] == [(op.key, True) for op in ops]
    tasks = {r["id"]: r for r in sandbox.records("tasks")}
    first = tasks[results[0].crm_id or ""]["properties"]
    assert first["pp_task_key"] == ops[0].task_key
    assert first["hubspot_owner_id"] == "86256253"
    assert first["hs_task_priority"] == "HIGH"
    assert first["hs_task_status"] == "NOT_STARTED"
    assert first["hs_task_type"] == "TODO"
    assert first["hs_timestamp"] == "2026-03-05T12:00:00Z"  # the due day, noon UTC
    assert first["hs_task_subject"] == ops[0].subject
    assert first["hs_task_body"] == ops[0].body
    assert tasks[results[1].crm_id or ""]["properties"]["hs_task_priority"] == "LOW"
    second = tasks[results[2].crm_id or ""]["properties"]
    assert second["hs_task_priority"] == "MEDIUM"
    assert second.get("hubspot_owner_id") is None
    created = [r.crm_id or "" for r in results]
    assert companies_of(adapter.client, "tasks", created) == {i: [company] for i in created}
    assert adapter.calls.snapshot() == {  # keys never sent: no search before the create
        CREATE: 1,
        "POST /crm/v4/associations/tasks/companies/batch/read": 1,
    }
    pages, _ = drain(sandbox.adapter().pull("tasks", None, full=True))
    pulled = {a.ref.id: a for p in pages for a in p.records if isinstance(a, Activity)}
    assert pulled[created[0]].task_key == ops[0].task_key
    assert pulled[created[0]].is_open
    assert pulled[created[0]].partner == SourceRef(system="hubspot", id=company)
    calls_settle(sandbox)


def test_a_replay_creates_nothing_twice_and_find_tasks_knows_the_keys(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[1]
    ops = [task_create(n, company) for n in range(150)]
    adapter = sandbox.adapter()
    first = {r.key: r.crm_id for r in adapter.apply(ops)}
    snapshot = adapter.calls.snapshot()
    assert snapshot == {CREATE: math.ceil(150 / 100)}  # first sent: exactly ceil(n/100)
    retried = [op.model_copy(update={"sent_before": True}) for op in ops]
    again = sandbox.adapter()
    second = {r.key: r.crm_id for r in again.apply(retried)}
    assert second == first
    assert None not in second.values()
    assert again.calls.snapshot() == {SEARCH: 2}  # found by key: no create call
    # Sent again as if new (a lost state database): HubSpot's unique key refuses every
    # one, the conflicts name the holders, and still nothing exists twice.
    blind = {r.key: r.crm_id for r in sandbox.adapter().apply(ops)}
    assert blind == first
    held = tasks_by_key(sandbox)
    assert all(len(held[op.task_key]) == 1 for op in ops)
    found = again.find_tasks([op.task_key for op in ops] + ["nps_survey:P-000000000000:2026-01-01"])
    assert found == {op.task_key: first[op.key] for op in ops}
    archived = first[ops[0].key] or ""
    sandbox.delete("tasks", [archived])
    assert ops[0].task_key not in again.find_tasks([ops[0].task_key])
    calls_settle(sandbox)


def test_a_409_batch_is_split_and_no_key_is_created_twice(make_sandbox: SandboxFactory) -> None:
    # Search lags writes by a minute here, so the lookup misses the tasks made just before
    # and only HubSpot's unique key stands between the batch and a duplicate.
    sandbox = make_sandbox(search_index_lag_ms=60_000)
    company = company_ids(sandbox)[0]
    ops = [task_create(n, company) for n in range(6)]
    early = [
        {"properties": {"pp_task_key": ops[n].task_key, "hs_timestamp": "2026-03-01T00:00:00Z"}}
        for n in (1, 4)
    ]
    made = sandbox.create("tasks", early)
    adapter = sandbox.adapter()
    results = {r.key: r for r in adapter.apply(ops)}
    assert all(r.ok for r in results.values())
    assert len(results) == 6
    assert results[ops[1].key].crm_id == made[0]
    assert results[ops[4].key].crm_id == made[1]
    held = tasks_by_key(sandbox)
    assert all(len(held[op.task_key]) == 1 for op in ops)
    snapshot = adapter.calls.snapshot()
    # two conflicts, each naming one holder (read by id: search lags); then the rest
    assert snapshot[CREATE] == 3
    assert snapshot[READ] == 2
    calls_settle(sandbox)


@pytest.mark.parametrize("fault", ["reset", "503"])
def test_a_create_cut_off_before_hubspot_acted_gets_no_result_and_is_made_once_later(
    sandbox: Sandbox, fault: str
) -> None:
    company = company_ids(sandbox)[0]
    ops = [task_create(n, company) for n in range(3)]
    adapter = sandbox.adapter()
    use_pool(adapter, FaultOn(sandbox, "/batch/create", f"hubspot.{fault}=1"))
    assert adapter.apply(ops) == []  # unknown outcome: no answer, and no blind retry
    assert adapter.calls.snapshot() == {CREATE: 1}
    assert adapter.find_tasks([op.task_key for op in ops]) == {}
    rerun = adapter.apply([op.model_copy(update={"sent_before": True}) for op in ops])
    assert all(r.ok for r in rerun)
    assert len(rerun) == 3
    held = tasks_by_key(sandbox)
    assert all(len(held[op.task_key]) == 1 for op in ops)
    calls_settle(sandbox)


def test_a_create_whose_answer_is_lost_is_found_by_key_not_made_again(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    ops = [task_create(n, company) for n in range(3)]
    adapter = sandbox.adapter()
    use_pool(adapter, LoseAnswer("/batch/create"))
    assert adapter.apply(ops) == []
    wait_for(lambda: len(tasks_by_key(sandbox)) >= 3)
    found = adapter.find_tasks([op.task_key for op in ops])
    assert set(found) == {op.task_key for op in ops}
    retried = [op.model_copy(update={"sent_before": True}) for op in ops]
    rerun = {r.key: r for r in adapter.apply(retried)}
    assert {k: r.crm_id for k, r in rerun.items()} == {op.key: found[op.task_key] for op in ops}
    held = tasks_by_key(sandbox)
    assert all(held[op.task_key] == [found[op.task_key]] for op in ops)
    assert adapter.calls.snapshot()[CREATE] == 1
    calls_settle(sandbox)


def test_a_429_on_create_is_retried_because_hubspot_did_not_act(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    ops = [task_create(n, company) for n in range(2)]
    adapter = sandbox.adapter()
    use_pool(adapter, FaultOn(sandbox, "/batch/create", "hubspot.429=1"))
    results = adapter.apply(ops)
    assert all(r.ok for r in results)
    assert len(results) == 2
    assert adapter.calls.snapshot()[CREATE] == 2
    assert adapter.calls.retries == 1
    assert all(len(v) == 1 for v in tasks_by_key(sandbox).values())


def test_a_refused_task_is_refused_alone(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    ops = [task_create(n, company) for n in range(4)]
    ops[2] = task_create(2, "999999999")  # no such company
    ops[3] = task_create(3, company, priority="urgent")
    results = {r.key: r for r in sandbox.adapter().apply(ops)}
    assert results[ops[0].key].ok
    assert results[ops[1].key].ok
    refused = results[ops[2].key]
    assert not refused.ok
    assert refused.error is not None
    assert refused.error.startswith(f"HubSpot rejected task {ops[2].task_key}: ")
    assert "999999999" in refused.error
    assert results[ops[3].key].error == (
        f"PartnerPulse cannot write task {ops[3].task_key}: "
        "priority 'urgent' is not one of low, normal, high"
    )
    assert set(tasks_by_key(sandbox)) == {ops[0].task_key, ops[1].task_key}


def test_a_close_completes_the_task_with_the_note_once(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    adapter = sandbox.adapter()
    created = [r.crm_id or "" for r in adapter.apply([task_create(n, company) for n in range(2)])]
    close = [task_close(i) for i in created] + [task_close("999999999")]
    results = {r.key: r for r in adapter.apply(close)}
    assert results[f"close:{created[0]}"].ok
    assert results[f"close:{created[0]}"].crm_id == created[0]
    assert not results["close:999999999"].ok
    assert "OBJECT_NOT_FOUND" in (results["close:999999999"].error or "")
    tasks = {r["id"]: r["properties"] for r in sandbox.records("tasks")}
    assert tasks[created[0]]["hs_task_status"] == "COMPLETED"
    assert (
        tasks[created[0]]["hs_task_body"]
        == "no meeting for 94 days\n\nClosed by PartnerPulse: cleared."
    )
    snapshot = adapter.calls.snapshot()
    assert (snapshot[READ], snapshot[UPDATE]) == (1, 1)
    assert all(r.ok for r in adapter.apply(close[:2]))  # a replay: completed already
    assert adapter.calls.snapshot()[UPDATE] == 1
    again = {r["id"]: r["properties"] for r in sandbox.records("tasks")}
    assert again[created[1]]["hs_task_body"].count("Closed by") == 1
    pages, _ = drain(sandbox.adapter().pull("tasks", None, full=True))
    pulled = {a.ref.id: a for p in pages for a in p.records if isinstance(a, Activity)}
    assert not pulled[created[0]].is_open
    calls_settle(sandbox)


def test_one_apply_of_every_kind_answers_every_operation(sandbox: Sandbox) -> None:
    company = company_ids(sandbox)[0]
    adapter: HubSpotAdapter = sandbox.adapter()
    opened = adapter.apply([task_create(90, company)])[0].crm_id or ""
    ops: list[Operation] = [
        tag_update(company, DESIRED),
        task_create(91, company),
        task_close(opened),
    ]
    results = adapter.apply(ops)
    assert [(r.key, r.ok) for r in results] == [(op.key, True) for op in ops]
    calls_settle(sandbox)
