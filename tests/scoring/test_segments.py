"""Segments (evaluated in order, first match wins) and tiers with hysteresis, at their edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from connector.config.scoring import SegmentsConfig, TiersConfig
from connector.model import Segment, Tier
from connector.scoring.facts import PartnerFacts
from connector.scoring.segments import segment, tier

OLD = date(2015, 1, 1)


def facts(**values: object) -> PartnerFacts:
    return PartnerFacts(partner_id="P1", partner_since=OLD, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("revenue", "total", "expected"),
    [
        (2_000, 10_000, Segment.TRANSACTIONAL),  # exactly 20%: not strategic
        (2_001, 10_000, Segment.STRATEGIC),  # 20.01%
        (1, 3, Segment.STRATEGIC),  # 33.3%
        (0, 0, Segment.TRANSACTIONAL),  # nobody has revenue
    ],
)
def test_strategic_above_20_percent_of_all_won_revenue(
    as_of: datetime, revenue: int, total: int, expected: Segment
) -> None:
    seg, _ = segment(facts(won_cents_recent=revenue), total, SegmentsConfig(), as_of)
    assert seg is expected


def test_exact_share_comparison_is_done_in_cents_not_floats(as_of: datetime) -> None:
    # 20% of 1,000,000,000,000,001 cents is not representable as a float share.
    total = 10**18 + 5
    just_over = total // 5 + 1
    seg, rule = segment(facts(won_cents_recent=just_over), total, SegmentsConfig(), as_of)
    assert seg is Segment.STRATEGIC
    assert rule.endswith("of all partners' won revenue (over 20%)")
    seg, _ = segment(facts(won_cents_recent=2 * 10**17), 10**18, SegmentsConfig(), as_of)
    assert seg is Segment.TRANSACTIONAL


def test_unique_resources_make_a_partner_strategic(as_of: datetime) -> None:
    seg, rule = segment(facts(unique_resources=True), 0, SegmentsConfig(), as_of)
    assert (seg, rule) == (Segment.STRATEGIC, "holds unique resources")
    off = SegmentsConfig(strategic_if_unique_resources=False)
    assert segment(facts(unique_resources=True), 0, off, as_of)[0] is Segment.TRANSACTIONAL


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [(0, Segment.PROSPECTIVE), (364, Segment.PROSPECTIVE), (365, Segment.TRANSACTIONAL)],
)
def test_prospective_while_a_partner_for_less_than_365_days(
    as_of: datetime, age_days: int, expected: Segment
) -> None:
    since = as_of.date() - timedelta(days=age_days)
    seg, rule = segment(
        PartnerFacts(partner_id="P1", partner_since=since), 0, SegmentsConfig(), as_of
    )
    assert seg is expected
    if expected is Segment.PROSPECTIVE:
        assert rule == f"partner for {age_days} days (under 365)"


@pytest.mark.parametrize(
    ("recent", "before", "expected"),
    [
        (150, 100, Segment.PROSPECTIVE),  # exactly +50%
        (14_999, 10_000, Segment.TRANSACTIONAL),  # +49.99%
        (300, 100, Segment.PROSPECTIVE),
        (100, 0, Segment.TRANSACTIONAL),  # a first deal is not growth
        (0, 0, Segment.TRANSACTIONAL),
    ],
)
def test_prospective_when_won_revenue_grew_at_least_50_percent(
    as_of: datetime, recent: int, before: int, expected: Segment
) -> None:
    f = facts(won_cents_recent=recent, won_cents_before=before)
    seg, rule = segment(f, 10**12, SegmentsConfig(), as_of)
    assert seg is expected
    if recent == 150:
        assert rule == "won revenue grew 50.00% year over year (at least 50%)"


def test_the_first_matching_rule_wins(as_of: datetime) -> None:
    # Strategic by share, and new, and growing: strategic comes first.
    young = as_of.date() - timedelta(days=10)
    f = PartnerFacts(
        partner_id="P1", partner_since=young, won_cents_recent=900, won_cents_before=100
    )
    assert segment(f, 1000, SegmentsConfig(), as_of)[0] is Segment.STRATEGIC
    # New and growing: prospective, by the partner-age rule (the first prospective rule).
    seg, rule = segment(f, 10**9, SegmentsConfig(), as_of)
    assert (seg, rule) == (Segment.PROSPECTIVE, "partner for 10 days (under 365)")
    seg, rule = segment(facts(), 10**9, SegmentsConfig(), as_of)
    assert (seg, rule) == (Segment.TRANSACTIONAL, "neither strategic nor prospective")


UNIT = 100  # cents per currency unit


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (Decimal(0), Tier.BRONZE),
        (Decimal("249999.99"), Tier.BRONZE),
        (Decimal(250_000), Tier.SILVER),
        (Decimal("999999.99"), Tier.SILVER),
        (Decimal(1_000_000), Tier.GOLD),
        (Decimal(5_000_000), Tier.GOLD),
    ],
)
def test_tier_by_won_revenue_in_the_last_12_months(units: Decimal, expected: Tier) -> None:
    assert tier(int(units * UNIT), None, TiersConfig())[0] is expected


@pytest.mark.parametrize(
    ("previous", "units", "expected"),
    [
        (Tier.GOLD, Decimal(910_000), Tier.GOLD),  # 9% below gold: kept
        (Tier.GOLD, Decimal(900_000), Tier.GOLD),  # exactly 10% below: kept
        (Tier.GOLD, Decimal("899999.99"), Tier.SILVER),  # more than 10% below: drops
        (Tier.GOLD, Decimal(890_000), Tier.SILVER),  # 11% below
        (Tier.GOLD, Decimal(100_000), Tier.BRONZE),  # straight to what the revenue says
        (Tier.SILVER, Decimal(230_000), Tier.SILVER),  # 8% below silver: kept
        (Tier.SILVER, Decimal(222_500), Tier.BRONZE),  # 11% below silver: drops
        (Tier.BRONZE, Decimal(250_000), Tier.SILVER),  # upgrades are immediate
        (Tier.BRONZE, Decimal(1_000_000), Tier.GOLD),
        (Tier.SILVER, Decimal(1_000_000), Tier.GOLD),
        (Tier.BRONZE, Decimal(249_000), Tier.BRONZE),  # no hysteresis upwards
    ],
)
def test_tier_hysteresis(previous: Tier, units: Decimal, expected: Tier) -> None:
    assert tier(int(units * UNIT), previous, TiersConfig())[0] is expected


def test_tier_rule_explains_the_decision() -> None:
    kept = tier(91_000_000, Tier.GOLD, TiersConfig())[1]
    assert kept == "kept gold: won revenue 910,000 is within 10% of the 1,000,000 threshold"
    assert tier(25_000_050, None, TiersConfig())[1] == ("won revenue 250,000.50 reaches 250,000")
    assert tier(0, None, TiersConfig())[1] == "won revenue 0 is below 250,000"


def test_tier_thresholds_are_config_in_currency_units() -> None:
    config = TiersConfig(gold=Decimal("100.50"), silver=Decimal(10), hysteresis_pct=Decimal(0))
    assert tier(10_050, None, config)[0] is Tier.GOLD
    assert tier(10_049, Tier.GOLD, config)[0] is Tier.SILVER
