"""Reporting periods: calendar quarters (the default), months or years, ending with the
one that holds the report's date (that last one only up to that date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    MONTH = "month"
    YEAR = "year"


DEFAULT_COUNT = {PeriodKind.QUARTER: 8, PeriodKind.MONTH: 12, PeriodKind.YEAR: 5}
_MONTHS = {PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1, PeriodKind.YEAR: 12}


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end]``, both days included; ``complete`` is false for the period still
    running on the report's date (then ``end`` is that date)."""

    label: str
    start: date
    end: date
    complete: bool

    @property
    def before(self) -> date:
        """The last day before the period: partners "at the start" are those at this day."""
        return self.start - timedelta(days=1)

    def shown(self) -> str:
        return self.label if self.complete else f"{self.label} (to {self.end:%b %d})"


def periods_until(day: date, kind: PeriodKind, count: int) -> list[Period]:
    """The ``count`` periods up to the one holding ``day``, oldest first."""
    if count < 1:
        raise ValueError("count must be at least 1")
    step = _MONTHS[kind]
    first_month = (day.month - 1) // step * step  # 0-based month the period starts in
    index = day.year * 12 + first_month
    found = []
    for back in range(count - 1, -1, -1):
        start_index = index - back * step
        start = date(start_index // 12, start_index % 12 + 1, 1)
        end_index = start_index + step
        end = date(end_index // 12, end_index % 12 + 1, 1) - timedelta(days=1)
        complete = end < day
        found.append(Period(_label(start, kind), start, end if complete else day, complete))
    return found


def _label(start: date, kind: PeriodKind) -> str:
    if kind is PeriodKind.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if kind is PeriodKind.MONTH:
        return f"{start:%Y-%m}"
    return str(start.year)
