"""Opening the database: SQLite pragmas, PostgreSQL URLs, and errors that name the URL safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from connector.errors import ConfigError
from connector.store import make_engine


def test_sqlite_file_gets_wal_normal_sync_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pp.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,
        "busy_timeout": 30000,
        "foreign_keys": 1,
    }


def test_sqlite_in_memory_keeps_one_database(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgresql_urls_mean_psycopg3(scheme: str) -> None:
    engine = make_engine(f"{scheme}://postgres@127.0.0.1:5432/postgres")
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_unreachable_postgresql_is_a_config_error_without_the_password() -> None:
    url = "postgresql://pp:s3cr3t-pw@127.0.0.1:1/partnerpulse"
    with pytest.raises(ConfigError) as caught:
        make_engine(url)
    message = str(caught.value)
    assert "s3cr3t-pw" not in message
    assert "postgresql+psycopg://pp:***@127.0.0.1:1/partnerpulse" in message
    assert caught.value.__cause__ is None  # the driver's exception (and its DSN) is not chained
    assert caught.value.__suppress_context__


def test_sqlite_in_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot open the state database sqlite:///"):
        make_engine(f"sqlite:///{tmp_path / 'nope' / 'pp.db'}")


@pytest.mark.parametrize(
    "url", ["not a url at all", "mysql://root:hunter2@localhost/pp", "postgresql+asyncpg://x@h/db"]
)
def test_bad_or_unsupported_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_engine(url)
    assert "hunter2" not in str(caught.value)
