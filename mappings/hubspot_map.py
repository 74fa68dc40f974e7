"""The HubSpot property map: defaults from ``hubspot.toml``, overrides as plain dicts.

``load`` merges ``hubspot.toml`` with a config's ``[mappings.hubspot]`` (a
``MappingOverride`` dumped to a dict) and the tag / task-key property names from
``[writeback]``. ``EXPECTED_TYPES`` says which property types each canonical field can be
read from, for the adapter's schema check. Reading the packaged TOML is the only I/O.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from connector.model import ActivityKind

DEFAULTS = Path(__file__).with_name("hubspot.toml")
STAMP = "hs_lastmodifieddate"
SYSTEM_PROPERTIES = ("hs_object_id", STAMP, "createdate")
ENGAGEMENTS: dict[str, ActivityKind] = {
    "calls": ActivityKind.CALL,
    "emails": ActivityKind.EMAIL,
    "meetings": ActivityKind.MEETING,
    "notes": ActivityKind.NOTE,
    "tasks": ActivityKind.TODO,
}
OBJECT_STREAMS = ("companies", *ENGAGEMENTS, "deals", "tickets")
STREAMS = ("owners", *OBJECT_STREAMS)
# Streams whose records name their company through an association.
ASSOCIATED = frozenset({*ENGAGEMENTS, "deals", "tickets"})
WON_STAGE = "closedwon"


@dataclass(frozen=True)
class Stages:
    """What the pipelines API says about stage ids: which are closed, which are won."""

    closed: frozenset[str] = frozenset()
    won: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HubSpotMapping:
    """The effective property map: defaults, overrides, tag and task-key properties."""

    fields: Mapping[str, Mapping[str, str]]
    partner_field: str
    partner_values: frozenset[str]
    tags: Mapping[str, str] = field(default_factory=dict)
    task_key: str = "pp_task_key"

    def field(self, stream: str, canonical: str) -> str | None:
        return self.fields.get(stream, {}).get(canonical) or None

    def properties(self, stream: str) -> tuple[str, ...]:
        """Every property a pull of ``stream`` reads."""
        wanted = [*SYSTEM_PROPERTIES, *self.fields.get(stream, {}).values()]
        if stream == "companies":
            wanted += [self.partner_field, *self.tags.values()]
        if stream == "tasks":
            wanted.append(self.task_key)
        return tuple(dict.fromkeys(p for p in wanted if p))


@cache
def _defaults() -> dict[str, Any]:
    with DEFAULTS.open("rb") as handle:
        return tomllib.load(handle)


def load(
    overrides: Mapping[str, Any] | None = None,
    *,
    tags: Mapping[str, str] | None = None,
    task_key: str = "pp_task_key",
) -> HubSpotMapping:
    """Defaults from ``hubspot.toml`` with ``overrides`` (a MappingOverride as a dict) on top."""
    base = _defaults()
    over = dict(overrides or {})
    fields = {stream: dict(table) for stream, table in base["fields"].items()}
    for stream, table in (over.get("fields") or {}).items():
        fields.setdefault(stream, {}).update(table)
    partner = over.get("partner_filter") or base["partner_filter"]
    return HubSpotMapping(
        fields=fields,
        partner_field=str(partner["field"]),
        partner_values=frozenset(str(x) for x in partner["values"]),
        tags=dict(tags or {}),
        task_key=task_key,
    )


# Canonical fields a stream's mapping reads but leaves unmapped by default (opt-in).
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "companies": ("kpi_target", "kpi_actual"),
    **{stream: ("occurred_at_fallback",) for stream in ENGAGEMENTS},
}


def canonical_fields() -> dict[str, frozenset[str]]:
    """Per object stream, the canonical fields a config may map (an override naming any
    other would silently do nothing, so the config refuses it)."""
    base = _defaults()["fields"]
    return {
        stream: frozenset((*base.get(stream, {}), *OPTIONAL_FIELDS.get(stream, ())))
        for stream in OBJECT_STREAMS
    }


# HubSpot property types each canonical field can be read from (the properties API's `type`).
_TEXT = ("string", "enumeration", "phone_number")
_ID = ("string", "number", "enumeration")
_INSTANT = ("datetime", "date")
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    "name": _TEXT,
    "subject": _TEXT,
    "domain": ("string",),
    "owner": ("enumeration", "string", "number"),
    "partner_since": ("date", "datetime"),
    "partner_end": ("date", "datetime"),
    "nps_response_date": ("date", "datetime"),
    "close_date": ("date", "datetime"),
    "created_at": _INSTANT,
    "opened_at": _INSTANT,
    "closed_at": _INSTANT,
    "occurred_at": _INSTANT,
    "occurred_at_fallback": _INSTANT,
    "unique_resources": ("bool", "enumeration"),
    "linked_salesforce_id": _ID,
    "mirror_of": _ID,
    "nps_score": ("number",),
    "amount": ("number",),
    "kpi_target": ("number",),
    "kpi_actual": ("number",),
    "stage": ("enumeration", "string"),
    "pipeline": ("enumeration", "string"),
    "status": ("enumeration", "string"),
}
