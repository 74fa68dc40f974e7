"""Field paths against the schema: ``Owner.Email`` → a getter, a type, an output position.

Relationships resolve case-insensitively (``owner.email`` works); output keys use the
canonical API names, as Salesforce's JSON does. Polymorphic lookups (``What``, ``Who``)
allow ``Id``, ``Name`` (each target's name field) and ``Type`` (the target's sObject type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.schema import Field, ObjectSchema, Record
from sandbox.salesforce.soql_ast import FieldPath, SoqlError

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

Getter = Callable[[Record], Any]
ValueOf = Callable[[str, Record], Any]  # (object name, record) → JSON value

_POLY_FIELDS = {"id": "Id", "name": "Name", "type": "Type"}


@dataclass(frozen=True)
class Hop:
    relationship: str  # canonical name, the JSON key of the nested parent object
    ref_slot: int
    target: str | None  # None for polymorphic


@dataclass(frozen=True)
class Resolved:
    """A field path resolved to storage: hops to follow, then the final field."""

    path: str
    hops: tuple[Hop, ...]
    field: Field
    value_of: ValueOf  # reads the final field from the final record
    getter: Getter  # reads it starting from the queried record


def no_such_column(name: str, obj: str, pos: int) -> SoqlError:
    return SoqlError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{obj}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names.",
        pos,
    )


def resolve(store: SalesforceStore, obj: str, path: FieldPath) -> Resolved:
    schema: ObjectSchema | None = store.schemas[obj]
    hops: list[Hop] = []
    names: list[str] = []
    for rel_name in path.parts[:-1]:
        if schema is None:
            raise _bad_relationship(rel_name, path.pos)
        ref = schema.relationship(rel_name)
        if ref is None:
            raise _bad_relationship(rel_name, path.pos)
        target = ref.reference_to[0] if len(ref.reference_to) == 1 else None
        hops.append(Hop(ref.relationship or rel_name, schema.slots[ref.name], target))
        names.append(ref.relationship or rel_name)
        schema = store.schemas[target] if target else None
    last = path.parts[-1]
    if schema is None:
        return _poly_final(store, path, tuple(hops), names, last)
    f = schema.field(last)
    if f is None:
        raise no_such_column(last, schema.name, path.pos)
    names.append(f.name)
    value_of = _value_of(schema, f)
    getter: Getter = _chain(store, tuple(hops), value_of)
    if not hops and f.type != "address":
        getter = itemgetter(schema.slots[f.name])
    return Resolved(".".join(names), tuple(hops), f, value_of, getter)


def _bad_relationship(name: str, pos: int) -> SoqlError:
    return SoqlError(
        "INVALID_FIELD",
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a "
        "custom relationship, be sure to append the '__r' after the custom relationship name. "
        "Please reference your WSDL or the describe call for the appropriate names.",
        pos,
    )


def _poly_final(
    store: SalesforceStore, path: FieldPath, hops: tuple[Hop, ...], names: list[str], last: str
) -> Resolved:
    canonical = _POLY_FIELDS.get(last.lower())
    if canonical is None:
        raise no_such_column(last, "Name", path.pos)
    names.append(canonical)
    slots = {n: s.slots[s.name_field] for n, s in store.schemas.items()}
    value_of: ValueOf
    if canonical == "Id":
        f = Field("Id", "id", length=18)
        value_of = lambda _obj, rec: rec[0]  # noqa: E731
    elif canonical == "Type":
        f = Field("Type", "picklist", length=40)
        value_of = lambda obj, _rec: obj  # noqa: E731
    else:
        f = Field("Name", "string", length=255)
        value_of = lambda obj, rec: rec[slots[obj]]  # noqa: E731

    return Resolved(".".join(names), hops, f, value_of, _chain(store, hops, value_of))


def _value_of(schema: ObjectSchema, f: Field) -> ValueOf:
    if f.type == "address":
        parts = [(key, schema.slots[name]) for key, name in f.components]

        def address(_obj: str, rec: Record) -> Any:
            values = {key: rec[slot] for key, slot in parts}
            return values if any(v is not None for v in values.values()) else None

        return address
    slot = schema.slots[f.name]
    return lambda _obj, rec: rec[slot]


def _chain(store: SalesforceStore, hops: tuple[Hop, ...], value_of: ValueOf) -> Getter:
    if not hops:
        return lambda rec: value_of("", rec)
    lookup = store.lookup
    slots = [h.ref_slot for h in hops]

    def get(rec: Record) -> Any:
        obj, current = "", rec
        for slot in slots:
            ref = current[slot]
            found = lookup(ref) if ref is not None else None
            if found is None:
                return None
            obj, current = found
        return value_of(obj, current)

    return get
