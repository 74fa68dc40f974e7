"""``apply``: one run's write-back operations for a HubSpot portal, batched, one result each.

Tag updates become ``batch/update`` of companies (100 records a call; two updates of one
record in a run travel together), with each value in its HubSpot form (``forms.py``). Task
creates and closes are ``tasks.py``'s. Every operation gets one
:class:`~connector.operations.OperationResult` by its ``key`` — ``ok`` with the company or
task id, or refused with HubSpot's message — except those whose outcome is unknown (a
create cut off after it left), which get none: the ledger keeps them in flight and the next
run settles them by key. Only a failure of the whole call raises (``AuthError``,
``BudgetExhausted``, retries exhausted on an idempotent call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.dispatch import apply_by_kind, results_by_ref
from adapters.hubspot.batches import Input, Refused, send_updates
from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.forms import Unwritable, tag_value
from adapters.hubspot.tasks import Outcome, TaskWriter
from connector.operations import Operation, OperationResult, TagUpdate

COMPANIES = "companies"


class Writer:
    """Applies operations to one portal and finds tasks by key."""

    def __init__(self, client: HubSpotClient, *, task_key_property: str) -> None:
        self.client = client
        self.tasks = TaskWriter(client, task_key_property)

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        return apply_by_kind(
            operations,
            system="hubspot",
            tags=self._tags,
            creates=lambda ops: results_by_ref(
                ops, self.tasks.create(ops), lambda op: op.task_key, _result_for("task")
            ),
            closes=lambda ops: results_by_ref(
                ops, self.tasks.close(ops), lambda op: op.task_id, _result_for("task")
            ),
        )

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        return self.tasks.find(task_keys)

    def _tags(self, updates: Sequence[TagUpdate]) -> list[OperationResult]:
        outcomes: dict[str, Outcome] = {}
        unwritable: dict[str, Refused] = {}
        properties: dict[str, dict[str, str]] = {}
        for op in updates:
            try:
                values = {c.crm_field: tag_value(c.tag, c.new) for c in op.changes}
            except Unwritable as exc:
                unwritable[op.key] = Refused(str(exc), by_hubspot=False)
                continue
            properties.setdefault(op.record_id, {}).update(values)
        inputs = [
            Input(rid, {"id": rid, "properties": values}) for rid, values in properties.items()
        ]
        answers = send_updates(self.client, COMPANIES, inputs)
        outcomes.update({rid: rid for rid in answers.done})
        outcomes.update(answers.refused)
        results = []
        for op in updates:
            if op.key in unwritable:
                results.append(_refused(op.key, "company", op.record_id, unwritable[op.key]))
                continue
            outcome = outcomes.get(op.record_id)
            if outcome is not None:
                results.append(_result(op.key, outcome, "company", op.record_id))
        return results


def _result_for(what: str) -> Callable[[str, Outcome, str], OperationResult]:
    return lambda key, outcome, ref: _result(key, outcome, what, ref)


def _result(key: str, outcome: Outcome, what: str, ref: str) -> OperationResult:
    if isinstance(outcome, Refused):
        return _refused(key, what, ref, outcome)
    return OperationResult(key=key, ok=True, crm_id=outcome)


def _refused(key: str, what: str, ref: str, refusal: Refused) -> OperationResult:
    said = "HubSpot rejected" if refusal.by_hubspot else "PartnerPulse cannot write"
    return OperationResult(
        key=key,
        ok=False,
        error=f"{said} {what} {ref}: {refusal.message}",
        retryable=refusal.retryable,
    )
