"""Job leases: one holder per (workspace, connection, job), on PostgreSQL and SQLite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from connector.store import make_engine
from scheduler.locks import AdvisoryLocks, FileLocks, LocalLocks, lock_key, locks_for


def test_the_key_is_stable_and_signed_64_bit() -> None:
    key = lock_key("acme", "salesforce", "incremental")
    # A fixed value: replicas of different versions (or Python hash seeds) must agree.
    assert key == 2925029740224443877
    assert -(2**63) <= lock_key("a", "b", "c") < 2**63
    others = {
        lock_key("acme", "hubspot", "incremental"),
        lock_key("acme", "salesforce", "reconcile"),
        lock_key("acme2", "salesforce", "incremental"),
        lock_key("acm", "esalesforce", "incremental"),
    }
    assert key not in others
    assert len(others) == 4


@pytest.mark.postgres
def test_advisory_locks_exclude_another_session_and_are_released(pg_url: str) -> None:
    one, two = make_engine(pg_url), make_engine(pg_url)
    try:
        a = AdvisoryLocks(one, "ws", ["salesforce", "hubspot"])
        b = AdvisoryLocks(two, "ws", ["salesforce", "hubspot"])
        only_hubspot = AdvisoryLocks(two, "ws", ["hubspot"])
        other_ws = AdvisoryLocks(two, "ws2", ["salesforce", "hubspot"])
        with a.hold("incremental") as held:
            assert held
            assert _advisory_locks(two) == 2
            with b.hold("incremental") as second:
                assert not second
            with only_hubspot.hold("incremental") as second:
                assert not second
            with b.hold("reconcile") as other_job, other_ws.hold("incremental") as other:
                assert other_job
                assert other
        # A failed attempt released the locks it had taken on the way.
        assert _advisory_locks(two) == 0
        with b.hold("incremental") as held:
            assert held
        assert isinstance(locks_for(one, "ws", ["salesforce"]), AdvisoryLocks)
    finally:
        one.dispose()
        two.dispose()


@pytest.mark.postgres
def test_a_dead_holder_releases_the_advisory_lock(pg_url: str) -> None:
    """The lock lives with the session: a killed replica never leaves a job locked."""
    engine = make_engine(pg_url)
    key = lock_key("ws", "salesforce", "incremental")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, psycopg\n"
            f"c = psycopg.connect('host=127.0.0.1 user=postgres dbname={pg_url.rsplit('/', 1)[1]}',"
            " autocommit=True)\n"
            f"c.execute('SELECT pg_advisory_lock({key})'); print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        locks = AdvisoryLocks(engine, "ws", ["salesforce"])
        with locks.hold("incremental") as held:
            assert not held
        holder.kill()
        holder.wait()
        with locks.hold("incremental") as held:
            assert held
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
        engine.dispose()


def _advisory_locks(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar_one()
        )


def test_file_locks_exclude_another_process(tmp_path: Path) -> None:
    database = tmp_path / "state.db"
    locks = FileLocks(database)
    assert locks.path("incremental") == tmp_path / "state.db.incremental.lock"
    probe = (
        "import sys, fcntl, os\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
        "except BlockingIOError:\n    print('held')\n"
    )

    def other_process_sees() -> str:
        out = subprocess.run(
            [sys.executable, "-c", probe, str(locks.path("incremental"))],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    with locks.hold("incremental") as held:
        assert held
        assert other_process_sees() == "held"
        with FileLocks(database).hold("incremental") as second:
            assert not second  # another open file description, even in this process
        with locks.hold("reconcile") as other_job:
            assert other_job
    assert other_process_sees() == "free"
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert isinstance(locks_for(engine, "ws", ["salesforce"]), FileLocks)
    finally:
        engine.dispose()


def test_an_in_memory_store_locks_in_process() -> None:
    locks = LocalLocks()
    with locks.hold("incremental") as held:
        assert held
        with locks.hold("incremental") as second:
            assert not second
    with locks.hold("incremental") as held:
        assert held
    engine = make_engine("sqlite://")
    try:
        assert isinstance(locks_for(engine, "ws", []), LocalLocks)
    finally:
        engine.dispose()
