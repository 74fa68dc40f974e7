"""The portfolio report: the metrics of ``metrics.py`` read from the store, per period.

Partner lifecycles, lifetime revenue and NPS answers come from one aggregate statement
each (one row per partner at 10,000 partners). Grade, segment and tier mixes come from
scoring runs: a run scores the whole portfolio at one instant, so the mix at a period's
end is the last run at or before it, and the score history is one point per day that had
a run (at most ``HISTORY_POINTS``, evenly spread, the latest always kept).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, select

from connector.model import Grade, Snapshot
from connector.reporting import queries
from connector.reporting.directory import Directory
from connector.reporting.metrics import (
    Lifecycle,
    LifetimeValue,
    Mix,
    PeriodNps,
    Retention,
    latest_per_partner,
    lifetime_value,
    median,
    mix,
    period_nps,
    retention,
)
from connector.reporting.periods import Period, PeriodKind, periods_until
from connector.scoring.queries import partner_query
from connector.store import SqlStore
from connector.store.tables import snapshots

HISTORY_POINTS = 60
TOP_AT_RISK = 10


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One scoring run: when, how many active partners, mean and median score, grade counts."""

    as_of: datetime
    partners: int
    mean: float | None
    median: float | None
    grades: dict[str, int]


@dataclass(frozen=True, slots=True)
class AtRisk:
    """An at-risk partner of the latest run, with why."""

    partner_id: str
    name: str
    score: float
    trend: str
    segment: str
    tier: str
    reasons: tuple[str, ...]
    lifetime_value: float


@dataclass(frozen=True, slots=True)
class PeriodMix:
    period: Period
    run_at: datetime | None
    mix: Mix | None


@dataclass(frozen=True, slots=True)
class PortfolioReport:
    """Everything ``report`` shows; ``mixes`` align with ``periods``, the last is now."""

    as_of: datetime
    kind: PeriodKind
    periods: tuple[Period, ...]
    partners_now: int
    retention: tuple[Retention, ...]
    ltv: LifetimeValue
    nps: tuple[PeriodNps, ...]
    mixes: tuple[PeriodMix, ...]
    history: tuple[HistoryPoint, ...]
    at_risk: tuple[AtRisk, ...]
    at_risk_total: int

    @property
    def current(self) -> PeriodMix:
        return self.mixes[-1]

    @property
    def previous(self) -> PeriodMix | None:
        return self.mixes[-2] if len(self.mixes) > 1 else None


def build_report(
    store: SqlStore,
    *,
    as_of: datetime,
    kind: PeriodKind = PeriodKind.QUARTER,
    count: int = 8,
    top: int = TOP_AT_RISK,
) -> PortfolioReport:
    """Read the store and compute the report as of ``as_of`` over ``count`` periods."""
    day = as_of.astimezone(UTC).date()
    periods = periods_until(day, kind, count)
    directory = Directory.load(store)
    with store.engine.connect() as conn:
        lifecycles = load_lifecycles(conn, store.workspace)
        won = {
            pid: int(cents or 0)
            for pid, cents in conn.execute(queries.lifetime_value_query(store.workspace, day))
        }
        nps = tuple(_period_nps(conn, store.workspace, p) for p in periods)
        instants = _runs(conn, store.workspace, as_of)
        mixes = tuple(_period_mix(conn, store.workspace, p, instants) for p in periods)
        history = _history(conn, store.workspace, instants)
    ever = [p for p in lifecycles if p.since is not None and p.since <= day]
    latest = mixes[-1].run_at
    at_risk = _at_risk(store, latest, directory, won) if latest else []
    return PortfolioReport(
        as_of=as_of,
        kind=kind,
        periods=tuple(periods),
        partners_now=sum(p.at(day) for p in lifecycles),
        retention=tuple(retention(lifecycles, p) for p in periods),
        ltv=lifetime_value(won.get(p.partner_id, 0) for p in ever),
        nps=nps,
        mixes=mixes,
        history=history,
        at_risk=tuple(at_risk[:top]),
        at_risk_total=len(at_risk),
    )


def load_lifecycles(conn: Connection, workspace: str) -> list[Lifecycle]:
    """Every partner there has been: a record matching the filter, an end date, or a
    snapshot that found it churned (which dates a churn by filter without an end date)."""
    rows = conn.execute(partner_query(workspace)).all()  # scoring's identity facts
    left = [pid for pid, is_partner, _, _, end, _ in rows if not is_partner and end is None]
    seen: dict[str, date] = {}
    if left:
        found = conn.execute(queries.churn_seen_query(workspace, left))
        seen = {pid: at.date() for pid, at in found if at is not None}
    lifecycles = []
    for pid, is_partner, since, created, end, _ in rows:
        if not is_partner and end is None and pid not in seen:
            continue  # never a partner (a customer linked by domain, say)
        start = since if since is not None else (created.date() if created else None)
        lifecycles.append(Lifecycle(pid, start, end if end is not None else seen.get(pid)))
    return lifecycles


def _period_nps(conn: Connection, workspace: str, period: Period) -> PeriodNps:
    rows = conn.execute(queries.survey_query(workspace, period.start, period.end))
    return period_nps(period, latest_per_partner((pid, score) for pid, score, _ in rows))


def _runs(conn: Connection, workspace: str, as_of: datetime) -> list[datetime]:
    """The last scoring instant of each day up to ``as_of``, oldest first."""
    per_day: dict[date, datetime] = {}
    for at, _ in conn.execute(queries.snapshot_days_query(workspace)):
        if at <= as_of:
            per_day[at.date()] = at
    return sorted(per_day.values())


def _period_mix(
    conn: Connection, workspace: str, period: Period, instants: Sequence[datetime]
) -> PeriodMix:
    end = datetime.combine(period.end, time.max, tzinfo=UTC)
    chosen = [at for at in instants if at <= end]
    if not chosen:
        return PeriodMix(period, None, None)
    rows = conn.execute(queries.run_mix_query(workspace, chosen[-1]))
    return PeriodMix(period, chosen[-1], mix((g, s, t, int(n)) for g, s, t, n in rows))


def _history(
    conn: Connection, workspace: str, instants: Sequence[datetime]
) -> tuple[HistoryPoint, ...]:
    chosen = _spread(instants, HISTORY_POINTS)
    if not chosen:
        return ()
    counts: dict[datetime, dict[str, int]] = defaultdict(dict)
    totals: dict[datetime, float] = defaultdict(float)
    for at, grade, partners, total in conn.execute(queries.run_grades_query(workspace, chosen)):
        counts[at][grade] = int(partners)
        totals[at] += float(total)
    medians = {}
    for at in chosen:
        active = sum(counts[at].values())
        if active:
            middle = conn.execute(queries.middle_scores_query(workspace, at, active)).scalars()
            medians[at] = median(list(middle))
    points = []
    for at in chosen:
        n = sum(counts[at].values())
        points.append(
            HistoryPoint(
                at,
                n,
                totals[at] / n if n else None,
                medians.get(at),
                {g.value: counts[at].get(g.value, 0) for g in Grade},
            )
        )
    return tuple(points)


def _spread(items: Sequence[datetime], limit: int) -> list[datetime]:
    """At most ``limit`` items evenly spread, the first and the last always kept."""
    if len(items) <= limit:
        return list(items)
    step = (len(items) - 1) / (limit - 1)
    return sorted({items[round(i * step)] for i in range(limit)})


def _at_risk(
    store: SqlStore, at: datetime, directory: Directory, won: dict[str, int]
) -> list[AtRisk]:
    c = snapshots.c
    query = (
        select(snapshots)
        .where(
            c.workspace == store.workspace,
            c.as_of == at,
            c.churned.is_(False),
            c.grade == Grade.AT_RISK.value,
        )
        .order_by(c.partner_id, c.config_version.desc())
    )
    found: dict[str, Snapshot] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            values = {k: v for k, v in row.items() if k not in ("workspace", "run_id")}
            found.setdefault(row["partner_id"], Snapshot.model_validate(values))
    items = [
        AtRisk(
            partner_id=s.partner_id,
            name=directory.name(s.partner_id),
            score=s.score,
            trend=s.trend.value,
            segment=s.segment.value,
            tier=s.tier.value,
            reasons=s.reasons,
            lifetime_value=won.get(s.partner_id, 0) / 100,
        )
        for s in found.values()
    ]
    return sorted(items, key=lambda a: (a.score, -a.lifetime_value, a.name.casefold()))
