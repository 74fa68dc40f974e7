"""Reading HubSpot property values (always strings, or null) into Python values.

Rules, each a case in the tests:

- **Instants** (datetime properties, ``hs_timestamp``): ISO-8601 (``Z`` or an offset; naive
  means UTC; a bare ``YYYY-MM-DD`` is midnight UTC) or epoch milliseconds as digits.
- **Epoch seconds where milliseconds belong** (HubSpot/hubspot-api-php#207, n8n#14659): a
  value below 10^11 ms — before 1973-03-03 — is taken as epoch *seconds* and multiplied by
  1,000. This covers both forms it reaches us in: the digits themselves, and the ISO instant
  in January 1970 HubSpot returns after storing seconds as milliseconds. No CRM record of
  ours is from before 1973, so the rule cannot misread a real value. Zero, negatives, and
  values past year 5000 (microseconds) are refused.
- **Dates** (date properties): ``YYYY-MM-DD``, epoch-ms (midnight UTC, as HubSpot stores
  them) or an ISO datetime, whose UTC date is taken.
- Anything else refuses with :class:`BadValue`, whose message names the value's problem; the
  mapping quarantines the record with it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECONDS_BELOW_MS = 100_000_000_000  # 1973-03-03 in ms; smaller values are seconds
MAX_MS = 95_617_584_000_000  # year 5000
MAX_ID = 64  # the store's id columns
MAX_TEXT = 2_000  # names and subjects are display text; note bodies can be megabytes
MAX_DOMAIN = 253
MAX_NUMBER = Decimal(10) ** 18  # no NPS, KPI or amount is near; past it is a broken value
MAX_MONEY = Decimal(10) ** 16  # keeps an amount's cents inside the store's 64-bit integer
_DOMAIN_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_ID_CHARS = re.compile(r"^[^\s\x00-\x1f\x7f]+$")
_SHOWN = 60


class BadValue(ValueError):
    """A property value that cannot be read; the message says why (quoted, truncated)."""


def shown(raw: object) -> str:
    text = str(raw)
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + f"… ({len(text)} chars)")


def blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _from_ms(ms: int, raw: object) -> datetime:
    if ms <= 0 or ms > MAX_MS:
        raise BadValue(f"{shown(raw)} is not a plausible epoch-ms instant")
    if ms < SECONDS_BELOW_MS:
        ms *= 1000
    return EPOCH + timedelta(milliseconds=ms)


def instant(raw: object) -> datetime | None:
    """A UTC datetime from ISO-8601 or epoch-ms (see the module rules); None when blank."""
    if blank(raw):
        return None
    if isinstance(raw, bool):
        raise BadValue(f"{shown(raw)} is not an instant")
    if isinstance(raw, int):
        return _from_ms(raw, raw)
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise BadValue(f"{shown(raw)} has no time zone")
        return raw.astimezone(UTC)
    text = str(raw).strip()
    if text.isascii() and text.isdigit():
        if len(text) > 16:
            raise BadValue(f"{shown(raw)} is not a plausible epoch-ms instant")
        return _from_ms(int(text), raw)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{shown(raw)} is not an ISO-8601 or epoch-ms instant") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    ms = (parsed - EPOCH) // timedelta(milliseconds=1)
    if 0 < ms < SECONDS_BELOW_MS:
        return _from_ms(ms, raw)
    if ms <= 0:
        raise BadValue(f"{shown(raw)} is not a plausible instant (not after 1970)")
    return parsed


def day(raw: object) -> date | None:
    """A calendar date from ``YYYY-MM-DD``, epoch-ms or an ISO datetime; None when blank."""
    if blank(raw):
        return None
    text = str(raw).strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BadValue(f"{shown(raw)} is not a date (YYYY-MM-DD)") from None
    try:
        moment = instant(raw)
    except BadValue:
        raise BadValue(f"{shown(raw)} is not a date (YYYY-MM-DD, ISO-8601 or epoch-ms)") from None
    return moment.date() if moment else None


def decimal(raw: object) -> Decimal | None:
    if blank(raw):
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise BadValue(f"{shown(raw)} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{shown(raw)} is not a finite number")
    if abs(number) >= MAX_NUMBER:
        raise BadValue(f"{shown(raw)} is too large for a number (10^18 or more)")
    return number


def money(raw: object) -> Decimal | None:
    """A deal amount: a number below 10^16."""
    number = decimal(raw)
    if number is not None and abs(number) >= MAX_MONEY:
        raise BadValue(f"{shown(raw)} is too large for an amount (10^16 or more)")
    return number


def score(raw: object, low: int = 0, high: int = 10) -> int | None:
    number = decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value() or not low <= number <= high:
        raise BadValue(f"{shown(raw)} is not a whole number from {low} to {high}")
    return int(number)


def flag(raw: object) -> bool:
    """HubSpot booleans are ``true``/``false``; blank is False."""
    if blank(raw):
        return False
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise BadValue(f"{shown(raw)} is not a boolean (true/false)")


def text(raw: object, limit: int = MAX_TEXT) -> str:
    """Display text, stripped; longer than ``limit`` is cut with an ellipsis."""
    if blank(raw):
        return ""
    value = str(raw).replace("\x00", "").strip()  # no database text column stores NUL
    return value if len(value) <= limit else value[: limit - 1] + "…"


def ident(raw: object, limit: int = MAX_ID) -> str | None:
    """A CRM id or key: no spaces or control characters, at most ``limit`` characters."""
    if blank(raw):
        return None
    value = str(raw).strip()
    if len(value) > limit:
        raise BadValue(f"{shown(raw)} is longer than {limit} characters for an id")
    if not _ID_CHARS.match(value):
        raise BadValue(f"{shown(raw)} is not an id (it has spaces or control characters)")
    return value


def domain(raw: object) -> str | None:
    """A normalised web domain (``acme.com``), or None when there is no usable one: linking
    then falls back to other rules, which is better than losing the partner."""
    if blank(raw):
        return None
    value = str(raw).strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    value = value.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if value.startswith("www."):
        value = value[4:]
    if not value or len(value) > MAX_DOMAIN or "." not in value:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not all(_DOMAIN_LABEL.match(label) for label in value.split(".")):
        return None
    return value
