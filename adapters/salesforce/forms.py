"""What the tool writes, in the forms Salesforce fields take (and the pull reads back).

Tags arrive as canonical text (``connector.planning.values``) and leave as:

- ``health_score``: a Number field — a JSON number (``48.5``; the pull reads ``48.5``,
  and ``61.0`` comes back ``61``, the same number);
- ``health_grade`` / ``segment`` / ``tier``: a restricted picklist — the value (``at_risk``);
- ``health_reasons``: Text(255) — trimmed, at most 255 characters (cut with ``…``);
- ``health_updated_at``: a DateTime — ``2026-03-02T06:00:00.000+0000`` (UTC, no colon in
  the offset, pitfall 14), read back as the same instant;
- ``None`` or blank: JSON ``null``, which clears the field.

A task's due date is ``ActivityDate``, a date field: ``YYYY-MM-DD``, never shifted for a
time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from mappings.salesforce import TAG_KINDS

REASONS_MAX = 255
SUBJECT_MAX = 255
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High"}
OPEN_STATUS = "Not Started"
DONE_STATUS = "Completed"

TagForm = float | str | None


class Unwritable(ValueError):
    """A canonical value that has no Salesforce form; the message says which and why."""


def tag_value(tag: str, text: str | None) -> TagForm:
    """The field value for canonical ``text`` of ``tag`` (``None`` clears the field)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    kind = TAG_KINDS.get(tag, "string")
    if kind == "number":
        return _number(tag, value)
    if kind == "datetime":
        return datetime_value(_instant(tag, value))
    if tag == "health_reasons" and len(value) > REASONS_MAX:
        return value[: REASONS_MAX - 1].rstrip() + "…"
    return value


def datetime_value(moment: datetime) -> str:
    """``2026-03-02T06:00:00.000+0000``: the form Salesforce itself answers with."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _number(tag: str, value: str) -> float:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Unwritable(f"{tag} {value!r} is not a number") from None
    if not number.is_finite():
        raise Unwritable(f"{tag} {value!r} is not a finite number")
    return float(number)


def _instant(tag: str, value: str) -> datetime:
    try:
        if value.isdigit():  # epoch milliseconds, as HubSpot gives instants
            return EPOCH + timedelta(milliseconds=int(value))
        moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise Unwritable(f"{tag} {value!r} is not an ISO-8601 instant") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_date(due: date) -> str:
    """``ActivityDate``: the day itself, ``YYYY-MM-DD``."""
    return due.isoformat()


def task_priority(priority: str) -> str:
    found = PRIORITIES.get(priority.strip().lower())
    if found is None:
        raise Unwritable(f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    return found


def subject(text: str) -> str:
    """The subject, at most 255 characters (the field's length)."""
    value = text.strip()
    return value if len(value) <= SUBJECT_MAX else value[: SUBJECT_MAX - 1].rstrip() + "…"


def closed_description(description: str | None, note: str) -> str:
    """The description with the closing note appended once (a replay appends nothing)."""
    current = (description or "").rstrip()
    if not note.strip() or current.endswith(note.strip()):
        return current
    return f"{current}\n\n{note.strip()}" if current else note.strip()
