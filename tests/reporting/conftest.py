"""Stores holding the hand-made portfolio of ``portfolio_data``: a SQLite file, and a
throwaway PostgreSQL database (127.0.0.1:5432; unreachable → those tests error, never skip)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connector.store import SqlStore, make_engine, migrate
from tests.reporting import portfolio_data
from tests.store.conftest import FakeClock, PgServer


def _sqlite(folder: Path) -> Engine:
    engine = make_engine(f"sqlite:///{folder / 'pp.db'}")
    migrate(engine)
    return engine


@pytest.fixture(scope="session")
def reporting_pg() -> Iterator[Engine]:
    server = PgServer()
    try:
        engine = make_engine(server.create("pp_reporting"))
        migrate(engine)
        yield engine
        engine.dispose()
    finally:
        server.drop_all()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """The portfolio on SQLite, loaded once per module: read it, do not change it."""
    engine = _sqlite(tmp_path_factory.mktemp("reporting"))
    store = SqlStore(engine, "test", clock=FakeClock(portfolio_data.NOW))
    portfolio_data.load(store)
    yield store
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The portfolio, freshly loaded, on SQLite then on PostgreSQL (a new workspace)."""
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("reporting_pg")
        store = SqlStore(engine, f"w{secrets.token_hex(6)}", clock=FakeClock(portfolio_data.NOW))
        portfolio_data.load(store)
        yield store
        return
    engine = _sqlite(tmp_path)
    store = SqlStore(engine, "test", clock=FakeClock(portfolio_data.NOW))
    portfolio_data.load(store)
    yield store
    engine.dispose()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[SqlStore]:
    """The portfolio on its own SQLite file, for tests that change it."""
    engine = _sqlite(tmp_path)
    store = SqlStore(engine, "test", clock=FakeClock(portfolio_data.NOW))
    portfolio_data.load(store)
    yield store
    engine.dispose()
