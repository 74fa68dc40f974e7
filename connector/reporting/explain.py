"""Why a partner has its score, segment, tier and tasks: its latest stored snapshot, taken
apart.

The snapshot is the truth being explained (its score, components, segment and tier are
shown as stored). What a snapshot does not keep — the tier's revenue test, the playbook
conditions, the trend base — comes from scoring the portfolio again as of the snapshot's
``as_of`` with today's store and config; when that recomputation differs from the
snapshot (the config changed, or records changed since), the explanation says so and
how. Offline: the store only, no CRM call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from connector.config.scoring import ScoringSections
from connector.model import ComponentScore, Snapshot, Tier
from connector.reporting.directory import Directory, PartnerEntry
from connector.reporting.queries import changed_after
from connector.reporting.resolve import PartnerNotFound, resolve
from connector.scoring import (
    PlaybookResult,
    ScoredPartner,
    config_version,
    missing_data,
    points_lost,
    score_portfolio,
)
from connector.store import SqlStore

HISTORY_SHOWN = 6
_TIER_RANK = {Tier.BRONZE: 0, Tier.SILVER: 1, Tier.GOLD: 2}
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class TierState:
    """The tier test: won revenue against the thresholds, and whether hysteresis kept a tier.

    ``threshold`` is the stored tier's threshold (0 for bronze) and ``keep_floor`` the
    revenue below which that tier is lost (threshold less the hysteresis margin).
    """

    tier: Tier
    revenue: Decimal | None
    by_revenue: Tier | None
    previous: Tier | None
    kept_by_hysteresis: bool
    threshold: Decimal
    keep_floor: Decimal
    hysteresis_pct: Decimal
    rule: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``explain`` shows about one partner."""

    partner: PartnerEntry
    snapshot: Snapshot
    previous: Snapshot | None
    recomputed: ScoredPartner | None
    current_version: str
    differences: tuple[str, ...]
    changed_records: dict[str, int]
    tier: TierState
    history: tuple[Snapshot, ...]

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def playbooks(self) -> tuple[PlaybookResult, ...]:
        return self.recomputed.playbooks if self.recomputed else ()

    @property
    def missing_data(self) -> tuple[str, ...]:
        return missing_data(self.snapshot.components)


def explain(
    store: SqlStore, config: ScoringSections, query: str, *, history: int = HISTORY_SHOWN
) -> Explanation:
    """Explain the latest snapshot of the partner ``query`` names (see :func:`resolve`)."""
    entry = resolve(query, Directory.load(store))
    shots = store.snapshot_history(entry.partner_id, limit=max(history, 2) + 4)
    if not shots:
        raise PartnerNotFound(
            f"{entry.label()} has no score yet — run `partnerpulse sync` to score it"
        )
    snapshot = shots[0]
    earlier = store.snapshots_near(snapshot.as_of - _INSTANT)
    previous = earlier.get(entry.partner_id)
    scored = score_portfolio(store.engine, store.workspace, config, snapshot.as_of, earlier)
    recomputed = next((s for s in scored if s.partner_id == entry.partner_id), None)
    current = config_version(config)
    with store.engine.connect() as conn:
        changed = changed_after(conn, store.workspace, entry.refs, snapshot.as_of)
    return Explanation(
        partner=entry,
        snapshot=snapshot,
        previous=previous,
        recomputed=recomputed,
        current_version=current,
        differences=differences(snapshot, recomputed),
        changed_records=changed,
        tier=tier_state(snapshot, previous, config, recomputed),
        history=tuple(shots[:history]),
    )


def differences(stored: Snapshot, recomputed: ScoredPartner | None) -> tuple[str, ...]:
    """What the recomputation gives that the stored snapshot does not, in words."""
    if recomputed is None:
        return ("scoring again as of the snapshot's date does not score this partner at all",)
    again = recomputed.snapshot
    found = []
    if again.score != stored.score:
        found.append(f"score {again.score:.1f} (stored {stored.score:.1f})")
    for field in ("grade", "segment", "tier", "trend"):
        new, old = getattr(again, field), getattr(stored, field)
        if new != old:
            found.append(f"{field} {new.value} (stored {old.value})")
    if again.churned != stored.churned:
        found.append(f"churned {again.churned} (stored {stored.churned})")
    old_parts = {c.name: c for c in stored.components}
    for part in again.components:
        before = old_parts.get(part.name)
        if before is None or before.value != part.value or before.weight != part.weight:
            was = _value(before.value) if before else "absent"
            found.append(f"{part.name} {_value(part.value)} (stored {was})")
    if again.reasons != stored.reasons and not found:
        found.append("the reasons are worded differently")
    return tuple(found)


def tier_state(
    snapshot: Snapshot,
    previous: Snapshot | None,
    config: ScoringSections,
    recomputed: ScoredPartner | None,
) -> TierState:
    """The tier test behind the stored tier, from the revenue the snapshot recorded."""
    tiers = config.tiers
    cents = _stored_revenue_cents(snapshot.components)
    if cents is None and recomputed is not None:
        cents = recomputed.facts.won_cents_recent
    revenue = None if cents is None else Decimal(cents) / 100
    by_revenue = None
    if revenue is not None:
        by_revenue = (
            Tier.GOLD
            if revenue >= tiers.gold
            else Tier.SILVER
            if revenue >= tiers.silver
            else Tier.BRONZE
        )
    threshold = {Tier.GOLD: tiers.gold, Tier.SILVER: tiers.silver}.get(snapshot.tier, Decimal(0))
    kept = by_revenue is not None and _TIER_RANK[snapshot.tier] > _TIER_RANK[by_revenue]
    return TierState(
        tier=snapshot.tier,
        revenue=revenue,
        by_revenue=by_revenue,
        previous=previous.tier if previous else None,
        kept_by_hysteresis=kept,
        threshold=threshold,
        keep_floor=threshold * (100 - tiers.hysteresis_pct) / 100,
        hysteresis_pct=tiers.hysteresis_pct,
        rule=recomputed.tier_rule if recomputed else "",
    )


def component_rows(snapshot: Snapshot) -> list[dict[str, object]]:
    """Each stored component with its inputs, normalised and configured weight, and the
    points it cost."""
    rows: list[dict[str, object]] = []
    for c in snapshot.components:
        inputs = {k: v for k, v in c.inputs.items() if k != "configured_weight"}
        rows.append(
            {
                "name": c.name,
                "value": c.value,
                "has_data": c.value is not None,
                "weight": round(c.weight, 4),
                "configured_weight": c.inputs.get("configured_weight"),
                "points_lost": round(points_lost(c), 1),
                "inputs": inputs,
                "reason": c.reason,
            }
        )
    return rows


def _stored_revenue_cents(components: tuple[ComponentScore, ...]) -> int | None:
    for c in components:
        value = c.inputs.get("won_cents_recent")
        if isinstance(value, int | float):
            return int(value)
    return None


def _value(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f}"
