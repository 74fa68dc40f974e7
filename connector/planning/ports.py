"""What write-back needs of a CRM adapter and of the store.

Proposed for ``connector/ports.py`` once the adapters implement them: ``apply`` is already
on ``CrmAdapter``; ``find_tasks`` is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from connector.model import Quarantined, System
from connector.operations import Operation, OperationResult


@runtime_checkable
class WritebackAdapter(Protocol):
    """One CRM as write-back sees it.

    ``apply(operations)``: every operation of this CRM for the run, in one call (the
    adapter batches: Salesforce 200 records a request, HubSpot 100). Returns one
    :class:`OperationResult` per operation, matched by ``key``: ``ok`` with the CRM's id,
    or ``ok=False`` with the CRM's message when the CRM definitely did not apply it
    (``retryable=True`` for a transient refusal). An operation whose outcome is unknown
    (a timeout after the request left) gets no result: the ledger keeps it in flight
    and the next run settles it by key. Raises only for a failure of the whole call
    (auth, budget, retries exhausted).

    ``find_tasks(task_keys)``: which of these task keys a task in this CRM carries
    (open, done or closed; not deleted), as ``{task_key: crm_task_id}``.
    """

    system: System

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]: ...

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]: ...


class WriteLedger(Protocol):
    """The ledger as apply uses it (``connector.store.SqlStore`` implements it)."""

    def ledger_begin(
        self, operations: Sequence[Operation], run_id: str | None = None
    ) -> list[Operation]: ...

    def ledger_finish(self, results: Sequence[OperationResult]) -> None: ...


class RejectSink(Protocol):
    """The quarantine as apply uses it: rejected writes in, fixed ones resolved."""

    def quarantine(self, items: Sequence[Quarantined]) -> None: ...

    def resolve_quarantine(self, system: System, stream: str, record_ids: Sequence[str]) -> int: ...


class ApplyStore(WriteLedger, RejectSink, Protocol):
    """The store as :func:`connector.planning.apply_plan` uses it."""
