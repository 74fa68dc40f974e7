"""A parsed query checked against the schema and turned into something runnable.

:func:`compile_query` resolves the object and every field (INVALID_TYPE / INVALID_FIELD as
Salesforce reports them), compiles WHERE into a predicate, ORDER BY into sort keys, and
decides whether the (SystemModstamp, Id) index can produce the order and bound the scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.schema import Record
from sandbox.salesforce.soql_ast import OrderItem, Query, SoqlError
from sandbox.salesforce.soql_fields import Resolved, resolve
from sandbox.salesforce.soql_filters import (
    FilterCompiler,
    Interval,
    Predicate,
    stamp_interval,
    type_class,
)
from sandbox.salesforce.soql_json import JsonRenderer, json_renderer
from sandbox.salesforce.soql_parser import parse

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

MAX_OFFSET = 2000
SortKey = Callable[[Record], Any]


@dataclass(frozen=True)
class SortStep:
    key: SortKey
    descending: bool


@dataclass(frozen=True)
class CompiledQuery:
    text: str
    obj: str
    count_only: bool
    columns: tuple[Resolved, ...]
    render: JsonRenderer  # record → its JSON text
    predicate: Predicate | None
    interval: Interval | None
    index_order: str | None  # "asc" / "desc" when the stamp index yields the ORDER BY
    sort_steps: tuple[SortStep, ...]  # applied last to first (stable sorts)
    limit: int | None
    offset: int


def compile_query(
    store: SalesforceStore,
    text: str,
    *,
    version: str = "59.0",
    run_semi_join: Callable[[CompiledQuery], set[str]] | None = None,
) -> CompiledQuery:
    """Parse and check ``text``; raise :class:`SoqlError` as Salesforce would refuse it."""
    return _compile(store, parse(text), text, version, run_semi_join)


def _compile(
    store: SalesforceStore,
    query: Query,
    text: str,
    version: str,
    run_semi_join: Callable[[CompiledQuery], set[str]] | None,
) -> CompiledQuery:
    obj = store.object_name(query.object_name)
    if obj is None:
        raise SoqlError(
            "INVALID_TYPE",
            f"sObject type '{query.object_name}' is not supported. If you are attempting to use "
            "a custom object, be sure to append the '__c' after the entity name. Please "
            "reference your WSDL or the describe call for the appropriate names.",
            query.object_pos,
        )
    columns = _columns(store, obj, query)
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SoqlError(
            "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
        )

    def semi_join(sub: Query) -> set[str]:
        compiled = _compile(store, sub, text, version, run_semi_join)
        if len(compiled.columns) != 1 or type_class(compiled.columns[0].field.type) != "id":
            raise SoqlError(
                "INVALID_FIELD",
                "The selected field in a semi join sub-select must be an id or reference field",
                sub.object_pos,
            )
        if run_semi_join is None:
            raise SoqlError("MALFORMED_QUERY", "semi join sub-selects are not supported here")
        return run_semi_join(compiled)

    predicate = None
    if query.where is not None:
        predicate = FilterCompiler(store, obj, semi_join).compile(query.where)
    steps = _sort_steps(store, obj, query.order)
    return CompiledQuery(
        text=text,
        obj=obj,
        count_only=query.count_only,
        columns=tuple(columns),
        render=json_renderer(store, obj, columns, version),
        predicate=predicate,
        interval=stamp_interval(store, obj, query.where),
        index_order=_index_order(query.order),
        sort_steps=tuple(reversed(steps)),
        limit=query.limit,
        offset=query.offset or 0,
    )


def _columns(store: SalesforceStore, obj: str, query: Query) -> list[Resolved]:
    columns: list[Resolved] = []
    seen: set[str] = set()
    for path in query.fields:
        col = resolve(store, obj, path)
        if col.path.lower() in seen:
            raise SoqlError("MALFORMED_QUERY", f"duplicate field selected: {col.path}", path.pos)
        seen.add(col.path.lower())
        columns.append(col)
    return columns


def _index_order(order: tuple[OrderItem, ...]) -> str | None:
    names = [".".join(item.field.parts).lower() for item in order]
    if not order:
        return "asc"
    if names not in (["systemmodstamp"], ["systemmodstamp", "id"]):
        return None
    directions = {item.descending for item in order}
    if len(directions) != 1:
        return None
    return "desc" if order[0].descending else "asc"


def _sort_steps(store: SalesforceStore, obj: str, order: tuple[OrderItem, ...]) -> list[SortStep]:
    steps = []
    for item in order:
        col = resolve(store, obj, item.field)
        if not col.field.sortable:
            raise SoqlError(
                "INVALID_FIELD",
                f"field '{col.field.name}' can not be sorted in a query call",
                item.field.pos,
            )
        steps.append(SortStep(_sort_key(col, item), item.descending))
    return steps


def _sort_key(col: Resolved, item: OrderItem) -> SortKey:
    """Key whose null flag puts nulls where NULLS FIRST/LAST asks, whatever the direction."""
    null_flag = 0 if item.nulls_last == item.descending else 1
    value_flag = 1 - null_flag
    get = col.getter
    fold = type_class(col.field.type) == "string"

    def key(rec: Record) -> tuple[Any, ...]:
        value = get(rec)
        if value is None:
            return (null_flag,)
        return (value_flag, value.casefold() if fold else value)

    return key
