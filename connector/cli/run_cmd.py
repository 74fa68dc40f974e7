"""``partnerpulse run``: the daemon (see :mod:`scheduler.daemon`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from connector import logs
from connector.cli.compose import open_store
from connector.cli.errors import reported
from connector.config import load_config

ABANDONED = 1


def run(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
) -> None:
    """Run the scheduled jobs until SIGTERM/SIGINT, with /healthz, /metrics and a status page."""
    with reported():
        cfg = load_config(config)
        logs.configure(cfg.daemon.log_format, cfg.daemon.log_level)
        # Imported here: APScheduler, uvicorn and Prometheus are for the daemon only.
        from scheduler.daemon import Daemon, route_library_logs

        route_library_logs()
        store = open_store(cfg)
        try:
            clean = Daemon(cfg, store).serve_until_signalled()
        finally:
            store.engine.dispose()
    if not clean:
        # A run still busy at the deadline: its worker thread would hold the exit open.
        sys.stderr.flush()
        os._exit(ABANDONED)
