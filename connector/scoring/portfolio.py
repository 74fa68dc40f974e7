"""Scoring a whole workspace as of a date: gather facts in SQL, then score each partner
with pure functions.

Who is scored: a canonical partner with at least one linked record matching the partner
filter, or one that churned. It churned when its earliest ``partner_end`` is on or before
``as_of``, or when no linked record matches the filter any more while it has a previous
snapshot (the store remembers it was a partner); it stays churned until a record matches
again. Churned partners get a snapshot marked ``churned`` (retention and back-tests count
them); planning skips them. A partner whose partner-since date is after ``as_of`` is not
a partner yet, and a non-partner never snapshotted is not one at all: neither is scored.
The strategic share is of the won revenue of every scored partner, churned ones included
(they earned it while partners).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine

from connector.config.scoring import ScoringSections
from connector.model import Snapshot
from connector.scoring import health
from connector.scoring.components import all_components
from connector.scoring.facts import PartnerFacts, Windows
from connector.scoring.gather import gather_facts, total_won_cents
from connector.scoring.history import BaseScore, bases_from_snapshots, trend_bases
from connector.scoring.playbooks import PlaybookResult, evaluate
from connector.scoring.segments import segment, tier
from connector.scoring.version import config_version


class Status(StrEnum):
    ACTIVE = "active"
    CHURNED = "churned"


@dataclass(frozen=True, slots=True)
class ScoredPartner:
    """One partner's result: the snapshot to keep, the playbooks it calls for, and what
    ``explain`` needs beyond the snapshot (the facts, the tier rule, the trend base)."""

    snapshot: Snapshot
    playbooks: tuple[PlaybookResult, ...]
    facts: PartnerFacts
    tier_rule: str
    trend_base: BaseScore | None

    @property
    def partner_id(self) -> str:
        return self.snapshot.partner_id

    def fired(self) -> tuple[PlaybookResult, ...]:
        """The playbooks whose condition calls for a task now."""
        return tuple(p for p in self.playbooks if p.fires)


def partner_status(
    facts: PartnerFacts, as_of: datetime, previous: Snapshot | None
) -> Status | None:
    """Active, churned, or ``None`` when the partner is not to be scored at ``as_of``."""
    day = as_of.astimezone(UTC).date()
    if facts.partner_since is not None and facts.partner_since > day:
        return None
    if facts.partner_end is not None and facts.partner_end <= day:
        return Status.CHURNED
    if facts.is_partner:
        return Status.ACTIVE
    return Status.CHURNED if previous is not None else None


def score_partner(
    facts: PartnerFacts,
    settings: ScoringSections,
    as_of: datetime,
    *,
    total_won_cents: int,
    previous: Snapshot | None,
    trend_base: BaseScore | None,
    version: str,
    churned: bool = False,
) -> ScoredPartner:
    """Score one partner: pure, from its facts, the portfolio total and its history."""
    config = settings.scoring
    components = health.renormalise(all_components(facts, config, as_of))
    score = health.weighted_score(components)
    seg, rule = segment(facts, total_won_cents, settings.segments, as_of)
    tier_, tier_rule = tier(
        facts.won_cents_recent, previous.tier if previous else None, settings.tiers
    )
    snapshot = Snapshot(
        partner_id=facts.partner_id,
        as_of=as_of,
        score=score,
        grade=health.grade(score, config),
        segment=seg,
        segment_rule=rule,
        tier=tier_,
        trend=health.trend(score, trend_base.score if trend_base else None, config),
        # Validated once, with the snapshot: cheaper than a model per component.
        components=[c._asdict() for c in components],
        reasons=health.reasons(components, config),
        config_version=version,
        churned=churned,
    )
    playbooks = evaluate(snapshot, facts, previous, settings.playbooks, config)
    return ScoredPartner(snapshot, playbooks, facts, tier_rule, trend_base)


def score_portfolio(
    bind: Engine | Connection,
    workspace: str,
    config: ScoringSections,
    as_of: datetime,
    previous: Mapping[str, Snapshot],
    *,
    trend_base: Mapping[str, Snapshot] | None = None,
) -> list[ScoredPartner]:
    """Score every partner of ``workspace`` as of ``as_of``, sorted by partner id.

    ``previous`` is each partner's latest snapshot before ``as_of`` (tier hysteresis,
    grade and tier changes, churn by filter). The trend is measured against the snapshot
    nearest to ``trend_lookback_days`` before ``as_of``, read from the snapshots table
    unless ``trend_base`` gives it. Nothing is written.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(UTC)
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return score_portfolio(conn, workspace, config, as_of, previous, trend_base=trend_base)
    with _collector_paused():
        return _score_all(bind, workspace, config, as_of, previous, trend_base)


def _score_all(
    conn: Connection,
    workspace: str,
    config: ScoringSections,
    as_of: datetime,
    previous: Mapping[str, Snapshot],
    trend_base: Mapping[str, Snapshot] | None,
) -> list[ScoredPartner]:
    version = config_version(config)
    review = config.playbooks.quarterly_review
    windows = Windows.of(as_of, config.scoring, min_history_days=review.no_meeting_days)
    facts = gather_facts(conn, workspace, windows)
    if trend_base is None:
        target = as_of - timedelta(days=config.scoring.trend_lookback_days)
        bases = trend_bases(conn, workspace, target, as_of, version)
    else:
        bases = bases_from_snapshots(trend_base)
    statuses = {
        pid: status
        for pid, f in facts.items()
        if (status := partner_status(f, as_of, previous.get(pid))) is not None
    }
    total = total_won_cents({pid: facts[pid] for pid in statuses})
    return [
        score_partner(
            facts[pid],
            config,
            as_of,
            total_won_cents=total,
            previous=previous.get(pid),
            trend_base=bases.get(pid),
            version=version,
            churned=status is Status.CHURNED,
        )
        for pid, status in sorted(statuses.items())
    ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while scoring a portfolio.

    Gathering and scoring allocate a few dozen small objects per partner and keep them,
    so with 10,000 partners the collector keeps re-scanning a growing heap for cycles
    that are not there: a third of the time (bench/scoring_bench.py). Reference counting
    still frees everything as usual; the previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
