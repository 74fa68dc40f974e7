"""Loading fixture records (the sandbox contract's format) into a store, fast and compactly."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sandbox.hubspot.objecttypes import DEFAULT_TYPE_ID, resolve_type
from sandbox.hubspot.records import Record
from sandbox.hubspot.values import (
    Stored,
    display,
    format_datetime,
    normalize_bool,
    normalize_number,
    parse_instant,
)

if TYPE_CHECKING:
    from sandbox.hubspot.schema import PropertyDef
    from sandbox.hubspot.store import HubSpotStore

Converter = Callable[[Any], Stored]
Slot = tuple[str, Converter, int]  # (interned property name, converter, role)


class FixtureError(ValueError):
    """A fixture record HubSpot could not hold; the message names the object, id and field."""


def load_fixture(
    store: HubSpotStore,
    objects: Mapping[str, Sequence[Mapping[str, Any]]],
    owners: Sequence[Mapping[str, Any]],
    now_ms: int,
) -> None:
    pending: dict[tuple[str, str], list[tuple[int, int]]] = {}
    highest = 0
    for name, rows in objects.items():
        object_type = resolve_type(name)
        if object_type is None:
            raise FixtureError(f"unknown HubSpot object {name!r}")
        slots = _slots(store, object_type)
        targets: dict[str, list[tuple[int, int]]] = {}
        records = []
        for row in rows:
            record = _record(object_type, row, slots, now_ms, _id(object_type, row.get("id")))
            records.append(record)
            highest = max(highest, record.id)
            links = row.get("associations")
            if not links:
                continue
            for target, ids in links.items():
                pairs = targets.get(target)
                if pairs is None:
                    to_type = resolve_type(target)
                    if to_type is None or (object_type, to_type) not in DEFAULT_TYPE_ID:
                        raise FixtureError(
                            f"{object_type} {record.id}: cannot associate to {target!r}"
                        )
                    pairs = targets[target] = pending.setdefault((object_type, to_type), [])
                pairs.extend((record.id, _id(object_type, to_id)) for to_id in ids)
        store.tables[object_type].bulk_load(records)
    for (from_type, to_type), pairs in pending.items():
        known = store.tables[to_type].records
        for from_id, to_id in pairs:
            if to_id not in known:
                raise FixtureError(
                    f"{from_type} {from_id}: associated {to_type} {to_id} does not exist"
                )
        store.associations.add_default_bulk(from_type, to_type, pairs)
    store.associations.dedupe()
    store.reserve_ids(highest)
    store.owners = [owner_json(o, now_ms) for o in owners]


def add_records(
    store: HubSpotStore, object_type: str, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """The back door's create: fixture-format rows (``id`` optional) added one by one."""
    slots = _slots(store, object_type)
    now_ms = store.now_ms()
    made = []
    for row in rows:
        given = row.get("id")
        record_id = _id(object_type, given) if given else store.new_id()
        if store.tables[object_type].get(record_id) is not None:
            raise FixtureError(f"{object_type} {record_id} already exists")
        made.append((_record(object_type, row, slots, now_ms, record_id), row))
    for record, row in made:
        for target, ids in (row.get("associations") or {}).items():
            to_type = resolve_type(target)
            if to_type is None or (object_type, to_type) not in DEFAULT_TYPE_ID:
                raise FixtureError(f"{object_type} {record.id}: cannot associate to {target!r}")
            for to_id in ids:
                if store.tables[to_type].get(_id(to_type, to_id)) is None:
                    raise FixtureError(
                        f"{object_type} {record.id}: {to_type} {to_id} does not exist"
                    )
    for record, row in made:
        archived_at = record.archived_at
        record.archived_at = None
        store.tables[object_type].add(record)
        store.reserve_ids(record.id)
        if archived_at is not None:
            store.tables[object_type].archive(record, archived_at)
        for target, ids in (row.get("associations") or {}).items():
            to_type = resolve_type(target) or ""
            for to_id in ids:
                store.associate(object_type, record.id, to_type, int(str(to_id)))
    return [record.id for record, _ in made]


def owner_json(owner: Mapping[str, Any], now_ms: int) -> dict[str, Any]:
    """An owners-API ``PublicOwner`` from a fixture owner (missing fields filled)."""
    stamp = format_datetime(now_ms)
    user_id = int(owner.get("userId") or owner["id"])
    return {
        "id": str(owner["id"]),
        "email": owner.get("email"),
        "firstName": owner.get("firstName", ""),
        "lastName": owner.get("lastName", ""),
        "userId": user_id,
        "userIdIncludingInactive": int(owner.get("userIdIncludingInactive") or user_id),
        "type": owner.get("type", "PERSON"),
        "teams": list(owner.get("teams", [])),
        "archived": bool(owner.get("archived", False)),
        "createdAt": owner.get("createdAt", stamp),
        "updatedAt": owner.get("updatedAt", stamp),
    }


def _id(object_type: str, raw: Any) -> int:
    text = raw if type(raw) is str else str(raw)
    if not text.isdigit():
        raise FixtureError(f"{object_type}: id {raw!r} is not a HubSpot id (digits)")
    return int(text)


def _record(
    object_type: str,
    row: Mapping[str, Any],
    slots: dict[str, Slot],
    now_ms: int,
    record_id: int,
) -> Record:
    props: dict[str, Stored] = {}
    created = parse_instant(row.get("createdAt"))
    updated = parse_instant(row.get("updatedAt"))
    name, raw = "", None
    try:
        for name, raw in (row.get("properties") or {}).items():
            key, convert, role = slots[name]
            if raw is None or raw == "":
                continue
            if role == _STORED:
                props[key] = convert(raw)
            elif role == _CREATED:
                created = created if created is not None else int(convert(raw))
            elif role == _UPDATED:
                updated = updated if updated is not None else int(convert(raw))
    except KeyError:
        raise FixtureError(
            f"{object_type} {record_id}: property {name!r} does not exist in the sandbox schema"
        ) from None
    except ValueError as exc:
        raise FixtureError(f"{object_type} {record_id}: {name}={raw!r}: {exc}") from None
    if created is None:
        created = now_ms if updated is None else updated
    record = Record(record_id, props, created, created if updated is None else updated)
    if row.get("archived"):
        record.archived_at = parse_instant(row.get("archivedAt")) or record.updated
    return record


_STORED, _CREATED, _UPDATED, _COMPUTED = 0, 1, 2, 3


def _slots(store: HubSpotStore, object_type: str) -> dict[str, Slot]:
    slots: dict[str, Slot] = {}
    for name, definition in store.properties[object_type].items():
        if definition.archived:
            continue
        role = {"created": _CREATED, "updated": _UPDATED}.get(definition.source or "", _STORED)
        if role == _STORED and (definition.source is not None or definition.calculated):
            role = _COMPUTED
        slots[name] = (sys.intern(name), _converter(definition), role)
    return slots


def _converter(definition: PropertyDef) -> Converter:
    kind = definition.type
    if kind in ("date", "datetime"):
        return _to_instant
    if kind == "number":
        return _to_number
    if kind == "bool":
        return _to_bool
    if kind == "enumeration":
        return _to_interned
    return _to_text


def _to_instant(raw: Any) -> int:
    if type(raw) is int:
        return raw
    value = parse_instant(raw)
    if value is None:
        raise ValueError("not epoch milliseconds or ISO-8601")
    return value


def _to_number(raw: Any) -> str:
    value = str(raw) if type(raw) is int else normalize_number(raw)
    if value is None:
        raise ValueError("not a number")
    return sys.intern(value) if len(value) < 5 else value


def _to_bool(raw: Any) -> str:
    value = normalize_bool(raw)
    if value is None:
        raise ValueError("not true/false")
    return sys.intern(value)


def _to_interned(raw: Any) -> str:
    return sys.intern(raw if type(raw) is str else display(raw))


def _to_text(raw: Any) -> str:
    return raw if type(raw) is str else display(raw)
