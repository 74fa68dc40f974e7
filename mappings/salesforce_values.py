"""Salesforce field values, as REST JSON or Bulk CSV carries them, read into Python values.

REST gives JSON types (numbers as ``Decimal`` when the client parses floats so), Bulk 2.0
gives strings with ``""`` for null; both read the same here. A value that does not fit
raises :class:`BadValue` with a reason a person can act on; nothing is guessed (an epoch
number in a datetime field could be seconds or milliseconds, so it is refused).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["string", "reference", "boolean", "number", "date", "datetime", "any"]

# Salesforce numbers hold at most 18 digits; currency at most 16 before the point, which
# also keeps an amount's cents inside the store's 64-bit integer column.
MAX_NUMBER = Decimal(10) ** 18
MAX_MONEY = Decimal(10) ** 16
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$")


class BadValue(ValueError):
    """A field value that does not fit its kind; the message says what was expected."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, dict | list):
        raise BadValue(f"{_show(value)} is not a plain value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value).replace("\x00", "")  # no database text column stores NUL


def boolean(value: Any) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadValue(f"{_show(value)} is not a checkbox value (true/false)")


def number(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue(f"{_show(value)} is not a number")
    try:
        result = Decimal(str(value)) if isinstance(value, int | float | str) else value
    except InvalidOperation:
        raise BadValue(f"{_show(value)} is not a number") from None
    if not isinstance(result, Decimal) or not result.is_finite():
        raise BadValue(f"{_show(value)} is not a number")
    if abs(result) >= MAX_NUMBER:
        raise BadValue(f"{_show(value)} has more digits than a Salesforce number holds (18)")
    return result


def money(value: Any) -> Decimal | None:
    """A currency amount: a number below 10^16."""
    result = number(value)
    if result is not None and abs(result) >= MAX_MONEY:
        raise BadValue(f"{_show(value)} is larger than a Salesforce currency field holds")
    return result


def day(value: Any) -> date | None:
    if _blank(value):
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise BadValue(f"{_show(value)} is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{_show(value)} is not a real date") from None


def moment(value: Any) -> datetime | None:
    """A datetime; Salesforce sends UTC, so a value without an offset is read as UTC."""
    if _blank(value):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise BadValue(
            f"{_show(value)} is a number, not an ISO-8601 datetime "
            "(epoch values are not guessed: seconds or milliseconds?)"
        )
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise BadValue(f"{_show(value)} is not a datetime (expected 2024-05-01T10:00:00.000+0000)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{_show(value)} is not a real datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def number_text(value: Decimal) -> str:
    """``82`` for 82.0, ``82.5`` for 82.50: the same text whichever API read the number."""
    if not value.is_finite() or abs(value.adjusted()) > 40:
        return str(value)  # NaN, or an exponent that "f" would spell out in a million digits
    return format(value.normalize(), "f")


def typed(kind: Kind, value: Any) -> Any:
    """A Bulk CSV cell (a string) as the JSON value REST would have given."""
    if kind in ("string", "reference", "any", "date", "datetime"):
        return None if _blank(value) else value
    if kind == "boolean":
        return boolean(value)
    return number(value)


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
