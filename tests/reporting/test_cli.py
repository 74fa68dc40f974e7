"""``partnerpulse explain`` and ``partnerpulse report`` as a user runs them: the installed
console script, a config file, the store on disk; offline (no CRM is enabled)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from connector.store import SqlStore, make_engine, migrate
from tests.reporting import portfolio_data
from tests.store.conftest import FakeClock

BIN = Path(sys.executable).parent / "partnerpulse"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    engine = make_engine(f"sqlite:///{folder / 'state.db'}")
    migrate(engine)
    portfolio_data.load(SqlStore(engine, "acme-org", clock=FakeClock(portfolio_data.NOW)))
    engine.dispose()
    path = folder / "partnerpulse.toml"
    path.write_text(
        f'[workspace]\nname = "acme-org"\n\n[state]\nurl = "sqlite:///{folder / "state.db"}"\n',
        encoding="utf-8",
    )
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )


def test_explain_prints_why(config: Path) -> None:
    done = run("explain", "UMBRELLA.COM", "--config", str(config))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Umbrella" in out
    assert "27.5" in out
    assert "at_risk" in out
    for heading in ("health components", "playbooks", "CRM records", "latest snapshots"):
        assert heading in out
    assert "Review 2 unresolved issues with the partner" in out
    assert "scoring again as of the snapshot's date gives the same result" in out


def test_explain_json(config: Path) -> None:
    done = run("explain", "hubspot:101", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["partner"]["name"] == "Acme Ltd"
    assert doc["tier"]["tier"] == "gold"
    assert doc["recomputation"]["agrees"] is True


@pytest.mark.parametrize(
    ("query", "says"),
    [("acm", "matches 2 partners"), ("nobody-at-all", "no partner matches 'nobody-at-all'")],
)
def test_explain_ambiguous_or_unknown_exits_2_without_a_traceback(
    config: Path, query: str, says: str
) -> None:
    done = run("explain", query, "--config", str(config))
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_report_in_the_terminal_json_and_html(config: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    args = ("report", "--config", str(config), "--as-of", "2026-06-30", "--periods", "4")
    shown = run(*args)
    assert shown.returncode == 0, shown.stderr
    assert "seed rate" in shown.stdout
    assert "cohort rate" in shown.stdout
    assert "Umbrella" in shown.stdout
    as_json = run(*args, "--json", "--html", str(page))
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["retention"]["periods"][2]["cohort_rate"] == 75.0
    assert page.read_text(encoding="utf-8").count('class="chart"') == 6


def test_report_backtest_json(config: Path) -> None:
    done = run(
        "report",
        "--config",
        str(config),
        "--backtest",
        "--json",
        "--dates",
        "3",
        "--horizon-days",
        "60",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["horizon_days"] == 60
    assert [d["as_of"][:10] for d in doc["dates"]] == ["2026-03-01", "2026-04-01", "2026-05-01"]
    assert set(doc["overall"]) >= {"auc", "precision", "recall", "partners", "churned"}


def test_report_rejects_a_bad_date(config: Path) -> None:
    done = run("report", "--config", str(config), "--as-of", "June")
    assert done.returncode == 2
    assert "--as-of" in done.stderr
