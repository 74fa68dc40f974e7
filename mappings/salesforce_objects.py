"""Building canonical records from one Salesforce row, object by object.

Each builder reads the row through its :class:`FieldMap` (canonical field → Salesforce
field) and raises :class:`BadValue` with the field's name when a value does not fit; the
caller turns that into a :class:`Quarantined`. Only the model is imported: this is pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from connector.model import (
    Activity,
    ActivityKind,
    AnyRecord,
    Deal,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    Quarantined,
    SourceRef,
    SurveyAnswer,
)
from mappings.salesforce_values import BadValue, Kind, boolean, day, moment, money, number, text

TAG_KINDS: dict[str, Kind] = {"health_score": "number", "health_updated_at": "datetime"}
ACCOUNT_PREFIX = "001"
_PAYLOAD_MAX = 4000


@dataclass(frozen=True)
class FieldMap:
    """What the builders need to know: the fields per stream, the partner filter, tags, key."""

    fields: Mapping[str, Mapping[str, str]]
    partner_field: str
    partner_values: frozenset[str]
    tag_fields: Mapping[str, str] = field(default_factory=dict)
    task_key_field: str | None = None


@dataclass(frozen=True)
class Mapped:
    """What one Salesforce row became: canonical records, and any part that was quarantined."""

    records: tuple[AnyRecord, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()


def quarantine(stream: str, record_id: str, reason: str, row: Mapping[str, Any]) -> Quarantined:
    """A row kept aside with why; the payload is the row as JSON, trimmed."""
    payload = json.dumps(
        {k: v for k, v in row.items() if k != "attributes"}, default=str, ensure_ascii=False
    )
    return Quarantined(
        system="salesforce",
        stream=stream,
        record_id=record_id or "?",
        reason=f"{stream} {record_id or '(no id)'}: {reason}",
        payload=payload[:_PAYLOAD_MAX],
    )


class _Row:
    """A row with its stream's field map, read field by field with the reason on failure."""

    def __init__(
        self,
        mapping: FieldMap,
        stream: str,
        row: Mapping[str, Any],
        record_id: str,
        stamp: datetime,
    ) -> None:
        self.mapping = mapping
        self.stream = stream
        self.row = row
        self.id = record_id
        self.stamp = stamp
        self.ref = SourceRef(system="salesforce", id=record_id)

    def get(self, canonical: str, read: Callable[[Any], Any]) -> Any:
        crm = self.mapping.fields[self.stream].get(canonical)
        if crm is None:
            return None
        try:
            return read(self.row.get(crm))
        except BadValue as exc:
            raise BadValue(f"{crm}: {exc}") from None

    def ref_of(self, canonical: str) -> SourceRef | None:
        value = self.get(canonical, text)
        return SourceRef(system="salesforce", id=value) if value else None


def _owner(r: _Row) -> Mapped:
    active = r.get("active", boolean)
    return Mapped(
        records=(
            Owner(
                ref=r.ref,
                modified_at=r.stamp,
                name=r.get("name", text) or "",
                email=r.get("email", text),
                active=True if active is None else active,
            ),
        )
    )


def _account(r: _Row) -> Mapped:
    name = r.get("name", text)
    if name is None:
        raise BadValue("Account has no Name")
    mapping = r.mapping
    flag = r.row.get(mapping.partner_field)
    tags: dict[str, str | None] = {}
    for tag, crm in mapping.tag_fields.items():
        try:
            tags[tag] = _tag_text(TAG_KINDS.get(tag, "string"), r.row.get(crm))
        except BadValue as exc:
            raise BadValue(f"{crm}: {exc}") from None
    partner = PartnerRecord(
        ref=r.ref,
        modified_at=r.stamp,
        name=name,
        domain=_domain(r.get("domain", text)),
        owner=r.ref_of("owner"),
        is_partner=(text(flag) or "").lower() in mapping.partner_values,
        partner_since=r.get("partner_since", day),
        partner_end=r.get("partner_end", day),
        created_at=r.get("created_at", moment),
        unique_resources=bool(r.get("unique_resources", boolean)),
        tags=tags,
    )
    records: list[AnyRecord] = [partner]
    quarantined: list[Quarantined] = []
    for derive in (_survey, _kpi):
        try:
            extra = derive(r)
        except BadValue as exc:
            quarantined.append(quarantine("Account", r.id, str(exc), r.row))
        else:
            records.extend(extra)
    return Mapped(records=tuple(records), quarantined=tuple(quarantined))


def _survey(r: _Row) -> list[AnyRecord]:
    score, answered = r.get("nps_score", number), r.get("nps_date", day)
    if score is None and answered is None:
        return []
    if score is None or answered is None:
        missing = "nps_date" if answered is None else "nps_score"
        raise BadValue(f"NPS answer without {r.mapping.fields['Account'].get(missing, missing)}")
    if score != score.to_integral() or not 0 <= score <= 10:
        raise BadValue(f"NPS score {score} is not a whole number from 0 to 10")
    return [
        SurveyAnswer(
            ref=SourceRef(system="salesforce", id=f"{r.id}:nps:{answered.isoformat()}"),
            modified_at=r.stamp,
            partner=r.ref,
            score=int(score),
            answered_on=answered,
        )
    ]


def _kpi(r: _Row) -> list[AnyRecord]:
    fields = r.mapping.fields["Account"]
    if "kpi_target" not in fields or "kpi_actual" not in fields:
        return []
    target, actual = r.get("kpi_target", number), r.get("kpi_actual", number)
    if target is None or actual is None:
        return []
    return [
        KpiReading(
            ref=SourceRef(system="salesforce", id=f"{r.id}:kpi"),
            modified_at=r.stamp,
            partner=r.ref,
            target=target,
            actual=actual,
        )
    ]


def _partner_of(r: _Row) -> SourceRef | None:
    """The Account an activity, deal or case belongs to: AccountId, else an Account WhatId."""
    partner = r.ref_of("partner")
    if partner is not None:
        return partner
    related = r.ref_of("related_to")
    return related if related is not None and related.id.startswith(ACCOUNT_PREFIX) else None


_SUBTYPES = {"call": ActivityKind.CALL, "email": ActivityKind.EMAIL}


def _task(r: _Row) -> Mapped:
    completed = r.get("completed_at", moment)
    due = r.get("due_date", day)
    occurred = completed or (datetime.combine(due, time(), tzinfo=UTC) if due else None)
    key_field = r.mapping.task_key_field
    closed = r.get("closed", boolean)
    return Mapped(
        records=(
            Activity(
                ref=r.ref,
                modified_at=r.stamp,
                partner=_partner_of(r),
                kind=_SUBTYPES.get((r.get("subtype", text) or "").lower(), ActivityKind.TODO),
                occurred_at=occurred,
                owner=r.ref_of("owner"),
                subject=r.get("subject", text) or "",
                task_key=text(r.row.get(key_field)) if key_field else None,
                is_open=closed is False,
            ),
        )
    )


def _event(r: _Row) -> Mapped:
    return Mapped(
        records=(
            Activity(
                ref=r.ref,
                modified_at=r.stamp,
                partner=_partner_of(r),
                kind=ActivityKind.MEETING,
                occurred_at=r.get("start", moment),
                owner=r.ref_of("owner"),
                subject=r.get("subject", text) or "",
            ),
        )
    )


def _deal(r: _Row) -> Mapped:
    return Mapped(
        records=(
            Deal(
                ref=r.ref,
                modified_at=r.stamp,
                partner=_partner_of(r),
                name=r.get("name", text) or "",
                amount=r.get("amount", money),
                close_date=r.get("close_date", day),
                won=bool(r.get("won", boolean)),
                closed=bool(r.get("closed", boolean)),
            ),
        )
    )


def _issue(r: _Row) -> Mapped:
    opened = r.get("opened_at", moment)
    if opened is None:
        raise BadValue("Case has no CreatedDate")
    return Mapped(
        records=(
            Issue(
                ref=r.ref,
                modified_at=r.stamp,
                partner=_partner_of(r),
                subject=r.get("subject", text) or "",
                opened_at=opened,
                closed=bool(r.get("closed", boolean)),
                closed_at=r.get("closed_at", moment),
            ),
        )
    )


MAPPERS: dict[str, Callable[[_Row], Mapped]] = {
    "User": _owner,
    "Account": _account,
    "Task": _task,
    "Event": _event,
    "Opportunity": _deal,
    "Case": _issue,
}


def _tag_text(kind: Kind, value: Any) -> str | None:
    """A tag's live value as text that reads the same from REST and Bulk."""
    if kind == "number":
        parsed = number(value)
        return None if parsed is None else format(parsed.normalize(), "f")
    if kind == "datetime":
        stamp = moment(value)
        return None if stamp is None else stamp.isoformat()
    return text(value)


def _domain(website: str | None) -> str | None:
    """``https://www.Acme.com/about`` → ``acme.com``."""
    if not website:
        return None
    host = website.strip().lower().split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].removeprefix("www.").strip(".")
    return host or None


def build(
    fields: FieldMap, stream: str, row: Mapping[str, Any], record_id: str, stamp: datetime
) -> Mapped:
    """The canonical records of one row of ``stream`` (raises BadValue for the whole row)."""
    return MAPPERS[stream](_Row(fields, stream, row, record_id, stamp))
