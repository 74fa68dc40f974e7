"""One contract suite over both backends: a SQLite file and the real PostgreSQL.

PostgreSQL runs on 127.0.0.1:5432 (user postgres, trust auth). The session creates a
throwaway database ``pp_test_<hex>``, migrates it once and drops it at the end; each
test gets its own random workspace in it, which the store's workspace scoping keeps
apart. If PostgreSQL is not reachable the PostgreSQL half of the suite errors: it never
skips. SQLite tests get a fresh file per test.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from connector.store import SqlStore, make_engine, migrate

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


class FakeClock:
    """A clock tests move by hand; starts at a fixed instant."""

    def __init__(self, start: datetime = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class PgServer:
    """Creates and drops throwaway databases on the test server."""

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, prefix: str = "pp_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def pg_engine(pg_server: PgServer) -> Iterator[Engine]:
    """The session's migrated PostgreSQL database."""
    engine = make_engine(pg_server.create())
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (closing checkpoints the WAL)."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database of ``backend``."""
    if backend == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    path = tmp_path / "store.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workspace() -> str:
    return f"ws_{secrets.token_hex(6)}"


@pytest.fixture
def store(engine: Engine, workspace: str, clock: FakeClock) -> SqlStore:
    return SqlStore(engine, workspace, clock=clock)


@pytest.fixture
def other_store(engine: Engine, clock: FakeClock) -> SqlStore:
    """A second workspace on the same database."""
    return SqlStore(engine, f"other_{secrets.token_hex(6)}", clock=clock)
