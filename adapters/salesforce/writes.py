"""``apply``: one run's write-back operations for a Salesforce org, batched, one result each.

Tag updates become one collection update of Accounts (``PATCH /composite/sobjects``, 200
records a call, ``allOrNone: false``; two updates of one record in a run travel together),
each value in its Salesforce form (``forms.py``). Task creates and closes are
``tasks.py``'s. Every operation gets one :class:`~connector.operations.OperationResult` by
its ``key`` — ``ok`` with the Account or task id, or refused with Salesforce's message —
except those whose outcome is unknown (an answer that could not be read), which get none:
the ledger keeps them in flight and the next run settles them by key. Only a failure of the
whole call raises (``AuthError``, ``BudgetExhausted``, retries exhausted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adapters.dispatch import apply_by_kind, results_by_ref
from adapters.salesforce.composite import Item, Refused, send
from adapters.salesforce.forms import Unwritable, tag_value
from adapters.salesforce.session import SalesforceSession
from adapters.salesforce.tasks import Outcome, TaskWriter
from connector.operations import Operation, OperationResult, TagUpdate

ACCOUNT = "Account"


class Writer:
    """Applies operations to one org and finds tasks by key."""

    def __init__(self, session: SalesforceSession, *, task_key_field: str) -> None:
        self.session = session
        self.tasks = TaskWriter(session, task_key_field)

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        return apply_by_kind(
            operations,
            system="salesforce",
            tags=self._tags,
            creates=lambda ops: results_by_ref(
                ops, self.tasks.create(ops), lambda op: op.task_key, _result_for("Task")
            ),
            closes=lambda ops: results_by_ref(
                ops, self.tasks.close(ops), lambda op: op.task_id, _result_for("Task")
            ),
        )

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        return self.tasks.find(task_keys)

    def _tags(self, updates: Sequence[TagUpdate]) -> list[OperationResult]:
        unwritable: dict[str, str] = {}
        records: dict[str, dict[str, Any]] = {}
        for op in updates:
            try:
                values = {c.crm_field: tag_value(c.tag, c.new) for c in op.changes}
            except Unwritable as exc:
                unwritable[op.key] = str(exc)
                continue
            record = records.setdefault(
                op.record_id, {"attributes": {"type": ACCOUNT}, "id": op.record_id}
            )
            record.update(values)
        items = [Item(rid, body) for rid, body in records.items()]
        answers = send(self.session, "composite/sobjects", items, what="update Account tags")
        outcomes: dict[str, Outcome] = {rid: rid for rid in answers.done}
        outcomes.update(answers.refused)
        results = []
        for op in updates:
            if op.key in unwritable:
                error = f"PartnerPulse cannot write {ACCOUNT} {op.record_id}: {unwritable[op.key]}"
                results.append(OperationResult(key=op.key, ok=False, error=error))
                continue
            outcome = outcomes.get(op.record_id)
            if outcome is not None:
                results.append(_result(op.key, outcome, ACCOUNT, op.record_id))
        return results


def _result_for(what: str) -> Callable[[str, Outcome, str], OperationResult]:
    return lambda key, outcome, ref: _result(key, outcome, what, ref)


def _result(key: str, outcome: Outcome, what: str, ref: str) -> OperationResult:
    if isinstance(outcome, Refused):
        said = "Salesforce rejected" if outcome.by_salesforce else "PartnerPulse cannot write"
        return OperationResult(
            key=key,
            ok=False,
            error=f"{said} {what} {ref}: {outcome.detail}",
            retryable=outcome.retryable,
        )
    return OperationResult(key=key, ok=True, crm_id=outcome)
