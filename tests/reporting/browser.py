"""Headless Chromium for the HTML report tests: dump the DOM after scripts ran, capture the
console, take a screenshot. Debian's ``/usr/bin/chromium`` (CI installs it)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
_CONSOLE_ERROR = re.compile(r"Uncaught|ERROR:CONSOLE|CONSOLE\(\d+\)\].*[Ee]rror")


@dataclass
class Loaded:
    dom: str
    log: str

    def console_errors(self) -> list[str]:
        return [line for line in self.log.splitlines() if _CONSOLE_ERROR.search(line)]


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def load(page: Path, profile: Path) -> Loaded:
    """The page's DOM as Chromium has it after running its scripts, and Chromium's log."""
    done = _run(page, profile, "--dump-dom")
    return Loaded(done.stdout, done.stderr)


def screenshot(page: Path, profile: Path, out: Path, size: str = "1280,2400") -> Path:
    _run(page, profile, f"--screenshot={out}", f"--window-size={size}")
    return out


@dataclass
class Chart:
    id: str
    attributes: dict[str, str]
    marks: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class ChartParser(HTMLParser):
    """Every ``<svg class="chart">`` with its data marks (rect/path/circle of class mark),
    and the ``<body>`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[Chart] = []
        self.body: dict[str, str] = {}
        self._inside: Chart | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = values
        elif tag == "svg" and "chart" in values.get("class", "").split():
            self._inside = Chart(values.get("id", ""), values)
            self.charts.append(self._inside)
        elif self._inside and tag in ("rect", "path", "circle") and values.get("class") == "mark":
            self._inside.marks.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._inside = None


def charts_of(dom: str) -> ChartParser:
    parser = ChartParser()
    parser.feed(dom)
    return parser


def has_size(tag: str, values: dict[str, str]) -> bool:
    """A mark drawn with a non-zero size, judged from its attributes."""
    if tag == "rect":
        return float(values["width"]) > 0 and float(values["height"]) > 0
    if tag == "circle":
        return float(values["r"]) > 0
    return len(re.findall(r"[ML]", values.get("d", ""))) >= 2
