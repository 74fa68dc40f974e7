"""``partnerpulse``: the commands of DESIGN.md's command line, as each issue lands them."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer
from rich.console import Console

from connector import logs
from connector.cli import (
    demo_cmd,
    explain_cmd,
    plan_cmd,
    report_cmd,
    run_cmd,
    setup_cmd,
    status_cmd,
    sync_cmd,
)
from sandbox.cli import app as sandbox_app

app = typer.Typer(
    name="partnerpulse",
    help="Keeps partner relationships healthy in Salesforce and HubSpot: pull, score, tag, remind.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()


def _version(value: bool) -> None:
    if value:
        console.print(f"partnerpulse {version('partnerpulse')}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """PartnerPulse."""


app.command("check")(setup_cmd.check)
app.command("setup")(setup_cmd.setup)
app.command("sync")(sync_cmd.sync)
app.command("plan")(plan_cmd.plan)
app.command("explain")(explain_cmd.explain)
app.command("report")(report_cmd.report)
app.command("run")(run_cmd.run)
app.command("demo")(demo_cmd.demo)
app.command("status")(status_cmd.status)


app.add_typer(sandbox_app, name="sandbox", help="A local Salesforce and HubSpot to try things on.")


def main() -> None:
    logs.configure("console", "warning")
    app()
