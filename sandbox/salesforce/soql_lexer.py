"""SOQL tokens. String literals are decoded here and only here, so no quote inside a literal
can ever end it early: ``'x\\' OR Name != \\''`` is one string token whose value is data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.salesforce.soql_ast import SoqlError

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})")
_DATETIME_NO_ZONE = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", ":")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "%": "%",
    "_": "_",
}


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, date, datetime, op, eof
    text: str
    pos: int
    value: object = None
    raw: str = ""

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "ident" and self.text.upper() in words


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    pos, end = 0, len(query)
    while pos < end:
        char = query[pos]
        if char.isspace():
            pos += 1
            continue
        if char == "'":
            token, pos = _string(query, pos)
            tokens.append(token)
            continue
        matched = _match(query, pos)
        if matched is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{char}'", pos)
        tokens.append(matched)
        pos += len(matched.text)
    tokens.append(Token("eof", "", end))
    return tokens


def _match(query: str, pos: int) -> Token | None:
    found = _DATETIME.match(query, pos)
    if found:
        return Token("datetime", found.group(), pos)
    bad = _DATETIME_NO_ZONE.match(query, pos)
    if bad:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"line 1:{pos} no viable alternative at character '{bad.group()}'",
            pos,
        )
    for kind, pattern in (("date", _DATE), ("number", _NUMBER), ("ident", _IDENT)):
        found = pattern.match(query, pos)
        if found:
            return Token(kind, found.group(), pos)
    for op in _OPS:
        if query.startswith(op, pos):
            return Token("op", op, pos)
    return None


def _string(query: str, start: int) -> tuple[Token, int]:
    out: list[str] = []
    pos = start + 1
    while pos < len(query):
        char = query[pos]
        if char == "'":
            raw = query[start + 1 : pos]
            return Token("string", query[start : pos + 1], start, "".join(out), raw), pos + 1
        if char == "\\":
            if pos + 1 >= len(query):
                break
            code = query[pos + 1]
            if code in _ESCAPES or (code.lower() in _ESCAPES and code.isalpha()):
                out.append(_ESCAPES.get(code, _ESCAPES.get(code.lower(), "")))
                pos += 2
                continue
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", query[pos + 2 : pos + 6]):
                out.append(chr(int(query[pos + 2 : pos + 6], 16)))
                pos += 6
                continue
            raise SoqlError(
                "MALFORMED_QUERY",
                "Invalid string literal '"
                f"{query[start : pos + 2]}'. Illegal character sequence '\\{code}' "
                "in string literal.",
                pos,
            )
        out.append(char)
        pos += 1
    raise SoqlError(
        "MALFORMED_QUERY", f"line 1:{start} mismatched character '<EOF>' expecting '''", start
    )
