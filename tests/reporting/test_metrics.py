"""The portfolio metrics as tables of cases: retention both ways, LTV, NPS, periods, mixes."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from connector.reporting.metrics import (
    Lifecycle,
    change,
    latest_per_partner,
    lifetime_value,
    mix,
    period_nps,
    retention,
)
from connector.reporting.periods import Period, PeriodKind, periods_until
from connector.scoring import NpsClass, nps_class
from connector.scoring.facts import months_before

Q1 = Period("2026 Q1", date(2026, 1, 1), date(2026, 3, 31), complete=True)


def _partners(*spans: tuple[str | None, str | None]) -> list[Lifecycle]:
    return [
        Lifecycle(
            f"P{i}",
            date.fromisoformat(since) if since else None,
            date.fromisoformat(end) if end else None,
        )
        for i, (since, end) in enumerate(spans)
    ]


@pytest.mark.parametrize(
    ("spans", "start", "end", "new", "lost", "seed", "cohort"),
    [
        pytest.param([("2025-01-01", None)] * 4, 4, 4, 0, 0, 100.0, 100.0, id="nobody moves"),
        pytest.param(
            [("2025-01-01", None)] * 4 + [("2026-02-01", None)] * 2,
            4,
            6,
            2,
            0,
            150.0,
            100.0,
            id="new partners lift the seed's rate above 100%",
        ),
        pytest.param(
            [("2025-01-01", None)] * 3 + [("2025-01-01", "2026-02-10"), ("2026-03-01", None)],
            4,
            4,
            1,
            1,
            100.0,
            75.0,
            id="one lost, one new: the seed's rate hides the loss",
        ),
        pytest.param(
            [("2025-01-01", "2026-01-01"), ("2025-01-01", "2025-12-31"), ("2025-01-01", None)],
            2,
            1,
            0,
            1,
            50.0,
            50.0,
            id="an end date on the first day counts as gone that day",
        ),
        pytest.param(
            [("2026-03-31", None), ("2026-04-01", None), (None, None)],
            0,
            1,
            1,
            0,
            None,
            None,
            id="no partners at the start: no rate; unknown since never counts",
        ),
        pytest.param(
            [("2026-02-01", "2026-03-01"), ("2025-06-01", None)],
            1,
            1,
            0,
            0,
            100.0,
            100.0,
            id="joined and left within the period: neither new at the end nor lost",
        ),
    ],
)
def test_retention_both_ways(
    spans: list[tuple[str | None, str | None]],
    start: int,
    end: int,
    new: int,
    lost: int,
    seed: float | None,
    cohort: float | None,
) -> None:
    row = retention(_partners(*spans), Q1)
    assert (row.start, row.end, row.new, row.lost) == (start, end, new, lost)
    assert row.seed_rate == pytest.approx(seed) if seed is not None else row.seed_rate is None
    assert (
        row.cohort_rate == pytest.approx(cohort) if cohort is not None else row.cohort_rate is None
    )


def test_a_partner_is_at_a_date_from_its_since_until_before_its_end() -> None:
    p = Lifecycle("P", date(2026, 1, 10), date(2026, 2, 1))
    assert [p.at(date(2026, 1, d)) for d in (9, 10, 31)] == [False, True, True]
    assert p.at(date(2026, 2, 1)) is False


@pytest.mark.parametrize(
    ("cents", "partners", "mean", "median"),
    [
        ([], 0, None, None),
        ([100_00], 1, 100.0, 100.0),
        ([100_00, 300_00], 2, 200.0, 200.0),
        ([0, 100_00, 1_000_000_00], 3, 333_366.67, 100.0),
        ([5_00, 1_00, 3_00, 0], 4, 2.25, 2.0),
    ],
)
def test_lifetime_value_mean_and_median(
    cents: list[int], partners: int, mean: float | None, median: float | None
) -> None:
    ltv = lifetime_value(cents)
    assert ltv.partners == partners
    assert ltv.mean == (pytest.approx(mean, abs=0.01) if mean is not None else None)
    assert ltv.median == median
    assert ltv.total == pytest.approx(sum(cents) / 100)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, NpsClass.DETRACTOR),
        (6, NpsClass.DETRACTOR),
        (7, NpsClass.PASSIVE),
        (8, NpsClass.PASSIVE),
        (9, NpsClass.PROMOTER),
        (10, NpsClass.PROMOTER),
    ],
)
def test_nps_classes(score: int, expected: NpsClass) -> None:
    assert nps_class(score) is expected


@pytest.mark.parametrize(
    ("answers", "nps", "classes"),
    [
        ({}, None, (0, 0, 0)),
        ({"A": 10, "B": 9}, 100.0, (2, 0, 0)),
        ({"A": 0, "B": 6}, -100.0, (0, 0, 2)),
        ({"A": 9, "B": 7, "C": 3, "D": 10}, 25.0, (2, 1, 1)),
        ({"A": 8, "B": 7}, 0.0, (0, 2, 0)),
    ],
)
def test_period_nps(
    answers: dict[str, int], nps: float | None, classes: tuple[int, int, int]
) -> None:
    result = period_nps(Q1, answers)
    assert result.nps == nps
    assert (result.promoters, result.passives, result.detractors) == classes
    assert result.responses == len(answers)


def test_nps_counts_each_partners_latest_answer_only() -> None:
    rows = [("A", 3), ("A", 10), ("B", 9), ("B", 2)]  # latest first per partner
    latest = latest_per_partner(rows)
    assert latest == {"A": 3, "B": 9}
    assert period_nps(Q1, latest).nps == 0.0


@pytest.mark.parametrize(
    ("day", "kind", "count", "labels", "last_end", "complete"),
    [
        (
            date(2026, 5, 15),
            PeriodKind.QUARTER,
            3,
            ["2025 Q4", "2026 Q1", "2026 Q2"],
            date(2026, 5, 15),
            False,
        ),
        (date(2026, 1, 1), PeriodKind.QUARTER, 2, ["2025 Q4", "2026 Q1"], date(2026, 1, 1), False),
        (
            date(2026, 3, 3),
            PeriodKind.MONTH,
            3,
            ["2026-01", "2026-02", "2026-03"],
            date(2026, 3, 3),
            False,
        ),
        (date(2026, 7, 4), PeriodKind.YEAR, 2, ["2025", "2026"], date(2026, 7, 4), False),
    ],
)
def test_periods_end_with_the_running_one(
    day: date, kind: PeriodKind, count: int, labels: list[str], last_end: date, complete: bool
) -> None:
    periods = periods_until(day, kind, count)
    assert [p.label for p in periods] == labels
    assert periods[-1].end == last_end
    assert periods[-1].complete is complete
    assert all(p.complete for p in periods[:-1])
    for before, after in itertools.pairwise(periods):
        assert after.before == before.end  # chained: one period's end is the next one's start


def test_a_quarter_runs_from_its_first_to_its_last_day() -> None:
    q = periods_until(date(2026, 5, 15), PeriodKind.QUARTER, 2)[0]
    assert (q.start, q.end, q.before) == (date(2026, 1, 1), date(2026, 3, 31), date(2025, 12, 31))
    assert q.shown() == "2026 Q1"
    running = periods_until(date(2026, 5, 15), PeriodKind.QUARTER, 1)[0]
    assert running.shown() == "2026 Q2 (to May 15)"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 5, 15), 12, date(2025, 5, 15)),
        (date(2026, 1, 31), 2, date(2025, 11, 30)),
    ],
)
def test_months_before_clamps_to_the_months_end(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_mix_counts_and_change_since_before() -> None:
    now = mix([("healthy", "strategic", "gold", 2), ("at_risk", "transactional", "bronze", 2)])
    assert now.grades == {"healthy": 2, "at_risk": 2}
    assert now.by_segment_grade == {"strategic": {"healthy": 2}, "transactional": {"at_risk": 2}}
    assert now.partners == 4
    assert change(now.grades, {"healthy": 3, "watch": 1}) == {
        "at_risk": 2,
        "healthy": -1,
        "watch": -1,
    }
    assert change(now.grades, None) == {"at_risk": None, "healthy": None}
