"""The efficiency harness end to end on a tiny world (20 partners, no latency): every phase
and figure is there, and the figures agree with each other and with the sandbox's count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.hubspot import governor
from bench.efficiency import SYSTEMS, run_bench
from bench.table import render
from bench.worker import no_pacing


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir: Path = tmp_path_factory.mktemp("bench")
    return run_bench("small", partners=20, latency_ms=0, passes=("rate",), workdir=workdir)


def test_every_call_a_sync_counted_is_one_the_sandbox_counted(result: dict[str, Any]) -> None:
    runs = result["passes"]["rate"]["runs"]
    assert set(runs) == {"full", "unchanged", "incremental", "write"}
    for name, run in runs.items():
        for system in SYSTEMS:
            mine = sum(run["calls"][system].values())
            assert mine == run["sandbox"][system]["total_calls"], (name, system)
            assert mine > 0
            assert run["sandbox"][system]["rate_limited"] == 0
        assert run["peak_rss_kib"] > 0
        assert run["outcome"] == "ok"


def test_the_runs_read_what_the_world_holds_and_what_changed(result: dict[str, Any]) -> None:
    rate = result["passes"]["rate"]
    counts, changed, runs = rate["counts"], rate["changed"], rate["runs"]
    full_sf = runs["full"]["sandbox"]["salesforce"]["records_returned"]
    assert full_sf == sum(counts["salesforce"].values())
    incremental_sf = runs["incremental"]["sandbox"]["salesforce"]["records_returned"]
    assert incremental_sf == sum(changed["salesforce"].values())
    assert runs["unchanged"]["sandbox"]["salesforce"]["records_returned"] == 0
    assert runs["full"]["options"]["dry_run"] is True
    assert runs["write"]["writeback"]["done"] > 0


def test_the_baseline_does_the_same_work_one_call_at_a_time(result: dict[str, Any]) -> None:
    rate = result["passes"]["rate"]
    read = rate["baseline"]["read"]
    counts = rate["counts"]
    for system in SYSTEMS:
        for obj, n in counts[system].items():
            if obj == "owners_archived":
                continue
            want = n + counts["hubspot"]["owners_archived"] if obj == "owners" else n
            assert read["records"][f"{system}/{obj}"] == want, obj
    assert read["sandbox"]["salesforce"]["total_calls"] == read["counted"]["salesforce"]
    write = rate["baseline"]["write"]
    plan = rate["runs"]["write"]["plan"]
    for system in SYSTEMS:
        planned = plan[system]["tag_records"] + plan[system]["task_creates"]
        assert write["planned"][system] == write["made"][system] == planned
        assert write["sandbox"][system]["records_written"] == planned
        token = 1 if system == "salesforce" else 0
        assert write["sandbox"][system]["total_calls"] == planned + token


def test_figures_are_complete_and_never_below_the_minimum(result: dict[str, Any]) -> None:
    figures = result["figures"]
    phases = figures["phases"]
    assert set(phases) == {"full", "unchanged", "incremental", "apply", "scoring"}
    for name in ("full", "unchanged", "incremental", "apply"):
        for system in SYSTEMS:
            row = phases[name]["systems"][system]
            assert row["calls"] >= row["minimum"] > 0, (name, system)
            assert row["bound_s"] >= 0
            assert row["seconds"] >= 0
            assert "baseline_calls" in row
    unchanged = phases["unchanged"]["systems"]
    assert unchanged["hubspot"]["calls"] == unchanged["hubspot"]["minimum"] == 9
    assert unchanged["salesforce"]["calls"] == unchanged["salesforce"]["minimum"] == 7
    apply = phases["apply"]["systems"]["salesforce"]
    assert apply["calls"] == apply["minimum"]
    assert apply["baseline_calls"] > apply["calls"]
    text = render({"small": result})
    assert "| full pull | **both** |" in text
    assert "| apply (tags + tasks) | HubSpot |" in text


def test_no_pacing_keeps_the_books_but_never_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(governor.Governor, "__init__", governor.Governor.__init__)
    slept: list[float] = []
    no_pacing()
    gov = governor.Governor(
        governor.limits_for("professional"), daily_reserve=0.2, sleep=slept.append
    )
    for _ in range(30):
        gov.acquire(search=True)
    assert slept == []
    assert gov.slept_s > 1.0  # 30 searches at 4.5/s would have waited
    assert gov.calls == 30
