"""Segment (strategic / prospective / transactional) and tier (gold / silver / bronze).

Money is compared exactly: revenue in integer cents against thresholds in currency units
(``Decimal``) scaled by 100, never through floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from connector.config.scoring import SegmentsConfig, TiersConfig
from connector.model import Segment, Tier
from connector.scoring.facts import PartnerFacts, days_since

_HUNDRED = Decimal(100)
_TIER_RANK = {Tier.BRONZE: 0, Tier.SILVER: 1, Tier.GOLD: 2}


def segment(
    facts: PartnerFacts, total_won_cents: int, config: SegmentsConfig, as_of: datetime
) -> tuple[Segment, str]:
    """The first matching segment and the rule that matched, in words.

    1. strategic: share of all partners' won revenue (revenue window) strictly above
       ``strategic_revenue_share_pct``, or holds unique resources;
    2. prospective: a partner for fewer than ``prospective_partner_days``, or won revenue
       grew at least ``prospective_growth_pct`` on a non-zero previous window;
    3. transactional: everyone else.
    """
    revenue = Decimal(facts.won_cents_recent)
    limit = config.strategic_revenue_share_pct
    if total_won_cents > 0 and revenue * _HUNDRED > limit * total_won_cents:
        share = _pct(revenue * _HUNDRED / total_won_cents)
        return Segment.STRATEGIC, f"{share}% of all partners' won revenue (over {limit}%)"
    if config.strategic_if_unique_resources and facts.unique_resources:
        return Segment.STRATEGIC, "holds unique resources"
    if facts.partner_since is not None:
        age = days_since(as_of, facts.partner_since)
        if age < config.prospective_partner_days:
            return (
                Segment.PROSPECTIVE,
                f"partner for {max(0, age)} days (under {config.prospective_partner_days})",
            )
    before = Decimal(facts.won_cents_before)
    growth_min = config.prospective_growth_pct
    if before > 0 and revenue * _HUNDRED >= before * (_HUNDRED + growth_min):
        growth = _pct((revenue - before) * _HUNDRED / before)
        return (
            Segment.PROSPECTIVE,
            f"won revenue grew {growth}% year over year (at least {growth_min}%)",
        )
    return Segment.TRANSACTIONAL, "neither strategic nor prospective"


def tier(won_cents_recent: int, previous: Tier | None, config: TiersConfig) -> tuple[Tier, str]:
    """The tier by won revenue, with hysteresis, and why.

    Upgrades are immediate when a threshold is reached; a partner keeps its previous,
    higher tier while its revenue is at most ``hysteresis_pct`` below that tier's
    threshold.
    """
    revenue = Decimal(won_cents_recent)
    raw = _raw_tier(revenue, config)
    if previous is not None and _TIER_RANK[previous] > _TIER_RANK[raw]:
        threshold = _threshold_cents(previous, config)
        if revenue * _HUNDRED >= threshold * (_HUNDRED - config.hysteresis_pct):
            return previous, (
                f"kept {previous.value}: won revenue {_money(revenue)} is within "
                f"{config.hysteresis_pct}% of the {_money(threshold)} threshold"
            )
    if raw is Tier.BRONZE:
        return raw, f"won revenue {_money(revenue)} is below {_money(config.silver * _HUNDRED)}"
    threshold = _threshold_cents(raw, config)
    return raw, f"won revenue {_money(revenue)} reaches {_money(threshold)}"


def _raw_tier(revenue_cents: Decimal, config: TiersConfig) -> Tier:
    if revenue_cents >= config.gold * _HUNDRED:
        return Tier.GOLD
    if revenue_cents >= config.silver * _HUNDRED:
        return Tier.SILVER
    return Tier.BRONZE


def _threshold_cents(tier_: Tier, config: TiersConfig) -> Decimal:
    if tier_ is Tier.GOLD:
        return config.gold * _HUNDRED
    if tier_ is Tier.SILVER:
        return config.silver * _HUNDRED
    return Decimal(0)


def _pct(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _money(cents: Decimal) -> str:
    """Currency units with thousands separators: ``1,000,000`` or ``1,234.50``."""
    units = cents / _HUNDRED
    if units == units.to_integral_value():
        return f"{int(units):,}"
    return f"{units.quantize(Decimal('0.01')):,}"
