"""End-to-end runs through the real composition, as ``partnerpulse sync`` does it.

``start_sandbox`` + ``write_config`` + ``load_config`` + ``open_store`` + ``build_adapters``
+ ``run_sync``: nothing is faked. A :class:`Crm` is one served world with its back door;
:func:`sync` runs one sync against a config (environment overrides applied while the
config loads, exactly as ``PARTNERPULSE_*`` variables would be).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.crash_checks import BackDoor
from connector.cli.compose import WallClock, build_adapters, close_adapters, open_store
from connector.config import Config, load_config
from connector.model import System
from connector.operations import Operation, OperationResult
from connector.store import SqlStore
from connector.store.tables import RECORD_TABLES
from connector.sync.engine import SyncOptions, SyncReport, run_sync
from connector.sync.pull import PullAdapter
from sandbox.serve import SandboxHandle, start_sandbox, write_config
from sandbox.world import World

SYSTEMS: tuple[System, ...] = ("salesforce", "hubspot")
# Off in the pull tests: a write-back echoes back on the next pull (the tool's own
# writes are CRM changes), and issue 4 is about the pull alone.
NO_WRITEBACK = {"PARTNERPULSE_WRITEBACK__ENABLED": "false"}


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """``env`` set for the block, the previous values restored after."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def settle() -> None:
    """Wait until a CRM change (or write) just made is readable by the next run.

    Salesforce stamps are whole seconds, and a run reads up to the last second that had
    fully passed when it started (``adapters/salesforce/streams.py``): a change is seen by
    a run that starts two seconds later, and by the one after that in any case.
    """
    time.sleep(2.0)


def config_of(path: Path, env: Mapping[str, str] = {}) -> Config:
    with environment(env):
        return load_config(path)


Adapters = dict[System, PullAdapter]


def sync(
    path: Path,
    *,
    env: Mapping[str, str] = {},
    options: SyncOptions | None = None,
    wrap: Callable[[Adapters], Adapters] | None = None,
) -> SyncReport:
    """One ``partnerpulse sync`` of the config at ``path``, in this process.

    ``wrap`` may put something in front of the adapters (at the port, e.g. a person
    deleting a record between the pull and the write); the real adapters do the work.
    """
    config = config_of(path, env)
    store = open_store(config)
    clock = WallClock()
    adapters = build_adapters(config, clock.now())
    try:
        driven = wrap(adapters) if wrap else adapters
        return run_sync(
            config, adapters=driven, store=store, clock=clock, options=options or SyncOptions()
        )
    finally:
        close_adapters(adapters)
        store.engine.dispose()


class BeforeApply:
    """An adapter that runs ``before()`` once, just before its first ``apply``."""

    def __init__(self, inner: PullAdapter, before: Callable[[], None]) -> None:
        self.inner = inner
        self.before: Callable[[], None] | None = before
        self.system = inner.system

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        if self.before is not None:
            self.before()
            self.before = None
        return self.inner.apply(operations)

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        return self.inner.find_tasks(task_keys)  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Crm:
    """One served world: the handle, its back door, a config (state in a SQLite file)."""

    handle: SandboxHandle
    back_door: BackDoor
    config: Path

    def stats(self) -> dict[System, dict[str, Any]]:
        return {s: self.back_door.stats(s) for s in SYSTEMS}

    def store(self, env: Mapping[str, str] = {}) -> SqlStore:
        """The config's store, for assertions (dispose its engine when done)."""
        return open_store(config_of(self.config, env))

    def close(self) -> None:
        self.back_door.close()
        self.handle.stop()


@contextmanager
def serve(
    world: World, workdir: Path, *, now: datetime | None, faults: str = "", seed: int = 0
) -> Iterator[Crm]:
    """``world`` served on loopback, with a config for it under ``workdir/config``.

    ``now`` is the CRMs' clock when they start (it then runs in real time) and the stamp of
    records the world leaves unstamped; None: the real clock at that moment.
    """
    handle = start_sandbox(world, workdir=workdir / "sandbox", now=now, faults=faults, seed=seed)
    crm = Crm(
        handle,
        BackDoor(handle.salesforce_url, handle.hubspot_url, handle.ca_file),
        write_config(handle, workdir / "config" / "config.toml"),
    )
    try:
        yield crm
    finally:
        crm.close()


def delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """Calls per route template made between two stats snapshots of one CRM."""
    routes = set(before["calls"]) | set(after["calls"])
    changed = {r: after["calls"].get(r, 0) - before["calls"].get(r, 0) for r in routes}
    return {r: n for r, n in sorted(changed.items()) if n}


def record_rows(store: SqlStore, *, with_run: bool = False) -> dict[str, set[tuple[Any, ...]]]:
    """Per record table, its rows as ``(system, id, modified_at, deleted[, run_id])``."""
    rows: dict[str, set[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for name, table in RECORD_TABLES.items():
            c = table.c
            columns = [c.system, c.source_id, c.modified_at, c.deleted]
            if with_run:
                columns.append(c.run_id)
            query = select(*columns).where(c.workspace == store.workspace)
            rows[name] = {tuple(row) for row in conn.execute(query)}
    return rows


def run_calls(report: SyncReport) -> dict[str, int]:
    """API calls a run recorded, per CRM."""
    totals: dict[str, int] = dict.fromkeys(SYSTEMS, 0)
    for key, n in report.api_calls.items():
        system = key.split(":", 1)[0]
        assert system in totals, key
        totals[system] += n
    return totals
