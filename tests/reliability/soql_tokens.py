"""A small SOQL tokenizer, written from Salesforce's grammar (not from our builder), to read
back what the builder wrote: string literals decoded per "Quoted String Escape Sequences",
datetimes, names, operators. Anything it cannot read raises ``ValueError``, so a value that
broke out of its literal shows up as a parse failure or as extra tokens.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# \' \" \\ \n \r \t \b \f, plus \_ and \% (LIKE only; none of our queries uses LIKE).
_UNESCAPE = {
    "'": "'",
    '"': '"',
    "\\": "\\",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "_": "\\_",
    "%": "\\%",
}
_PATTERNS = [
    (
        "datetime",
        re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})"),
    ),
    ("date", re.compile(r"\d{4}-\d{2}-\d{2}")),
    ("number", re.compile(r"-?\d+(?:\.\d+)?")),
    ("name", re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")),
    ("op", re.compile(r"!=|<=|>=|<>|[=<>(),]")),
]
KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "LIMIT",
        "LIKE",
        "NULL",
        "TRUE",
        "FALSE",
        "COUNT",
        "NULLS",
        "FIRST",
        "LAST",
        "OFFSET",
        "INCLUDES",
        "EXCLUDES",
        "GROUP",
        "HAVING",
        "WITH",
        "TYPEOF",
        "USING",
        "SCOPE",
    }
)


class Token(NamedTuple):
    kind: str  # string, datetime, date, number, name, keyword, op
    value: str


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t\r\n":
            i += 1
            continue
        if char == "'":
            value, i = _string(text, i + 1)
            out.append(Token("string", value))
            continue
        for kind, pattern in _PATTERNS:
            match = pattern.match(text, i)
            if match:
                word = match.group()
                if kind == "name" and word.upper() in KEYWORDS:
                    kind = "keyword"
                out.append(Token(kind, word))
                i = match.end()
                break
        else:
            raise ValueError(f"unreadable SOQL at {i}: {text[i : i + 20]!r}")
    return out


def _string(text: str, i: int) -> tuple[str, int]:
    chars: list[str] = []
    while i < len(text):
        char = text[i]
        if char == "'":
            return "".join(chars), i + 1
        if char == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _UNESCAPE:
                raise ValueError(f"bad escape at {i}: {text[i : i + 2]!r}")
            chars.append(_UNESCAPE[text[i + 1]])
            i += 2
            continue
        if char in "\n\r":
            raise ValueError(f"raw line break inside a string literal at {i}")
        chars.append(char)
        i += 1
    raise ValueError("unterminated string literal")


def strings(text: str) -> list[str]:
    """The decoded string literals of a query, in order."""
    return [t.value for t in tokens(text) if t.kind == "string"]


def shape(text: str) -> list[str]:
    """The query with every literal replaced by its kind: what stays the same whatever the
    values are (a value that changed the shape broke out of its literal)."""
    return [
        t.kind.upper() if t.kind in ("string", "datetime", "date", "number") else t.value
        for t in tokens(text)
    ]
