"""Alembic environment for the state store.

Run programmatically by :func:`connector.store.migrate.migrate`, which hands over an open
connection already inside its transaction (``config.attributes["connection"]``). Offline
``--sql`` mode is not supported: the tool migrates its own database on start.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from connector.store.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through connector.store.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    # SQLite cannot ALTER most things; later migrations copy-and-move tables instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
