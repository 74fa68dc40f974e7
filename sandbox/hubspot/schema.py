"""Property and property-group definitions, and how a written value is checked against one.

A definition renders as the properties API's ``Property`` (every field the client's model
requires is present). ``source`` marks system properties computed from the record itself
(``hs_object_id``, ``createdate``, ``hs_lastmodifieddate``...) rather than stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.hubspot.values import (
    Stored,
    ValueIssue,
    display,
    format_datetime,
    midnight_issue,
    normalize_bool,
    normalize_number,
    parse_instant,
)

PROPERTY_TYPES = ("string", "number", "date", "datetime", "enumeration", "bool", "phone_number")
FIELD_TYPES = (
    "textarea",
    "text",
    "date",
    "file",
    "number",
    "select",
    "radio",
    "checkbox",
    "booleancheckbox",
    "calculation_equation",
    "html",
    "phonenumber",
)
TIME_TYPES = frozenset({"date", "datetime"})
NUMERIC_TYPES = frozenset({"number", "date", "datetime"})


@dataclass
class PropertyDef:
    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str = ""
    options: list[dict[str, Any]] = field(default_factory=list)
    display_order: int = -1
    has_unique_value: bool = False
    hubspot_defined: bool = True
    calculated: bool = False
    read_only: bool = False
    external_options: bool = False
    hidden: bool = False
    form_field: bool = False
    archived: bool = False
    source: str | None = None  # "id", "created", "updated", "closed_won", "closed"
    created_at: int = 0
    updated_at: int = 0
    archived_at: int | None = None
    option_values: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        self.option_values = frozenset(str(o["value"]) for o in self.options)

    def set_options(self, options: list[dict[str, Any]]) -> None:
        self.options = options
        self.option_values = frozenset(str(o["value"]) for o in options)

    def coerce(self, raw: Any) -> tuple[Stored | None, ValueIssue | None]:
        """The stored form of a written value (None clears it), or why HubSpot refuses it."""
        if raw is None or (isinstance(raw, str) and raw == ""):
            return None, None
        if self.read_only or self.calculated or self.source is not None:
            return None, ValueIssue(
                self.name,
                "READ_ONLY_VALUE",
                f'Property "{self.name}" is read-only and its value cannot be set',
            )
        kind = self.type
        if kind in TIME_TYPES:
            ms = parse_instant(raw)
            if ms is None:
                code = "INVALID_DATE" if kind == "date" else "INVALID_DATETIME"
                return None, ValueIssue(
                    self.name, code, f"{display(raw)} was not a valid {kind} for {self.name}"
                )
            if kind == "date":
                issue = midnight_issue(self.name, display(raw), ms)
                if issue:
                    return None, issue
            return ms, None
        if kind == "number":
            number = normalize_number(raw)
            if number is None:
                return None, ValueIssue(
                    self.name, "INVALID_DECIMAL", f"{display(raw)} was not a valid number."
                )
            return number, None
        if kind == "bool":
            flag = normalize_bool(raw)
            if flag is None:
                return None, self._option_issue(display(raw))
            return flag, None
        text = display(raw)
        if kind == "enumeration" and not self.external_options:
            chosen = text.split(";") if self.field_type == "checkbox" else [text]
            for value in chosen:
                if value not in self.option_values:
                    return None, self._option_issue(value)
        return text, None

    def _option_issue(self, value: str) -> ValueIssue:
        allowed = ", ".join(sorted(self.option_values)) or "true, false"
        return ValueIssue(
            self.name,
            "INVALID_OPTION",
            f"{value} was not one of the allowed options: [{allowed}]",
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group_name,
            "options": [dict(o) for o in self.options],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": self.external_options,
            "hasUniqueValue": self.has_unique_value,
            "hidden": self.hidden,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only or self.calculated or self.source is not None,
            },
            "formField": self.form_field,
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.updated_at),
            "archived": self.archived,
        }
        if self.archived_at is not None:
            body["archivedAt"] = format_datetime(self.archived_at)
        return body


@dataclass
class GroupDef:
    name: str
    label: str
    display_order: int = -1
    archived: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": self.archived,
        }


def option(value: str, label: str | None = None, order: int = 0) -> dict[str, Any]:
    return {
        "label": label or value.replace("_", " ").title(),
        "value": value,
        "displayOrder": order,
        "hidden": False,
    }


def options(*values: str) -> list[dict[str, Any]]:
    return [option(v, order=i) for i, v in enumerate(values)]


def bool_options() -> list[dict[str, Any]]:
    return [option("true", "Yes", 0), option("false", "No", 1)]
