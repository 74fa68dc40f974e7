"""``score_portfolio`` end to end on a store (SQLite, then PostgreSQL): who is scored,
churn, the strategic share, hysteresis from the previous snapshot, trend from history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from connector.config.scoring import ScoringSettings
from connector.model import Grade, Segment, Snapshot, Tier, Trend
from connector.scoring import (
    PartnerFacts,
    ScoredPartner,
    Status,
    config_version,
    partner_status,
    score_portfolio,
)

SF, HS = "salesforce", "hubspot"
MakeSnapshot = Callable[..., Snapshot]


def by_id(scored: list[ScoredPartner]) -> dict[str, ScoredPartner]:
    return {s.partner_id: s for s in scored}


@pytest.mark.parametrize(
    ("values", "has_previous", "expected"),
    [
        ({}, False, Status.ACTIVE),
        ({"is_partner": False}, False, None),  # never a partner
        ({"is_partner": False}, True, Status.CHURNED),  # stopped matching the filter
        ({"partner_end": date(2025, 6, 1)}, False, Status.CHURNED),  # ended today
        ({"partner_end": date(2025, 6, 2)}, False, Status.ACTIVE),  # ends tomorrow
        ({"is_partner": False, "partner_end": date(2024, 1, 1)}, False, Status.CHURNED),
        ({"partner_since": date(2025, 6, 2)}, False, None),  # not a partner yet
        ({"partner_since": date(2025, 6, 1)}, False, Status.ACTIVE),
    ],
)
def test_who_is_scored_and_who_churned(
    as_of: datetime,
    make_snapshot: MakeSnapshot,
    values: dict[str, Any],
    has_previous: bool,
    expected: Status | None,
) -> None:
    facts = PartnerFacts(partner_id="P1", **values)
    previous = make_snapshot() if has_previous else None
    assert partner_status(facts, as_of, previous) is expected


def test_score_portfolio_scores_every_partner_once_sorted(
    rows: Any, as_of: datetime, make_snapshot: MakeSnapshot
) -> None:
    rows.partner(SF, "A1", "P1")
    rows.partner(HS, "H1", "P1")
    rows.partner(HS, "H2", "P2", is_partner=False)  # never snapshotted: not a partner
    rows.partner(SF, "A3", "P3", is_partner=False)  # snapshotted before: churned
    rows.partner(SF, "A4", "P4", partner_end=date(2025, 5, 1))
    rows.activity(SF, "A1", "meeting", as_of - timedelta(days=3))
    previous = {"P3": make_snapshot("P3")}
    scored = score_portfolio(rows.engine, rows.workspace, ScoringSettings(), as_of, previous)
    assert [s.partner_id for s in scored] == ["P1", "P3", "P4"]
    churned = {s.partner_id: s.snapshot.churned for s in scored}
    assert churned == {"P1": False, "P3": True, "P4": True}
    p1 = scored[0].snapshot
    assert p1.as_of == as_of
    assert p1.config_version == config_version(ScoringSettings())
    assert p1.trend is Trend.NEW
    assert [c.name for c in p1.components] == [
        "communication",
        "engagement",
        "mutual_value",
        "issue_backlog",
        "satisfaction",
        "kpi",
    ]


def test_strategic_share_is_of_all_scored_partners_revenue(rows: Any, as_of: datetime) -> None:
    for n, cents in enumerate([2_000_00, 2_001_00, 5_999_00], start=1):
        rows.partner(SF, f"A{n}", f"P{n}", partner_since=date(2015, 1, 1))
        rows.deal(SF, f"A{n}", cents, date(2025, 1, 1))
    rows.partner(SF, "A9", "P9", is_partner=False)  # not a partner: not in the total
    rows.deal(SF, "A9", 1_000_000_00, date(2025, 1, 1))
    scored = by_id(score_portfolio(rows.engine, rows.workspace, ScoringSettings(), as_of, {}))
    # total 10,000.00: P1 has exactly 20% (not strategic), P2 20.01%.
    assert scored["P1"].snapshot.segment is Segment.TRANSACTIONAL
    assert scored["P2"].snapshot.segment is Segment.STRATEGIC
    assert scored["P2"].snapshot.segment_rule == "20.01% of all partners' won revenue (over 20%)"
    assert scored["P3"].snapshot.segment is Segment.STRATEGIC


def test_tier_hysteresis_uses_the_previous_snapshot(
    rows: Any, as_of: datetime, make_snapshot: MakeSnapshot
) -> None:
    rows.partner(SF, "A1", "P1")
    rows.deal(SF, "A1", 910_000_00, date(2025, 1, 1))
    settings = ScoringSettings()
    kept = score_portfolio(
        rows.engine, rows.workspace, settings, as_of, {"P1": make_snapshot(tier=Tier.GOLD)}
    )
    assert kept[0].snapshot.tier is Tier.GOLD
    assert kept[0].tier_rule.startswith("kept gold")
    fresh = score_portfolio(rows.engine, rows.workspace, settings, as_of, {})
    assert fresh[0].snapshot.tier is Tier.SILVER
    assert [p.name for p in fresh[0].fired()].count("tier_change") == 0


def test_trend_is_against_the_snapshot_nearest_to_28_days_ago(rows: Any, as_of: datetime) -> None:
    rows.partner(SF, "A1", "P1")
    rows.partner(SF, "A2", "P2")
    rows.partner(SF, "A3", "P3")
    rows.partner(SF, "A4", "P4")
    for pid in ("P1", "P2", "P3", "P4"):
        rows.activity(SF, pid.replace("P", "A"), "meeting", as_of - timedelta(days=1))
    target = as_of - timedelta(days=28)
    # P1: 27 days ago is nearer than 30 days ago.
    rows.snapshot("P1", target - timedelta(days=2), 10.0)
    rows.snapshot("P1", target + timedelta(days=1), 99.0)
    # P2: only yesterday's snapshot: it is the nearest there is.
    rows.snapshot("P2", as_of - timedelta(days=1), 10.0)
    # P3: equally near on both sides: the earlier wins; a snapshot at as_of itself is
    # not history.
    rows.snapshot("P3", target - timedelta(days=3), 99.0)
    rows.snapshot("P3", target + timedelta(days=3), 10.0)
    rows.snapshot("P3", as_of, 10.0)
    # P4: two config versions at one instant: the current one wins.
    version = config_version(ScoringSettings())
    rows.snapshot("P4", target, 10.0, version="aaaaaaaaaaaa")
    rows.snapshot("P4", target, 99.0, version=version)
    scored = by_id(score_portfolio(rows.engine, rows.workspace, ScoringSettings(), as_of, {}))
    assert scored["P1"].trend_base is not None
    assert scored["P1"].trend_base.score == 99.0
    assert scored["P2"].trend_base == (as_of - timedelta(days=1), 10.0)
    assert scored["P3"].trend_base is not None
    assert scored["P3"].trend_base.score == 99.0
    assert scored["P4"].trend_base is not None
    assert scored["P4"].trend_base.score == 99.0
    assert scored["P1"].snapshot.score == 100.0
    assert scored["P1"].snapshot.trend is Trend.FLAT  # +1 on 99
    assert scored["P2"].snapshot.trend is Trend.UP


def test_trend_base_can_be_given(rows: Any, as_of: datetime, make_snapshot: MakeSnapshot) -> None:
    rows.partner(SF, "A1", "P1")
    rows.activity(SF, "A1", "meeting", as_of - timedelta(days=1))
    rows.snapshot("P1", as_of - timedelta(days=28), 0.0)
    base = {"P1": make_snapshot(score=100.0)}
    scored = score_portfolio(
        rows.engine, rows.workspace, ScoringSettings(), as_of, {}, trend_base=base
    )
    assert scored[0].trend_base is not None
    assert scored[0].trend_base.score == 100.0


def test_at_risk_partner_gets_reasons_and_the_call(rows: Any, as_of: datetime) -> None:
    rows.partner(SF, "A1", "P1", partner_since=date(2018, 1, 1))
    rows.activity(SF, "A1", "meeting", as_of - timedelta(days=130))
    rows.activity(SF, "A1", "note", as_of - timedelta(days=10))  # engagement holds
    for days in (40, 50, 60):
        rows.issue(SF, "A1", as_of - timedelta(days=days))
    rows.survey(SF, "A1", 3, date(2025, 5, 1))
    scored = score_portfolio(rows.engine, rows.workspace, ScoringSettings(), as_of, {})[0]
    snap = scored.snapshot
    assert snap.score == 32.5  # (0·25 + 100·15 + 25·20 + 30·20) / 80
    assert snap.grade is Grade.AT_RISK
    assert snap.reasons == (
        "no meeting, call or email for 130 days",
        "3 issues open longer than 30 days",
        "NPS 3 (detractor)",
    )
    fired = {p.name for p in scored.fired()}
    assert fired == {"at_risk_call", "resolve_backlog", "detractor_followup"}


def test_as_of_must_be_aware(rows: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        score_portfolio(rows.engine, rows.workspace, ScoringSettings(), datetime(2025, 1, 1), {})


def test_a_connection_works_as_well_as_an_engine(rows: Any, as_of: datetime) -> None:
    rows.partner(SF, "A1", "P1")
    with rows.engine.connect() as conn:
        scored = score_portfolio(conn, rows.workspace, ScoringSettings(), as_of, {})
    assert [s.partner_id for s in scored] == ["P1"]
