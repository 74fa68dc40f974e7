"""Playbook conditions (domain.md, "Playbooks"), each at its edges, through ``score_partner``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from connector.config.scoring import (
    PlaybooksConfig,
    ResolveBacklogPlaybook,
    ScoringSettings,
    TierChangePlaybook,
)
from connector.model import Grade, Snapshot, Tier
from connector.scoring import PartnerFacts, PlaybookResult, ScoredPartner, score_partner

OLD = date(2015, 1, 1)
MakeSnapshot = Callable[..., Snapshot]


def run(
    as_of: datetime,
    *,
    previous: Snapshot | None = None,
    settings: ScoringSettings | None = None,
    total: int = 10**12,
    **values: object,
) -> ScoredPartner:
    base: dict[str, object] = {
        "partner_since": OLD,
        "last_contact_at": as_of - timedelta(days=5),
        "last_meeting_at": as_of - timedelta(days=5),
        "activities_recent": 10,
        "activities_before": 10,
        "nps_score": 9,
        "nps_answered_on": as_of.date() - timedelta(days=100),
    }
    facts = PartnerFacts(partner_id="P1", **{**base, **values})  # type: ignore[arg-type]
    return score_partner(
        facts,
        settings or ScoringSettings(),
        as_of,
        total_won_cents=total,
        previous=previous,
        trend_base=None,
        version="v",
    )


def result(scored: ScoredPartner, name: str) -> PlaybookResult:
    return next(p for p in scored.playbooks if p.name == name)


def fires(scored: ScoredPartner, name: str) -> bool:
    return result(scored, name).fires


def test_every_playbook_is_evaluated_in_domain_order(as_of: datetime) -> None:
    names = [p.name for p in run(as_of).playbooks]
    assert names == list(PlaybooksConfig().by_name())
    assert names == [
        "quarterly_review",
        "at_risk_call",
        "resolve_backlog",
        "nps_survey",
        "detractor_followup",
        "enablement",
        "tier_change",
    ]


def test_a_healthy_steady_partner_fires_nothing(
    as_of: datetime, make_snapshot: MakeSnapshot
) -> None:
    scored = run(as_of, previous=make_snapshot(grade=Grade.HEALTHY))
    assert scored.fired() == ()


@pytest.mark.parametrize(
    ("meeting_days", "expected"), [(89, False), (90, True), (200, True), (None, True)]
)
def test_quarterly_review_when_strategic_and_no_meeting_in_90_days(
    as_of: datetime, meeting_days: int | None, expected: bool
) -> None:
    meeting = None if meeting_days is None else as_of - timedelta(days=meeting_days)
    strategic = run(as_of, last_meeting_at=meeting, unique_resources=True)
    assert fires(strategic, "quarterly_review") is expected
    transactional = run(as_of, last_meeting_at=meeting)
    assert not fires(transactional, "quarterly_review")


def test_at_risk_call_fires_when_the_grade_became_at_risk(
    as_of: datetime, make_snapshot: MakeSnapshot
) -> None:
    bad: dict[str, Any] = {
        "last_contact_at": as_of - timedelta(days=200),
        "activities_recent": 0,
        "issues_open_old": 4,
        "nps_score": 2,
    }
    first = run(as_of, **bad)
    assert first.snapshot.grade is Grade.AT_RISK
    assert fires(first, "at_risk_call")
    became = run(as_of, previous=make_snapshot(grade=Grade.WATCH), **bad)
    assert fires(became, "at_risk_call")
    assert result(became, "at_risk_call").why == "grade became at_risk (was watch)"
    still = run(as_of, previous=make_snapshot(grade=Grade.AT_RISK), **bad)
    assert not fires(still, "at_risk_call")
    assert result(still, "at_risk_call").holds  # the open task stays open
    healthy = run(as_of, previous=make_snapshot(grade=Grade.AT_RISK))
    assert not fires(healthy, "at_risk_call")
    assert not result(healthy, "at_risk_call").holds


def test_at_risk_task_text_carries_score_and_reasons(as_of: datetime) -> None:
    scored = run(
        as_of,
        last_contact_at=as_of - timedelta(days=94),
        activities_recent=0,
        issues_open_old=4,
        nps_score=2,
    )
    call = result(scored, "at_risk_call")
    assert call.task == (
        "Call the partner: health fell to 14.0 (4 issues open longer than 30 days; "
        "no meeting, call or email for 94 days; NPS 2 (detractor))"
    )


@pytest.mark.parametrize(("old", "expected"), [(0, False), (1, False), (2, True), (5, True)])
def test_resolve_backlog_from_2_issues_open_longer_than_30_days(
    as_of: datetime, old: int, expected: bool
) -> None:
    scored = run(as_of, issues_open_old=old, issues_open_other=3)
    assert fires(scored, "resolve_backlog") is expected
    assert result(scored, "resolve_backlog").task == (
        f"Review {old} unresolved issues with the partner"
    )


@pytest.mark.parametrize(("age", "expected"), [(0, False), (365, False), (366, True)])
def test_nps_survey_when_no_answer_in_365_days(as_of: datetime, age: int, expected: bool) -> None:
    scored = run(as_of, nps_answered_on=as_of.date() - timedelta(days=age))
    assert fires(scored, "nps_survey") is expected


def test_nps_survey_when_never_answered(as_of: datetime) -> None:
    assert fires(run(as_of, nps_score=None, nps_answered_on=None), "nps_survey")


@pytest.mark.parametrize(
    ("score", "age", "expected"),
    [(6, 0, True), (6, 90, True), (6, 91, False), (7, 10, False), (0, 30, True)],
)
def test_detractor_followup_for_nps_up_to_6_within_90_days(
    as_of: datetime, score: int, age: int, expected: bool
) -> None:
    scored = run(as_of, nps_score=score, nps_answered_on=as_of.date() - timedelta(days=age))
    assert fires(scored, "detractor_followup") is expected


@pytest.mark.parametrize(("age", "expected"), [(0, True), (89, True), (90, False), (200, False)])
def test_enablement_for_prospective_partners_under_90_days(
    as_of: datetime, age: int, expected: bool
) -> None:
    scored = run(as_of, partner_since=as_of.date() - timedelta(days=age))
    assert fires(scored, "enablement") is expected


def test_enablement_needs_the_prospective_segment(as_of: datetime) -> None:
    young = as_of.date() - timedelta(days=10)
    strategic = run(as_of, partner_since=young, unique_resources=True)
    assert not fires(strategic, "enablement")


def test_tier_change_fires_on_a_change_either_way(
    as_of: datetime, make_snapshot: MakeSnapshot
) -> None:
    gold = 100_000_000  # 1,000,000.00 in cents
    up = run(as_of, previous=make_snapshot(tier=Tier.SILVER), won_cents_recent=gold)
    assert fires(up, "tier_change")
    assert result(up, "tier_change").task == "Tell the partner about the new gold status"
    down = run(as_of, previous=make_snapshot(tier=Tier.GOLD), won_cents_recent=0)
    assert fires(down, "tier_change")
    same = run(as_of, previous=make_snapshot(tier=Tier.GOLD), won_cents_recent=gold)
    assert not fires(same, "tier_change")
    first = run(as_of, won_cents_recent=gold)
    assert not fires(first, "tier_change")


def test_disabled_playbooks_are_left_out_and_thresholds_are_config(as_of: datetime) -> None:
    settings = ScoringSettings(
        playbooks=PlaybooksConfig(
            tier_change=TierChangePlaybook(enabled=False),
            resolve_backlog=ResolveBacklogPlaybook(min_old_issues=1),
        )
    )
    scored = run(as_of, settings=settings, issues_open_old=1)
    assert "tier_change" not in [p.name for p in scored.playbooks]
    assert fires(scored, "resolve_backlog")
