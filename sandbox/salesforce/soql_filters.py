"""WHERE clauses → predicates, with Salesforce's typing rules and comparison semantics.

Rules reproduced: a literal must match the field's type (a datetime field takes an unquoted
datetime literal, a date field a date literal, text a quoted string, ...), else INVALID_FIELD
"value of filter criterion ... must be of type ..."; ids given to ``=``/``IN`` must be
well-formed; text compares case-insensitively; ``!=`` and ``NOT IN`` also match nulls (unlike
SQL); LIKE understands ``%``, ``_`` and their backslash escapes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.ids import is_valid_id, normalize_id
from sandbox.salesforce.soql_ast import (
    BoolOp,
    Comparison,
    Condition,
    InList,
    InQuery,
    Literal,
    Not,
    SoqlError,
)
from sandbox.salesforce.soql_fields import Resolved, resolve
from sandbox.salesforce.values import (
    ID_TYPES,
    NUMBER_TYPES,
    STRING_TYPES,
    format_datetime,
    parse_datetime,
)

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

Predicate = Callable[[list[Any]], bool]
Interval = tuple[str | None, bool, str | None, bool]
SemiJoin = Callable[[Any], set[str]]  # runs a sub-query, returns the ids it selects

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_SOAP_TYPES = {
    "id": "id",
    "reference": "id",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTime",
    "int": "int",
    "double": "double",
    "currency": "double",
    "percent": "double",
}


def type_class(field_type: str) -> str:
    if field_type in STRING_TYPES:
        return "string"
    if field_type in ID_TYPES:
        return "id"
    if field_type in NUMBER_TYPES:
        return "number"
    return field_type  # boolean, date, datetime, address


_ACCEPTS = {
    "string": {"string"},
    "id": {"string"},
    "number": {"number"},
    "boolean": {"boolean"},
    "date": {"date", "relative"},
    "datetime": {"datetime", "relative"},
}


class FilterCompiler:
    """Compiles one query's WHERE clause; ``semi_join`` runs ``IN (SELECT ...)`` sub-queries."""

    def __init__(self, store: SalesforceStore, obj: str, semi_join: SemiJoin) -> None:
        self.store = store
        self.obj = obj
        self.semi_join = semi_join

    def compile(self, cond: Condition) -> Predicate:
        if isinstance(cond, BoolOp):
            parts = [self.compile(item) for item in cond.items]
            if cond.op == "AND":
                return lambda rec: all(p(rec) for p in parts)
            return lambda rec: any(p(rec) for p in parts)
        if isinstance(cond, Not):
            inner = self.compile(cond.item)
            return lambda rec: not inner(rec)
        if isinstance(cond, Comparison):
            return self._comparison(cond)
        if isinstance(cond, InList):
            return self._in_list(cond)
        return self._in_query(cond)

    def _field(self, cond: Comparison | InList | InQuery) -> Resolved:
        col = resolve(self.store, self.obj, cond.field)
        if not col.field.filterable:
            raise SoqlError(
                "INVALID_FIELD",
                f"field '{col.field.name}' can not be filtered in a query call",
                cond.field.pos,
            )
        return col

    def _value(self, col: Resolved, lit: Literal, op: str) -> Any:
        """The literal in stored form, after the type check Salesforce makes."""
        tclass = type_class(col.field.type)
        if lit.kind == "null":
            return None
        if lit.kind not in _ACCEPTS.get(tclass, set()):
            soap = _SOAP_TYPES.get(col.field.type, "string")
            quoted = tclass in ("string", "id")
            raise SoqlError(
                "INVALID_FIELD",
                f"value of filter criterion for field "
                f"'{col.field.name}' must be of type {soap} and should "
                f"{'' if quoted else 'not '}be enclosed in quotes",
                lit.pos,
            )
        if tclass == "string":
            return lit.value.casefold()
        if tclass == "id" and op in ("=", "!="):
            if not is_valid_id(lit.value):
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}", lit.pos
                )
            return normalize_id(lit.value)
        if lit.kind == "datetime":
            return format_datetime(parse_datetime(lit.value))[:20] + _millis(lit.value) + "+0000"
        if lit.kind == "relative":
            return self._relative(lit.value, tclass)
        return lit.value

    def _relative(self, spec: tuple[str, int], tclass: str) -> tuple[str, str]:
        """[start, end) of TODAY, LAST_N_DAYS:n, ... (UTC days) in the field's stored form."""
        word, n = spec
        today = self.store.now().date()
        start, end = {
            "TODAY": (today, today + timedelta(days=1)),
            "YESTERDAY": (today - timedelta(days=1), today),
            "TOMORROW": (today + timedelta(days=1), today + timedelta(days=2)),
            "LAST_N_DAYS": (today - timedelta(days=n), today + timedelta(days=1)),
            "NEXT_N_DAYS": (today + timedelta(days=1), today + timedelta(days=n + 1)),
        }[word]
        return (_day(start, tclass), _day(end, tclass))

    def _comparison(self, cond: Comparison) -> Predicate:
        col = self._field(cond)
        get, op = col.getter, cond.op
        if op == "LIKE":
            return self._like(col, cond.value)
        value = self._value(col, cond.value, op)
        if value is None:
            if op == "=":
                return lambda rec: get(rec) is None
            if op == "!=":
                return lambda rec: get(rec) is not None
            return lambda rec: False
        if cond.value.kind == "relative":
            return _range_predicate(get, op, value)
        fold = type_class(col.field.type) == "string"
        compare = _OPS[op]
        if op == "!=":
            if fold:
                return lambda rec: (x := get(rec)) is None or x.casefold() != value
            return lambda rec: (x := get(rec)) is None or x != value
        if fold:
            return lambda rec: (x := get(rec)) is not None and compare(x.casefold(), value)
        return lambda rec: (x := get(rec)) is not None and compare(x, value)

    def _like(self, col: Resolved, lit: Literal) -> Predicate:
        if type_class(col.field.type) != "string":
            raise SoqlError(
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on {col.field.type} field: {col.field.name}",
                lit.pos,
            )
        if lit.kind != "string":
            raise SoqlError(
                "INVALID_FIELD",
                f"value of filter criterion for field "
                f"'{col.field.name}' must be of type string and should be enclosed "
                "in quotes",
                lit.pos,
            )
        pattern = like_regex(lit.raw)
        get = col.getter
        return lambda rec: (x := get(rec)) is not None and pattern.fullmatch(x) is not None

    def _in_list(self, cond: InList) -> Predicate:
        col = self._field(cond)
        values = {self._value(col, lit, "=") for lit in cond.values}
        get = col.getter
        fold = type_class(col.field.type) == "string"
        if fold:

            def member(rec: list[Any]) -> bool:
                x = get(rec)
                return (x.casefold() if x is not None else None) in values
        else:

            def member(rec: list[Any]) -> bool:
                return get(rec) in values

        if cond.negated:
            return lambda rec: not member(rec)
        return member

    def _in_query(self, cond: InQuery) -> Predicate:
        col = self._field(cond)
        if type_class(col.field.type) != "id":
            raise SoqlError(
                "INVALID_FIELD",
                "semi join sub-selects are only allowed on id or reference fields",
                cond.field.pos,
            )
        ids = self.semi_join(cond.query)
        get = col.getter
        if cond.negated:
            return lambda rec: get(rec) not in ids
        return lambda rec: get(rec) in ids


def _millis(literal: str) -> str:
    found = re.search(r"\.(\d{1,3})", literal)
    return (found.group(1) if found else "").ljust(3, "0")


def _day(day: date, tclass: str) -> str:
    return day.isoformat() if tclass == "date" else f"{day.isoformat()}T00:00:00.000+0000"


def _range_predicate(get: Callable[[Any], Any], op: str, span: tuple[str, str]) -> Predicate:
    start, end = span
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda x: start <= x < end,
        "!=": lambda x: not start <= x < end,
        "<": lambda x: x < start,
        "<=": lambda x: x < end,
        ">": lambda x: x >= end,
        ">=": lambda x: x >= start,
    }
    test = tests[op]
    if op == "!=":
        return lambda rec: (x := get(rec)) is None or test(x)
    return lambda rec: (x := get(rec)) is not None and test(x)


def like_regex(raw: str) -> re.Pattern[str]:
    """LIKE pattern (raw text) → regex: ``%`` any run, ``_`` one char, ``\\%``/``\\_`` literal."""
    out: list[str] = []
    chars = iter(raw)
    escapes = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
    for char in chars:
        if char == "\\":
            code = next(chars, "")
            out.append(re.escape(escapes.get(code.lower(), code) if code.isalpha() else code))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def stamp_interval(store: SalesforceStore, obj: str, cond: Condition | None) -> Interval | None:
    """Bounds on SystemModstamp implied by ``cond`` (a superset of the matches), or None."""
    if cond is None:
        return None
    if isinstance(cond, BoolOp):
        parts = [stamp_interval(store, obj, item) for item in cond.items]
        if cond.op == "AND":
            bounded = [p for p in parts if p is not None]
            return _intersect(bounded) if bounded else None
        if any(p is None for p in parts):
            return None
        return _hull([p for p in parts if p is not None])
    if not isinstance(cond, Comparison) or cond.value.kind != "datetime":
        return None
    if cond.field.parts != ("SystemModstamp",) and (
        len(cond.field.parts) != 1 or cond.field.parts[0].lower() != "systemmodstamp"
    ):
        return None
    lit = cond.value.value
    value = format_datetime(parse_datetime(lit))[:20] + _millis(lit) + "+0000"
    return {
        ">": (value, False, None, True),
        ">=": (value, True, None, True),
        "<": (None, True, value, False),
        "<=": (None, True, value, True),
        "=": (value, True, value, True),
    }.get(cond.op)


def _intersect(parts: list[Interval]) -> Interval:
    lo, lo_inc, hi, hi_inc = parts[0]
    for plo, plo_inc, phi, phi_inc in parts[1:]:
        if plo is not None and (lo is None or plo > lo or (plo == lo and not plo_inc)):
            lo, lo_inc = plo, plo_inc
        if phi is not None and (hi is None or phi < hi or (phi == hi and not phi_inc)):
            hi, hi_inc = phi, phi_inc
    return lo, lo_inc, hi, hi_inc


def _hull(parts: list[Interval]) -> Interval | None:
    lo, lo_inc, hi, hi_inc = parts[0]
    for plo, plo_inc, phi, phi_inc in parts[1:]:
        if lo is not None and (plo is None or plo < lo or (plo == lo and plo_inc)):
            lo, lo_inc = plo, plo_inc
        if hi is not None and (phi is None or phi > hi or (phi == hi and phi_inc)):
            hi, hi_inc = phi, phi_inc
    return lo, lo_inc, hi, hi_inc
