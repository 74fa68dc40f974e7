"""What the tool writes, in the forms HubSpot's properties take (and the pull reads back).

Tags arrive as canonical text (``connector.planning.values``) and leave as:

- ``health_score``: a number property — the decimal as plain digits (``48.5``);
- ``health_grade`` / ``segment`` / ``tier``: an enumeration — the option's value (``at_risk``);
- ``health_reasons``: a string — trimmed, at most 255 characters (cut with ``…``);
- ``health_updated_at``: a datetime — epoch milliseconds (HubSpot answers ISO-8601, which
  the planner compares as the same instant);
- ``None`` or blank: ``""``, which clears the property.

A task's due date becomes ``hs_timestamp`` (a datetime: for tasks it *is* the due date) at
**noon UTC** of that day, not midnight: HubSpot shows it in each user's time zone, and
noon UTC falls on the same calendar day from UTC−11 to UTC+11, where midnight UTC would
show a task due "yesterday evening" everywhere in the Americas.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from adapters.hubspot.schema import TAG_TYPES

REASONS_MAX = 255
DUE_TIME_UTC = time(12, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

PRIORITIES = {"low": "LOW", "normal": "MEDIUM", "high": "HIGH"}
OPEN_STATUS = "NOT_STARTED"
DONE_STATUS = "COMPLETED"
TASK_TYPE = "TODO"


class Unwritable(ValueError):
    """A canonical value that has no HubSpot form; the message says which and why."""


def epoch_ms(moment: datetime) -> int:
    return (moment.astimezone(UTC) - EPOCH) // _MS


def tag_value(tag: str, text: str | None) -> str:
    """The property value for canonical ``text`` of ``tag`` (``""`` clears it)."""
    if text is None or not text.strip():
        return ""
    value = text.strip()
    kind = TAG_TYPES.get(tag, ("string", ()))[0]
    if kind == "number":
        return _number(tag, value)
    if kind == "datetime":
        return str(epoch_ms(_instant(tag, value)))
    if tag == "health_reasons" and len(value) > REASONS_MAX:
        return value[: REASONS_MAX - 1].rstrip() + "…"
    return value


def _number(tag: str, value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Unwritable(f"{tag} {value!r} is not a number") from None
    if not number.is_finite():
        raise Unwritable(f"{tag} {value!r} is not a finite number")
    return format(number, "f")


def _instant(tag: str, value: str) -> datetime:
    try:
        if value.isdigit():
            return EPOCH + int(value) * _MS
        moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise Unwritable(f"{tag} {value!r} is not an ISO-8601 instant") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_timestamp(due: date) -> str:
    """``hs_timestamp`` for a task due on ``due``: epoch-ms at noon UTC that day."""
    return str(epoch_ms(datetime.combine(due, DUE_TIME_UTC)))


def task_priority(priority: str) -> str:
    found = PRIORITIES.get(priority.strip().lower())
    if found is None:
        raise Unwritable(f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    return found


def closed_body(body: str | None, note: str) -> str:
    """The task body with the closing note appended once (a replay appends nothing)."""
    current = (body or "").rstrip()
    if not note.strip() or current.endswith(note.strip()):
        return current
    return f"{current}\n\n{note.strip()}" if current else note.strip()
