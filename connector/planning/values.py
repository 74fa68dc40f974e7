"""Tag values in their canonical text, and when a live CRM value counts as the same.

The tool writes text (the adapter converts it to the CRM's type) and compares every live
value in canonical form, so a value read back from either CRM, by either API, never
looks changed: the score as a number (``"72.5"``, ``72.5`` and ``"72.50"`` are equal),
grade/segment/tier as their enum values (case and surrounding spaces ignored: a picklist
may hand back its label's case), reasons as trimmed text, the update stamp as an
instant to the second. Empty text and ``None`` are both "empty".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from connector.model import Snapshot
from connector.operations import TagValue
from connector.scoring import join_reasons

REASONS_MAX = 255
UPDATED_AT = "health_updated_at"


def desired_tags(snapshot: Snapshot, reasons_max: int = REASONS_MAX) -> dict[str, TagValue]:
    """What the tags of a partner should read, from its snapshot."""
    return {
        "health_score": f"{snapshot.score:.1f}",
        "health_grade": snapshot.grade.value,
        "segment": snapshot.segment.value,
        "tier": snapshot.tier.value,
        "health_reasons": reasons_text(snapshot.reasons, reasons_max),
        UPDATED_AT: stamp_text(snapshot.as_of),
    }


def reasons_text(reasons: tuple[str, ...], limit: int = REASONS_MAX) -> str | None:
    """The reasons joined as the CRM field holds them, at most ``limit`` characters."""
    text = join_reasons(reasons).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stamp_text(moment: datetime) -> str:
    """An instant as ISO-8601 UTC to the second: ``2026-03-02T06:00:00+00:00``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def same(tag: str, left: object, right: object) -> bool:
    """Whether two values of ``tag`` are the same in canonical form."""
    if is_empty(left) or is_empty(right):
        return is_empty(left) and is_empty(right)
    compare = _COMPARE.get(tag, _same_text)
    return compare(str(left).strip(), str(right).strip())


def _same_text(left: str, right: str) -> bool:
    return left == right


def _same_enum(left: str, right: str) -> bool:
    return left.casefold() == right.casefold()


def _same_number(left: str, right: str) -> bool:
    a, b = _number(left), _number(right)
    return a == b if a is not None and b is not None else left == right


def _same_instant(left: str, right: str) -> bool:
    a, b = _instant(left), _instant(right)
    return a == b if a is not None and b is not None else left == right


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _instant(text: str) -> datetime | None:
    """An ISO-8601 instant (``Z``, ``+00:00`` or ``+0000``), or epoch milliseconds as
    HubSpot's datetime properties may hold them; to the second."""
    try:
        if text.isdigit():
            moment = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "health_score": _same_number,
    "health_grade": _same_enum,
    "segment": _same_enum,
    "tier": _same_enum,
    "health_reasons": _same_text,
    UPDATED_AT: _same_instant,
}


def shown(value: TagValue) -> str:
    """A value as a person reads it in a plan: empty shows as ``∅``."""
    return "∅" if is_empty(value) else str(value)
