"""The portfolio report as JSON, and as tables in a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from connector.model import Grade, Segment, Tier
from connector.reporting.metrics import Mix, change
from connector.reporting.periods import Period
from connector.reporting.portfolio import PeriodMix, PortfolioReport

GRADES = [g.value for g in Grade]
SEGMENTS = [s.value for s in Segment]
TIERS = [t.value for t in Tier]
SEED_LABEL = "end ÷ start × 100 (seed's formula; counts new partners, can exceed 100%)"
COHORT_LABEL = "(end − new) ÷ start × 100 (cohort: starting partners still there)"


def report_document(r: PortfolioReport) -> dict[str, Any]:
    """The report as JSON-ready data: every number, with its formula named."""
    previous = r.previous.mix if r.previous else None
    current = r.current.mix
    return {
        "as_of": r.as_of.isoformat(),
        "period": r.kind.value,
        "partners_now": r.partners_now,
        "retention": {
            "formulas": {"seed_rate": SEED_LABEL, "cohort_rate": COHORT_LABEL},
            "periods": [
                _period(x.period)
                | {
                    "at_start": x.start,
                    "at_end": x.end,
                    "new": x.new,
                    "lost": x.lost,
                    "seed_rate": _round(x.seed_rate),
                    "cohort_rate": _round(x.cohort_rate),
                }
                for x in r.retention
            ],
        },
        "lifetime_value": {
            "partners": r.ltv.partners,
            "total": _round(r.ltv.total),
            "mean": _round(r.ltv.mean),
            "median": _round(r.ltv.median),
        },
        "nps": [
            _period(n.period)
            | {
                "nps": _round(n.nps),
                "responses": n.responses,
                "promoters": n.promoters,
                "passives": n.passives,
                "detractors": n.detractors,
            }
            for n in r.nps
        ],
        "mix": {
            "now": _mix(current),
            "run_at": r.current.run_at.isoformat() if r.current.run_at else None,
            "previous_period_run_at": (
                r.previous.run_at.isoformat() if r.previous and r.previous.run_at else None
            ),
            "change_since_last_period": _mix_change(current, previous),
            "periods": [_period(m.period) | {"mix": _mix(m.mix)} for m in r.mixes],
        },
        "score_history": [
            {
                "as_of": h.as_of.isoformat(),
                "partners": h.partners,
                "mean": _round(h.mean),
                "median": _round(h.median),
                "grades": h.grades,
            }
            for h in r.history
        ],
        "at_risk": {
            "total": r.at_risk_total,
            "top": [
                {
                    "partner_id": a.partner_id,
                    "name": a.name,
                    "score": a.score,
                    "trend": a.trend,
                    "segment": a.segment,
                    "tier": a.tier,
                    "lifetime_value": _round(a.lifetime_value),
                    "reasons": list(a.reasons),
                }
                for a in r.at_risk
            ],
        },
    }


def print_report(console: Console, r: PortfolioReport) -> None:
    """Headline numbers, then retention, NPS, mixes with their change, and at-risk partners."""
    console.print(
        f"[bold]Partner portfolio[/] as of {r.as_of:%Y-%m-%d} — {r.partners_now} partners; "
        f"lifetime value mean {money(r.ltv.mean)}, median {money(r.ltv.median)} "
        f"over {r.ltv.partners} partners (current and former)"
    )
    table = Table(title=f"retention per {r.kind.value}", show_edge=False, title_justify="left")
    for column in (
        "period",
        "start",
        "end",
        "new",
        "lost",
        "seed rate",
        "cohort rate",
        "NPS",
        "answers",
    ):
        table.add_column(column, justify="left" if column == "period" else "right")
    for cells in retention_cells(r):
        table.add_row(*cells)
    console.print(table)
    console.print(f"[dim]seed rate = {SEED_LABEL}\ncohort rate = {COHORT_LABEL}[/]")
    console.print(_mix_table(r.current, r.previous))
    if r.at_risk:
        risk = Table(
            title=f"at-risk partners (top {len(r.at_risk)} of {r.at_risk_total})",
            show_edge=False,
            title_justify="left",
        )
        for column in ("partner", "score", "trend", "segment", "tier", "LTV", "why"):
            risk.add_column(
                column, overflow="fold", justify="right" if column in ("score", "LTV") else "left"
            )
        for a in r.at_risk:
            risk.add_row(
                a.name,
                f"{a.score:.1f}",
                a.trend,
                a.segment,
                a.tier,
                money(a.lifetime_value),
                "; ".join(a.reasons),
            )
        console.print(risk)
    elif r.current.mix is not None:
        console.print("no partner is at risk in the latest run")


def _mix_table(current: PeriodMix, previous: PeriodMix | None) -> Table | str:
    if current.mix is None:
        return "no scoring run yet: run `partnerpulse sync` for grade, segment and tier mixes"
    before = previous.mix if previous else None
    label = previous.period.shown() if previous and before else "no earlier run"
    table = Table(
        title=f"mix in the latest run ({current.run_at:%Y-%m-%d}) and change since {label}",
        show_edge=False,
        title_justify="left",
    )
    table.add_column("group")
    table.add_column("partners", justify="right")
    table.add_column("change", justify="right")
    for group, names, now, old in (
        ("grade", GRADES, current.mix.grades, before.grades if before else None),
        ("segment", SEGMENTS, current.mix.segments, before.segments if before else None),
        ("tier", TIERS, current.mix.tiers, before.tiers if before else None),
    ):
        delta = change(now, old)
        for name in names:
            d = delta.get(name)
            table.add_row(f"{group} {name}", str(now.get(name, 0)), "—" if d is None else f"{d:+d}")
    return table


def _mix(m: Mix | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "partners": m.partners,
        "grades": {g: m.grades.get(g, 0) for g in GRADES},
        "segments": {s: m.segments.get(s, 0) for s in SEGMENTS},
        "tiers": {t: m.tiers.get(t, 0) for t in TIERS},
        "segment_by_grade": {
            s: {g: m.by_segment_grade.get(s, {}).get(g, 0) for g in GRADES} for s in SEGMENTS
        },
    }


def _mix_change(now: Mix | None, before: Mix | None) -> dict[str, Any] | None:
    if now is None or before is None:
        return None
    return {
        "grades": change(_every(now.grades, GRADES), _every(before.grades, GRADES)),
        "segments": change(_every(now.segments, SEGMENTS), _every(before.segments, SEGMENTS)),
        "tiers": change(_every(now.tiers, TIERS), _every(before.tiers, TIERS)),
    }


def _every(counts: dict[str, int], names: list[str]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in names}


def _period(p: Period) -> dict[str, Any]:
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "complete": p.complete,
    }


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def retention_cells(r: PortfolioReport) -> list[list[str]]:
    """One row per period — period, at start, at end, new, lost, seed rate, cohort rate,
    NPS, answers — as both the terminal and the HTML report show it."""
    return [
        [
            x.period.shown(),
            str(x.start),
            str(x.end),
            str(x.new),
            str(x.lost),
            pct(x.seed_rate),
            pct(x.cohort_rate),
            "—" if n.nps is None else f"{n.nps:+.0f}",
            str(n.responses),
        ]
        for x, n in zip(r.retention, r.nps, strict=True)
    ]


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
