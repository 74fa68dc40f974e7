"""Fields Salesforce computes itself: full names, activity AccountId, IsClosed/IsWon, dates.

``derive`` runs after every write. Fields named in ``given`` were supplied by a fixture and are
kept as they are (a fixture holds records "as the CRM stored them"); API writes pass nothing
for these read-only fields, so they are always computed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import timedelta

from sandbox.salesforce.objects import (
    CASE_CLOSED_STATUSES,
    OPPORTUNITY_CLOSED_STAGES,
    OPPORTUNITY_WON_STAGES,
    TASK_CLOSED_STATUSES,
)
from sandbox.salesforce.schema import ObjectSchema, Record
from sandbox.salesforce.values import datetime_of, format_datetime

Lookup = Callable[[str], tuple[str, Record] | None]
Schemas = Mapping[str, ObjectSchema]


class _View:
    """Name-based access to one record list (derivation is not on the hot path)."""

    def __init__(self, schema: ObjectSchema, rec: Record, given: Collection[str]) -> None:
        self.slots = schema.slots
        self.rec = rec
        self.given = given

    def __getitem__(self, name: str) -> object:
        return self.rec[self.slots[name]]

    def set(self, name: str, value: object) -> None:
        if name not in self.given:
            self.rec[self.slots[name]] = value


def _account_via_parent(lookup: Lookup, schemas: Schemas, ref: object) -> str | None:
    found = lookup(ref) if isinstance(ref, str) else None
    if found is None:
        return None
    obj, parent = found
    if obj == "Account":
        return ref  # type: ignore[return-value]
    slot = schemas[obj].slots.get("AccountId")
    value = parent[slot] if slot is not None else None
    return value if isinstance(value, str) else None


def derive(
    obj: str,
    schema: ObjectSchema,
    rec: Record,
    *,
    previous: Record | None,
    now: str,
    lookup: Lookup,
    schemas: Schemas,
    given: Collection[str] = (),
) -> None:
    """Fill ``rec``'s computed fields in place."""
    view = _View(schema, rec, given)
    if obj in ("Contact", "User"):
        view.set("Name", " ".join(str(p) for p in (view["FirstName"], view["LastName"]) if p))
    elif obj == "Task":
        _task(view, previous, schema, now, lookup, schemas)
    elif obj == "Event":
        _event(view, lookup, schemas)
    elif obj == "Opportunity":
        view.set("IsClosed", view["StageName"] in OPPORTUNITY_CLOSED_STAGES)
        view.set("IsWon", view["StageName"] in OPPORTUNITY_WON_STAGES)
    elif obj == "Case":
        closed = view["Status"] in CASE_CLOSED_STATUSES
        view.set("IsClosed", closed)
        was_closed = previous is not None and previous[schema.slots["IsClosed"]]
        if not closed:
            view.set("ClosedDate", None)
        elif not was_closed and view["ClosedDate"] is None:
            view.set("ClosedDate", now)


def _task(
    view: _View,
    previous: Record | None,
    schema: ObjectSchema,
    now: str,
    lookup: Lookup,
    schemas: Schemas,
) -> None:
    closed = view["Status"] in TASK_CLOSED_STATUSES
    view.set("IsClosed", closed)
    view.set("IsHighPriority", view["Priority"] == "High")
    was_closed = previous is not None and previous[schema.slots["IsClosed"]]
    if not closed:
        view.set("CompletedDateTime", None)
    elif not was_closed and view["CompletedDateTime"] is None:
        view.set("CompletedDateTime", now)
    view.set("AccountId", _activity_account(view, lookup, schemas))


def _activity_account(view: _View, lookup: Lookup, schemas: Schemas) -> str | None:
    """Salesforce sets an activity's AccountId from WhatId, else from the WhoId contact."""
    return _account_via_parent(lookup, schemas, view["WhatId"]) or _account_via_parent(
        lookup, schemas, view["WhoId"]
    )


def _event(view: _View, lookup: Lookup, schemas: Schemas) -> None:
    start = view["StartDateTime"] or view["ActivityDateTime"]
    end, minutes = view["EndDateTime"], view["DurationInMinutes"]
    if isinstance(start, str):
        view.set("StartDateTime", start)
        view.set("ActivityDateTime", start)
        view.set("ActivityDate", start[:10])
        if end is None and isinstance(minutes, int):
            end = format_datetime(datetime_of(start) + timedelta(minutes=minutes))
            view.set("EndDateTime", end)
        if isinstance(end, str):
            span = datetime_of(end) - datetime_of(start)
            view.set("DurationInMinutes", int(span.total_seconds() // 60))
    view.set("AccountId", _activity_account(view, lookup, schemas))
