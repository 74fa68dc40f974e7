"""``check_schema``: describe each object once and say, a line per problem, what is missing.

Mapped fields must exist with a compatible type; the tag fields the tool writes must be
updateable (and carry the picklist values it writes); the task key field must be an
updateable External ID, so follow-up tasks are upserted once. The REST API cannot
create fields, so each line says what to create and how.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connector.errors import RecordRejected
from mappings.salesforce import KINDS, STREAMS, TAG_KINDS, SalesforceMapping
from mappings.salesforce_values import Kind

SETUP_HINT = "create it or run `partnerpulse setup --salesforce-metadata DIR`"

COMPATIBLE: dict[Kind, frozenset[str]] = {
    "string": frozenset(
        {
            "string",
            "textarea",
            "picklist",
            "multipicklist",
            "combobox",
            "email",
            "phone",
            "url",
            "id",
            "reference",
            "encryptedstring",
        }
    ),
    "reference": frozenset({"reference", "id"}),
    "boolean": frozenset({"boolean"}),
    "number": frozenset({"double", "currency", "percent", "int", "long"}),
    "date": frozenset({"date"}),
    "datetime": frozenset({"datetime"}),
}
_KIND_NAMES: dict[Kind, str] = {
    "string": "text",
    "reference": "lookup",
    "boolean": "checkbox",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "any": "any type",
}
TAG_VALUES: dict[str, tuple[str, ...]] = {
    "health_grade": ("healthy", "watch", "at_risk"),
    "segment": ("strategic", "prospective", "transactional"),
    "tier": ("gold", "silver", "bronze"),
}


@dataclass(frozen=True)
class TagExpectation:
    kind: Kind
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.values:
            return f"picklist: {', '.join(self.values)}"
        return "text, 255" if self.kind == "string" else _KIND_NAMES[self.kind]


def tag_expectation(tag: str) -> TagExpectation:
    return TagExpectation(TAG_KINDS.get(tag, "string"), TAG_VALUES.get(tag, ()))


def check(mapping: SalesforceMapping, describe: Callable[[str], Mapping[str, Any]]) -> list[str]:
    """Every problem with the org's schema for this mapping, one line each (empty: all good)."""
    problems: list[str] = []
    for stream in STREAMS:
        try:
            described = describe(stream)
        except RecordRejected:
            problems.append(f"{stream}: the object is not visible to the integration user")
            continue
        fields = {str(f.get("name")): f for f in described.get("fields", [])}
        for canonical, crm in mapping.fields(stream).items():
            problems.extend(_mapped(stream, canonical, crm, KINDS[stream][canonical], fields))
        if stream == "Account":
            if mapping.partner_field not in fields:
                problems.append(
                    f"Account.{mapping.partner_field} is missing (the partner filter field) — "
                    "fix [mappings.salesforce.partner_filter]"
                )
            for tag, crm in mapping.tag_fields.items():
                problems.extend(_tag(crm, tag_expectation(tag), fields.get(crm)))
        if stream == "Task" and mapping.task_key_field:
            problems.extend(_task_key(mapping.task_key_field, fields.get(mapping.task_key_field)))
    return problems


def _mapped(
    stream: str, canonical: str, crm: str, kind: Kind, fields: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    found = fields.get(crm)
    where = f"[mappings.salesforce.fields.{stream}] {canonical}"
    if found is None:
        return [f"{stream}.{crm} is missing ({_KIND_NAMES[kind]}, for {canonical}) — fix {where}"]
    actual = str(found.get("type"))
    if kind != "any" and actual not in COMPATIBLE[kind]:
        return [
            f"{stream}.{crm} is a {actual} field; {canonical} needs {_KIND_NAMES[kind]} "
            f"({', '.join(sorted(COMPATIBLE[kind]))}) — fix {where}"
        ]
    return []


def _tag(crm: str, expect: TagExpectation, found: Mapping[str, Any] | None) -> list[str]:
    name = f"Account.{crm}"
    if found is None:
        return [f"{name} is missing ({expect.describe()}) — {SETUP_HINT}"]
    problems = []
    actual = str(found.get("type"))
    if actual not in COMPATIBLE[expect.kind]:
        problems.append(
            f"{name} is a {actual} field, expected {expect.describe()} — change its type "
            "or point [writeback].salesforce_fields at another field"
        )
    if not found.get("updateable"):
        problems.append(
            f"{name} is not updateable by the integration user — "
            "grant edit access in its field-level security"
        )
    if expect.values and actual == "picklist":
        have = {
            str(p.get("value")) for p in found.get("picklistValues") or [] if p.get("active", True)
        }
        missing = [v for v in expect.values if v not in have]
        if missing and found.get("restrictedPicklist", True):
            problems.append(f"{name} lacks picklist values: {', '.join(missing)} — add them")
    return problems


def _task_key(crm: str, found: Mapping[str, Any] | None) -> list[str]:
    name = f"Task.{crm}"
    if found is None:
        return [f"{name} is missing (text, External ID, unique) — {SETUP_HINT}"]
    problems = []
    if str(found.get("type")) not in COMPATIBLE["string"]:
        problems.append(f"{name} is a {found.get('type')} field, expected text (External ID)")
    if not found.get("externalId"):
        problems.append(
            f"{name} is not an External ID — tick External ID and Unique so each "
            "follow-up task is upserted once"
        )
    if not found.get("updateable") or not found.get("createable", True):
        problems.append(
            f"{name} is not writable by the integration user — "
            "grant edit access in its field-level security"
        )
    return problems
