"""The state store: canonical records, cursors, links, runs, snapshots, ledger, quarantine.

SQLAlchemy Core over a SQLite file (default) or PostgreSQL, migrated by the Alembic
scripts shipped in ``migrations/``.
"""

from __future__ import annotations

from connector.store.engine import DEFAULT_URL, make_engine
from connector.store.entries import LedgerEntry, LinkOverride, QuarantineEntry, RunInfo
from connector.store.migrate import migrate
from connector.store.sql_store import SqlStore

__all__ = [
    "DEFAULT_URL",
    "LedgerEntry",
    "LinkOverride",
    "QuarantineEntry",
    "RunInfo",
    "SqlStore",
    "make_engine",
    "migrate",
]
