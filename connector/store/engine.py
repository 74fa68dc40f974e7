"""Opening the state database: a SQLite file by default, PostgreSQL for teams.

SQLite runs in WAL mode with ``synchronous=NORMAL`` (durable at each checkpoint, fast
commits), a busy timeout so a second process waits instead of failing, and foreign keys
on. SQLAlchemy, not the ``sqlite3`` module, emits ``BEGIN``, so DDL is transactional and
a writer can take the write lock up front (:func:`writing`) instead of failing with
``SQLITE_BUSY`` when it upgrades a read lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from connector.errors import ConfigError

DEFAULT_URL = "sqlite:///partnerpulse.db"
BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "partnerpulse_immediate"


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """Build an engine for ``url`` and prove it connects.

    ``postgresql://`` and ``postgres://`` mean psycopg 3. A malformed URL, an unsupported
    database or one that cannot be reached raises :class:`ConfigError` naming the URL
    without its password.
    """
    parsed = _parse(url)
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = _sqlite_engine(parsed) if parsed.get_backend_name() == "sqlite" else None
        if engine is None:
            engine = create_engine(parsed, pool_pre_ping=True)
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError, OSError) as exc:
        raise ConfigError(
            f"cannot open the state database {shown}: {_reason(exc, parsed)} — "
            "check `store.url` in the config and that the database is running"
        ) from None
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it takes the write lock at ``BEGIN``."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The raw text may hold a password, so it is not repeated here.
        raise ConfigError(
            "the state database URL is not a valid URL — expected e.g. "
            "`sqlite:///partnerpulse.db` or `postgresql+psycopg://user@host/db`"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"unsupported state database {parsed.render_as_string(hide_password=True)} — "
            "use `sqlite:///FILE` or `postgresql+psycopg://...`"
        )
    return parsed


def _sqlite_engine(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if memory:
        # One shared connection, or every checkout would see a new empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Pages of a pull dirty index pages all over; a 64 MiB page cache (allocated as
            # used) and checkpoints every ~40 MB of WAL cut a bulk insert's CPU by a
            # quarter (bench/store_bench.py); after a checkpoint the WAL file is cut to 64 MiB.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
            cursor.execute("PRAGMA journal_size_limit=67108864")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _reason(exc: BaseException, url: URL) -> str:
    """The driver's own words, first line only, with the password scrubbed just in case."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return text
