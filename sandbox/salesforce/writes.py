"""API writes: reading a JSON record into typed values and checking it as Salesforce does.

Two stages, because Salesforce fails them differently. Deserialisation (unknown field,
a value of the wrong JSON type) fails the whole request with HTTP 400 — in a collection
too. Validation (read-only field, restricted picklist, length, number range, ids, required
fields, uniqueness) fails only that record, with a ``statusCode`` in its result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.ids import is_valid_id, normalize_id
from sandbox.salesforce.schema import Field, ObjectSchema
from sandbox.salesforce.values import ValueTypeError, coerce

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

Values = dict[str, Any]


@dataclass
class RecordError(Exception):
    """A per-record failure: Salesforce's ``{statusCode, message, fields}``."""

    code: str
    message: str
    fields: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}


def deserialize(schema: ObjectSchema, payload: Mapping[str, Any]) -> dict[Field, Any]:
    """Stage one: field names and JSON types. Raises :class:`ApiError` (400)."""
    if not isinstance(payload, Mapping):
        raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object for an sObject")
    out: dict[Field, Any] = {}
    for key, value in payload.items():
        if key == "attributes":
            continue
        f = schema.field(key)
        if f is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {schema.name}"
            )
        if f.type == "address" or f.type in ("id", "reference"):
            if value is not None and not isinstance(value, str):
                raise ApiError(
                    400, "JSON_PARSER_ERROR", str(ValueTypeError("java.lang.String", value))
                )
            out[f] = value or None
            continue
        try:
            out[f] = coerce(f.type, value, scale=f.scale)
        except ValueTypeError as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", str(exc)) from None
    return out


def validate(
    store: SalesforceStore,
    obj: str,
    fields: dict[Field, Any],
    *,
    creating: bool,
    record_id: str | None = None,
) -> Values:
    """Stage two: the checks a record can fail on its own. Raises :class:`RecordError`."""
    readonly = [f.name for f in fields if not (f.createable if creating else f.updateable)]
    if readonly:
        raise RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(readonly)}. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set.",
            readonly,
        )
    values: Values = {}
    missing: list[str] = []
    for f, value in fields.items():
        if value is None:
            if not f.nillable and f.type != "boolean":
                if f.type == "picklist" and f.restricted:
                    raise RecordError(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.display_label}: bad value for restricted picklist field: null",
                        [f.name],
                    )
                missing.append(f.name)
            values[f.name] = None
            continue
        values[f.name] = _check(store, obj, f, value, record_id)
    if creating:
        schema = store.schemas[obj]
        missing += [
            f.name
            for f in schema.fields.values()
            if f.required and f.createable and values.get(f.name) is None and f.name not in missing
        ]
    if missing:
        raise RecordError(
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    return values


def _check(store: SalesforceStore, obj: str, f: Field, value: Any, record_id: str | None) -> Any:
    label = f.display_label
    if f.type in ("id", "reference"):
        return _reference(store, f, value)
    if f.type == "picklist" and f.restricted:
        canonical = next((p for p in f.picklist if p.casefold() == value.casefold()), None)
        if canonical is None:
            raise RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{label}: bad value for restricted picklist field: {value}",
                [f.name],
            )
        value = canonical
    if isinstance(value, str) and f.length and len(value) > f.length:
        raise RecordError(
            "STRING_TOO_LONG",
            f"{label}: data value too large: {value} (max length={f.length})",
            [f.name],
        )
    if f.type == "email" and "@" not in value:
        raise RecordError(
            "INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", [f.name]
        )
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and f.precision and abs(value) >= 10 ** (f.precision - f.scale):
        raise RecordError(
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{label}: value outside of valid range on numeric field: {value}",
            [f.name],
        )
    if f.unique and isinstance(value, str):
        _unique(store, obj, f, value, record_id)
    return value


def _reference(store: SalesforceStore, f: Field, value: str) -> str:
    label = f.display_label
    if not is_valid_id(value):
        raise RecordError("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [f.name])
    canonical = normalize_id(value)
    target = store.object_of_id(canonical)
    if target not in f.reference_to:
        raise RecordError(
            "FIELD_INTEGRITY_EXCEPTION", f"{label}: id value of incorrect type: {value}", [f.name]
        )
    found = store.lookup(canonical)
    deleted = store.schemas[target].slots.get("IsDeleted")
    if found is None or (deleted is not None and found[1][deleted]):
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
    return canonical


def _unique(store: SalesforceStore, obj: str, f: Field, value: str, record_id: str | None) -> None:
    table = store.tables[obj]
    if f.external_id:
        others = [i for i in table.find_external(f.name, value) if i != record_id]
    else:
        slot = store.schemas[obj].slots[f.name]
        folded = value.casefold()
        others = [
            r[0]
            for r in table.by_id.values()
            if isinstance(r[slot], str) and r[slot].casefold() == folded and r[0] != record_id
        ]
    if others:
        raise RecordError(
            "DUPLICATE_VALUE",
            f"duplicate value found: {f.name} duplicates value on record with id: {others[0]}",
            [f.name],
        )


def record_id_for(store: SalesforceStore, obj: str, raw: str) -> str:
    """The live record ``raw`` names, or RecordError as a collection reports it."""
    if not is_valid_id(raw):
        raise RecordError("MALFORMED_ID", f"malformed id {raw}", ["Id"])
    canonical = normalize_id(raw)
    rec = store.tables[obj].by_id.get(canonical)
    if rec is None or canonical[:3] != store.schemas[obj].key_prefix:
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    deleted = store.schemas[obj].slots.get("IsDeleted")
    if deleted is not None and rec[deleted]:
        raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [])
    return canonical
