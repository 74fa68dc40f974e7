"""End to end on a small generated world: the sandbox CRMs, the real adapters and
``run_sync`` (three runs, a month apart), then ``report``, ``explain`` and the back-test
through the console script, checked against the world's hidden truth."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connector.cli.compose import WallClock, build_adapters, close_adapters, open_store
from connector.config import load_config
from connector.sync.engine import SyncOptions, run_sync
from sandbox.serve import start_sandbox, write_config
from sandbox.world import generate_world

BIN = Path(sys.executable).parent / "partnerpulse"
PARTNERS, SEED = 60, 11


@dataclass
class Synced:
    config: Path
    truth: dict[str, Any]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    folder = tmp_path_factory.mktemp("world")
    world = generate_world(PARTNERS, SEED)
    with start_sandbox(world, workdir=folder / "sandbox") as sandbox:
        path = write_config(sandbox, folder / "partnerpulse.toml")
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n[writeback]\nenabled = false\n")  # scores and snapshots only
        config = load_config(path)
        store = open_store(config)
        clock = WallClock()
        now = clock.now()
        for as_of in (now - timedelta(days=60), now - timedelta(days=30), None):
            adapters = build_adapters(config, clock.now())
            try:
                run_sync(
                    config,
                    adapters=adapters,
                    store=store,
                    clock=clock,
                    options=SyncOptions(as_of=as_of),
                )
            finally:
                close_adapters(adapters)
        store.engine.dispose()
    return Synced(path, world.truth)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, timeout=180, check=False
    )


def test_report_matches_the_worlds_truth(synced: Synced) -> None:
    done = run("report", "--config", str(synced.config), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    partners = synced.truth["partners"]
    # Lifetime value: every won deal once, mirrored deals included once.
    assert doc["lifetime_value"]["total"] == pytest.approx(sum(p["won_total"] for p in partners))
    first = date.fromisoformat(doc["retention"]["periods"][0]["start"])
    churned = [
        p
        for p in partners
        if p["churn_date"] and p["churned"] and date.fromisoformat(p["churn_date"]) >= first
    ]
    split = [p for p in churned if p["link"] == "name"]  # two partners without fuzzy linking
    lost = sum(r["lost"] for r in doc["retention"]["periods"])
    assert len(churned) <= lost <= len(churned) + len(split)
    assert [h["as_of"][:10] for h in doc["score_history"]][-1] == datetime.now(
        UTC
    ).date().isoformat()
    assert len(doc["score_history"]) == 3
    assert sum(doc["mix"]["now"]["grades"].values()) == doc["score_history"][-1]["partners"]


def test_explain_finds_a_partner_by_its_salesforce_id_and_agrees(synced: Synced) -> None:
    partner = next(
        p
        for p in synced.truth["partners"]
        if p["salesforce_id"] and not p["churned"] and p["link"] != "name"
    )
    done = run("explain", partner["salesforce_id"], "--config", str(synced.config), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["partner"]["name"] == partner["name"]
    assert doc["recomputation"]["agrees"] is True, doc["recomputation"]
    assert len(doc["history"]) == 3
    assert doc["links"][0]["id"] == partner["salesforce_id"]


def test_the_backtest_runs_on_the_synced_store(synced: Synced) -> None:
    done = run("report", "--config", str(synced.config), "--backtest", "--json", "--dates", "4")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["dates"]) == 4
    overall = doc["overall"]
    assert overall["partners"] > 0
    assert overall["churned"] > 0
    assert 0.0 <= overall["auc"] <= 1.0
