"""Invariant 1 for the daemon, in CI: two crash trials of ``partnerpulse run``
(``bench/crash_trials.py --mode daemon``) — one killed while its start-up sync writes back,
one during its pull — each with SIGKILL, then the daemon restarted until its sync has
finished, stopped with SIGTERM, and checked like a one-off sync.

A killed daemon leaves its lease file (``<db>.incremental.lock``) behind; the kernel must
have dropped the ``flock`` with the process, or the restarted daemon would skip every
firing. (The PostgreSQL lease of a killed holder: ``tests/daemon/test_locks.py``.)
"""

from __future__ import annotations

from pathlib import Path

from bench.crash_trials import run_trials


def test_a_killed_daemon_restarts_to_the_same_store_and_crm_state(tmp_path: Path) -> None:
    result = run_trials(2, partners=40, seed=7, workdir=tmp_path, mode="daemon")
    details = result["details"]
    assert [(t["mode"], t["phase"]) for t in details] == [("daemon", "write"), ("daemon", "pull")]
    assert result["killed"] >= 1, details  # the write-back of 40 partners may end first
    assert result["killed_in"]["pull"] + result["killed_in"]["apply"] >= 1, details
    for trial in details:
        if trial["killed_at_s"] is None:
            continue
        assert trial["lease_held_at_kill"] or trial["killed_in"] == "finished", trial
        assert trial["lease_file_left"], trial
        assert trial["lease_free_after_kill"], trial
    assert [t["rerun_outcome"] for t in details] == ["ok", "ok"], details
    assert result["restart_skipped"] == 0, details
    assert result["daemon_stops_unclean"] == 0, details
    assert result["runs_left_running"] == 0, details  # the killed run is closed as abandoned
    assert result["records_lost"] == 0, details
    assert result["tasks_duplicated"] == 0, details
    assert result["tags_wrong"] == 0, details
    assert result["tasks_missing"] == 0, details
    assert result["writes_after_recovery"] == 0, details
    assert result["runs_failed"] == 0, details
    assert result["all_ok"], details
