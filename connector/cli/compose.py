"""The composition root: from a config, the concrete store, clock and CRM adapters.

This is the one place in ``connector`` that imports ``adapters``: the core sees ports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from rich.console import Console

from connector.cli.progress import RichProgress
from connector.config import Config
from connector.errors import ConfigError
from connector.model import System
from connector.store import SqlStore, make_engine, migrate
from connector.sync.engine import SyncOptions, SyncReport, run_sync
from connector.sync.pull import PullAdapter


class WallClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def open_store(config: Config) -> SqlStore:
    """The workspace's store, migrated to the current schema."""
    engine = make_engine(config.state.url)
    migrate(engine)
    return SqlStore(engine, config.workspace.name)


def build_adapters(
    config: Config, run_started_at: datetime, only: Literal["salesforce", "hubspot"] | None = None
) -> dict[System, PullAdapter]:
    """An adapter per enabled CRM (or just ``only``), in the fixed order Salesforce, HubSpot."""
    adapters: dict[System, PullAdapter] = {}
    if config.salesforce.enabled and only in (None, "salesforce"):
        from adapters.salesforce import SalesforceAdapter

        adapters["salesforce"] = SalesforceAdapter(
            config.salesforce,
            mapping=config.mappings.salesforce,
            writeback=config.writeback,
            run_started_at=run_started_at,
        )
    if config.hubspot.enabled and only in (None, "hubspot"):
        from adapters.hubspot import HubSpotAdapter

        adapters["hubspot"] = HubSpotAdapter(
            config.hubspot,
            mapping=config.mappings.hubspot,
            writeback=config.writeback,
            run_started_at=run_started_at,
        )
    return adapters


def close_adapters(adapters: dict[System, PullAdapter]) -> None:
    for adapter in adapters.values():
        adapter.close()


def run_once(
    config: Config,
    config_path: Path,
    options: SyncOptions,
    console: Console,
    only: Literal["salesforce", "hubspot"] | None = None,
) -> SyncReport:
    """One ``run_sync`` for a command: the store, fresh adapters, progress bars, cleanup."""
    store = open_store(config)
    clock = WallClock()
    adapters = build_adapters(config, clock.now(), only)
    if not adapters:
        raise ConfigError(
            f"{config_path}: no CRM is enabled (set enabled = true in [salesforce] or [hubspot])"
        )
    try:
        with RichProgress(console) as progress:
            return run_sync(
                config,
                adapters=adapters,
                store=store,
                clock=clock,
                options=options,
                progress=progress,
            )
    finally:
        close_adapters(adapters)
