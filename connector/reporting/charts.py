"""The report's charts of scoring runs as inline SVG: grade distribution, segment by grade,
score history, grades over time (``period_charts.py`` has the per-period ones).

Each takes plain data and returns the ``<svg>`` text, or ``None`` when there is nothing
to draw (the page then says so instead of showing an empty frame). Colours are the
Okabe-Ito palette, which people with colour-blindness tell apart too; every bar and point
has a tooltip and every chart a text description.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from connector.reporting.svg import INK, MUTED, Plot, Scale, Svg, nice_ticks

GRADE_COLOURS = {"healthy": "#009E73", "watch": "#E69F00", "at_risk": "#D55E00"}
GRADE_NAMES = {"healthy": "healthy", "watch": "watch", "at_risk": "at risk"}
BLUE, PURPLE, VERMILION = "#0072B2", "#CC79A7", "#D55E00"
PLOT = Plot()
_DAY = 86_400.0


def grade_legend() -> list[tuple[str, str]]:
    return [(GRADE_NAMES[g], c) for g, c in GRADE_COLOURS.items()]


def grades(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Counts in grade order, zero for a missing grade."""
    return [(g, counts.get(g, 0)) for g in GRADE_COLOURS]


def grade_distribution(counts: Mapping[str, int], chart_id: str = "grades") -> str | None:
    """Vertical bars: partners per grade, with count and share on each bar."""
    rows = grades(counts)
    total = sum(n for _, n in rows)
    if total == 0:
        return None
    desc = ", ".join(f"{GRADE_NAMES[g]} {n} ({100 * n / total:.0f}%)" for g, n in rows)
    svg = Svg(chart_id, PLOT.width, PLOT.height, "Partners by health grade", desc)
    ticks = nice_ticks(max(n for _, n in rows))
    y = PLOT.y_scale(0, ticks[-1])
    PLOT.y_grid(svg, ticks, y)
    slot = (PLOT.x1 - PLOT.x0) / len(rows)
    for i, (grade, n) in enumerate(rows):
        x = PLOT.x0 + i * slot + slot * 0.2
        share = 100 * n / total
        name = GRADE_NAMES[grade]
        tip = f"{name}: {n} partners ({share:.0f}%)"
        svg.rect(x, y(n), slot * 0.6, y(0) - y(n), GRADE_COLOURS[grade], tip)
        label = f"{n:,} ({share:.0f}%)"
        svg.text(x + slot * 0.3, y(n) - 6, label, anchor="middle", fill=INK, weight="600")
    PLOT.x_labels(
        svg, [(PLOT.x0 + (i + 0.5) * slot, GRADE_NAMES[g]) for i, (g, _) in enumerate(rows)]
    )
    svg.text(PLOT.x0, 22, "partners", fill=MUTED)
    return svg.render()


def segment_by_grade(
    cross: Mapping[str, Mapping[str, int]], segments: Sequence[str], chart_id: str = "segments"
) -> str | None:
    """Horizontal stacked bars: each segment's partners split by grade."""
    totals = {s: sum(cross.get(s, {}).values()) for s in segments}
    if not any(totals.values()):
        return None
    desc = "; ".join(
        f"{s}: " + ", ".join(f"{GRADE_NAMES[g]} {n}" for g, n in grades(cross.get(s, {})))
        for s in segments
    )
    height = PLOT.top + 56 * len(segments) + 36
    svg = Svg(chart_id, PLOT.width, height, "Segments by health grade", desc)
    left, right = PLOT.x0 + 60, PLOT.x1 - 44
    svg.legend(grade_legend(), left, 22)
    ticks = nice_ticks(max(totals.values()))
    x = Scale(0, ticks[-1], left, right)
    for tick in ticks:
        svg.line(x(tick), PLOT.top, x(tick), height - 36)
        svg.text(x(tick), height - 18, f"{tick:g}", anchor="middle")
    for i, segment in enumerate(segments):
        top = PLOT.top + 12 + i * 56
        svg.text(left - 8, top + 21, segment, anchor="end", fill=INK)
        start = 0
        for grade, n in grades(cross.get(segment, {})):
            if n:
                width = x(start + n) - x(start)
                tip = f"{segment}, {GRADE_NAMES[grade]}: {n}"
                svg.rect(x(start), top, width, 32, GRADE_COLOURS[grade], tip)
                if width > 8 * len(str(n)) + 8:
                    centre = x(start) + width / 2
                    svg.text(centre, top + 21, f"{n:,}", anchor="middle", fill="#fff", weight="600")
            start += n
        svg.text(x(start) + 6, top + 21, f"{totals[segment]:,}", fill=INK, weight="600")
    return svg.render()


def _time_scale(moments: Sequence[datetime]) -> Scale:
    first, last = moments[0].timestamp(), moments[-1].timestamp()
    if first == last:
        first, last = first - _DAY, last + _DAY
    return Scale(first, last, PLOT.x0 + 12, PLOT.x1 - 12)


def score_history(
    points: Sequence[tuple[datetime, float | None, float | None]], chart_id: str = "history"
) -> str | None:
    """Mean and median score per scoring run over time, on the 0-100 scale with the grade
    bands shaded."""
    rows = [(at, mean, med) for at, mean, med in points if mean is not None and med is not None]
    if not rows:
        return None
    moments = [at for at, _, _ in rows]
    last_at, last_mean, last_median = rows[-1]
    desc = (
        f"{len(rows)} scoring runs from {moments[0]:%Y-%m-%d} to {last_at:%Y-%m-%d}; "
        f"latest mean {last_mean:.1f}, median {last_median:.1f}"
    )
    svg = Svg(chart_id, PLOT.width, PLOT.height, "Portfolio health score over time", desc)
    y = PLOT.y_scale(0, 100)
    for low, high, grade in ((0, 40, "at_risk"), (40, 70, "watch"), (70, 100, "healthy")):
        band = GRADE_COLOURS[grade] + "1a"  # the grade's colour at 10% opacity
        svg.rect(PLOT.x0, y(high), PLOT.x1 - PLOT.x0, y(low) - y(high), band, mark=False)
    PLOT.y_grid(svg, [0, 20, 40, 60, 80, 100], y)
    x = _time_scale(moments)
    radius = 3.5 if len(rows) <= 24 else 2.2
    series = (
        ("mean", BLUE, False, [mean for _, mean, _ in rows]),
        ("median", PURPLE, True, [med for _, _, med in rows]),
    )
    for name, colour, dashed, values in series:
        coords = [(x(at.timestamp()), y(v)) for at, v in zip(moments, values, strict=True)]
        svg.polyline(coords, colour, dashed)
        for (cx, cy), at, v in zip(coords, moments, values, strict=True):
            svg.circle(cx, cy, radius, colour, f"{at:%Y-%m-%d}: {name} {v:.1f}")
    label_y = y(max(last_mean, last_median)) - 10
    svg.text(
        x(last_at.timestamp()),
        label_y,
        f"mean {last_mean:.1f} · median {last_median:.1f}",
        anchor="end",
        fill=INK,
        weight="600",
    )
    PLOT.x_labels(svg, [(x(at.timestamp()), f"{at:%Y-%m-%d}") for at in moments])
    svg.legend([("mean", BLUE), ("median", PURPLE)], PLOT.x0, 22)
    return svg.render()


def grades_over_time(
    points: Sequence[tuple[datetime, Mapping[str, int]]], chart_id: str = "grade-history"
) -> str | None:
    """Stacked bars: partners per grade at each scoring run."""
    rows = [(at, counts) for at, counts in points if sum(counts.values())]
    if not rows:
        return None
    last_at, last = rows[-1]
    desc = f"{len(rows)} scoring runs; latest ({last_at:%Y-%m-%d}): " + ", ".join(
        f"{GRADE_NAMES[g]} {n}" for g, n in grades(last)
    )
    svg = Svg(chart_id, PLOT.width, PLOT.height, "Partners by grade over time", desc)
    ticks = nice_ticks(max(sum(c.values()) for _, c in rows))
    y = PLOT.y_scale(0, ticks[-1])
    PLOT.y_grid(svg, ticks, y)
    slot = (PLOT.x1 - PLOT.x0) / len(rows)
    bar = max(1.5, min(40.0, slot * 0.7))
    for i, (at, counts) in enumerate(rows):
        x = PLOT.x0 + i * slot + (slot - bar) / 2
        base = 0
        for grade, n in grades(counts):
            if n:
                tip = f"{at:%Y-%m-%d}: {GRADE_NAMES[grade]} {n}"
                svg.rect(x, y(base + n), bar, y(base) - y(base + n), GRADE_COLOURS[grade], tip)
            base += n
    labels = [(PLOT.x0 + (i + 0.5) * slot, f"{at:%Y-%m-%d}") for i, (at, _) in enumerate(rows)]
    PLOT.x_labels(svg, labels)
    svg.legend(grade_legend(), PLOT.x0, 22)
    return svg.render()
