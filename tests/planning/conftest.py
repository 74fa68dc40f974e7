"""The apply tests run over both stores: a SQLite file per test, and one throwaway
PostgreSQL database per session (127.0.0.1:5432, as the store suite uses it) with a
random workspace per test. PostgreSQL unreachable: those tests error, never skip."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connector.store import make_engine, migrate
from tests.store.conftest import PgServer


@pytest.fixture(scope="session")
def planning_pg() -> Iterator[Engine]:
    server = PgServer()
    try:
        engine = make_engine(server.create("pp_planning"))
        migrate(engine)
        yield engine
        engine.dispose()
    finally:
        server.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """An engine and a fresh workspace on it."""
    if request.param == "postgresql":
        yield request.getfixturevalue("planning_pg"), f"w{secrets.token_hex(6)}"
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'pp.db'}")
    migrate(engine)
    yield engine, "test"
    engine.dispose()
