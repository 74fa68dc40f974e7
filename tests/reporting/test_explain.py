"""``explain`` explains the latest stored snapshot and agrees with it — or says plainly why
scoring again differs (config changed, records changed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connector.config.scoring import ComponentWeights, ScoringConfig, ScoringSettings
from connector.model import (
    Activity,
    ActivityKind,
    ComponentScore,
    Grade,
    Segment,
    Snapshot,
    SourceRef,
    Tier,
)
from connector.reporting import explain, explanation_document
from connector.reporting.explain import tier_state
from connector.scoring import config_version
from connector.store import SqlStore
from tests.reporting.portfolio_data import NOW, UMBRELLA_SF


@pytest.mark.parametrize("query", ["Acme Ltd", "acmelabs.io", "Globex", "initech", "Umbrella"])
def test_explain_agrees_with_the_latest_stored_snapshot(loaded: SqlStore, query: str) -> None:
    e = explain(loaded, ScoringSettings(), query)
    stored = loaded.latest_snapshots()[e.partner.partner_id]
    assert e.snapshot == stored
    assert e.agrees, e.differences
    assert e.recomputed is not None
    again = e.recomputed.snapshot
    assert (again.score, again.grade, again.segment, again.tier, again.components) == (
        stored.score,
        stored.grade,
        stored.segment,
        stored.tier,
        stored.components,
    )
    doc = explanation_document(e)
    json.dumps(doc)  # JSON-ready
    assert doc["snapshot"]["score"] == stored.score
    assert doc["recomputation"]["agrees"] is True
    assert doc["recomputation"]["config_changed"] is False
    assert [c["name"] for c in doc["components"]] == [c.name for c in stored.components]
    assert doc["segment"] == {"segment": stored.segment.value, "rule": stored.segment_rule}


def test_components_carry_inputs_weights_and_points_lost(loaded: SqlStore) -> None:
    doc = explanation_document(explain(loaded, ScoringSettings(), "Umbrella"))
    parts = {c["name"]: c for c in doc["components"]}
    assert doc["snapshot"]["grade"] == "at_risk"
    # communication, engagement and issue backlog have data (25 + 15 + 20), satisfaction 20
    assert parts["communication"]["weight"] == pytest.approx(25 / 80, abs=1e-4)
    assert parts["communication"]["configured_weight"] == 25
    assert parts["communication"]["points_lost"] == pytest.approx(31.2, abs=0.1)
    assert parts["issue_backlog"]["inputs"] == {"open_old": 2, "open_other": 0}
    assert parts["issue_backlog"]["points_lost"] == pytest.approx(12.5)
    assert parts["mutual_value"]["has_data"] is False
    assert parts["mutual_value"]["weight"] == 0
    assert "no won revenue in the last 24 months" in doc["missing_data"]
    assert sum(c["weight"] for c in doc["components"]) == pytest.approx(1.0, abs=1e-3)


def test_playbooks_say_which_fire_and_why(loaded: SqlStore) -> None:
    doc = explanation_document(explain(loaded, ScoringSettings(), "Umbrella"))
    books = {p["name"]: p for p in doc["playbooks"]}
    assert books["resolve_backlog"]["fires"] is True
    assert books["resolve_backlog"]["task"] == "Review 2 unresolved issues with the partner"
    assert books["at_risk_call"] == {
        "name": "at_risk_call",
        "fires": False,
        "holds": True,
        "why": "grade still at_risk since the previous snapshot",
        "task": books["at_risk_call"]["task"],
    }
    assert books["enablement"]["fires"] is False
    assert "not prospective" in books["enablement"]["why"]


def test_links_history_tier_and_trend(loaded: SqlStore) -> None:
    e = explain(loaded, ScoringSettings(), "acme.com")
    doc = explanation_document(e)
    assert {(link["system"], link["reason"]) for link in doc["links"]} == {
        ("salesforce", "domain"),
        ("hubspot", "domain"),
    }
    assert all(link["detail"] == "same web domain acme.com" for link in doc["links"])
    assert all(link["confidence"] == 0.95 for link in doc["links"])
    assert [h["as_of"][:10] for h in doc["history"]] == [
        "2026-06-30",
        "2026-05-28",
        "2026-04-28",
        "2026-03-28",
        "2026-02-28",
        "2026-01-28",
    ]
    assert {h["config_version"] for h in doc["history"]} == {config_version(ScoringSettings())}
    assert doc["tier"]["tier"] == "gold"
    assert doc["tier"]["won_revenue_12m"] == 1_200_000
    assert doc["tier"]["kept_by_hysteresis"] is False
    assert doc["tier"]["previous_tier"] == "gold"
    assert doc["tier"]["rule"] == "won revenue 1,200,000 reaches 1,000,000"
    assert doc["trend"]["base"]["as_of"].startswith("2026-05-28")


def test_a_changed_config_is_said_plainly_and_the_stored_values_stay(loaded: SqlStore) -> None:
    heavier = ScoringSettings(
        scoring=ScoringConfig(weights=ComponentWeights(communication=60, issue_backlog=5))
    )
    e = explain(loaded, heavier, "Umbrella")
    doc = explanation_document(e)
    stored = loaded.latest_snapshots()[e.partner.partner_id]
    assert doc["snapshot"]["score"] == stored.score
    assert doc["recomputation"]["config_changed"] is True
    assert doc["recomputation"]["stored_config_version"] == stored.config_version
    assert doc["recomputation"]["current_config_version"] == config_version(heavier)
    assert doc["recomputation"]["agrees"] is False
    assert any(d.startswith("score ") for d in e.differences)


def test_records_changed_since_the_snapshot_are_counted_and_the_difference_shown(
    fresh: SqlStore,
) -> None:
    late_call = Activity(
        ref=SourceRef(system="salesforce", id="00T000000000LATE01"),
        modified_at=NOW + timedelta(days=1),
        partner=UMBRELLA_SF,
        kind=ActivityKind.CALL,
        occurred_at=NOW - timedelta(days=2),  # logged late: it happened before the snapshot
    )
    fresh.upsert_records([late_call], stream="Task")
    e = explain(fresh, ScoringSettings(), "Umbrella")
    assert e.changed_records == {"activities": 1}
    assert not e.agrees
    assert any(d.startswith("communication ") for d in e.differences)
    assert e.snapshot == fresh.latest_snapshots()[e.partner.partner_id]


def _snapshot(tier: Tier, revenue_cents: int) -> Snapshot:
    return Snapshot(
        partner_id="P1",
        as_of=datetime(2026, 6, 30, tzinfo=UTC),
        score=80,
        grade=Grade.HEALTHY,
        segment=Segment.TRANSACTIONAL,
        tier=tier,
        components=(
            ComponentScore(
                name="mutual_value",
                value=50.0,
                weight=0.2,
                inputs={"won_cents_recent": revenue_cents, "won_cents_before": 1},
            ),
        ),
        config_version="x",
    )


@pytest.mark.parametrize(
    ("tier", "previous", "revenue", "by_revenue", "kept", "threshold", "floor"),
    [
        (Tier.SILVER, Tier.SILVER, 240_000, Tier.BRONZE, True, 250_000, 225_000),
        (Tier.GOLD, Tier.GOLD, 905_000, Tier.SILVER, True, 1_000_000, 900_000),
        (Tier.SILVER, None, 260_000, Tier.SILVER, False, 250_000, 225_000),
        (Tier.BRONZE, Tier.SILVER, 200_000, Tier.BRONZE, False, 0, 0),
    ],
)
def test_tier_state_says_whether_hysteresis_kept_the_tier(
    tier: Tier,
    previous: Tier | None,
    revenue: int,
    by_revenue: Tier,
    kept: bool,
    threshold: int,
    floor: int,
) -> None:
    before = _snapshot(previous, 0) if previous else None
    state = tier_state(_snapshot(tier, revenue * 100), before, ScoringSettings(), None)
    assert state.revenue == Decimal(revenue)
    assert state.by_revenue is by_revenue
    assert state.kept_by_hysteresis is kept
    assert (state.threshold, state.keep_floor) == (Decimal(threshold), Decimal(floor))
    assert state.previous is previous
