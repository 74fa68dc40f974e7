"""The report as one self-contained HTML page: inline CSS, charts as inline SVG drawn in
Python, and a few lines of inline script that check every chart drew marks (it writes the
result on ``<body>``, where a headless browser's ``--dump-dom`` can read it). Nothing is
fetched from the network.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from connector.reporting import charts, period_charts
from connector.reporting.metrics import Mix, change
from connector.reporting.periods import Period
from connector.reporting.portfolio import PortfolioReport
from connector.reporting.report_view import (
    COHORT_LABEL,
    GRADES,
    SEED_LABEL,
    SEGMENTS,
    TIERS,
    money,
    pct,
    retention_cells,
)

_ASSETS = files("connector.reporting")


def render_html(r: PortfolioReport) -> str:
    """The whole page."""
    current = r.current.mix
    title = f"Partner portfolio — {r.as_of:%Y-%m-%d}"
    figures = [
        _figure(
            "Grade distribution",
            charts.grade_distribution(current.grades) if current else None,
            "Partners in each health grade in the latest scoring run.",
        ),
        _figure(
            "Segment by grade",
            charts.segment_by_grade(current.by_segment_grade, SEGMENTS) if current else None,
            "Each segment's partners split by health grade.",
        ),
        _figure(
            "Score history",
            charts.score_history([(h.as_of, h.mean, h.median) for h in r.history]),
            "Mean and median health score of active partners at each scoring run; "
            "the bands are the grades (at risk < 40 ≤ watch < 70 ≤ healthy).",
        ),
        _figure(
            "Grades over time",
            charts.grades_over_time([(h.as_of, h.grades) for h in r.history]),
            "Partners per grade at each scoring run.",
        ),
        _figure(
            f"Retention per {r.kind.value}",
            period_charts.retention_over_periods(
                [(_short(x.period), x.seed_rate, x.cohort_rate) for x in r.retention]
            ),
            f"Seed rate = {SEED_LABEL}. Cohort rate = {COHORT_LABEL}.{_to_date(r)}",
        ),
        _figure(
            f"NPS per {r.kind.value}",
            period_charts.nps_over_periods([(_short(n.period), n.nps, n.responses) for n in r.nps]),
            "% promoters (9–10) − % detractors (0–6), over each partner's latest answer in "
            f"the period; n = partners who answered.{_to_date(r)}",
        ),
    ]
    body = "".join(
        [
            f"<header><h1>{escape(title)}</h1><p class='sub'>PartnerPulse portfolio report · "
            f"periods: {escape(r.kind.value)} · generated from the state store</p></header>",
            _cards(r),
            "<section class='grid' aria-label='charts'>",
            *figures,
            "</section>",
            _retention_table(r),
            _mix_table(r),
            _at_risk_table(r),
        ]
    )
    css = _ASSETS.joinpath("report.css").read_text(encoding="utf-8")
    script = _ASSETS.joinpath("report_check.js").read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{css}</style></head>"
        f"<body><main>{body}</main><script>{script}</script></body></html>"
    )


def _figure(caption: str, svg: str | None, note: str) -> str:
    inner = svg or "<p class='empty'>No data yet for this chart.</p>"
    return (
        f"<figure><figcaption><strong>{escape(caption)}</strong>"
        f"<span>{escape(note)}</span></figcaption>{inner}</figure>"
    )


def _card(label: str, value: str, detail: str) -> str:
    return (
        f"<div class='card'><div class='label'>{escape(label)}</div>"
        f"<div class='value'>{escape(value)}</div><div class='detail'>{escape(detail)}</div></div>"
    )


def _cards(r: PortfolioReport) -> str:
    complete = [x for x in r.retention if x.period.complete and x.start] or list(r.retention)
    last = complete[-1] if complete else None
    answered = [n for n in r.nps if n.nps is not None]
    nps = answered[-1] if answered else None
    current = r.current.mix
    at_risk = current.grades.get("at_risk", 0) if current else 0
    scored = current.partners if current else 0
    cards = [
        _card("Partners now", f"{r.partners_now:,}", f"as of {r.as_of:%Y-%m-%d}"),
        _card(
            f"Retention {last.period.shown()}" if last else "Retention",
            pct(last.cohort_rate) if last else "—",
            f"cohort rate; seed's formula {pct(last.seed_rate)}" if last else "no partners yet",
        ),
        _card(
            "Lifetime value",
            money(r.ltv.mean),
            f"mean; median {money(r.ltv.median)} over {r.ltv.partners:,} partners",
        ),
        _card(
            f"NPS {nps.period.shown()}" if nps else "NPS",
            f"{nps.nps:+.0f}" if nps and nps.nps is not None else "—",
            f"{nps.responses} partners answered" if nps else "no answers yet",
        ),
        _card(
            "At risk",
            f"{at_risk:,}",
            f"{100 * at_risk / scored:.0f}% of {scored:,} scored"
            if scored
            else "no scoring run yet",
        ),
    ]
    return f"<section class='cards' aria-label='headline numbers'>{''.join(cards)}</section>"


def _table(caption: str, head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    def cls(i: int) -> str:
        return " class='num'" if i in numeric else ""

    cells = "".join(f"<th scope='col'{cls(i)}>{escape(h)}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{cells}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _retention_table(r: PortfolioReport) -> str:
    rows = retention_cells(r)
    head = [
        "Period",
        "At start",
        "At end",
        "New",
        "Lost",
        "Seed rate",
        "Cohort rate",
        "NPS",
        "Answers",
    ]
    note = (
        f"<p class='note'>Seed rate = {escape(SEED_LABEL)}."
        f"<br>Cohort rate = {escape(COHORT_LABEL)}."
        "<br>A partner is counted at a date when its partner-since date is on or before it "
        "and it had not churned by then.</p>"
    )
    table = _table("Retention and NPS per period", head, rows, set(range(1, 9)))
    return f"<section>{table}{note}</section>"


def _mix_table(r: PortfolioReport) -> str:
    now, before = r.current.mix, r.previous.mix if r.previous else None
    if now is None:
        return (
            "<section><p class='empty'>No scoring run yet: grade, segment and tier mixes "
            "appear after <code>partnerpulse sync</code>.</p></section>"
        )
    since = r.previous.period.shown() if r.previous and before else "no earlier run"
    rows = []
    for group, names, counts, old in _groups(now, before):
        delta = change(counts, old)
        for name in names:
            d = delta.get(name)
            rows.append(
                [
                    f"{group}: {name.replace('_', ' ')}",
                    str(counts.get(name, 0)),
                    "—" if d is None else f"{d:+d}",
                ]
            )
    caption = f"Mix in the latest run and change since the end of {since}"
    return f"<section>{_table(caption, ['Group', 'Partners', 'Change'], rows, {1, 2})}</section>"


def _groups(
    now: Mix, before: Mix | None
) -> list[tuple[str, list[str], dict[str, int], dict[str, int] | None]]:
    return [
        ("grade", GRADES, now.grades, before.grades if before else None),
        ("segment", SEGMENTS, now.segments, before.segments if before else None),
        ("tier", TIERS, now.tiers, before.tiers if before else None),
    ]


def _at_risk_table(r: PortfolioReport) -> str:
    if not r.at_risk:
        return "<section><p class='empty'>No partner is at risk in the latest run.</p></section>"
    rows = [
        [
            a.name,
            f"{a.score:.1f}",
            a.trend,
            a.segment,
            a.tier,
            money(a.lifetime_value),
            "; ".join(a.reasons),
        ]
        for a in r.at_risk
    ]
    caption = f"At-risk partners: the {len(r.at_risk)} lowest scores of {r.at_risk_total}"
    head = ["Partner", "Score", "Trend", "Segment", "Tier", "LTV", "Why"]
    table = _table(caption, head, rows, {1, 5})
    return f"<section class='risk'>{table}</section>"


def _short(p: Period) -> str:
    return p.label if p.complete else f"{p.label}*"


def _to_date(r: PortfolioReport) -> str:
    running = r.periods[-1]
    return "" if running.complete else f" * {running.label} to {running.end:%b %d}."
