"""The SQL state store: every role, bound to one workspace, on SQLite or PostgreSQL."""

from __future__ import annotations

from connector.store.ledger import LedgerStore
from connector.store.links import LinkStore
from connector.store.pages import PageStore
from connector.store.quarantine import QuarantineStore
from connector.store.records import RecordStore
from connector.store.runs import RunStore
from connector.store.snapshots import SnapshotStore


class SqlStore(
    PageStore,
    RecordStore,
    LinkStore,
    RunStore,
    SnapshotStore,
    LedgerStore,
    QuarantineStore,
):
    """``SqlStore(engine, workspace, clock=...)``: the whole store for one workspace.

    Each base is one role (page sink, records, links, runs, snapshots, ledger,
    quarantine); callers that need one role can type against that base. Every query
    filters by ``workspace``, so several configs share one database safely. Build the
    engine with :func:`connector.store.make_engine` and run :func:`connector.store.migrate`
    first.
    """
