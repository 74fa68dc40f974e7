"""``partnerpulse plan``: every write a sync would make, with old value, new value and reason.

A plan is ``sync --dry-run``: it pulls first, because a plan must diff against the live
CRM values (the store's copy may be hours old), then links, scores and plans — and sends
nothing, stores no ledger entry and no snapshot. Pulling does move the cursors and land
the pulled records, as any dry run does, so the next sync has less to read.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from connector.cli.compose import run_once
from connector.cli.errors import reported
from connector.cli.sync_cmd import parse_as_of
from connector.config import load_config
from connector.errors import ExitCode
from connector.planning import WritebackReport
from connector.sync.engine import SyncOptions

_CELL = 60


def plan(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
    as_of: Annotated[str | None, typer.Option("--as-of", help="Score as of this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Pull, score and print every write a sync would make; write nothing."""
    console = Console(stderr=as_json)
    with reported():
        cfg = load_config(config)
        options = SyncOptions(dry_run=True, as_of=parse_as_of(as_of), kind="plan")
        report = run_once(cfg, config, options, console, None)
        writeback = report.writeback
        if writeback is None:
            raise typer.Exit(int(report.exit_code or ExitCode.OK))
        if as_json:
            print(json.dumps(plan_document(writeback), indent=2, ensure_ascii=False))
        else:
            print_plan(console, writeback)
        if report.exit_code != ExitCode.OK:
            raise typer.Exit(int(report.exit_code))


def plan_document(writeback: WritebackReport) -> dict[str, object]:
    """The plan as JSON: one row per field or task, the operations as the adapters get
    them, the fields the policy kept, and the guard."""
    plan = writeback.plan
    return {
        "as_of": plan.as_of.isoformat(),
        "partners_total": plan.partners_total,
        "partners_touched": len(plan.touched()),
        "counts": dict(plan.counts()),
        "guard": writeback.guard,
        "rows": [asdict(row) for row in plan.rows()],
        "kept": [asdict(kept) for kept in plan.kept],
        "operations": [op.model_dump(mode="json") for op in plan.operations],
        "settled": [r.model_dump(mode="json") for r in writeback.settled],
    }


def print_plan(console: Console, writeback: WritebackReport) -> None:
    """The plan as a table a person reads, then what the policy kept and the guard."""
    plan = writeback.plan
    counts = plan.counts()
    title = (
        f"plan as of {plan.as_of:%Y-%m-%d %H:%M} UTC — {counts['tag_update']} tag updates, "
        f"{counts['task_create']} new tasks, {counts['task_close']} closes, "
        f"{len(plan.touched())} of {plan.partners_total} partners"
    )
    table = Table(title=title, show_edge=False, show_lines=False)
    for column in ("CRM", "record", "field", "old", "new", "reason"):
        table.add_column(column, overflow="fold")
    for row in plan.rows():
        table.add_row(row.system, row.record, row.field, _cell(row.old), _cell(row.new), row.reason)
    console.print(table if plan.operations else f"{title}: nothing to write")
    if plan.kept:
        kept = Table(title="kept by policy (not written)", show_edge=False)
        for column in ("CRM", "record", "field", "live", "score says", "why"):
            kept.add_column(column, overflow="fold")
        for k in plan.kept:
            kept.add_row(k.system, k.record_id, k.crm_field, _cell(k.live), _cell(k.desired), k.why)
        console.print(kept)
    if writeback.settled:
        console.print(
            f"[yellow]note[/] {len(writeback.settled)} writes of an interrupted run are "
            "settled first (checked in the CRM by key; none is sent twice)"
        )
    if writeback.guard:
        console.print(f"[red]sync would refuse:[/] {writeback.guard}")


def _cell(value: str | None) -> str:
    text = value or ""
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"
