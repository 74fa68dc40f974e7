"""Fixture records in and out: flat dicts keyed by API field names, values as JSON gives them."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.ids import checksum_suffix, is_valid_id, normalize_id
from sandbox.salesforce.schema import Field, ObjectSchema, Record
from sandbox.salesforce.values import ID_TYPES, coerce

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore


def fixture_value(obj: str, f: Field, value: Any) -> Any:
    """A fixture value in stored form; ids are normalised to 18 chars and interned."""
    if f.type in ID_TYPES and value is not None:
        if not isinstance(value, str) or not is_valid_id(value):
            hint = ""
            if isinstance(value, str) and len(value) == 18:
                hint = f" (its checksum suffix would be {checksum_suffix(value[:15])})"
            raise ValueError(f"{obj}.{f.name}: {value!r} is not a Salesforce id{hint}")
        return sys.intern(normalize_id(value))
    try:
        stored = coerce(f.type, value, scale=f.scale)
    except ValueError as exc:
        raise ValueError(f"{obj}.{f.name}: {exc}") from None
    if f.type == "picklist" and isinstance(stored, str):
        return sys.intern(stored)
    return stored


def fixture_values(obj: str, schema: ObjectSchema, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Stored values of one fixture record; unknown fields are an error naming the field."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "attributes":
            continue
        f = schema.fields.get(key) or schema.field(key)
        if f is None:
            raise ValueError(f"{obj} fixture record has unknown field {key!r}")
        if f.type == "address":
            continue  # compound: read from its component fields
        values[f.name] = fixture_value(obj, f, value)
    record_id = values.get("Id")
    if record_id is not None and record_id[:3] != schema.key_prefix:
        raise ValueError(f"{obj} fixture id {record_id} lacks the {schema.key_prefix} prefix")
    return values


def load_fixture(
    store: SalesforceStore, objects: Mapping[str, Sequence[Mapping[str, Any]]]
) -> None:
    """Load every object, parents first, each table in one bulk step."""
    from sandbox.salesforce.store import LOAD_ORDER

    unknown = sorted(set(objects) - set(store.schemas))
    if unknown:
        raise ValueError(f"unknown Salesforce objects in fixture: {', '.join(unknown)}")
    stamp = store.now_str()
    with store.lock:
        for obj in LOAD_ORDER:
            schema = store.schemas[obj]
            records = []
            for raw in objects.get(obj, ()):
                values = fixture_values(obj, schema, raw)
                records.append(store.build(obj, values, stamp=stamp, given=values.keys()))
            store.tables[obj].load(records)
            if obj == "User":
                _finish_users(store, records)


def _finish_users(store: SalesforceStore, users: list[Record]) -> None:
    """Users load before the API user is known; give them its id as creator."""
    api_user = store.ensure_api_user()
    slots = store.schemas["User"].slots
    for rec in users:
        for name in ("CreatedById", "LastModifiedById"):
            if rec[slots[name]] is None:
                rec[slots[name]] = api_user


def export_records(store: SalesforceStore, obj: str) -> list[dict[str, Any]]:
    """Every record of ``obj`` in fixture form, deleted ones included."""
    schema = store.schemas[obj]
    live = [(f.name, schema.slots[f.name]) for f in schema.fields.values() if f.type != "address"]
    return [{name: rec[slot] for name, slot in live} for rec in store.tables[obj].by_id.values()]
