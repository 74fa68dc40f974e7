"""A job firing without a run: the lease is taken elsewhere, the adapters cannot be built,
or the daemon is stopping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from connector.cli.compose import WallClock
from connector.config import Config
from connector.config.runtime import JobSchedule
from connector.errors import ConfigError
from connector.model import System
from connector.store import SqlStore, make_engine, migrate
from connector.sync.pull import PullAdapter
from scheduler.jobs import AdapterFactory, SyncJob
from scheduler.locks import FileLocks
from scheduler.metrics import DaemonMetrics
from scheduler.triggers import JobSpec


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    yield SqlStore(engine, "ws")
    engine.dispose()


def no_adapters(config: Config, now: datetime) -> dict[System, PullAdapter]:
    raise AssertionError("no adapter should be built")


def refusing_adapters(config: Config, now: datetime) -> dict[System, PullAdapter]:
    raise ConfigError("salesforce.client_secret_file: no such file")


def job(
    store: SqlStore, locks: FileLocks, factory: AdapterFactory, stop: threading.Event
) -> SyncJob:
    return SyncJob(
        JobSpec("incremental", False, JobSchedule(every="1m")),
        config=Config(),
        store=store,
        locks=locks,
        metrics=DaemonMetrics(),
        stop=stop,
        clock=WallClock(),
        adapters=factory,
    )


def sample(job: SyncJob, name: str) -> float:
    value = job.metrics.registry.get_sample_value(name, {"job": "incremental"})
    return value or 0.0


def test_a_job_another_replica_holds_is_skipped(store: SqlStore, tmp_path: Path) -> None:
    locks = FileLocks(tmp_path / "state.db")
    firing = job(store, locks, no_adapters, threading.Event())
    with FileLocks(tmp_path / "state.db").hold("incremental") as held:
        assert held
        firing()
    assert sample(firing, "partnerpulse_jobs_skipped_total") == 1
    assert store.runs() == []
    assert firing.idle.is_set()


def test_adapters_that_cannot_be_built_count_as_a_job_error(
    store: SqlStore, tmp_path: Path
) -> None:
    firing = job(store, FileLocks(tmp_path / "state.db"), refusing_adapters, threading.Event())
    firing()
    assert sample(firing, "partnerpulse_job_errors_total") == 1
    assert store.runs() == []
    # The lease was released: the next firing takes it again.
    with FileLocks(tmp_path / "state.db").hold("incremental") as held:
        assert held


def test_a_firing_after_stop_does_nothing(store: SqlStore, tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    firing = job(store, FileLocks(tmp_path / "state.db"), no_adapters, stop)
    firing()
    assert store.runs() == []
    assert firing.idle.is_set()
