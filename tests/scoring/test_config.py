"""The scoring config sections: domain.md's defaults, validation, and the config version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from connector.config.scoring import (
    AtRiskCallPlaybook,
    ComponentWeights,
    PlaybooksConfig,
    ScoringConfig,
    ScoringSettings,
    SegmentsConfig,
    TiersConfig,
)
from connector.scoring import config_version


def test_defaults_are_domain_md() -> None:
    s = ScoringSettings()
    assert s.scoring.weights.model_dump() == {
        "communication": 25,
        "engagement": 15,
        "mutual_value": 20,
        "issue_backlog": 20,
        "satisfaction": 20,
        "kpi": 0,
    }
    assert s.scoring.kpi_weight_when_mapped == 10
    sc = s.scoring
    assert (sc.communication_full_days, sc.communication_zero_days) == (30, 120)
    assert (sc.engagement_window_days, sc.revenue_window_months, sc.nps_window_days) == (
        90,
        12,
        365,
    )
    assert (sc.issue_old_days, sc.issue_old_penalty, sc.issue_other_penalty) == (30, 25, 10)
    assert (sc.healthy_min, sc.watch_min, sc.trend_lookback_days, sc.trend_flat_band) == (
        70,
        40,
        28,
        5,
    )
    assert sc.reasons_max_chars == 255
    assert s.segments.strategic_revenue_share_pct == 20
    assert s.segments.prospective_partner_days == 365
    assert s.segments.prospective_growth_pct == 50
    assert (s.tiers.gold, s.tiers.silver, s.tiers.hysteresis_pct) == (1_000_000, 250_000, 10)
    table = {name: (p.task, p.due_days, p.priority) for name, p in s.playbooks.by_name().items()}
    assert table == {
        "quarterly_review": ("Schedule the quarterly business review", 14, "normal"),
        "at_risk_call": ("Call the partner: health fell to {score} ({reasons})", 3, "high"),
        "resolve_backlog": ("Review {n} unresolved issues with the partner", 7, "high"),
        "nps_survey": ("Send the annual NPS survey", 30, "low"),
        "detractor_followup": (
            "Acknowledge the feedback, propose a fix, record the outcome",
            5,
            "high",
        ),
        "enablement": ("Offer product and sales training", 14, "normal"),
        "tier_change": ("Tell the partner about the new {tier} status", 7, "low"),
    }


@pytest.mark.parametrize(
    ("section", "data", "message"),
    [
        (ComponentWeights, {"engagement": -1}, "greater than or equal to 0"),
        (ScoringConfig, {"communication_full_days": 120}, "must be less than"),
        (ScoringConfig, {"watch_min": 80}, "must not be above healthy_min"),
        (
            ScoringConfig,
            {"weights": {"communication": 0, "engagement": 0, "issue_backlog": 0}},
            "at least one of",
        ),
        (ScoringConfig, {"wieghts": {}}, "Extra inputs are not permitted"),
        (SegmentsConfig, {"strategic_revenue_share_pct": 120}, "less than or equal to 100"),
        (TiersConfig, {"silver": 2_000_000}, "must be below gold"),
        (TiersConfig, {"gold": "1000.001"}, "decimal places"),
        (TiersConfig, {"hysteresis_pct": 100}, "less than 100"),
        (AtRiskCallPlaybook, {"task": "Call {owner}"}, "uses {owner}; it may only use"),
        (AtRiskCallPlaybook, {"task": "Call {}"}, "it may only use"),
        (AtRiskCallPlaybook, {"task": "Call {score"}, "not a valid template"),
        (AtRiskCallPlaybook, {"priority": "urgent"}, "'low', 'normal' or 'high'"),
        (PlaybooksConfig, {"quartely_review": {}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_them(
    section: Any, data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        section.model_validate(data)
    assert message in str(caught.value)


def test_sections_are_frozen() -> None:
    with pytest.raises(ValidationError):
        ScoringConfig().healthy_min = 50  # type: ignore[misc]


def test_config_version_is_short_stable_and_follows_every_rule() -> None:
    base = config_version(ScoringSettings())
    assert len(base) == 12
    assert int(base, 16) >= 0
    assert config_version(ScoringSettings()) == base
    # Equal values written differently are one version.
    same = ScoringSettings(segments=SegmentsConfig(strategic_revenue_share_pct=Decimal("20.0")))
    assert config_version(same) == base
    changed = [
        ScoringSettings(scoring=ScoringConfig(weights=ComponentWeights(communication=30))),
        ScoringSettings(segments=SegmentsConfig(prospective_partner_days=180)),
        ScoringSettings(tiers=TiersConfig(gold=Decimal(2_000_000))),
        ScoringSettings(
            playbooks=PlaybooksConfig(at_risk_call=AtRiskCallPlaybook(task="Call them"))
        ),
    ]
    versions = {config_version(s) for s in changed}
    assert len(versions) == 4
    assert base not in versions


def test_the_root_config_carries_the_sections() -> None:
    from connector.config import Config

    root = Config()
    assert config_version(root) == config_version(ScoringSettings())
