"""The HTML report: one self-contained page whose every chart renders marks in a real
headless Chromium, with no console error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connector.reporting import build_report, render_html
from connector.store import SqlStore
from tests.reporting import browser
from tests.reporting.portfolio_data import NOW

CHART_IDS = ["grades", "segments", "history", "grade-history", "retention", "nps"]


@pytest.fixture(scope="module")
def page(loaded: SqlStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(build_report(loaded, as_of=NOW, count=4)), encoding="utf-8")
    return path


def test_the_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text
    assert "url(" not in text
    assert "<link" not in text
    parsed = browser.charts_of(text)
    assert [c.id for c in parsed.charts] == CHART_IDS
    for chart in parsed.charts:
        assert chart.attributes["role"] == "img"
        assert chart.attributes["aria-labelledby"] == f"{chart.id}-title {chart.id}-desc"
        assert any(browser.has_size(tag, values) for tag, values in chart.marks), chart.id
    assert "seed: end ÷ start" in text
    assert "cohort: (end − new) ÷ start" in text
    assert "Umbrella" in text  # the at-risk table


def test_an_empty_chart_says_so_instead_of_drawing_nothing(loaded: SqlStore) -> None:
    text = render_html(build_report(loaded, as_of=NOW.replace(year=2025), count=2))
    parsed = browser.charts_of(text)
    assert [c.id for c in parsed.charts] == ["retention"]
    assert text.count("No data yet for this chart.") == 5


@pytest.mark.browser
def test_every_chart_renders_marks_in_chromium(page: Path, tmp_path: Path) -> None:
    loaded = browser.load(page, tmp_path / "profile")
    assert loaded.console_errors() == []
    parsed = browser.charts_of(loaded.dom)
    assert parsed.body.get("data-charts") == str(len(CHART_IDS))
    assert parsed.body.get("data-charts-ok") == "yes"
    for chart in parsed.charts:
        drawn = int(chart.attributes["data-marks"])  # counted by getBBox() in the browser
        assert drawn > 0, chart.id
        assert drawn <= len(chart.marks)
        assert sum(browser.has_size(t, v) for t, v in chart.marks) >= drawn
    shot = browser.screenshot(page, tmp_path / "profile", tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page is a few kB


@pytest.mark.browser
def test_the_browser_check_catches_errors_and_empty_charts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    check = (Path(browser.__file__).parents[2] / "connector/reporting/report_check.js").read_text()
    bad.write_text(
        "<!DOCTYPE html><html><body>"
        '<svg class="chart" id="empty" viewBox="0 0 10 10"><rect class="mark" width="0" '
        'height="5"/></svg><script>'
        f"{check}</script><script>notDefined();</script></body></html>",
        encoding="utf-8",
    )
    loaded = browser.load(bad, tmp_path / "profile")
    assert any("notDefined" in line for line in loaded.console_errors())
    parsed = browser.charts_of(loaded.dom)
    assert parsed.body.get("data-charts-ok") == "no: empty"
    assert parsed.charts[0].attributes["data-marks"] == "0"
