"""Bring the state database to the current schema on start, with the migrations shipped in
the package (no alembic.ini at runtime).

The whole upgrade runs in one transaction. On PostgreSQL a transaction-scoped advisory
lock serialises replicas that start together: the second waits, then finds the schema
at head and does nothing. On SQLite the transaction begins IMMEDIATE, which is the same
lock for one file.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select

from connector.store.engine import writing

MIGRATIONS = Path(__file__).parent / "migrations"
# An arbitrary constant: "PPSTORE1" as a big-endian 64-bit integer, shared by every replica.
MIGRATION_LOCK_KEY = int.from_bytes(b"PPSTORE1", "big") & 0x7FFF_FFFF_FFFF_FFFF


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations folder inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Apply every pending migration; a no-op when the schema is at head."""
    config = alembic_config()
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def autogenerate_revision(engine: Engine, message: str, rev_id: str) -> None:
    """For developers: write ``versions/<rev_id>_*.py`` from the difference between the
    database at ``engine`` (migrated to head) and ``tables.metadata``. Review it by hand."""
    config = alembic_config()
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped in the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
