"""The report's per-period charts as inline SVG: retention (both formulas) and NPS.

Periods are categories, evenly spaced; a period without a value (no partners at its start,
no answers) leaves a gap rather than a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from connector.reporting.charts import BLUE, PLOT, PURPLE, VERMILION
from connector.reporting.svg import INK, MUTED, Svg, nice_ticks

SEED = "seed: end ÷ start"
COHORT = "cohort: (end − new) ÷ start"


def _centres(count: int) -> list[float]:
    slot = (PLOT.x1 - PLOT.x0) / count
    return [PLOT.x0 + (i + 0.5) * slot for i in range(count)]


def retention_over_periods(
    rows: Sequence[tuple[str, float | None, float | None]], chart_id: str = "retention"
) -> str | None:
    """Two lines over the periods: the seed's rate (end ÷ start, can pass 100%) and the
    cohort rate ((end − new) ÷ start), with 100% marked; the axis spans the values."""
    values = [v for _, seed, cohort in rows for v in (seed, cohort) if v is not None]
    if not values:
        return None
    desc = "; ".join(
        f"{label}: seed {seed:.1f}%, cohort {cohort:.1f}%"
        for label, seed, cohort in rows
        if seed is not None and cohort is not None
    )
    svg = Svg(chart_id, PLOT.width, PLOT.height, "Partner retention per period", desc)
    low, high = min(*values, 100.0), max(*values, 100.0)
    pad = max(2.0, (high - low) * 0.15)
    ticks = nice_ticks(high + pad, max(0.0, math.floor(low - pad)))
    y = PLOT.y_scale(ticks[0], ticks[-1])
    PLOT.y_grid(svg, ticks, y, "%")
    svg.line(PLOT.x0, y(100), PLOT.x1, y(100), MUTED, 1.2)
    svg.text(PLOT.x1, y(100) - 5, "100%", anchor="end", size=11)
    centres = _centres(len(rows))
    wide = len(rows) <= 12
    labels = [label for label, _, _ in rows]
    series = (
        (SEED, BLUE, False, -9, [seed for _, seed, _ in rows]),
        (COHORT, PURPLE, True, 17, [cohort for _, _, cohort in rows]),
    )
    for name, colour, dashed, offset, rates in series:
        points = [
            (cx, label, v)
            for cx, label, v in zip(centres, labels, rates, strict=True)
            if v is not None
        ]
        svg.polyline([(cx, y(v)) for cx, _, v in points], colour, dashed)
        kind = name.split(":")[0]
        for cx, label, v in points:
            svg.circle(cx, y(v), 4, colour, f"{label}: {kind} rate {v:.1f}%")
            if wide:
                text = f"{v:.1f}"
                svg.text(
                    cx, y(v) + offset, text, anchor="middle", size=11, fill=colour, weight="600"
                )
    PLOT.x_labels(svg, [(cx, row[0]) for cx, row in zip(centres, rows, strict=True)], size=11)
    svg.legend([(SEED, BLUE), (COHORT, PURPLE)], PLOT.x0, 22)
    return svg.render()


def nps_over_periods(
    rows: Sequence[tuple[str, float | None, int]], chart_id: str = "nps"
) -> str | None:
    """Bars from zero per period: NPS (−100…100), with the number of answers under each."""
    drawn = [nps for _, nps, _ in rows if nps is not None]
    if not drawn:
        return None
    desc = "; ".join(
        f"{label}: NPS {nps:+.0f} from {n} answers" for label, nps, n in rows if nps is not None
    )
    svg = Svg(chart_id, PLOT.width, PLOT.height, "Net promoter score per period", desc)
    low, high = min(0.0, *drawn), max(0.0, *drawn)
    ticks = nice_ticks(max(high, 10.0), min(low, -10.0) if low < 0 else 0.0)
    y = PLOT.y_scale(ticks[0], ticks[-1])
    PLOT.y_grid(svg, ticks, y)
    svg.line(PLOT.x0, y(0), PLOT.x1, y(0), MUTED, 1.2)
    centres = _centres(len(rows))
    bar = min(44.0, (PLOT.x1 - PLOT.x0) / len(rows) * 0.55)
    for centre, (label, nps, answers) in zip(centres, rows, strict=True):
        if nps is not None:
            top, bottom = (y(nps), y(0)) if nps >= 0 else (y(0), y(nps))
            colour = BLUE if nps >= 0 else VERMILION
            tip = f"{label}: NPS {nps:+.0f} ({answers} answers)"
            svg.rect(centre - bar / 2, top, bar, max(bottom - top, 1.5), colour, tip)
            at = (top - 5) if nps >= 0 else (bottom + 14)
            svg.text(centre, at, f"{nps:+.0f}", anchor="middle", fill=INK, weight="600")
        svg.text(centre, PLOT.y0 + 34, f"n={answers}", anchor="middle", size=10)
    PLOT.x_labels(svg, [(cx, row[0]) for cx, row in zip(centres, rows, strict=True)], size=11)
    svg.legend([("NPS ≥ 0", BLUE), ("NPS < 0", VERMILION)], PLOT.x0, 22)
    return svg.render()
