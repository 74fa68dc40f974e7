"""Planned writes: what the tool will change in a CRM, with the reason, and their results.

Every operation carries a deterministic idempotency ``key``; the ledger stores it before
the operation is sent and its result after, so a crash or a replay cannot duplicate it.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from connector.model import Frozen, System

TagValue = str | None


class FieldChange(Frozen):
    """One tag field: its canonical name, the CRM field, live value, new value and why."""

    tag: str
    crm_field: str
    old: TagValue
    new: TagValue
    reason: str


class TagUpdate(Frozen):
    """Set tag fields on one partner record (Account / company).

    ``written`` is every tag value the tool stands behind on this record once the update
    is done (the changes plus what it wrote before and did not change): the ledger keeps
    it, so a later plan can tell a value a person set by hand from one the tool wrote.
    """

    kind: str = "tag_update"
    key: str
    system: System
    record_id: str
    partner_id: str
    changes: tuple[FieldChange, ...]
    written: dict[str, TagValue] = Field(default_factory=dict)


class TaskCreate(Frozen):
    """Create one follow-up task, owned by the partner's owner in that CRM.

    ``task_key`` (``playbook:partner_id:period``) is what the adapter writes into the
    task's key field (Salesforce ``PartnerPulse_Key__c``, HubSpot ``pp_task_key``);
    ``key`` is the ledger's idempotency key, ``task_key@system``.

    ``sent_before``: the ledger holds an earlier attempt at this key, so the CRM may have
    the task already. An adapter that cannot upsert by key (HubSpot) searches for such
    keys before creating; a key never sent cannot be in the CRM (the CRM's unique key
    property still refuses a second task), so it costs no search.
    """

    kind: str = "task_create"
    key: str
    task_key: str
    system: System
    record_id: str
    partner_id: str
    playbook: str
    owner_id: str | None
    subject: str
    body: str
    due: date
    priority: str
    reason: str
    sent_before: bool = False


class TaskClose(Frozen):
    """Close an open task the tool created, because its condition cleared."""

    kind: str = "task_close"
    key: str
    task_key: str
    system: System
    task_id: str
    partner_id: str
    playbook: str
    note: str
    reason: str


Operation = TagUpdate | TaskCreate | TaskClose


class OperationResult(Frozen):
    """What the CRM said about one operation."""

    key: str
    ok: bool
    crm_id: str | None = None
    error: str | None = None
    retryable: bool = False
