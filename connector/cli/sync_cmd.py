"""``partnerpulse sync``: one run of the whole flow, with progress bars and a summary."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connector.cli.compose import run_once
from connector.cli.errors import reported
from connector.config import load_config
from connector.errors import ConfigError, ExitCode
from connector.sync.engine import SyncOptions, SyncReport


class Only(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


def parse_as_of(value: str | None) -> datetime | None:
    """``--as-of``: a date (end of that day, UTC) or an ISO datetime with a zone."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).date()
            return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--as-of: {value!r} is not a date (YYYY-MM-DD) or ISO datetime"
        ) from None
    if stamp.tzinfo is None:
        raise ConfigError(f"--as-of: {value!r} needs a time zone, e.g. {value}Z")
    return stamp.astimezone(UTC)


def sync(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything and reconcile deletes.")
    ] = False,
    only: Annotated[Only | None, typer.Option("--only", help="Sync one CRM.")] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Pull and plan; write nothing to a CRM, keep no snapshot."),
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Score as of this date.")] = None,
    approve: Annotated[
        bool, typer.Option("--approve", help="Allow a run above the blast-radius guard.")
    ] = False,
) -> None:
    """Pull both CRMs, link partners, score them, and write tags and tasks back."""
    console = Console()
    with reported():
        cfg = load_config(config)
        options = SyncOptions(full=full, dry_run=dry_run, as_of=parse_as_of(as_of), approve=approve)
        report = run_once(cfg, config, options, console, only.value if only else None)
        print_summary(console, report)
        if report.exit_code != ExitCode.OK:
            raise typer.Exit(int(report.exit_code))


def print_summary(console: Console, report: SyncReport) -> None:
    """What the run did, in a few lines a person reads."""
    table = Table(title=f"run {report.run_id[:8]} — {report.outcome}", show_edge=False)
    for column in ("stream", "records", "deleted", "quarantined"):
        table.add_column(column, justify="right" if column != "stream" else "left")
    for key in sorted(set(report.pull.pulled) | set(report.pull.quarantined)):
        table.add_row(
            key,
            str(report.pull.pulled[key]),
            str(report.pull.deleted[key]),
            str(report.pull.quarantined[key]),
        )
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    if report.scored:
        grades = Counter(s.snapshot.grade.value for s in report.scored if not s.snapshot.churned)
        mix = ", ".join(f"{g} {grades[g]}" for g in ("healthy", "watch", "at_risk"))
        console.print(f"scored {len(report.scored)} partners: {mix}")
    calls = Counter[str]()
    for key, n in report.api_calls.items():
        calls[key.split(":", 1)[0]] += n
    spent = ", ".join(f"{system} {n}" for system, n in sorted(calls.items())) or "none"
    console.print(f"API calls: {spent}; {report.duration_s:.1f}s")
    if report.pull.rejects:
        console.print(
            f"[red]{report.pull.rejects} records quarantined[/] — `partnerpulse status` lists them"
        )
