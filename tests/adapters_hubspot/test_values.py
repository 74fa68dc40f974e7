"""How HubSpot property values are read: instants, dates, numbers, ids, domains, text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from mappings import hubspot_values as v

MAY_1 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
MAY_1_MS = "1714555800000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (MAY_1_MS, MAY_1),  # epoch-ms, as HubSpot documents
        (int(MAY_1_MS), MAY_1),
        ("2024-05-01T09:30:00Z", MAY_1),
        ("2024-05-01T09:30:00.000Z", MAY_1),
        ("2024-05-01T11:30:00+02:00", MAY_1),
        ("2024-05-01T09:30:00", MAY_1),  # naive: UTC
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),  # a bare date: midnight UTC
        ("2024-05-01T09:30:00.123456Z", MAY_1.replace(microsecond=123456)),
        # epoch SECONDS where milliseconds belong: multiplied by 1,000 (documented rule)
        ("1714555800", MAY_1),
        (1714555800, MAY_1),
        # ... including HubSpot's own rendering of seconds stored as milliseconds (Jan 1970)
        ("1970-01-20T20:15:55.800Z", MAY_1),
        (MAY_1, MAY_1),
    ],
)
def test_instants(raw: Any, expected: datetime | None) -> None:
    assert v.instant(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "-1714555800000",
        "99999999999999999",  # microseconds or garbage: past year 5000
        "yesterday",
        "2024-13-01T00:00:00Z",
        "01/05/2024",
        "2024-05-01T25:00:00Z",
        "1970-01-01T00:00:00Z",
        "1969-07-20T20:17:00Z",
        True,
        "١٧١٤٥٥٥٨٠٠٠٠٠",  # non-ASCII digits are not epoch-ms
        datetime(2024, 5, 1),
    ],
)
def test_unreadable_instants_are_refused_with_the_value_quoted(raw: Any) -> None:
    with pytest.raises(v.BadValue) as caught:
        v.instant(raw)
    assert str(raw)[:20] in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("1714521600000", date(2024, 5, 1)),  # midnight UTC in epoch-ms (HubSpot date form)
        ("2024-05-01T00:00:00Z", date(2024, 5, 1)),
        ("2024-05-01T23:30:00-02:00", date(2024, 5, 2)),  # the UTC date
        (None, None),
    ],
)
def test_dates(raw: Any, expected: date | None) -> None:
    assert v.day(raw) == expected


@pytest.mark.parametrize("raw", ["2024-02-30", "2024/05/01", "May 1st", "2024-5-1"])
def test_dates_in_a_wrong_format_are_refused(raw: str) -> None:
    with pytest.raises(v.BadValue, match="not a date"):
        v.day(raw)


def test_numbers_scores_flags() -> None:
    assert v.decimal("1234.50") == Decimal("1234.50")
    assert v.decimal("1,234.5") == Decimal("1234.5")
    assert v.decimal(None) is None
    for bad in ("abc", "NaN", "Infinity", "1.2.3"):
        with pytest.raises(v.BadValue):
            v.decimal(bad)
    assert v.score("9") == 9
    assert v.score("10.0") == 10
    for bad in ("11", "-1", "7.5"):
        with pytest.raises(v.BadValue, match="whole number from 0 to 10"):
            v.score(bad)
    assert v.flag("true") is True
    assert v.flag("false") is False
    assert v.flag(None) is False
    with pytest.raises(v.BadValue):
        v.flag("maybe")


def test_ids_text_domains() -> None:
    assert v.ident(" 0015g00000XyZ12AAB ") == "0015g00000XyZ12AAB"
    assert v.ident("quarterly_review:p-17:2024-Q2", 255) == "quarterly_review:p-17:2024-Q2"
    with pytest.raises(v.BadValue, match="longer than 64"):
        v.ident("x" * 65)
    with pytest.raises(v.BadValue, match="spaces or control"):
        v.ident("12 OR 1")
    assert v.text("x" * 5000) == "x" * 1999 + "…"
    assert v.text(None) == ""
    assert v.domain("https://www.Acme.com/about?x=1") == "acme.com"
    assert v.domain("bücher.de") == "xn--bcher-kva.de"
    assert v.domain("mailto:ops@acme.io") == "acme.io"
    for unusable in ("localhost", "not a domain", "a" * 300 + ".com", "-bad-.com", ""):
        assert v.domain(unusable) is None
