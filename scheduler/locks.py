"""Job leases, so replicas sharing one database never run the same job at once.

PostgreSQL: a session advisory lock per (workspace, connection, job), taken with
``pg_try_advisory_lock`` on a dedicated connection (autocommit, so it never sits idle in
a transaction) and held for the whole job; if the process dies, PostgreSQL drops the
session and the lock with it. SQLite: ``fcntl.flock`` on ``<db path>.<job>.lock``, which
the kernel releases when the process dies. Both are try-locks: a replica that finds a job
taken skips that run instead of queueing behind it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import structlog
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = structlog.get_logger("partnerpulse.locks")


class JobLocks(Protocol):
    """``with locks.hold(job) as held:`` — ``held`` is False when another replica has it."""

    def hold(self, job: str) -> AbstractContextManager[bool]: ...


def lock_key(workspace: str, connection: str, job: str) -> int:
    """A stable signed 64-bit key for the triple (the same in every process and release)."""
    digest = hashlib.blake2b(
        "\x1f".join((workspace, connection, job)).encode("utf-8"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLocks:
    """PostgreSQL advisory locks: one per enabled CRM connection of the workspace, all
    taken (in a fixed order) or none."""

    def __init__(self, engine: Engine, workspace: str, connections: Sequence[str]) -> None:
        self.engine = engine
        self.workspace = workspace
        self.connections = tuple(connections)

    @contextmanager
    def hold(self, job: str) -> Iterator[bool]:
        keys = [lock_key(self.workspace, c, job) for c in self.connections]
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            taken: list[int] = []
            try:
                for key in keys:
                    if not _try_lock(conn, key):
                        break
                    taken.append(key)
                yield len(taken) == len(keys)
            finally:
                _unlock(conn, taken)


def _try_lock(conn: Connection, key: int) -> bool:
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())


def _unlock(conn: Connection, keys: list[int]) -> None:
    """Release in reverse order; if the session is broken, discard it (which releases)."""
    try:
        for key in reversed(keys):
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    except SQLAlchemyError:
        log.warning("lock connection lost; discarding it", keys=len(keys))
        conn.invalidate()


class FileLocks:
    """SQLite: an exclusive, non-blocking ``flock`` on a file beside the database."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def path(self, job: str) -> Path:
        return self.database.with_name(f"{self.database.name}.{job}.lock")

    @contextmanager
    def hold(self, job: str) -> Iterator[bool]:
        fd = os.open(self.path(job), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                held = False
            yield held
        finally:
            os.close(fd)  # closing the last descriptor releases the flock


class LocalLocks:
    """An in-memory database lives in one process: a plain lock per job is enough."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, job: str) -> Iterator[bool]:
        with self._guard:
            lock = self._locks.setdefault(job, threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()


def locks_for(engine: Engine, workspace: str, connections: Sequence[str]) -> JobLocks:
    """The lease kind the store's database calls for."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLocks(engine, workspace, connections)
    database = engine.url.database
    if database in (None, "", ":memory:"):
        return LocalLocks()
    return FileLocks(Path(database).resolve())
