"""The daemon as a crash-trial subject: ``partnerpulse run`` started, watched through its
state database, killed or stopped, and its job lease inspected.

The daemon runs its incremental job once at start (``scheduler.daemon``), so a fresh
daemon on a fresh state database does the same full sync a one-off ``partnerpulse sync``
does. The schedule is set so that nothing else fires during a trial: the incremental job
every hour (its start-up run is the only one), no reconcile, HTTP on a port the OS picks.

The lease: with SQLite the daemon ``flock``s ``<db>.incremental.lock`` for the whole job
(``scheduler.locks.FileLocks``). A SIGKILL leaves the file behind, which is harmless only
if the kernel dropped the lock with the process — :func:`lease_free` checks exactly that,
by taking it the way a restarted daemon would.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from connector.config import load_config
from connector.store.runs import ABANDONED
from scheduler.locks import FileLocks, locks_for

BIN = Path(sys.executable).parent / "partnerpulse"
JOB = "incremental"
SKIPPED = "skipped: another replica holds it"  # scheduler.jobs logs this for a held lease
STOP_TIMEOUT_S = 60.0


def daemon_env() -> dict[str, str]:
    """The caller's environment without its ``PARTNERPULSE_*``, plus a trial's schedule."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
    env.update(
        {
            "PARTNERPULSE_SCHEDULE__INCREMENTAL__EVERY": "1h",
            "PARTNERPULSE_SCHEDULE__INCREMENTAL__JITTER_S": "0",
            "PARTNERPULSE_SCHEDULE__RECONCILE__ENABLED": "false",
            "PARTNERPULSE_DAEMON__HTTP_PORT": "0",
            "PARTNERPULSE_DAEMON__LOG_FORMAT": "json",
            "PARTNERPULSE_DAEMON__LOG_LEVEL": "info",
        }
    )
    return env


def start_daemon(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """``partnerpulse run --config config``, its output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(BIN), "run", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=daemon_env(),
        )


def stop_daemon(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as systemd stops it; its exit code (0: a clean stop)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -int(signal.SIGKILL)


def runs(db: Path) -> list[tuple[str, str | None]]:
    """``(outcome, finished_at)`` of every run in the state database, oldest first."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute(
                "SELECT outcome, finished_at FROM runs ORDER BY started_at"
            ).fetchall()
    except sqlite3.Error:
        return []  # not migrated yet, or busy for a moment
    return [(str(outcome), None if at is None else str(at)) for outcome, at in rows]


def finished(db: Path) -> list[str]:
    """Outcomes of the runs that have ended by themselves, oldest first. A killed run is
    closed as ``abandoned`` by the next run on the host when that one starts: it is not a
    run that finished."""
    return [outcome for outcome, at in runs(db) if at is not None and outcome != ABANDONED]


def lease_of(config: Path) -> FileLocks:
    """The job leases the daemon of ``config`` takes (``scheduler.locks.locks_for``), found
    without connecting to the database, so looking never touches what the daemon writes."""
    cfg = load_config(config)
    engine = create_engine(cfg.state.url)
    try:
        locks = locks_for(engine, cfg.workspace.name, cfg.systems())
    finally:
        engine.dispose()
    if not isinstance(locks, FileLocks):
        raise TypeError(f"crash trials use a SQLite file; {cfg.state.url} leases differently")
    return locks


def lease_free(locks: FileLocks) -> bool:
    """True when the incremental job's lease can be taken now (it is released at once)."""
    with locks.hold(JOB) as held:
        return held


def skipped_firings(log: Path) -> int:
    """Firings a daemon skipped because it found its own job's lease taken."""
    if not log.exists():
        return 0
    return log.read_text(encoding="utf-8", errors="replace").count(SKIPPED)
