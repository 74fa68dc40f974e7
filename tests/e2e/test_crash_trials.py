"""Invariant 1 in CI: three crash trials (``bench/crash_trials.py``) — one killed while the
write-back is in flight, one during the pull, one during scoring — each with SIGKILL, then
rerun and checked."""

from __future__ import annotations

from pathlib import Path

from bench.crash_trials import run_trials


def test_a_killed_sync_reruns_to_the_same_store_and_crm_state(tmp_path: Path) -> None:
    result = run_trials(3, partners=40, seed=7, workdir=tmp_path)
    details = result["details"]
    assert [t["phase"] for t in details] == ["write", "pull", "score"]
    assert result["killed"] >= 2, details  # a kill may come too late only for a short phase
    assert result["killed_in"]["apply"] >= 1, details
    assert result["records_lost"] == 0, details
    assert result["tasks_duplicated"] == 0, details
    assert result["tags_wrong"] == 0, details
    assert result["tasks_missing"] == 0, details
    assert result["writes_after_recovery"] == 0, details
    assert result["runs_failed"] == 0, details
    assert result["all_ok"], details
