"""Drift after a full reconcile: CRM counts against the store, per stream group."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.cli.compose import WallClock, open_store
from connector.config import load_config
from connector.config.runtime import JobSchedule
from connector.errors import RateLimited
from connector.model import System
from connector.store import SqlStore, make_engine, migrate
from sandbox.serve import SandboxHandle
from scheduler.jobs import SyncJob
from scheduler.locks import LocalLocks
from scheduler.metrics import DaemonMetrics
from scheduler.reconcile import count_drift, record_drift
from scheduler.triggers import JobSpec
from tests.store.factories import activity, partner


class Counting:
    """An adapter as the drift check sees it: streams and counts."""

    streams = ("User", "Account", "Task", "Event", "Unknown")

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def count(self, stream: str) -> int:
        if stream == "User":
            raise RateLimited("slow down", retry_after=1)
        return self.counts[stream]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    yield SqlStore(engine, "ws")
    engine.dispose()


def test_drift_per_stream_group(store: SqlStore) -> None:
    store.upsert_records([activity(f"00T{i}") for i in range(3)], stream="Task")
    store.upsert_records([activity("00U1")], stream="Event")
    store.upsert_records([partner("001A"), partner("001B")], stream="Account")
    store.upsert_records([partner("77", "hubspot")], stream="companies")
    adapters: dict[System, object] = {
        "salesforce": Counting({"Account": 2, "Task": 4, "Event": 2, "Unknown": 9})
    }

    drift = count_drift(adapters, store)

    # User: the count was refused, so no line; Unknown: no record kind to compare.
    assert drift == {"salesforce/Account": 0, "salesforce/Task+Event": 2}
    assert count_drift({"salesforce": object()}, store) == {}


def test_drift_is_added_to_the_finished_run(store: SqlStore) -> None:
    run = store.start_run("reconcile", "host")
    store.finish_run(
        run, "ok", records_pulled=5, api_calls={"salesforce:query": 3}, detail={"a": 1}
    )

    record_drift(store, run, {"salesforce/Account": 1}, api_calls={"salesforce:query": 4})

    (info,) = store.runs()
    assert info.outcome == "ok"
    assert info.records_pulled == 5
    assert info.detail == {"a": 1, "drift": {"salesforce/Account": 1}}
    assert info.api_calls == {"salesforce:query": 4}


def test_a_reconcile_against_the_sandbox_has_no_drift(
    sandbox: SandboxHandle, config_path: Path
) -> None:
    cfg = load_config(config_path)
    store = open_store(cfg)
    metrics = DaemonMetrics()
    job = SyncJob(
        JobSpec("reconcile", True, JobSchedule(cron="0 3 * * *")),
        config=cfg,
        store=store,
        locks=LocalLocks(),
        metrics=metrics,
        stop=threading.Event(),
        clock=WallClock(),
    )
    try:
        job()
        (run,) = store.runs()
    finally:
        store.engine.dispose()
    assert run.kind == "reconcile"
    assert run.outcome == "ok"
    assert set(run.detail["full_streams"]) >= {"salesforce/Account", "hubspot/companies"}
    assert run.detail["drift"] == {
        "salesforce/User": 0,
        "salesforce/Account": 0,
        "salesforce/Task+Event": 0,
        "salesforce/Opportunity": 0,
        "salesforce/Case": 0,
        "hubspot/owners": 0,
        "hubspot/companies": 0,
        "hubspot/calls+emails+meetings+notes+tasks": 0,
        "hubspot/deals": 0,
        "hubspot/tickets": 0,
    }
    # The count calls are the run's too, in the table and in the metrics.
    assert job.last_report is not None
    assert sum(run.api_calls.values()) > sum(job.last_report.api_calls.values())
    calls = sum(
        metrics.registry.get_sample_value("partnerpulse_api_calls_total", {"crm": crm}) or 0
        for crm in ("salesforce", "hubspot")
    )
    assert calls == sum(run.api_calls.values())
    drift = metrics.registry.get_sample_value(
        "partnerpulse_reconcile_drift", {"stream": "hubspot/companies"}
    )
    assert drift == 0
