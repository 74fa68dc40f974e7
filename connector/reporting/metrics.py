"""The portfolio metrics of domain.md, as pure functions over what the store holds.

- A partner is counted *at* a date when its partner-since is on or before it and it had
  not churned by then (its end date, if any, is after it).
- Retention for a period, two ways, never mixed up: the seed's formula, partners at the
  end ÷ partners at the start × 100, which counts partners that joined during the period
  and so can exceed 100%; and the cohort rate, (end − new) ÷ start × 100, the share of
  the partners at the start still there at the end.
- LTV: a partner's won revenue over the whole relationship; portfolio mean and median.
- NPS: % promoters (9-10) − % detractors (0-6) over each partner's latest answer in the
  period.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from connector.reporting.periods import Period
from connector.scoring import NpsClass, net_promoter_score, nps_class


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """When a canonical partner became one and, if it did, when it churned."""

    partner_id: str
    since: date | None
    end: date | None = None

    def at(self, day: date) -> bool:
        """A partner on ``day``: since on or before it, not churned by then."""
        return self.since is not None and self.since <= day and (self.end is None or self.end > day)


@dataclass(frozen=True, slots=True)
class Retention:
    """One period's retention, both formulas side by side."""

    period: Period
    start: int
    end: int
    new: int
    lost: int

    @property
    def seed_rate(self) -> float | None:
        """End ÷ start × 100 (the seed's formula: counts new partners, may exceed 100)."""
        return None if self.start == 0 else 100.0 * self.end / self.start

    @property
    def cohort_rate(self) -> float | None:
        """(End − new) ÷ start × 100: the share of the starting partners still there."""
        return None if self.start == 0 else 100.0 * (self.end - self.new) / self.start


def retention(lifecycles: Iterable[Lifecycle], period: Period) -> Retention:
    """Partners at the day before the period, at its last day, new in it, and lost in it."""
    start = end = new = lost = 0
    for p in lifecycles:
        was, now = p.at(period.before), p.at(period.end)
        start += was
        end += now
        new += now and not was
        lost += was and not now
    return Retention(period, start, end, new, lost)


@dataclass(frozen=True, slots=True)
class LifetimeValue:
    """Won revenue over whole relationships, in currency units."""

    partners: int
    total: float
    mean: float | None
    median: float | None


def lifetime_value(won_cents: Iterable[int]) -> LifetimeValue:
    """Mean and median over the given partners' lifetime won revenue (cents in)."""
    values = [cents / 100 for cents in won_cents]
    if not values:
        return LifetimeValue(0, 0.0, None, None)
    return LifetimeValue(
        len(values), sum(values), statistics.fmean(values), statistics.median(values)
    )


@dataclass(frozen=True, slots=True)
class PeriodNps:
    """One period's NPS over each answering partner's latest answer."""

    period: Period
    nps: float | None
    promoters: int
    passives: int
    detractors: int

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors


def period_nps(period: Period, latest_answers: Mapping[str, int]) -> PeriodNps:
    """NPS from each partner's latest answer in ``period`` (partner id → 0-10)."""
    classes = Counter(nps_class(score) for score in latest_answers.values())
    return PeriodNps(
        period,
        net_promoter_score(latest_answers.values()),
        classes[NpsClass.PROMOTER],
        classes[NpsClass.PASSIVE],
        classes[NpsClass.DETRACTOR],
    )


def latest_per_partner(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The first answer of each partner, from rows already ordered latest first per partner."""
    found: dict[str, int] = {}
    for partner_id, score in rows:
        found.setdefault(partner_id, score)
    return found


@dataclass(frozen=True, slots=True)
class Mix:
    """How many partners are in each grade, segment and tier (one scoring run)."""

    grades: dict[str, int]
    segments: dict[str, int]
    tiers: dict[str, int]
    by_segment_grade: dict[str, dict[str, int]]

    @property
    def partners(self) -> int:
        return sum(self.grades.values())


def mix(rows: Iterable[tuple[str, str, str, int]]) -> Mix:
    """Counts from (grade, segment, tier, partners) rows."""
    grades: Counter[str] = Counter()
    segments: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    cross: dict[str, Counter[str]] = {}
    for grade, segment, tier, n in rows:
        grades[grade] += n
        segments[segment] += n
        tiers[tier] += n
        cross.setdefault(segment, Counter())[grade] += n
    return Mix(dict(grades), dict(segments), dict(tiers), {k: dict(v) for k, v in cross.items()})


def change(now: Mapping[str, int], before: Mapping[str, int] | None) -> dict[str, int | None]:
    """Per key, the count now less the count before (None when there is no before)."""
    keys = sorted(set(now) | set(before or {}))
    if before is None:
        return dict.fromkeys(keys)
    return {k: now.get(k, 0) - before.get(k, 0) for k in keys}


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
