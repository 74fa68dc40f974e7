"""Compiling a search body (filterGroups, sorts, query) into tests over stored records.

Comparison rules (HubSpot documents the operators, not every edge; the choices here):
- ``number``, ``datetime`` and ``date`` properties compare as numbers; datetime/date filter
  values may be epoch milliseconds or ISO-8601 and are truncated to the millisecond
  (estuary/connectors#2242: HubSpot compares at ms precision).
- ``hs_object_id`` compares as a number by default (``object_id_compare="string"`` makes it
  lexicographic, the behaviour claimed in airbytehq/airbyte#79666).
- Text and enumeration values compare case-insensitively.
- A record without the property matches NEQ, NOT_IN, NOT_CONTAINS_TOKEN and NOT_HAS_PROPERTY,
  and no other operator. BETWEEN is inclusive at both ends.
- CONTAINS_TOKEN matches a whole word of the value; ``*`` wildcards match against the whole
  value too (HubSpot's ``*@hubspot.com`` example).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.records import Record
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.schema_defaults import QUERY_FIELDS
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.values import parse_instant

OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_WORDS = re.compile(r"[^0-9a-z_]+")
Test = Callable[[Record], bool]
Getter = Callable[[Record], Any]


class SearchError(ValueError):
    """A search body HubSpot refuses with 400; the message says why."""


@dataclass(frozen=True)
class Condition:
    test: Test
    on_modified: bool  # a bound on hs_lastmodifieddate (answered by the index)
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Query:
    groups: list[list[Condition]]
    sort_getter: Getter | None  # None: id order
    sort_by_id: bool
    descending: bool
    key: str


def compile_query(
    store: HubSpotStore, options: HubSpotOptions, object_type: str, body: dict[str, Any]
) -> Query:
    raw_groups = body.get("filterGroups") or []
    if not isinstance(raw_groups, list):
        raise SearchError("filterGroups must be a list")
    if len(raw_groups) > options.search_max_groups:
        raise SearchError(
            f"Too many filter groups: {len(raw_groups)}; the maximum is {options.search_max_groups}"
        )
    total = 0
    groups: list[list[Condition]] = []
    for group in raw_groups:
        filters = (group or {}).get("filters") or []
        if len(filters) > options.search_max_filters_per_group:
            raise SearchError(
                f"Too many filters in a group: {len(filters)}; the maximum is "
                f"{options.search_max_filters_per_group}"
            )
        total += len(filters)
        groups.append([_condition(store, options, object_type, f) for f in filters])
    if total > options.search_max_filters_total:
        raise SearchError(
            f"Too many filters: {total}; the maximum is {options.search_max_filters_total}"
        )
    text = body.get("query")
    if text:
        condition = _text_condition(store, object_type, str(text))
        groups = [[*g, condition] for g in groups] if groups else [[condition]]
    getter, by_id, descending = _sort(store, options, object_type, body.get("sorts"))
    key = json.dumps(
        [object_type, raw_groups, body.get("sorts"), text, options.object_id_compare],
        sort_keys=True,
        default=str,
    )
    return Query(groups, getter, by_id, descending, key)


def _definition(store: HubSpotStore, object_type: str, name: Any) -> PropertyDef:
    definition = store.prop(object_type, str(name))
    if definition is None:
        raise SearchError(f"Property {name!r} does not exist on {object_type}")
    return definition


def getter(
    options: HubSpotOptions, store: HubSpotStore, object_type: str, d: PropertyDef
) -> Getter:
    """A record's comparable value of one property: a number, a lower-cased string or None."""
    if d.source == "id":
        if options.object_id_compare == "string":
            return lambda r: str(r.id)
        return lambda r: r.id
    if d.source == "created":
        return lambda r: r.created
    if d.source == "updated":
        return lambda r: r.updated
    if d.source is not None:
        return lambda r: store.value(object_type, r, d)
    name = d.name
    if d.type in ("date", "datetime"):
        return lambda r: r.props.get(name)
    if d.type == "number":
        return lambda r: _float(r.props.get(name))
    return lambda r: _lower(r.props.get(name))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _lower(value: Any) -> str | None:
    return None if value is None else str(value).lower()


def _numeric(options: HubSpotOptions, d: PropertyDef) -> bool:
    if d.source == "id":
        return options.object_id_compare == "numeric"
    return d.type in ("number", "date", "datetime")


def _operand(options: HubSpotOptions, d: PropertyDef, raw: Any) -> Any:
    if raw is None:
        raise SearchError(f"Filter on {d.name} needs a value")
    if not _numeric(options, d):
        return str(raw).lower() if d.source != "id" else str(raw)
    if d.type in ("date", "datetime"):
        instant = parse_instant(raw)
        if instant is None:
            raise SearchError(f"{raw!r} is not a valid {d.type} value for {d.name}")
        return instant
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise SearchError(f"{raw!r} is not a valid number for {d.name}") from None


def _condition(
    store: HubSpotStore, options: HubSpotOptions, object_type: str, raw: dict[str, Any]
) -> Condition:
    op = str(raw.get("operator", "")).upper()
    if op not in OPERATORS:
        raise SearchError(f"Unknown filter operator {raw.get('operator')!r}")
    d = _definition(store, object_type, raw.get("propertyName"))
    get = getter(options, store, object_type, d)
    on_modified = d.source == "updated"
    if op == "HAS_PROPERTY":
        return Condition(lambda r: get(r) not in (None, ""), False)
    if op == "NOT_HAS_PROPERTY":
        return Condition(lambda r: get(r) in (None, ""), False)
    if op in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list):
            raise SearchError(f"{op} filter on {d.name} needs 'values'")
        members = frozenset(_operand(options, d, v) for v in values)
        if op == "IN":
            return Condition(lambda r: get(r) in members, False)
        return Condition(lambda r: get(r) not in members, False)
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(raw.get("value", "")).lower()
        if op == "CONTAINS_TOKEN":
            return Condition(lambda r: _has_token(get(r), pattern), False)
        return Condition(lambda r: not _has_token(get(r), pattern), False)
    x = _operand(options, d, raw.get("value"))
    if op == "BETWEEN":
        high = _operand(options, d, raw.get("highValue"))
        return Condition(
            lambda r: (v := get(r)) is not None and x <= v <= high,
            on_modified,
            *((int(x), int(high)) if on_modified else (None, None)),
        )
    if op == "NEQ":
        return Condition(lambda r: get(r) != x, False)
    tests: dict[str, Test] = {
        "EQ": lambda r: get(r) == x,
        "LT": lambda r: (v := get(r)) is not None and v < x,
        "LTE": lambda r: (v := get(r)) is not None and v <= x,
        "GT": lambda r: (v := get(r)) is not None and v > x,
        "GTE": lambda r: (v := get(r)) is not None and v >= x,
    }
    if not on_modified:
        return Condition(tests[op], False)
    bounds = {
        "EQ": (x, x),
        "LT": (None, x - 1),
        "LTE": (None, x),
        "GT": (x + 1, None),
        "GTE": (x, None),
    }[op]
    return Condition(tests[op], True, *bounds)


def _has_token(value: Any, pattern: str) -> bool:
    if value is None:
        return False
    text = str(value).lower()
    if "*" in pattern:
        return fnmatchcase(text, pattern) or any(fnmatchcase(t, pattern) for t in text.split())
    words = set(_WORDS.split(text)) | set(text.split())
    return all(part in words for part in pattern.split()) or text == pattern


def _text_condition(store: HubSpotStore, object_type: str, text: str) -> Condition:
    names = [n for n in QUERY_FIELDS[object_type] if store.prop(object_type, n) is not None]
    wanted = [w for w in _WORDS.split(text.lower()) if w]

    def test(r: Record) -> bool:
        words: set[str] = set()
        for name in names:
            value = r.props.get(name)
            if value is not None:
                words.update(_WORDS.split(str(value).lower()))
        return all(any(w.startswith(x) for w in words) for x in wanted)

    return Condition(test, False)


def _sort(
    store: HubSpotStore, options: HubSpotOptions, object_type: str, raw: Any
) -> tuple[Getter | None, bool, bool]:
    if not raw:
        return None, True, False
    if not isinstance(raw, list):
        raise SearchError("sorts must be a list")
    if len(raw) > 1:
        raise SearchError("Only one sort is supported per search request")
    rule = raw[0]
    if isinstance(rule, str):
        descending = rule.startswith("-")
        name = rule.lstrip("-")
    else:
        name = str((rule or {}).get("propertyName", ""))
        descending = str((rule or {}).get("direction", "ASCENDING")).upper() == "DESCENDING"
    d = _definition(store, object_type, name)
    if d.source == "id" and options.object_id_compare == "numeric":
        return None, True, descending
    return getter(options, store, object_type, d), False, descending
