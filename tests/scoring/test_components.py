"""Each health component at the edges of its rule (domain.md, "The health score")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connector.config.scoring import ComponentWeights, ScoringConfig
from connector.scoring import components as c
from connector.scoring.facts import PartnerFacts


def facts(**values: object) -> PartnerFacts:
    return PartnerFacts(partner_id="P1", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days", "value"),
    [
        (0, 100.0),
        (29, 100.0),
        (30, 100.0),
        (31, 98.9),  # 100 x 89/90
        (75, 50.0),
        (119, 1.1),
        (120, 0.0),
        (121, 0.0),
        (400, 0.0),
    ],
)
def test_communication_is_full_to_30_days_then_linear_to_zero_at_120(
    as_of: datetime, days: int, value: float
) -> None:
    last = as_of - timedelta(days=days, hours=5)  # whole days elapsed: the hours do not count
    result = c.communication(facts(last_contact_at=last), ScoringConfig(), as_of)
    assert result.value == value
    assert result.inputs["days"] == days


def test_communication_days_are_calendar_days_so_the_score_holds_all_day() -> None:
    last = datetime(2025, 4, 1, 13, 0, tzinfo=UTC)
    scores = {
        c.communication(facts(last_contact_at=last), ScoringConfig(), at).inputs["days"]
        for at in (
            datetime(2025, 5, 31, 0, 0, 1, tzinfo=UTC),
            datetime(2025, 5, 31, 12, 59, 59, tzinfo=UTC),
            datetime(2025, 5, 31, 13, 0, 1, tzinfo=UTC),
            datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC),
        )
    }
    assert scores == {60}


def test_communication_reason_names_the_days_without_contact(as_of: datetime) -> None:
    result = c.communication(
        facts(last_contact_at=as_of - timedelta(days=94)), ScoringConfig(), as_of
    )
    assert result.reason == "no meeting, call or email for 94 days"


def test_a_partner_not_contacted_counts_from_partner_since_within_the_history(
    as_of: datetime,
) -> None:
    def since(days: int) -> PartnerFacts:
        return facts(partner_since=as_of.date() - timedelta(days=days))

    new = c.communication(since(10), ScoringConfig(), as_of)
    half = c.communication(since(75), ScoringConfig(), as_of)
    old = c.communication(since(150), ScoringConfig(), as_of)
    ancient = c.communication(facts(partner_since=date(2020, 1, 1)), ScoringConfig(), as_of)
    unknown = c.communication(facts(), ScoringConfig(), as_of)
    assert [x.value for x in (new, half, old, ancient, unknown)] == [100, 50, 0, 0, 0]
    assert old.reason == "no meeting, call or email since becoming a partner 150 days ago"
    assert ancient.reason == "no meeting, call or email in the last 180 days"
    assert unknown.reason == ancient.reason


@pytest.mark.parametrize(
    ("recent", "before", "value"),
    [
        (0, 0, 0.0),  # both zero
        (3, 0, 100.0),  # none before, some now
        (0, 4, 0.0),
        (1, 4, 25.0),
        (4, 4, 100.0),
        (9, 4, 100.0),  # capped
        (2, 3, 66.7),
    ],
)
def test_engagement_ratio_of_the_last_90_days_to_the_90_before(
    recent: int, before: int, value: float
) -> None:
    result = c.engagement(
        facts(activities_recent=recent, activities_before=before), ScoringConfig()
    )
    assert result.value == value


def test_engagement_reason_when_activity_fell() -> None:
    result = c.engagement(facts(activities_recent=6, activities_before=10), ScoringConfig())
    assert result.reason == "activity down 40% on the previous 90 days (6 vs 10)"


@pytest.mark.parametrize(
    ("recent", "before", "value"),
    [
        (120, 100, 100.0),  # g = 1.2: 100·g − 20 = 100
        (150, 100, 100.0),  # clamped at 100
        (100, 100, 80.0),
        (60, 100, 40.0),
        (20, 100, 0.0),  # g = 0.2
        (10, 100, 0.0),  # clamped at 0
        (0, 100, 0.0),
        (500, 0, 100.0),  # no prior revenue but new revenue
    ],
)
def test_mutual_value_is_clamped_growth(recent: int, before: int, value: float) -> None:
    result = c.mutual_value(
        facts(won_cents_recent=recent * 100, won_cents_before=before * 100), ScoringConfig()
    )
    assert result.value == value


def test_mutual_value_without_any_revenue_has_no_data() -> None:
    result = c.mutual_value(facts(), ScoringConfig())
    assert result.value is None
    assert result.reason == "no won revenue in the last 24 months"


def test_mutual_value_reason_says_the_year_over_year_change() -> None:
    result = c.mutual_value(
        facts(won_cents_recent=60_000, won_cents_before=100_000), ScoringConfig()
    )
    assert result.reason == "won revenue down 40% year over year"


@pytest.mark.parametrize(
    ("old", "other", "value", "reason"),
    [
        (0, 0, 100.0, "no open issues"),
        (0, 1, 90.0, "1 open issue"),
        (1, 0, 75.0, "1 issue open longer than 30 days"),
        (3, 0, 25.0, "3 issues open longer than 30 days"),
        (2, 3, 20.0, "2 issues open longer than 30 days, 3 more open"),
        (4, 0, 0.0, "4 issues open longer than 30 days"),
        (5, 2, 0.0, "5 issues open longer than 30 days, 2 more open"),  # floored at 0
        (0, 11, 0.0, "11 open issues"),
    ],
)
def test_issue_backlog_costs_25_per_old_and_10_per_other_floored(
    old: int, other: int, value: float, reason: str
) -> None:
    result = c.issue_backlog(facts(issues_open_old=old, issues_open_other=other), ScoringConfig())
    assert (result.value, result.reason) == (value, reason)


@pytest.mark.parametrize(
    ("score", "age_days", "value", "reason"),
    [
        (4, 10, 40.0, "NPS 4 (detractor)"),
        (7, 10, 70.0, "NPS 7 (passive)"),
        (10, 365, 100.0, "NPS 10 (promoter)"),  # within 365 days
        (10, 366, None, "no NPS response in 365 days"),
        (0, 0, 0.0, "NPS 0 (detractor)"),
    ],
)
def test_satisfaction_is_the_latest_nps_within_365_days_times_ten(
    as_of: datetime, score: int, age_days: int, value: float | None, reason: str
) -> None:
    answered = as_of.date() - timedelta(days=age_days)
    result = c.satisfaction(
        facts(nps_score=score, nps_answered_on=answered), ScoringConfig(), as_of
    )
    assert (result.value, result.reason) == (value, reason)


def test_satisfaction_without_an_answer_has_no_data(as_of: datetime) -> None:
    result = c.satisfaction(facts(), ScoringConfig(), as_of)
    assert result.value is None
    assert result.reason == "no NPS response in 365 days"


@pytest.mark.parametrize(
    ("attainment", "value"), [(0.5, 50.0), (1.0, 100.0), (1.7, 100.0), (-0.2, 0.0)]
)
def test_kpi_attainment_is_capped_at_100(attainment: float, value: float) -> None:
    result = c.kpi(facts(kpi_attainment=attainment, kpi_readings=1), ScoringConfig())
    assert result.value == value


def test_kpi_is_on_when_mapped_with_its_own_weight() -> None:
    mapped = c.kpi(facts(kpi_attainment=0.5, kpi_readings=1), ScoringConfig())
    unmapped = c.kpi(facts(), ScoringConfig())
    explicit = c.kpi(
        facts(kpi_attainment=0.5, kpi_readings=1),
        ScoringConfig(weights=ComponentWeights(kpi=30)),
    )
    assert mapped.weight == 10  # kpi_weight_when_mapped, since weights.kpi is 0
    assert (unmapped.value, unmapped.weight) == (None, 0)
    assert explicit.weight == 30


def test_every_component_is_returned_in_domain_order(as_of: datetime) -> None:
    names = [x.name for x in c.all_components(facts(), ScoringConfig(), as_of)]
    assert names == list(c.COMPONENTS)
    assert names == [
        "communication",
        "engagement",
        "mutual_value",
        "issue_backlog",
        "satisfaction",
        "kpi",
    ]


def test_round1_rounds_half_up() -> None:
    assert [c.round1(x) for x in (0.05, 0.15, 72.25, 69.95, 33.33)] == [
        0.1,
        0.2,
        72.3,
        70.0,
        33.3,
    ]
