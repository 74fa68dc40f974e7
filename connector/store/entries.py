"""What the store hands back beyond the canonical model: runs, ledger entries, quarantine
entries and link overrides, each frozen like the model itself."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from connector.model import Frozen, Quarantined, SourceRef, System, UtcDatetime
from connector.operations import Operation

LedgerState = Literal["pending", "sent", "done", "failed"]


class RunInfo(Frozen):
    """One run of the tool: what it did, how it ended. ``outcome`` is "running" until finished."""

    id: str
    kind: str
    host: str
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    outcome: str
    records_pulled: int = 0
    records_written: int = 0
    rejects: int = 0
    api_calls: dict[str, int] = Field(default_factory=dict)
    detail: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class LedgerEntry(Frozen):
    """One planned write by idempotency key: the operation, where it stands, what the CRM said."""

    key: str
    system: System
    operation: Operation
    state: LedgerState
    crm_id: str | None = None
    error: str | None = None
    attempts: int
    run_id: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class QuarantineEntry(Quarantined):
    """A quarantined record with its history: first and last seen, how often, resolved or not."""

    first_seen: UtcDatetime
    last_seen: UtcDatetime
    attempts: int
    resolved: bool


class LinkOverride(Frozen):
    """An admin's decision: this source partner record belongs to ``partner_id``."""

    ref: SourceRef
    partner_id: str
    note: str = ""
