"""The back-test: would the score have warned about the partners that later churned?

The portfolio is scored again as of past dates (monthly by default) — gathering reads
only what had happened by each date, so the past is replayed from today's store. The
replay is chained in date order: each date's results are the next one's previous
snapshots (tier hysteresis, grade changes) and trend base; nothing is written. At each
date, every active partner is labelled by whether its partner-end date falls within the
next ``horizon_days``, and the score is measured as a churn warning:

- AUC: the chance that a partner that churned scored lower than one that stayed (ties
  count half), by the rank (Mann-Whitney) formula;
- precision of ``at_risk``: the share of at-risk partners that churned; recall: the share
  of churners that were at risk.

Only dates whose whole horizon lies before the last sync are used, so every label is
known. A churn with no end date (a partner dropped from the filter) is not dated and not
counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from connector.config.scoring import ScoringSections
from connector.model import Grade, Snapshot
from connector.reporting.queries import last_scored_query
from connector.scoring import ScoredPartner, config_version, score_portfolio
from connector.scoring.facts import months_before
from connector.store import SqlStore

DEFAULT_HORIZON_DAYS = 180
DEFAULT_DATES = 12


@dataclass(frozen=True, slots=True)
class Outcome:
    """One partner at one date: its replayed score and grade, and whether it churned."""

    score: float
    at_risk: bool
    churned: bool


@dataclass(frozen=True, slots=True)
class Measure:
    """How well scores ranked and flagged churners, over some outcomes."""

    partners: int
    churned: int
    auc: float | None
    at_risk: int
    at_risk_churned: int

    @property
    def precision(self) -> float | None:
        return None if self.at_risk == 0 else self.at_risk_churned / self.at_risk

    @property
    def recall(self) -> float | None:
        return None if self.churned == 0 else self.at_risk_churned / self.churned


@dataclass(frozen=True, slots=True)
class BacktestPoint:
    as_of: datetime
    measure: Measure


@dataclass(frozen=True, slots=True)
class Backtest:
    """Per-date measures, the pooled overall one, and what produced them."""

    horizon_days: int
    config_version: str
    points: tuple[BacktestPoint, ...]
    overall: Measure

    @property
    def mean_auc(self) -> float | None:
        aucs = [p.measure.auc for p in self.points if p.measure.auc is not None]
        return sum(aucs) / len(aucs) if aucs else None


def churn_auc(scores: Sequence[float], churned: Sequence[bool]) -> float | None:
    """AUC of "a lower score means churn": P(churner < stayer) + ½ P(tie).

    Mann-Whitney: rank all scores ascending (ties get their average rank); the stayers'
    rank sum less its minimum, over (stayers × churners). ``None`` without both classes.
    """
    if len(scores) != len(churned):
        raise ValueError("scores and churned must be the same length")
    stayers = sum(1 for c in churned if not c)
    churners = len(churned) - stayers
    if stayers == 0 or churners == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        average = (start + end) / 2 + 1  # ranks are 1-based
        for k in range(start, end + 1):
            ranks[order[k]] = average
        start = end + 1
    stayer_ranks = sum(r for r, c in zip(ranks, churned, strict=True) if not c)
    return (stayer_ranks - stayers * (stayers + 1) / 2) / (stayers * churners)


def measure(outcomes: Iterable[Outcome]) -> Measure:
    rows = list(outcomes)
    churned = [o.churned for o in rows]
    flagged = [o for o in rows if o.at_risk]
    return Measure(
        partners=len(rows),
        churned=sum(churned),
        auc=churn_auc([o.score for o in rows], churned),
        at_risk=len(flagged),
        at_risk_churned=sum(o.churned for o in flagged),
    )


def last_sync(store: SqlStore) -> datetime | None:
    """The end of what the store knows: its last scoring, else its last run's start."""
    with store.engine.connect() as conn:
        scored = conn.execute(last_scored_query(store.workspace)).scalar_one_or_none()
    if isinstance(scored, datetime):
        return scored
    runs = store.runs(limit=1)
    return runs[0].started_at if runs else None


def replay_dates(last_sync: datetime, horizon_days: int, count: int) -> list[datetime]:
    """``count`` monthly dates, oldest first, the last one ``horizon_days`` before the last
    sync (so each date's horizon is fully observed)."""
    end = last_sync.astimezone(UTC) - timedelta(days=horizon_days)
    found = []
    for back in range(count - 1, -1, -1):
        day = months_before(end.date(), back)
        found.append(datetime.combine(day, end.timetz()))
    return found


def outcomes_at(scored: Sequence[ScoredPartner], horizon_days: int) -> list[Outcome]:
    """Every partner active at its snapshot's date, labelled by churn within the horizon."""
    found = []
    for s in scored:
        snap = s.snapshot
        if snap.churned:
            continue
        day = snap.as_of.date()
        end = s.facts.partner_end
        churned = end is not None and day < end <= day + timedelta(days=horizon_days)
        found.append(Outcome(snap.score, snap.grade is Grade.AT_RISK, churned))
    return found


def run_backtest(
    engine: Engine,
    workspace: str,
    config: ScoringSections,
    dates: Sequence[datetime],
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> Backtest:
    """Replay the portfolio at each of ``dates`` (in order, chained) and measure each."""
    previous: dict[str, Snapshot] = {}
    points = []
    pooled: list[Outcome] = []
    for as_of in sorted(dates):
        scored = score_portfolio(engine, workspace, config, as_of, previous, trend_base=previous)
        previous = previous | {s.partner_id: s.snapshot for s in scored}
        outcomes = outcomes_at(scored, horizon_days)
        pooled.extend(outcomes)
        points.append(BacktestPoint(as_of, measure(outcomes)))
    return Backtest(horizon_days, config_version(config), tuple(points), measure(pooled))
