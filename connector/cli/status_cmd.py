"""``partnerpulse status``: last runs, cursors, quarantine, API budget, next runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connector.cli.compose import WallClock, open_store
from connector.cli.errors import reported
from connector.config import load_config

if TYPE_CHECKING:
    from scheduler.status import StatusFacts


def status(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Show the last runs, cursors per stream, the quarantine, API budgets and next runs."""
    from scheduler.status import gather_status  # APScheduler triggers: status only

    with reported():
        cfg = load_config(config)
        store = open_store(cfg)
        try:
            facts = gather_status(cfg, store, WallClock().now())
        finally:
            store.engine.dispose()
    if as_json:
        typer.echo(json.dumps(facts.to_json(), indent=2))
        return
    print_status(Console(), facts)


def print_status(console: Console, facts: StatusFacts) -> None:
    """Status as a person reads it: one table per topic."""
    from scheduler.status import duration_s

    console.print(f"[bold]workspace[/] {escape(facts.workspace)} — {_when(facts.now)}")
    runs = Table(title="last runs", show_edge=False)
    for column in ("started", "job", "outcome"):
        runs.add_column(column, no_wrap=True)
    for column in ("took", "pulled", "written", "rejects", "API calls"):
        runs.add_column(column, justify="right", no_wrap=True)
    for run in facts.runs:
        seconds = duration_s(run)
        colour = "red" if run.error else ("green" if run.outcome == "ok" else "yellow")
        runs.add_row(
            run.started_at.astimezone(UTC).strftime("%m-%d %H:%M:%S"),
            escape(run.kind),
            f"[{colour}]{escape(run.outcome)}[/]",
            f"{seconds:.1f}s" if seconds is not None else "—",
            str(run.records_pulled),
            str(run.records_written),
            str(run.rejects),
            str(sum(run.api_calls.values())),
        )
    console.print(runs if facts.runs else "no run yet")
    for run in facts.runs[:1]:
        if run.error:
            console.print(f"[red]last error[/] {escape(run.error)}")

    cursors = Table(title="cursors", show_edge=False)
    for column in ("stream", "up to", "checked"):
        cursors.add_column(column, no_wrap=True)
    for (connection, stream), cursor in facts.cursors.items():
        cursors.add_row(
            escape(f"{connection}/{stream}"), _when(cursor.modified_at), _when(cursor.checked_at)
        )
    console.print(cursors if facts.cursors else "no stream pulled yet")

    console.print(f"[bold]quarantine[/] {facts.quarantine_open} open")
    for q in facts.quarantine_latest:
        console.print(f"  {escape(f'{q.system}/{q.stream} {q.record_id}: {q.reason}')}")

    if facts.budgets:
        for budget in facts.budgets:
            console.print(
                f"[bold]API budget[/] {escape(budget.crm)}: {budget.remaining} left of "
                f"{budget.limit} (as of {_when(budget.seen_at)})"
            )
    else:
        console.print("[bold]API budget[/] not recorded by any run yet")

    for nxt in facts.next_runs:
        console.print(
            f"[bold]next {nxt.job}[/] {_when(nxt.at)} — {escape(nxt.schedule)}, if a daemon runs"
        )


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"
