"""``partnerpulse run`` as a subprocess against the sandbox: cycles, metrics, SIGTERM."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from connector.store import SqlStore
from connector.store.tables import metadata
from sandbox.serve import SandboxHandle
from tests.daemon.conftest import (
    DaemonProcess,
    daemon_env,
    finished_runs,
    free_port,
    set_latency,
    sqlite_url,
    store_at,
    wait_for,
)

pytestmark = pytest.mark.slow


def metric_values(body: str, name: str, label: str) -> Counter[str]:
    """Sum of samples of counter ``name`` by ``label``."""
    values: Counter[str] = Counter()
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == f"{name}_total":
                values[sample.labels[label]] += int(sample.value)
    return values


def assert_metrics_match_runs(daemon: DaemonProcess, store: SqlStore) -> Counter[str]:
    """Runs by outcome in /metrics equal the finished rows (a run may finish between the
    two reads, so read until two metric scrapes agree with the table between them)."""
    for _ in range(50):
        before = metric_values(daemon.get("/metrics").text, "partnerpulse_runs", "outcome")
        table = Counter(run.outcome for run in finished_runs(store))
        after = metric_values(daemon.get("/metrics").text, "partnerpulse_runs", "outcome")
        if before == after == table:
            return table
        time.sleep(0.1)
    raise AssertionError(f"/metrics {after} never matched the runs table {table}")


def test_cycles_metrics_and_a_clean_stop_mid_run(
    sandbox: SandboxHandle, config_path: Path, daemons: list[DaemonProcess], tmp_path: Path
) -> None:
    daemon = DaemonProcess(config_path, daemon_env(free_port(), every="2s"), tmp_path / "log")
    daemons.append(daemon)
    daemon.wait_healthy()
    store = store_at(sqlite_url(config_path))
    try:
        wait_for(lambda: len(finished_runs(store)) >= 4, 90, "four cycles")
        by_outcome = assert_metrics_match_runs(daemon, store)
        errors = [run.error for run in finished_runs(store) if run.error]
        assert set(by_outcome) <= {"ok", "rejected"}, errors
        assert {run.kind for run in store.runs()} == {"incremental"}
        # Cycles converge: after the first writes (and the pull that reads them back),
        # a cycle with no CRM change writes nothing (invariant 2).
        settled = sorted(finished_runs(store), key=lambda run: run.started_at)[2:]
        assert [run.records_written for run in settled] == [0] * len(settled)
        health = daemon.get("/healthz")
        assert health.status_code == 200
        assert health.json()["scheduler"] == "running"
        assert health.json()["store"] == "ok"
        metrics = daemon.get("/metrics").text
        assert 'partnerpulse_api_calls_total{crm="salesforce"}' in metrics
        assert "partnerpulse_run_duration_seconds_bucket" in metrics
        assert 'partnerpulse_last_success_timestamp_seconds{job="incremental"}' in metrics

        # Slow every CRM call so the next run is mid-pull, then stop the daemon.
        set_latency(sandbox, 300)
        cycles = len(finished_runs(store))
        wait_for(lambda: store.runs(limit=1)[0].outcome == "running", 30, "a run in progress")
        time.sleep(1.5)
        started = time.monotonic()
        code = daemon.stop(timeout=40)
        took = time.monotonic() - started
    finally:
        set_latency(sandbox, 0)

    assert code == 0, daemon.output()
    assert took < 30
    runs = store.runs(limit=500)
    assert [r for r in runs if r.outcome == "running"] == []
    # 300 ms a call, 1.5 s into a run of 15+ calls: the stop lands between two pages.
    assert runs[0].outcome == "interrupted", runs[0]
    assert len(runs) > cycles
    assert_cursors_match_committed_pages(store)
    assert_logs_are_json_with_run_ids_and_no_secrets(daemon, sandbox)
    store.engine.dispose()


def assert_cursors_match_committed_pages(store: SqlStore) -> None:
    """Each cursor names a stored record of its stream with the cursor's stamp: the page
    it came from was committed with it, and nothing of that stream is newer."""
    cursors = store.cursors()
    assert cursors, "no cursor committed"
    tables = [t for t in metadata.sorted_tables if "stream" in t.c and "source_id" in t.c]
    with store.engine.connect() as conn:
        for (connection, stream), cursor in cursors.items():
            if cursor.last_id is None:
                continue
            stamps = []
            for table in tables:
                query = select(table.c.source_id, table.c.modified_at).where(
                    table.c.workspace == store.workspace,
                    table.c.system == connection,
                    table.c.stream == stream,
                )
                stamps += [(row.modified_at, row.source_id) for row in conn.execute(query)]
            key = (cursor.modified_at, cursor.last_id)
            assert key in stamps, f"{connection}/{stream}: cursor {key} names no stored record"
            assert max(stamps) <= key, f"{connection}/{stream}: a record is past its cursor"


def assert_logs_are_json_with_run_ids_and_no_secrets(
    daemon: DaemonProcess, sandbox: SandboxHandle
) -> None:
    text = daemon.output()
    secrets = [
        sandbox.salesforce.consumer_secret,
        sandbox.hubspot.private_app_token,
    ]
    assert not [s for s in secrets if s in text]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert len(lines) == len(text.splitlines()), "a log line that is not JSON"
    events = [line["event"] for line in lines]
    assert "daemon started" in events
    assert "stopping between pages" in events
    assert "daemon stopped" in events
    for line in lines:
        if line["event"] in ("run started", "run finished", "stopping between pages"):
            assert line.get("run_id"), line
            assert line.get("job") == "incremental", line


def test_a_run_stuck_past_the_deadline_is_abandoned_in_time(
    sandbox: SandboxHandle, config_path: Path, daemons: list[DaemonProcess], tmp_path: Path
) -> None:
    """A CRM hanging on a call cannot hold the process past ``shutdown_timeout_s``."""
    env = daemon_env(free_port(), every="1h", PARTNERPULSE_DAEMON__SHUTDOWN_TIMEOUT_S="3")
    set_latency(sandbox, 20_000)
    try:
        daemon = DaemonProcess(config_path, env, tmp_path / "log")
        daemons.append(daemon)
        daemon.wait_healthy()
        store = store_at(sqlite_url(config_path))
        wait_for(lambda: bool(store.runs(limit=1)), 30, "the first run to start")
        started = time.monotonic()
        code = daemon.stop(timeout=20)
        took = time.monotonic() - started
    finally:
        set_latency(sandbox, 0)
    assert code == 1
    assert took < 6
    assert "shutdown timed out; the running job is abandoned" in daemon.output()
    (run,) = store.runs()
    assert run.outcome == "running"  # left for the next run to continue from its cursors
    store.engine.dispose()
