"""Typed values: how each Salesforce field type is stored here and read from JSON.

Storage: datetimes as the canonical UTC string ``YYYY-MM-DDTHH:MM:SS.000+0000`` (fixed width,
so string order is time order and serialising costs nothing); dates as ``YYYY-MM-DD``;
numbers as int/float; booleans as bool; text as str; ids as 18-char str. Salesforce keeps
datetimes to the second in the API (``.000``), so incoming milliseconds are dropped.
Salesforce also stores an empty string as null, and so does this module.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

STRING_TYPES = frozenset(
    {"string", "textarea", "picklist", "multipicklist", "combobox", "email", "url", "phone"}
)
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int", "long"})
ID_TYPES = frozenset({"id", "reference"})

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?\Z"
)
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000\Z")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")


class ValueTypeError(ValueError):
    """A JSON value that cannot be read as the field's type (Salesforce: JSON_PARSER_ERROR)."""

    def __init__(self, java_type: str, value: Any) -> None:
        token = _json_token(value)
        super().__init__(
            f"Cannot deserialize instance of {java_type} from {token} value {value} or request "
            "may be missing a required field at [line:1, column:1]"
        )


def _json_token(value: Any) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, int | float):
        return "VALUE_NUMBER_INT" if isinstance(value, int) else "VALUE_NUMBER_FLOAT"
    if isinstance(value, list):
        return "START_ARRAY"
    return "START_OBJECT"


def format_datetime(moment: datetime) -> str:
    """A timezone-aware datetime as Salesforce writes it (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        ".000+0000"
    )


def parse_datetime(text: str) -> datetime:
    """ISO-8601 datetime as Salesforce takes it (offset with/without colon, ``Z``, none=UTC)."""
    match = _DATETIME.match(text.strip())
    if not match or match.group(4) is None:
        raise ValueError(f"not a datetime: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    naive = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micros
    )
    return (naive - offset).replace(tzinfo=UTC)


def to_datetime_value(value: Any) -> str:
    """Canonical stored form of a datetime given as str or datetime."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str):
        if _CANONICAL.match(value):
            return value
        return format_datetime(parse_datetime(value))
    raise ValueTypeError("java.util.Calendar", value)


def to_date_value(value: Any) -> str:
    """Canonical stored form of a date; a datetime string keeps its (UTC) date part."""
    if isinstance(value, datetime):
        return format_datetime(value)[:10]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        if _DATE.match(value):
            date.fromisoformat(value)
            return value
        return format_datetime(parse_datetime(value))[:10]
    raise ValueTypeError("java.util.Date", value)


def datetime_of(stored: str) -> datetime:
    """The aware datetime behind a canonical stored string."""
    return datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%f%z")


def coerce(field_type: str, value: Any, *, scale: int = 18) -> Any:
    """A JSON/fixture value read as ``field_type``; :class:`ValueTypeError` when impossible."""
    if value is None:
        return False if field_type == "boolean" else None
    if field_type in STRING_TYPES or field_type in ID_TYPES:
        if isinstance(value, str):
            return value or None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise ValueTypeError("java.lang.String", value)
    if field_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueTypeError("boolean", value)
    if field_type in NUMBER_TYPES:
        return _number(field_type, value, scale)
    try:
        if field_type == "datetime":
            return to_datetime_value(value)
        if field_type == "date":
            return to_date_value(value)
    except ValueError as exc:
        if isinstance(exc, ValueTypeError):
            raise
        java = "java.util.Calendar" if field_type == "datetime" else "java.util.Date"
        raise ValueTypeError(java, value) from None
    raise ValueTypeError(field_type, value)


def _number(field_type: str, value: Any, scale: int) -> int | float:
    integral = field_type in ("int", "long")
    java = "int" if integral else "double"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueTypeError(java, value)
    if isinstance(value, str):
        try:
            value = float(value) if not integral else int(value)
        except ValueError:
            raise ValueTypeError(java, value) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueTypeError(java, value)
    if integral:
        if isinstance(value, float) and not value.is_integer():
            raise ValueTypeError(java, value)
        return int(value)
    rounded = round(float(value), scale)
    if abs(rounded - value) * 10**scale >= 0.5 - 1e-9:  # a half: Salesforce rounds half up
        exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        return float(exact)
    return rounded


def csv_text(field_type: str, value: Any) -> str | None:
    """A stored value as Bulk API CSV text; None stays None (an empty, unquoted cell)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if field_type == "datetime":
        return f"{value[:23]}Z"
    return str(value)
