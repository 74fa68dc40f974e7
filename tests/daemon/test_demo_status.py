"""``partnerpulse demo`` end to end, then ``partnerpulse status`` on what it left behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from connector.model import PartnerRecord
from tests.daemon.conftest import BIN, store_at

pytestmark = pytest.mark.slow

STREAMS = {
    "salesforce": {"User", "Account", "Task", "Event", "Opportunity", "Case"},
    "hubspot": {
        "owners",
        "companies",
        "calls",
        "emails",
        "meetings",
        "notes",
        "tasks",
        "deals",
        "tickets",
    },
}


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], float, Path]:
    """One demo of 60 partners, its output, its wall time and the folder it kept."""
    tmp = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
    env.update({"TMPDIR": str(tmp), "COLUMNS": "200"})
    started = time.monotonic()
    done = run_cli("demo", "--partners", "60", "--seed", "3", env=env, timeout=120)
    took = time.monotonic() - started
    folders = list(tmp.glob("partnerpulse-demo-*"))
    assert len(folders) == 1, done.stdout + done.stderr
    return done, took, folders[0]


def test_the_demo_runs_one_cycle_and_summarises_it(
    demo_run: tuple[subprocess.CompletedProcess[str], float, Path],
) -> None:
    done, took, folder = demo_run
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert took < 60
    assert str(folder) in out
    for heading in ("by grade", "by segment", "by tier", "tasks created:", "most at risk"):
        assert heading in out
    graded = re.search(r"by grade: healthy (\d+) · watch (\d+) · at risk (\d+)", out)
    scored = re.search(r"(\d+) active partners scored", out)
    assert graded
    assert scored
    assert sum(int(n) for n in graded.groups()) == int(scored.group(1)) > 0
    calls = re.search(r"API calls: salesforce (\d+), hubspot (\d+)", out)
    assert calls
    assert int(calls.group(1)) > 0
    assert int(calls.group(2)) > 0
    assert "partnerpulse sandbox serve --partners 60 --seed 3 --write-config" in out
    assert f"partnerpulse plan --config {folder / 'config.toml'}" in out
    assert f"partnerpulse report --html report.html --config {folder / 'config.toml'}" in out

    # The partner `explain` is offered is a real partner of the run, and the state is kept.
    explain = re.search(r"partnerpulse explain (\"[^\"]+\"|'[^']+'|\S+) --config", out)
    assert explain
    name = explain.group(1).strip("\"'")
    store = store_at(f"sqlite:///{folder / 'partnerpulse.db'}")
    try:
        assert name in {p.name for p in store.records(PartnerRecord)}
        assert [r.kind for r in store.runs()] == ["demo"]
    finally:
        store.engine.dispose()
    assert (folder / "config.toml").is_file()
    at_risk = out.split("most at risk", 1)[1].split("API calls", 1)[0]
    assert len(re.findall(r"^\s+\d\. .+ — \d+/100 \(", at_risk, flags=re.M)) == 5


def test_status_shows_the_run_cursors_quarantine_and_next_runs(
    demo_run: tuple[subprocess.CompletedProcess[str], float, Path],
) -> None:
    _, _, folder = demo_run
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
    env["COLUMNS"] = "200"
    config = str(folder / "config.toml")

    as_json = run_cli("status", "--config", config, "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    facts = json.loads(as_json.stdout)
    assert facts["workspace"] == "sandbox"
    (run,) = facts["runs"]
    assert run["kind"] == "demo"
    assert run["outcome"] in ("ok", "rejected")
    assert run["records_pulled"] > 0
    assert run["duration_s"] > 0
    assert set(run["api_calls_by_crm"]) == {"salesforce", "hubspot"}
    assert run["api_calls"] == sum(run["api_calls_by_crm"].values())
    streams = {(c["connection"], c["stream"]) for c in facts["cursors"]}
    assert streams == {(system, s) for system, names in STREAMS.items() for s in names}
    assert all(c["checked_at"] and c["modified_at"] for c in facts["cursors"])
    assert facts["quarantine"]["open"] == len(facts["quarantine"]["latest"]) or (
        facts["quarantine"]["open"] > 5 and len(facts["quarantine"]["latest"]) == 5
    )
    assert run["rejects"] >= 0
    jobs = {n["job"]: n for n in facts["next_runs"]}
    assert set(jobs) == {"incremental", "reconcile"}
    assert jobs["incremental"]["schedule"] == "every 5m (jitter 15s)"
    assert jobs["reconcile"]["at"].endswith("03:00:00+00:00")

    text = run_cli("status", "--config", config, env=env)
    assert text.returncode == 0, text.stderr
    assert "last runs" in text.stdout
    assert "demo" in text.stdout
    assert "salesforce/Account" in text.stdout
    assert "hubspot/companies" in text.stdout
    assert f"quarantine {facts['quarantine']['open']} open" in text.stdout
    assert "next incremental" in text.stdout
    assert "next reconcile" in text.stdout


def test_status_of_a_missing_config_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
    done = run_cli("status", "--config", str(tmp_path / "nope.toml"), env=env)
    assert done.returncode == 2
    assert "nope.toml: no such config file" in done.stderr
    assert "Traceback" not in done.stderr
