"""The world's clock: days counted back from ``now``, formatted the way each CRM writes them.

Generators think in whole days before ``now`` (1 = yesterday, negative = in the
future) and 5-minute slots of the day. Every formatted value is cached, so a
million records share a few thousand strings and formatting costs a dict lookup.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

SLOTS_PER_DAY = 288  # 5-minute slots
BUSINESS_SLOTS = range(7 * 12, 19 * 12)  # 07:00 to 18:55 UTC
_DAY_MS = 86_400_000


def default_now() -> datetime:
    """Today at 00:00 UTC: worlds generated on the same day are identical."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


class Timeline:
    """Formats (day, slot) pairs relative to ``now`` in Salesforce and HubSpot notation."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.now = now.astimezone(UTC)
        self.today: date = self.now.date()
        midnight = datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)
        self._midnight_ms = int(midnight.timestamp()) * 1000
        self._dates: dict[int, str] = {}
        self._sf: dict[int, str] = {}
        self._iso: dict[int, str] = {}
        self._ms: dict[int, str] = {}
        self._hhmm = [f"{s // 12:02d}:{s % 12 * 5:02d}" for s in range(SLOTS_PER_DAY)]

    def day_of(self, value: date) -> int:
        """Days before today for a calendar date."""
        return (self.today - value).days

    def calendar(self, day: int) -> date:
        return self.today - timedelta(days=day)

    def ymd(self, day: int) -> str:
        """``YYYY-MM-DD`` (both CRMs' date format)."""
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = (self.today - timedelta(days=day)).isoformat()
        return text

    def sf_datetime(self, day: int, slot: int) -> str:
        """Salesforce datetime, ``2024-05-01T10:00:00.000+0000``."""
        key = day * SLOTS_PER_DAY + slot
        text = self._sf.get(key)
        if text is None:
            text = self._sf[key] = f"{self.ymd(day)}T{self._hhmm[slot]}:00.000+0000"
        return text

    def hs_iso(self, day: int, slot: int) -> str:
        """HubSpot ISO datetime, ``2024-05-01T10:00:00.000Z``."""
        key = day * SLOTS_PER_DAY + slot
        text = self._iso.get(key)
        if text is None:
            text = self._iso[key] = f"{self.ymd(day)}T{self._hhmm[slot]}:00.000Z"
        return text

    def hs_ms(self, day: int, slot: int) -> str:
        """HubSpot epoch milliseconds as a string; slot 0 is midnight (as date properties need)."""
        key = day * SLOTS_PER_DAY + slot
        text = self._ms.get(key)
        if text is None:
            text = self._ms[key] = str(self._midnight_ms - day * _DAY_MS + slot * 300_000)
        return text

    def hs_datetime(self, day: int, slot: int, as_ms: bool) -> str:
        return self.hs_ms(day, slot) if as_ms else self.hs_iso(day, slot)

    def hs_date(self, day: int, as_ms: bool) -> str:
        """A HubSpot date property: ``YYYY-MM-DD`` or midnight epoch ms."""
        return self.hs_ms(day, 0) if as_ms else self.ymd(day)
