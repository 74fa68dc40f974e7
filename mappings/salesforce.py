"""Salesforce records in, canonical records out: the default field map plus overrides.

``salesforce.toml`` beside this file names the Salesforce field behind each canonical
field; a config overrides entries as plain dicts (this package imports nothing of ours
but the model). Streams are objects: User → Owner; Account → PartnerRecord, and from its
NPS fields a SurveyAnswer, from its KPI fields (when mapped) a KpiReading; Task and
Event → Activity; Opportunity → Deal; Case → Issue (``salesforce_objects.py`` builds
them). A row that cannot be read becomes a :class:`Quarantined` with the reason, never
an exception.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mappings.salesforce_objects import TAG_KINDS, FieldMap, Mapped, build, quarantine
from mappings.salesforce_values import BadValue, Kind, moment, typed

__all__ = [
    "KINDS",
    "STREAMS",
    "TAG_KINDS",
    "Mapped",
    "SalesforceMapping",
    "quarantine",
    "typed_row",
]

# Salesforce Ids are 15 or 18 letters and digits; 64 is the store's id column.
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
STREAMS = ("User", "Account", "Task", "Event", "Opportunity", "Case")
DEFAULTS = tomllib.loads((Path(__file__).with_name("salesforce.toml")).read_text("utf-8"))

# What the code expects each canonical field to hold; the TOML only names the field.
KINDS: dict[str, dict[str, Kind]] = {
    "User": {"name": "string", "email": "string", "active": "boolean"},
    "Account": {
        "name": "string",
        "domain": "string",
        "owner": "reference",
        "partner_since": "date",
        "partner_end": "date",
        "created_at": "datetime",
        "unique_resources": "boolean",
        "nps_score": "number",
        "nps_date": "date",
        "kpi_target": "number",
        "kpi_actual": "number",
    },
    "Task": {
        "partner": "reference",
        "related_to": "reference",
        "subtype": "string",
        "completed_at": "datetime",
        "due_date": "date",
        "owner": "reference",
        "subject": "string",
        "closed": "boolean",
    },
    "Event": {
        "partner": "reference",
        "related_to": "reference",
        "start": "datetime",
        "owner": "reference",
        "subject": "string",
    },
    "Opportunity": {
        "partner": "reference",
        "name": "string",
        "amount": "number",
        "close_date": "date",
        "won": "boolean",
        "closed": "boolean",
    },
    "Case": {
        "partner": "reference",
        "subject": "string",
        "opened_at": "datetime",
        "closed": "boolean",
        "closed_at": "datetime",
    },
}


class SalesforceMapping:
    """The field map for one org: defaults, overridden per stream with plain dicts.

    ``tag_fields`` maps canonical tag names to Account fields, ``task_key_field`` is the
    Task field holding the key of tasks the tool created; both come from [writeback].
    """

    def __init__(
        self,
        overrides: Mapping[str, Mapping[str, str]] | None = None,
        *,
        partner_filter: tuple[str, Sequence[str]] | None = None,
        tag_fields: Mapping[str, str] | None = None,
        task_key_field: str | None = "PartnerPulse_Key__c",
    ) -> None:
        self._fields: dict[str, dict[str, str]] = {}
        for stream in STREAMS:
            merged = dict(DEFAULTS["fields"].get(stream, {}))
            merged.update((overrides or {}).get(stream, {}))
            unknown = set(merged) - set(KINDS[stream])
            if unknown:
                raise ValueError(
                    f"[mappings.salesforce.fields.{stream}]: unknown canonical field(s) "
                    f"{', '.join(sorted(unknown))}; known: {', '.join(KINDS[stream])}"
                )
            self._fields[stream] = merged
        for stream in (overrides or {}).keys() - set(STREAMS):
            raise ValueError(f"[mappings.salesforce.fields]: unknown stream {stream!r}")
        default_filter = DEFAULTS["partner_filter"]
        field, values = partner_filter or (default_filter["field"], default_filter["values"])
        self.partner_field = field
        self.partner_values = frozenset(v.lower() for v in values)
        self.tag_fields = dict(tag_fields or {})
        self.task_key_field = task_key_field
        self._field_map = FieldMap(
            fields=self._fields,
            partner_field=self.partner_field,
            partner_values=self.partner_values,
            tag_fields=self.tag_fields,
            task_key_field=task_key_field,
        )

    def fields(self, stream: str) -> dict[str, str]:
        """Canonical field → Salesforce field for ``stream``."""
        return dict(self._fields[stream])

    def kinds(self, stream: str) -> dict[str, Kind]:
        """Salesforce field → the kind of value read from it (what a select must return)."""
        out: dict[str, Kind] = {
            crm: KINDS[stream][canonical] for canonical, crm in self._fields[stream].items()
        }
        if stream == "Account":
            out.setdefault(self.partner_field, "any")
            for tag, crm in self.tag_fields.items():
                out.setdefault(crm, TAG_KINDS.get(tag, "string"))
        if stream == "Task" and self.task_key_field:
            out.setdefault(self.task_key_field, "string")
        return out

    def select(self, stream: str) -> tuple[str, ...]:
        """The Salesforce fields a pull of ``stream`` reads, besides Id/SystemModstamp/IsDeleted."""
        return tuple(self.kinds(stream))

    def map(self, stream: str, row: Mapping[str, Any]) -> Mapped:
        """One row (REST JSON or typed Bulk CSV) → canonical records; bad input → quarantined."""
        record_id = str(row.get("Id") or "")
        try:
            if not record_id:
                raise BadValue("the row has no Id")
            if not _SALESFORCE_ID.match(record_id):
                raise BadValue(f"{record_id[:60]!r} is not a Salesforce Id")
            stamp = moment(row.get("SystemModstamp"))
            if stamp is None:
                raise BadValue("the row has no SystemModstamp")
            return build(self._field_map, stream, row, record_id, stamp)
        except BadValue as exc:
            return Mapped(quarantined=(quarantine(stream, record_id, str(exc), row),))


def typed_row(kinds: Mapping[str, Kind], row: Mapping[str, str]) -> dict[str, Any]:
    """A Bulk CSV row with each cell typed as REST JSON would carry it."""
    out: dict[str, Any] = {}
    for column, cell in row.items():
        kind: Kind = "boolean" if column == "IsDeleted" else kinds.get(column, "string")
        try:
            out[column] = typed(kind, cell)
        except BadValue:
            out[column] = cell  # left as is: the mapping quarantines it with the field's name
    return out
