"""SOQL syntax tree and the error every SOQL stage raises.

``pos`` is a character offset in the query text; :meth:`SoqlError.message_for` turns it into
Salesforce's ``ERROR at Row:r:Column:c`` message with a caret under the offending token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is its errorCode (MALFORMED_QUERY, ...)."""

    def __init__(self, code: str, text: str, pos: int | None = None) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.pos = pos

    def message_for(self, query: str) -> str:
        if self.pos is None:
            return self.text
        pos = min(self.pos, len(query))
        row = query.count("\n", 0, pos) + 1
        line_start = query.rfind("\n", 0, pos) + 1
        line_end = query.find("\n", pos)
        line = query[line_start : line_end if line_end >= 0 else len(query)]
        column = pos - line_start + 1
        return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{self.text}"


@dataclass(frozen=True)
class FieldPath:
    """``Name`` or ``Owner.Email``: relationship hops then the field, as written."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """kind: string, number, date, datetime, boolean, null or relative (value = (name, n))."""

    kind: str
    value: Any
    pos: int
    raw: str = ""  # a string literal's text between the quotes, escapes intact (for LIKE)


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    op: str  # = != < <= > >= LIKE
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldPath
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class InQuery:
    field: FieldPath
    query: Query
    negated: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND / OR
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Comparison | InList | InQuery | BoolOp | Not


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    fields: tuple[FieldPath, ...]  # empty for SELECT COUNT()
    count_only: bool
    object_name: str
    object_pos: int
    where: Condition | None
    order: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
