"""Migrations: from an empty database to exactly ``tables.metadata``, idempotent, race-safe."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from connector.store import make_engine, migrate
from connector.store.migrate import current_revision, head_revision
from connector.store.tables import metadata
from tests.store.conftest import BACKENDS, PgServer


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody has migrated yet."""
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        return server.create("pp_test_empty")
    return f"sqlite:///{tmp_path / 'empty.db'}"


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrate_creates_exactly_the_schema_and_reruns_as_a_no_op(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0001"
        assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        assert _diff(engine) == []

        migrate(engine)  # a second start changes nothing
        assert current_revision(engine) == "0001"
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_two_processes_migrating_at_once_both_succeed(empty_url: str) -> None:
    engines = [make_engine(empty_url), make_engine(empty_url)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(engines))

    def start(engine: Engine) -> None:
        try:
            barrier.wait(timeout=10)
            migrate(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert current_revision(engines[0]) == "0001"
        assert _diff(engines[0]) == []
    finally:
        for engine in engines:
            engine.dispose()
