"""Property values as HubSpot stores and returns them.

Stored form: ``datetime`` and ``date`` values are epoch milliseconds (int); everything else is
the string HubSpot returns (numbers ``"17"``, booleans ``"true"``/``"false"``).

Output form (checked against HubSpot responses quoted in airbyte's source-hubspot BEHAVIOR.md,
which lists both ``%Y-%m-%dT%H:%M:%S.%fZ`` and ``%Y-%m-%dT%H:%M:%SZ`` for v3 endpoints):
datetimes are ISO-8601 UTC the way Java's ``Instant.toString`` prints them: milliseconds when
non-zero (``2024-05-01T09:00:00.123Z``), none otherwise (``2024-05-01T09:00:00Z``). Dates are
``YYYY-MM-DD`` by default (see ``HubSpotOptions.date_format``).

Input: datetimes accept epoch milliseconds (number or digit string) or ISO-8601 (``Z`` or an
offset; naive means UTC; a bare ``YYYY-MM-DD`` means midnight UTC); sub-millisecond parts are
truncated. Epoch *seconds* are taken as milliseconds, as HubSpot does (January 1970 notes,
HubSpot/hubspot-api-php#207).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000

Stored = str | int


@dataclass(frozen=True)
class ValueIssue:
    """Why one property value was refused: HubSpot's ``error`` code and message."""

    name: str
    error: str
    message: str

    def as_validation_result(self) -> dict[str, Any]:
        return {
            "isValid": False,
            "message": self.message,
            "error": self.error,
            "name": self.name,
            "localizedErrorMessage": self.message,
        }


_NAIVE_EPOCH = datetime(1970, 1, 1)


def format_datetime(ms: int) -> str:
    text = (_NAIVE_EPOCH + ms * _MS).isoformat(timespec="milliseconds")
    return f"{text[:-4]}Z" if text.endswith(".000") else f"{text}Z"


def format_date(ms: int, style: str = "iso-date") -> str:
    if style == "epoch-ms":
        return str(ms)
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000))


def parse_instant(value: Any) -> int | None:
    """Epoch milliseconds from epoch-ms or ISO-8601 input; None if it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return math.floor(value) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return _datetime_ms(value)
    text = str(value).strip()
    if not text:
        return None
    digits = text[1:] if text[0] == "-" else text
    if digits.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _datetime_ms(parsed)


def _datetime_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // _MS


def normalize_number(value: Any) -> str | None:
    """HubSpot's string form of a number (``17``, ``17.5``); None if not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def normalize_bool(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    return text if text in ("true", "false") else None


def midnight_issue(name: str, raw: Any, ms: int) -> ValueIssue | None:
    """HubSpot's INVALID_DATE refusal for a date value that is not midnight UTC."""
    rest = ms % DAY_MS
    if rest == 0:
        return None
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    when = f"{hours}:{minutes:02d}:{seconds}.{millis:03d}"
    return ValueIssue(name, "INVALID_DATE", f"{raw} is at {when} UTC, not midnight!")


def display(value: Any) -> str:
    """A value as HubSpot quotes it in messages (strings as given, numbers plain)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
