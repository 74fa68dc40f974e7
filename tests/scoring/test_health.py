"""Renormalisation, the weighted score, grade, trend and reasons."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.config.scoring import ComponentWeights, ScoringConfig
from connector.model import ComponentScore, Grade, Trend
from connector.scoring import health
from connector.scoring.components import all_components
from connector.scoring.facts import PartnerFacts

AS_OF = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def comp(name: str, value: float | None, weight: float, reason: str = "") -> ComponentScore:
    return ComponentScore(name=name, value=value, weight=weight, reason=reason or name)


def test_a_component_without_data_is_left_out_and_the_rest_renormalised() -> None:
    parts = [
        comp("communication", 60, 25),
        comp("engagement", 100, 15),
        comp("mutual_value", None, 20, "no won revenue in the last 24 months"),
        comp("issue_backlog", 50, 20),
        comp("satisfaction", None, 20, "no NPS response in 365 days"),
        comp("kpi", None, 0),
    ]
    spread = health.renormalise(parts)
    assert [p.weight for p in spread] == [25 / 60, 15 / 60, 0.0, 20 / 60, 0.0, 0.0]
    # (60·25 + 100·15 + 50·20) / 60 = 66.67
    assert health.weighted_score(spread) == 66.7
    assert health.missing_data(spread) == (
        "no won revenue in the last 24 months",
        "no NPS response in 365 days",
        "kpi",
    )


def test_with_every_component_present_the_default_weights_are_domain_md() -> None:
    parts = [comp(n, 100, w) for n, w in [("a", 25), ("b", 15), ("c", 20), ("d", 20), ("e", 20)]]
    assert [p.weight for p in health.renormalise(parts)] == [0.25, 0.15, 0.2, 0.2, 0.2]


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100.0, Grade.HEALTHY),
        (70.0, Grade.HEALTHY),
        (69.9, Grade.WATCH),
        (40.0, Grade.WATCH),
        (39.9, Grade.AT_RISK),
        (0.0, Grade.AT_RISK),
    ],
)
def test_grade_thresholds(score: float, grade: Grade) -> None:
    assert health.grade(score, ScoringConfig()) is grade


@pytest.mark.parametrize(
    ("score", "base", "trend"),
    [
        (55.0, None, Trend.NEW),
        (55.0, 50.0, Trend.FLAT),  # +5 is within ±5
        (45.0, 50.0, Trend.FLAT),  # -5 too
        (55.1, 50.0, Trend.UP),
        (44.9, 50.0, Trend.DOWN),
        (75.3, 70.3, Trend.FLAT),  # no float noise at the edge
        (50.0, 50.0, Trend.FLAT),
    ],
)
def test_trend_against_the_base_snapshot(score: float, base: float | None, trend: Trend) -> None:
    assert health.trend(score, base, ScoringConfig()) is trend


def test_reasons_are_the_costliest_components_in_plain_words() -> None:
    spread = health.renormalise(
        [
            comp("communication", 0, 25, "no meeting, call or email for 130 days"),  # 25
            comp("engagement", 90, 15, "activity down 10%"),  # 1.5
            comp("mutual_value", 40, 20, "won revenue down 40% year over year"),  # 12
            comp("issue_backlog", 25, 20, "3 issues open longer than 30 days"),  # 15
            comp("satisfaction", 40, 20, "NPS 4 (detractor)"),  # 12
        ]
    )
    assert health.reasons(spread, ScoringConfig()) == (
        "no meeting, call or email for 130 days",
        "3 issues open longer than 30 days",
        "won revenue down 40% year over year",  # ties keep domain order
    )
    assert health.reasons(spread, ScoringConfig(max_reasons=2)) == (
        "no meeting, call or email for 130 days",
        "3 issues open longer than 30 days",
    )


def test_components_costing_nothing_or_almost_nothing_are_not_reasons() -> None:
    spread = health.renormalise([comp("a", 100, 50), comp("b", 99, 50, "tiny"), comp("c", None, 1)])
    assert health.reasons(spread, ScoringConfig()) == ()  # b costs 0.5 points, under 1


def test_reasons_fit_in_255_characters_joined() -> None:
    long = ["x" * 120, "y" * 120, "z" * 120]
    spread = health.renormalise([comp(f"c{i}", 0, 1, r) for i, r in enumerate(long)])
    chosen = health.reasons(spread, ScoringConfig())
    assert chosen == ("x" * 120, "y" * 120)
    assert len(health.join_reasons(chosen)) <= 255
    too_long = health.fit(["w" * 300], 255)
    assert len(too_long[0]) == 255
    assert too_long[0].endswith("…")


weights = st.floats(min_value=0, max_value=1000, allow_nan=False)
values = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@given(st.lists(st.tuples(values, weights), min_size=1, max_size=6))
def test_renormalised_weights_sum_to_one_and_the_score_stays_in_range(
    parts: list[tuple[float | None, float]],
) -> None:
    spread = health.renormalise([comp(f"c{i}", v, w) for i, (v, w) in enumerate(parts)])
    present = sum(w for v, w in parts if v is not None)
    total = sum(p.weight for p in spread)
    if present > 0:
        assert math.isclose(total, 1.0, rel_tol=1e-9)
    else:
        assert total == 0
    assert 0.0 <= health.weighted_score(spread) <= 100.0


@given(
    st.builds(
        PartnerFacts,
        partner_id=st.just("P1"),
        last_contact_at=st.one_of(
            st.none(), st.integers(0, 2000).map(lambda d: AS_OF - timedelta(days=d))
        ),
        activities_recent=st.integers(0, 10_000),
        activities_before=st.integers(0, 10_000),
        won_cents_recent=st.integers(0, 10**12),
        won_cents_before=st.integers(0, 10**12),
        issues_open_old=st.integers(0, 50),
        issues_open_other=st.integers(0, 50),
        nps_score=st.one_of(st.none(), st.integers(0, 10)),
        nps_answered_on=st.integers(0, 800).map(lambda d: AS_OF.date() - timedelta(days=d)),
        kpi_attainment=st.one_of(st.none(), st.floats(-5, 5, allow_nan=False)),
    ),
    st.builds(
        ComponentWeights,
        communication=st.floats(0.01, 100),
        engagement=weights,
        mutual_value=weights,
        issue_backlog=weights,
        satisfaction=weights,
        kpi=weights,
    ),
)
def test_any_partner_scores_within_0_to_100(facts: PartnerFacts, w: ComponentWeights) -> None:
    config = ScoringConfig(weights=w)
    spread = health.renormalise(all_components(facts, config, AS_OF))
    score = health.weighted_score(spread)
    assert 0.0 <= score <= 100.0
    assert all(p.value is None or 0.0 <= p.value <= 100.0 for p in spread)
    assert math.isclose(sum(p.weight for p in spread), 1.0, rel_tol=1e-9)
    assert len(health.join_reasons(health.reasons(spread, config))) <= 255
