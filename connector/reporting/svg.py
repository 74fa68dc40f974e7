"""A tiny SVG writer for the report's charts: elements as escaped strings, a linear scale,
round tick values, and a legend. Charts are drawn here, on the server, so the page needs
no script library and no network.

Data marks (bars, lines, points) carry ``class="mark"``: the page's own check, and the
tests, count them to prove every chart drew something.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def attrs(**values: str | float | None) -> str:
    """``key="value"`` pairs, escaped; ``class_`` → ``class``, ``_`` → ``-``; None skipped."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = _num(value) if isinstance(value, float | int) else value
        parts.append(f'{name}="{escape(str(text), quote=True)}"')
    return " ".join(parts)


@dataclass
class Svg:
    """One chart: ``<svg class="chart">`` with a title and description for screen readers."""

    chart_id: str
    width: int
    height: int
    title: str
    desc: str
    parts: list[str] = field(default_factory=list)

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, tip: str = "", mark: bool = True
    ) -> None:
        body = f"<title>{escape(tip)}</title>" if tip else ""
        cls = "mark" if mark else None
        box = attrs(class_=cls, x=x, y=y, width=max(w, 0.0), height=max(h, 0.0), fill=fill)
        self.parts.append(f"<rect {box}>{body}</rect>")

    def circle(self, cx: float, cy: float, r: float, fill: str, tip: str = "") -> None:
        body = f"<title>{escape(tip)}</title>" if tip else ""
        dot = attrs(class_="mark", cx=cx, cy=cy, r=r, fill=fill, stroke="#fff", stroke_width=1.5)
        self.parts.append(f"<circle {dot}>{body}</circle>")

    def polyline(
        self, points: Sequence[tuple[float, float]], stroke: str, dashed: bool = False
    ) -> None:
        if len(points) < 2:
            return
        d = "M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in points)
        path = attrs(
            class_="mark",
            d=d,
            fill="none",
            stroke=stroke,
            stroke_width=2.5,
            stroke_linejoin="round",
            stroke_dasharray="6 4" if dashed else None,
        )
        self.parts.append(f"<path {path}/>")

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1
    ) -> None:
        self.parts.append(
            f"<line {attrs(x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=width)}/>"
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        size: int = 12,
        fill: str = MUTED,
        weight: str | None = None,
    ) -> None:
        where = attrs(x=x, y=y, text_anchor=anchor, font_size=size, fill=fill, font_weight=weight)
        self.parts.append(f"<text {where}>{escape(content)}</text>")

    def legend(self, items: Sequence[tuple[str, str]], x: float, y: float) -> None:
        """Swatches and names in a row, from ``(x, y)``."""
        for name, colour in items:
            self.rect(x, y - 10, 12, 12, colour, mark=False)
            self.text(x + 17, y, name, fill=INK)
            x += 30 + 7.2 * len(name)

    def render(self) -> str:
        title_id, desc_id = f"{self.chart_id}-title", f"{self.chart_id}-desc"
        head = attrs(
            class_="chart",
            id=self.chart_id,
            viewBox=f"0 0 {self.width} {self.height}",
            role="img",
            aria_labelledby=f"{title_id} {desc_id}",
            font_family=FONT,
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" {head}>'
            f'<title id="{title_id}">{escape(self.title)}</title>'
            f'<desc id="{desc_id}">{escape(self.desc)}</desc>' + "".join(self.parts) + "</svg>"
        )


@dataclass(frozen=True)
class Scale:
    """Maps ``[low, high]`` onto ``[start, end]`` pixels (``end`` < ``start`` for y axes)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)


@dataclass(frozen=True)
class Plot:
    """A chart's drawing area: the SVG size and the margins kept for axes and legend."""

    width: int = 640
    height: int = 320
    left: int = 52
    right: int = 20
    top: int = 44
    bottom: int = 44

    @property
    def x0(self) -> float:
        return float(self.left)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:
        """The bottom of the plotting area (SVG y grows downwards)."""
        return float(self.height - self.bottom)

    def y_scale(self, low: float, high: float) -> Scale:
        return Scale(low, high, self.y0, float(self.top))

    def y_grid(self, svg: Svg, ticks: Sequence[float], y: Scale, suffix: str = "") -> None:
        """Horizontal grid lines with their values on the left."""
        for tick in ticks:
            svg.line(self.x0, y(tick), self.x1, y(tick))
            svg.text(self.x0 - 8, y(tick) + 4, f"{tick:g}{suffix}", anchor="end")

    def x_labels(
        self, svg: Svg, items: Sequence[tuple[float, str]], *, size: int = 12, gap: float = 0
    ) -> None:
        """Labels under the x axis, centred on their positions, as many as fit without
        overlapping (the first and last always shown), kept inside the chart."""
        if not items:
            return
        widest = max(len(text) for _, text in items) * size * 0.6
        gap = gap or widest + 10
        half = widest / 2
        chosen = [items[0]]
        for at, text in items[1:-1]:
            if at - chosen[-1][0] >= gap and items[-1][0] - at >= gap:
                chosen.append((at, text))
        if len(items) > 1:
            if items[-1][0] - chosen[-1][0] < gap and len(chosen) > 1:
                chosen.pop()
            chosen.append(items[-1])
        for at, text in chosen:
            centre = min(max(at, half + 2), self.width - half - 2)
            svg.text(centre, self.y0 + 20, text, anchor="middle", size=size)


def nice_ticks(high: float, low: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 × 10^k) covering ``[low, high]``."""
    span = max(high - low, 1e-9)
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0) if high - low >= 1 else step
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks
