"""The SOQL builder: the only place a value enters a Salesforce query.

Values are rendered as literals here and nowhere else: strings quoted with every SOQL
escape, datetimes as unquoted UTC literals, record ids checked for shape, field and
object names checked against the API-name grammar. A stream's query reads
``WHERE <after position> AND SystemModstamp <= <cap> ORDER BY SystemModstamp, Id``, so
records sharing one stamp are paged by id and never skipped or repeated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

STAMP = "SystemModstamp"
# SOQL refuses a WHERE clause longer than 4,000 characters; look-ups stay well under it.
WHERE_BUDGET = 3000
IN_MAX = 200
# Users are deactivated, never deleted: User has no IsDeleted field.
NEVER_DELETED = frozenset({"User"})

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
# SOQL string escapes (soql_sosl "Quoted String Escape Sequences").
_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def name(value: str) -> str:
    """An object or field API name, refused unless it is one (``Partner_Segment__c``)."""
    if not _NAME.match(value):
        raise ValueError(f"{value!r} is not a Salesforce API name")
    return value


def record_id(value: str) -> str:
    """A 15- or 18-character record id, refused otherwise."""
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a Salesforce record id")
    return value


def quote(value: str) -> str:
    """A string literal: single-quoted, backslash-escaped; unicode passes as itself."""
    return "'" + "".join(_ESCAPES.get(char, char) for char in value) + "'"


def datetime_literal(value: datetime) -> str:
    """``2024-05-01T10:00:00Z``: unquoted, UTC, whole seconds (Salesforce stamps have none)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no timezone; SOQL datetimes must be absolute")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def literal(value: str | bool | int | Decimal | datetime | date | None) -> str:
    """Any value as a SOQL literal of its type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return datetime_literal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return format(value, "f")  # str() may give 1E-7: SOQL numbers have no exponent
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"no SOQL literal for {type(value).__name__}")


def equals(field: str, value: str | bool | int | Decimal | datetime | date | None) -> str:
    """``Field = <literal>``."""
    return f"{name(field)} = {literal(value)}"


@dataclass(frozen=True)
class Position:
    """Where a read stands in (SystemModstamp, Id) order.

    ``last_id`` None means every record at ``stamp`` was read (``> stamp``); an id means
    records at ``stamp`` after it are still to come; ``inclusive`` re-reads ``stamp`` itself
    (the lookback start).
    """

    stamp: datetime
    last_id: str | None = None
    inclusive: bool = False

    def clause(self) -> str:
        at = datetime_literal(self.stamp)
        if self.inclusive:
            return f"{STAMP} >= {at}"
        if self.last_id is None:
            return f"{STAMP} > {at}"
        return f"({STAMP} > {at} OR ({STAMP} = {at} AND Id > {quote(record_id(self.last_id))}))"


def system_fields(obj: str) -> tuple[str, ...]:
    """What every read of ``obj`` selects: its id, its stamp, and whether it is deleted."""
    return ("Id", STAMP) if obj in NEVER_DELETED else ("Id", STAMP, "IsDeleted")


def select(
    obj: str,
    fields: Sequence[str],
    *,
    after: Position | None,
    cap: datetime,
    ordered: bool = True,
) -> str:
    """The stream query: system fields plus ``fields``, after ``after``, up to ``cap``."""
    columns = list(dict.fromkeys([*system_fields(obj), *(name(f) for f in fields)]))
    where = [f"{STAMP} <= {datetime_literal(cap)}"]
    if after is not None:
        where.insert(0, after.clause())
    # The one SOQL builder: every part is a checked API name or a literal from this module.
    text = f"SELECT {', '.join(columns)} FROM {name(obj)} WHERE {' AND '.join(where)}"  # noqa: S608
    if ordered:
        text += f" ORDER BY {STAMP} ASC, Id ASC"
    return text


def count(obj: str, *, cap: datetime) -> str:
    """``SELECT COUNT()`` of the records a full read up to ``cap`` would return."""
    return f"SELECT COUNT() FROM {name(obj)} WHERE {STAMP} <= {datetime_literal(cap)}"  # noqa: S608


def in_chunks(
    values: Sequence[str], *, budget: int = WHERE_BUDGET, most: int = IN_MAX
) -> list[list[str]]:
    """``values`` (de-duplicated, in order) split so each ``IN (...)`` list stays under
    ``budget`` characters and ``most`` values."""
    chunks: list[list[str]] = []
    size = budget
    for value in dict.fromkeys(values):
        width = len(quote(value)) + 2
        if not chunks or size + width > budget or len(chunks[-1]) >= most:
            chunks.append([])
            size = 0
        chunks[-1].append(value)
        size += width
    return chunks


def lookup(obj: str, fields: Sequence[str], by: str, values: Sequence[str]) -> str:
    """``SELECT fields FROM obj WHERE by IN (...) AND IsDeleted = false``: live records by
    id (``by="Id"``, each value checked as an id) or by a key field."""
    if not values:
        raise ValueError("a look-up needs at least one value")
    checked = [record_id(v) for v in values] if by == "Id" else list(values)
    columns = ", ".join(dict.fromkeys(["Id", *(name(f) for f in fields)]))
    listed = ", ".join(quote(v) for v in checked)
    return (
        f"SELECT {columns} FROM {name(obj)} "  # noqa: S608 - names checked, values quoted here
        f"WHERE {name(by)} IN ({listed}) AND IsDeleted = false"
    )
