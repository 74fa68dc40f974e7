"""SOQL text → :class:`~sandbox.salesforce.soql_ast.Query` (syntax only; names are checked later).

Grammar (the subset a sync connector needs, with Salesforce's own rules where they bite):
``SELECT fields|COUNT() FROM obj [WHERE cond] [ORDER BY k [ASC|DESC] [NULLS FIRST|LAST], ...]
[LIMIT n] [OFFSET n]``. AND and OR may not be mixed at one level without parentheses (a
Salesforce rule); ``NOT`` negates the expression after it; ``IN``/``NOT IN`` take a value list
or a semi-join sub-query.
"""

from __future__ import annotations

from datetime import date

from sandbox.salesforce.soql_ast import (
    BoolOp,
    Comparison,
    Condition,
    FieldPath,
    InList,
    InQuery,
    Literal,
    Not,
    OrderItem,
    Query,
    SoqlError,
)
from sandbox.salesforce.soql_lexer import Token, tokenize

RELATIVE_DATES = frozenset({"TODAY", "YESTERDAY", "TOMORROW"})
RELATIVE_N_DATES = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS"})
_UNSUPPORTED = frozenset(
    {"GROUP", "HAVING", "TYPEOF", "WITH", "USING", "FOR", "INCLUDES", "EXCLUDES", "FIELDS"}
)
_CLAUSE_ENDS = frozenset(
    {"WHERE", "ORDER", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "FOR", "USING"}
)
_COMPARISONS = frozenset({"=", "!=", "<>", "<", "<=", ">", ">="})


def parse(text: str) -> Query:
    parser = _Parser(tokenize(text))
    query = parser.query()
    parser.expect_eof()
    return query


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def unexpected(self, token: Token | None = None) -> SoqlError:
        token = token or self.tok
        if token.kind == "ident" and token.text.upper() in _UNSUPPORTED:
            return SoqlError(
                "MALFORMED_QUERY", f"sandbox SOQL does not support {token.text.upper()}", token.pos
            )
        text = token.text or "<EOF>"
        return SoqlError("MALFORMED_QUERY", f"unexpected token: '{text}'", token.pos)

    def keyword(self, *words: str) -> Token:
        if not self.tok.is_keyword(*words):
            raise self.unexpected()
        return self.advance()

    def op(self, symbol: str) -> Token:
        if self.tok.kind != "op" or self.tok.text != symbol:
            raise self.unexpected()
        return self.advance()

    def expect_eof(self) -> None:
        if self.tok.kind != "eof":
            raise self.unexpected()

    # -- clauses -------------------------------------------------------------------------
    def query(self) -> Query:
        self.keyword("SELECT")
        fields, count_only = self.select_list()
        self.keyword("FROM")
        obj = self.tok
        if obj.kind != "ident" or "." in obj.text or obj.text.upper() in _CLAUSE_ENDS:
            raise self.unexpected()
        self.advance()
        where = order = None
        if self.tok.is_keyword("WHERE"):
            self.advance()
            where = self.condition()
        if self.tok.is_keyword("ORDER"):
            self.advance()
            self.keyword("BY")
            order = self.order_list()
        limit = self.integer_clause("LIMIT")
        offset = self.integer_clause("OFFSET")
        return Query(
            tuple(fields), count_only, obj.text, obj.pos, where, tuple(order or ()), limit, offset
        )

    def select_list(self) -> tuple[list[FieldPath], bool]:
        if self.tok.is_keyword("COUNT") and self.tokens[self.at + 1].text == "(":
            self.advance()
            self.op("(")
            if self.tok.text != ")":
                raise SoqlError(
                    "MALFORMED_QUERY",
                    "sandbox SOQL supports only COUNT() among aggregate functions",
                    self.tok.pos,
                )
            self.op(")")
            return [], True
        fields = [self.field_path()]
        while self.tok.text == ",":
            self.advance()
            fields.append(self.field_path())
        return fields, False

    def field_path(self) -> FieldPath:
        token = self.tok
        if token.kind == "op" and token.text == "(":
            raise SoqlError(
                "MALFORMED_QUERY",
                "sandbox SOQL does not support parent-to-child sub-queries",
                token.pos,
            )
        if token.kind != "ident" or token.text.upper() in ("FROM", *_CLAUSE_ENDS):
            raise self.unexpected()
        if self.tokens[self.at + 1].text == "(":
            raise SoqlError(
                "MALFORMED_QUERY",
                f"sandbox SOQL does not support function {token.text}()",
                token.pos,
            )
        self.advance()
        return FieldPath(tuple(token.text.split(".")), token.pos)

    def integer_clause(self, word: str) -> int | None:
        if not self.tok.is_keyword(word):
            return None
        self.advance()
        token = self.advance()
        if token.kind != "number" or not token.text.isdigit():
            raise self.unexpected(token)
        return int(token.text)

    def order_list(self) -> list[OrderItem]:
        items = [self.order_item()]
        while self.tok.text == ",":
            self.advance()
            items.append(self.order_item())
        return items

    def order_item(self) -> OrderItem:
        path = self.field_path()
        descending = False
        if self.tok.is_keyword("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_last = descending
        if self.tok.is_keyword("NULLS"):
            self.advance()
            nulls_last = self.keyword("FIRST", "LAST").text.upper() == "LAST"
        return OrderItem(path, descending, nulls_last)

    # -- conditions ----------------------------------------------------------------------
    def condition(self) -> Condition:
        first = self.unary()
        if not self.tok.is_keyword("AND", "OR"):
            return first
        op = self.tok.text.upper()
        items = [first]
        while self.tok.is_keyword("AND", "OR"):
            if self.tok.text.upper() != op:
                raise self.unexpected()
            self.advance()
            items.append(self.unary())
        return BoolOp(op, tuple(items))

    def unary(self) -> Condition:
        if self.tok.is_keyword("NOT"):
            self.advance()
            return Not(self.unary())
        if self.tok.kind == "op" and self.tok.text == "(":
            self.advance()
            inner = self.condition()
            self.op(")")
            return inner
        return self.simple()

    def simple(self) -> Condition:
        path = self.field_path()
        token = self.tok
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            op = "!=" if token.text == "<>" else token.text
            return Comparison(path, op, self.literal())
        if token.is_keyword("LIKE"):
            self.advance()
            return Comparison(path, "LIKE", self.literal())
        negated = False
        if token.is_keyword("NOT"):
            self.advance()
            negated = True
        self.keyword("IN")
        self.op("(")
        if self.tok.is_keyword("SELECT"):
            sub = self.query()
            self.op(")")
            return InQuery(path, sub, negated)
        values = [self.literal()]
        while self.tok.text == ",":
            self.advance()
            values.append(self.literal())
        self.op(")")
        return InList(path, tuple(values), negated)

    def literal(self) -> Literal:
        token = self.advance()
        if token.kind == "string":
            return Literal("string", token.value, token.pos, token.raw)
        if token.kind == "number":
            number = float(token.text) if any(c in token.text for c in ".") else int(token.text)
            return Literal("number", number, token.pos)
        if token.kind == "date":
            try:
                date.fromisoformat(token.text)
            except ValueError:
                raise SoqlError(
                    "MALFORMED_QUERY", f"invalid date: {token.text}", token.pos
                ) from None
            return Literal("date", token.text, token.pos)
        if token.kind == "datetime":
            return Literal("datetime", token.text, token.pos)
        if token.kind == "ident":
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                return Literal("null", None, token.pos)
            if word in RELATIVE_DATES:
                return Literal("relative", (word, 0), token.pos)
            if word in RELATIVE_N_DATES:
                self.op(":")
                amount = self.advance()
                if amount.kind != "number" or not amount.text.isdigit():
                    raise self.unexpected(amount)
                return Literal("relative", (word, int(amount.text)), token.pos)
        raise self.unexpected(token)
