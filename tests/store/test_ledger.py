"""The write ledger: begin before sending, finish after, never resend what is done."""

from __future__ import annotations

from datetime import date

from connector.operations import (
    FieldChange,
    OperationResult,
    TagUpdate,
    TaskClose,
    TaskCreate,
)
from connector.store import SqlStore
from tests.store.conftest import FakeClock


def _ops() -> list[TagUpdate | TaskCreate | TaskClose]:
    return [
        TagUpdate(
            key="tag:sf:001A:v1",
            system="salesforce",
            record_id="001A",
            partner_id="P1",
            changes=(
                FieldChange(
                    tag="health_score",
                    crm_field="PP_Health_Score__c",
                    old="60",
                    new="72",
                    reason="score moved",
                ),
                FieldChange(
                    tag="health_grade", crm_field="PP_Grade__c", old=None, new="watch", reason="new"
                ),
            ),
        ),
        TaskCreate(
            key="checkin:P1:2025-03@hubspot",
            task_key="checkin:P1:2025-03",
            system="hubspot",
            record_id="9001",
            partner_id="P1",
            playbook="checkin",
            owner_id="77",
            subject="Check in with Acme",
            body="No meeting in 90 days.",
            due=date(2025, 3, 8),
            priority="HIGH",
            reason="no meeting in 90 days",
        ),
        TaskClose(
            key="checkin:P2:2025-02@salesforce",
            task_key="checkin:P2:2025-02",
            system="salesforce",
            task_id="00T9",
            partner_id="P2",
            playbook="checkin",
            note="Condition cleared",
            reason="meeting held",
        ),
    ]


def test_begin_stores_pending_entries_with_their_operations(
    store: SqlStore, clock: FakeClock
) -> None:
    ops = _ops()
    assert store.ledger_begin(ops, run_id="run-1") == ops

    entries = store.ledger_get([op.key for op in ops] + ["unknown"])
    assert set(entries) == {op.key for op in ops}
    for op in ops:
        entry = entries[op.key]
        assert entry.operation == op
        assert (entry.state, entry.attempts, entry.run_id) == ("pending", 1, "run-1")
        assert entry.created_at == entry.updated_at == clock.now()
    assert [e.key for e in store.ledger_in_flight()] == sorted(op.key for op in ops)


def test_done_keys_are_never_begun_again(store: SqlStore, clock: FakeClock) -> None:
    tag, create, close = _ops()
    store.ledger_begin([tag, create, close])
    clock.advance(seconds=5)
    store.ledger_finish(
        [
            OperationResult(key=tag.key, ok=True),
            OperationResult(key=create.key, ok=True, crm_id="T-1"),
            OperationResult(key=close.key, ok=False, error="INVALID_ID", retryable=False),
        ]
    )
    entries = store.ledger_get([tag.key, create.key, close.key])
    assert (entries[create.key].state, entries[create.key].crm_id) == ("done", "T-1")
    assert (entries[close.key].state, entries[close.key].error) == ("failed", "INVALID_ID")
    assert entries[create.key].updated_at == clock.now()
    assert store.ledger_in_flight() == []

    clock.advance(hours=1)
    again = store.ledger_begin([tag, create, close], run_id="run-2")
    assert again == [close]  # the failed one may be tried again; done ones never
    after = store.ledger_get([create.key, close.key])
    assert (after[create.key].state, after[create.key].attempts) == ("done", 1)
    assert (after[close.key].state, after[close.key].attempts) == ("pending", 2)
    assert after[close.key].run_id == "run-2"
    assert after[close.key].created_at < after[close.key].updated_at


def test_a_crash_between_begin_and_finish_leaves_entries_in_flight(store: SqlStore) -> None:
    ops = _ops()
    store.ledger_begin(ops)
    store.ledger_finish([OperationResult(key=ops[0].key, ok=True)])
    # ... the process dies here; the next start asks what is in flight:
    assert {e.key for e in store.ledger_in_flight()} == {ops[1].key, ops[2].key}
    assert store.ledger_begin(ops) == ops[1:]
    assert {e.attempts for e in store.ledger_in_flight()} == {2}


def test_duplicate_keys_in_one_batch_are_one_entry(store: SqlStore) -> None:
    op = _ops()[0]
    assert store.ledger_begin([op, op]) == [op]
    assert store.ledger_get([op.key])[op.key].attempts == 1


def test_many_keys_are_read_in_chunks(store: SqlStore) -> None:
    base = _ops()[0]
    ops = [base.model_copy(update={"key": f"k{i:05d}"}) for i in range(1000)]
    assert len(store.ledger_begin(ops)) == 1000
    store.ledger_finish([OperationResult(key=op.key, ok=True) for op in ops[:400]])
    assert len(store.ledger_get([op.key for op in ops])) == 1000
    assert len(store.ledger_begin(ops)) == 600
