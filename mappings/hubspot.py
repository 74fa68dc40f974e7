"""HubSpot records (CRM-native dicts) → canonical records. Pure: no I/O.

Input shape, as the adapter hands it over (the API's own, flattened)::

    {"id": "123", "properties": {"name": "Acme", ...}, "archived": false,
     "createdAt": "...", "updatedAt": "...", "associations": {"companies": ["77", ...]}}

Owners are owners-API objects (``id``, ``email``, ``firstName``, ``lastName``, ``archived``,
``updatedAt``). Overrides arrive as plain dicts (``{"partner_filter": {...}, "fields":
{stream: {canonical: property}}}``), never config objects. A record that cannot be read
becomes a :class:`~connector.model.Quarantined` naming the property and the problem; a
company whose NPS or KPI part is unreadable still maps, and only that part is quarantined.
Value rules (epoch seconds vs milliseconds, ISO vs epoch-ms, dates) are in
``mappings/hubspot_values.py``; the property map itself in ``mappings/hubspot_map.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

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
from mappings import hubspot_values as v
from mappings.hubspot_map import (
    ASSOCIATED,
    ENGAGEMENTS,
    EXPECTED_TYPES,
    OBJECT_STREAMS,
    STAMP,
    STREAMS,
    SYSTEM_PROPERTIES,
    WON_STAGE,
    HubSpotMapping,
    Stages,
    load,
)

__all__ = [
    "ASSOCIATED",
    "ENGAGEMENTS",
    "EXPECTED_TYPES",
    "OBJECT_STREAMS",
    "STREAMS",
    "SYSTEM_PROPERTIES",
    "HubSpotMapping",
    "Mapped",
    "Stages",
    "load",
    "map_owner",
    "map_record",
    "quarantine",
]

T = TypeVar("T")
PAYLOAD_MAX = 4_000


@dataclass(frozen=True)
class Mapped:
    records: tuple[AnyRecord, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()


class _Reader:
    """Reads one record's properties; every failure names the canonical field and property."""

    def __init__(self, mapping: HubSpotMapping, stream: str, record: Mapping[str, Any]) -> None:
        self.mapping = mapping
        self.stream = stream
        self.record = record
        props = record.get("properties") or {}
        if not isinstance(props, Mapping):
            raise v.BadValue(f"properties is not an object ({type(props).__name__})")
        self.props: Mapping[str, Any] = props

    def raw(self, canonical: str) -> Any:
        name = self.mapping.field(self.stream, canonical)
        return self.props.get(name) if name else None

    def read(self, canonical: str, parse: Callable[[Any], T]) -> T:
        name = self.mapping.field(self.stream, canonical) or canonical
        try:
            return parse(self.raw(canonical))
        except v.BadValue as exc:
            raise v.BadValue(f"{canonical} ({name}) {exc}") from None

    def prop(self, name: str, parse: Callable[[Any], T], label: str | None = None) -> T:
        try:
            return parse(self.props.get(name))
        except v.BadValue as exc:
            raise v.BadValue(f"{label or name} ({name}) {exc}") from None

    def modified_at(self) -> Any:
        stamp = self.prop(STAMP, v.instant, "modified_at") or v.instant(
            self.record.get("updatedAt")
        )
        if stamp is None:
            raise v.BadValue(f"modified_at ({STAMP}) is missing")
        return stamp

    def owner(self) -> SourceRef | None:
        owner = self.read("owner", v.ident)
        return SourceRef(system="hubspot", id=owner) if owner else None


def quarantine(
    stream: str, record: Mapping[str, Any], reason: str, suffix: str = ""
) -> Quarantined:
    rid = str(record.get("id") or "?")[: v.MAX_ID]
    payload = json.dumps(record, default=str, ensure_ascii=False)
    if len(payload) > PAYLOAD_MAX:
        payload = payload[:PAYLOAD_MAX] + "…"
    return Quarantined(
        system="hubspot",
        stream=stream,
        record_id=rid + suffix,
        reason=f"{stream} {rid}: {reason}",
        payload=payload,
    )


def _ref(record: Mapping[str, Any]) -> SourceRef:
    rid = v.ident(record.get("id"))
    if rid is None:
        raise v.BadValue("id is missing")
    return SourceRef(system="hubspot", id=rid)


def company_of(record: Mapping[str, Any]) -> SourceRef | None:
    """The associated company (the adapter lists the primary one first)."""
    associations = record.get("associations") or {}
    if not isinstance(associations, Mapping):
        raise v.BadValue(f"associations is not an object ({type(associations).__name__})")
    found = associations.get("companies") or []
    if not isinstance(found, list | tuple):
        raise v.BadValue(f"associations.companies is not a list ({type(found).__name__})")
    first = v.ident(found[0]) if found else None
    return SourceRef(system="hubspot", id=first) if first else None


def map_record(
    mapping: HubSpotMapping,
    stream: str,
    record: Mapping[str, Any],
    *,
    stages: Stages | None = None,
) -> Mapped:
    """One HubSpot record of ``stream`` → its canonical records, or its quarantine."""
    try:
        if stream == "owners":
            return Mapped((map_owner(record),))
        if stream == "companies":
            return _company(mapping, record)
        reader = _Reader(mapping, stream, record)
        if stream in ENGAGEMENTS:
            return Mapped((_activity(reader),))
        if stream == "deals":
            return Mapped((_deal(reader, stages or Stages()),))
        if stream == "tickets":
            return Mapped((_issue(reader, stages or Stages()),))
    except v.BadValue as exc:
        return Mapped(quarantined=(quarantine(stream, record, str(exc)),))
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return Mapped(quarantined=(quarantine(stream, record, problem[:500]),))
    raise ValueError(f"{stream!r} is not a HubSpot stream")


def map_owner(record: Mapping[str, Any]) -> Owner:
    first = v.text(record.get("firstName"), 200)
    last = v.text(record.get("lastName"), 200)
    email = v.text(record.get("email"), 320) or None
    modified = v.instant(record.get("updatedAt")) or v.instant(record.get("createdAt"))
    if modified is None:
        raise v.BadValue("updatedAt is missing")
    return Owner(
        ref=_ref(record),
        modified_at=modified,
        name=f"{first} {last}".strip() or (email or ""),
        email=email,
        active=not bool(record.get("archived")),
    )


def _company(mapping: HubSpotMapping, record: Mapping[str, Any]) -> Mapped:
    r = _Reader(mapping, "companies", record)
    ref = _ref(record)
    modified = r.modified_at()
    kind = r.props.get(mapping.partner_field)
    kinds = {part.strip() for part in str(kind).split(";")} if not v.blank(kind) else set()
    partner = PartnerRecord(
        ref=ref,
        modified_at=modified,
        deleted=bool(record.get("archived")),
        name=r.read("name", v.text),
        domain=v.domain(r.raw("domain")),
        owner=r.owner(),
        is_partner=bool(kinds & mapping.partner_values),
        partner_since=r.read("partner_since", v.day),
        partner_end=r.read("partner_end", v.day),
        created_at=r.read("created_at", v.instant) or v.instant(record.get("createdAt")),
        unique_resources=r.read("unique_resources", v.flag),
        linked_salesforce_id=r.read("linked_salesforce_id", v.ident),
        tags={tag: _tag(r.props.get(prop)) for tag, prop in mapping.tags.items()},
    )
    records: list[AnyRecord] = [partner]
    quarantined: list[Quarantined] = []
    for part, build in (("nps", _survey), ("kpi", _kpi)):
        try:
            extra = build(r, ref, modified)
        except (v.BadValue, ValidationError) as exc:
            reason = str(exc) if isinstance(exc, v.BadValue) else "invalid values"
            quarantined.append(quarantine("companies", record, f"{part}: {reason}", f":{part}"))
            continue
        if extra is not None:
            records.append(extra)
    return Mapped(tuple(records), tuple(quarantined))


def _tag(raw: Any) -> str | None:
    return None if raw is None else str(raw).replace("\x00", "")


def _survey(r: _Reader, ref: SourceRef, modified: Any) -> SurveyAnswer | None:
    score = r.read("nps_score", v.score)
    answered = r.read("nps_response_date", v.day)
    if score is None and answered is None:
        return None
    if score is None or answered is None:
        missing = "nps_score" if score is None else "nps_response_date"
        raise v.BadValue(f"{missing} is missing while the other NPS field is set")
    return SurveyAnswer(
        ref=SourceRef(system="hubspot", id=f"{ref.id}:nps:{answered.isoformat()}"),
        modified_at=modified,
        partner=ref,
        score=score,
        answered_on=answered,
    )


def _kpi(r: _Reader, ref: SourceRef, modified: Any) -> KpiReading | None:
    if not (
        r.mapping.field("companies", "kpi_target") and r.mapping.field("companies", "kpi_actual")
    ):
        return None
    target = r.read("kpi_target", v.decimal)
    actual = r.read("kpi_actual", v.decimal)
    if target is None or actual is None:
        return None
    return KpiReading(
        ref=SourceRef(system="hubspot", id=f"{ref.id}:kpi"),
        modified_at=modified,
        partner=ref,
        target=target,
        actual=actual,
    )


def _activity(r: _Reader) -> Activity:
    occurred = r.read("occurred_at", v.instant)
    if occurred is None and r.mapping.field(r.stream, "occurred_at_fallback"):
        occurred = r.read("occurred_at_fallback", v.instant)
    kind = ENGAGEMENTS[r.stream]
    task_key = None
    is_open = False
    if kind is ActivityKind.TODO:
        task_key = r.prop(r.mapping.task_key, lambda x: v.ident(x, 255), "task_key")
        is_open = str(r.raw("status") or "").upper() != "COMPLETED"
    return Activity(
        ref=_ref(r.record),
        modified_at=r.modified_at(),
        deleted=bool(r.record.get("archived")),
        partner=company_of(r.record),
        kind=kind,
        occurred_at=occurred,
        owner=r.owner(),
        subject=r.read("subject", v.text),
        task_key=task_key,
        is_open=is_open,
    )


def _deal(r: _Reader, stages: Stages) -> Deal:
    stage = str(r.raw("stage") or "")
    won = stage == WON_STAGE or stage in stages.won
    mirror = r.read("mirror_of", v.ident)
    return Deal(
        ref=_ref(r.record),
        modified_at=r.modified_at(),
        deleted=bool(r.record.get("archived")),
        partner=company_of(r.record),
        name=r.read("name", v.text),
        amount=r.read("amount", v.money),
        close_date=r.read("close_date", v.day),
        won=won,
        closed=won or stage in stages.closed or stage == "closedlost",
        mirror_of=SourceRef(system="salesforce", id=mirror) if mirror else None,
    )


def _issue(r: _Reader, stages: Stages) -> Issue:
    opened = r.read("opened_at", v.instant) or v.instant(r.record.get("createdAt"))
    if opened is None:
        raise v.BadValue("opened_at (createdate) is missing")
    closed_at = r.read("closed_at", v.instant)
    stage = str(r.raw("stage") or "")
    # Without pipeline metadata (none could be read) a closed date is the best evidence.
    closed = stage in stages.closed if stages.closed else closed_at is not None
    mirror = r.read("mirror_of", v.ident)
    return Issue(
        ref=_ref(r.record),
        modified_at=r.modified_at(),
        deleted=bool(r.record.get("archived")),
        partner=company_of(r.record),
        subject=r.read("subject", v.text),
        opened_at=opened,
        closed=closed,
        closed_at=closed_at if closed else None,
        mirror_of=SourceRef(system="salesforce", id=mirror) if mirror else None,
    )
