"""What scoring knows about each partner as of a date, and the time windows it looks at.

:class:`PartnerFacts` is the whole input of the pure part: the SQL in ``gather.py`` fills
it for every partner at once, and tests build it by hand.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from connector.config.scoring import ScoringConfig


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    """One canonical partner's inputs as of a date, over all its linked source records.

    Money is integer cents. ``is_partner`` is true when any linked record matches the
    partner filter; ``partner_since`` is the earliest ``partner_since`` of the linked
    records, else the earliest creation date; ``partner_end`` the earliest end date.
    Activity facts cover the activity history (:func:`history_days`; ``None`` = nothing
    in it) and exclude the tool's own tasks and open (not yet done) activities. The NPS
    answer is the latest on or before the date, however old; ``kpi_attainment`` is the
    mean of the readings' actual ÷ target, each capped at 1.
    """

    partner_id: str
    is_partner: bool = True
    partner_since: date | None = None
    partner_end: date | None = None
    unique_resources: bool = False
    last_contact_at: datetime | None = None
    last_meeting_at: datetime | None = None
    activities_recent: int = 0
    activities_before: int = 0
    won_cents_recent: int = 0
    won_cents_before: int = 0
    issues_open_old: int = 0
    issues_open_other: int = 0
    nps_score: int | None = None
    nps_answered_on: date | None = None
    kpi_attainment: float | None = None
    kpi_readings: int = 0


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped to the month's end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Windows:
    """The cut-offs of every window, derived once from ``as_of`` and the config.

    Every cut-off is a UTC midnight, counted back from the start of ``as_of``'s day, so
    a score moves when the data changes or the day turns, never between two runs a
    few seconds apart (a second run with nothing changed must write nothing).
    Timestamp windows are half-open on the left: activities are read from
    ``(history_start, as_of]``, "the last 90 days" are today so far and the 90 whole
    days before it, ``(recent_start, as_of]``, and the 90 before that
    ``(before_start, recent_start]``.
    Revenue windows are by close date: ``(revenue_recent_start, as_of_day]`` and
    ``(revenue_before_start, revenue_recent_start]``.
    """

    as_of: datetime
    as_of_day: date
    history_start: datetime
    recent_start: datetime
    before_start: datetime
    issue_old_before: datetime
    revenue_recent_start: date
    revenue_before_start: date

    @classmethod
    def of(cls, as_of: datetime, config: ScoringConfig, *, min_history_days: int = 0) -> Windows:
        """``min_history_days`` widens the activity history for a playbook that looks
        further back (a quarterly review after more than 180 days without a meeting)."""
        day = as_of.date()
        midnight = start_of_day(as_of)
        span = timedelta(days=config.engagement_window_days)
        months = config.revenue_window_months
        history = history_days(config, min_history_days)
        return cls(
            as_of=as_of,
            as_of_day=day,
            history_start=midnight - timedelta(days=history),
            recent_start=midnight - span,
            before_start=midnight - 2 * span,
            issue_old_before=midnight - timedelta(days=config.issue_old_days),
            revenue_recent_start=months_before(day, months),
            revenue_before_start=months_before(day, 2 * months),
        )


def history_days(config: ScoringConfig, at_least: int = 0) -> int:
    """How far back activities are read: both engagement windows, and at least
    ``communication_zero_days`` (180 days by default).

    Communication scores 0 from ``communication_zero_days`` on, so an older contact
    changes no score, only the wording ("no meeting, call or email in the last 180
    days"); the bound keeps scoring fast on years of history.
    """
    return max(config.communication_zero_days, 2 * config.engagement_window_days, at_least)


def start_of_day(moment: datetime) -> datetime:
    """The UTC midnight that begins ``moment``'s UTC day."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)


def whole_days(as_of: datetime, then: datetime) -> int:
    """Calendar days (UTC) from ``then`` to ``as_of``; 0 if ``then`` is later.

    By date, not by elapsed time, so the count turns at midnight and not at the hour
    of the last contact."""
    return max(0, (as_of.astimezone(UTC).date() - then.astimezone(UTC).date()).days)


def days_since(as_of: datetime, day: date) -> int:
    """Calendar days from ``day`` to the UTC date of ``as_of`` (negative if in the future)."""
    return (as_of.date() - day).days
