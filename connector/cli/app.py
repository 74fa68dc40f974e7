"""``partnerpulse``: the commands of DESIGN.md's command line, as each issue lands them."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connector import logs
from connector.cli import demo_cmd, explain_cmd, plan_cmd, report_cmd, run_cmd, status_cmd, sync_cmd
from connector.cli.errors import reported
from connector.config import load_config

app = typer.Typer(
    name="partnerpulse",
    help="Keeps partner relationships healthy in Salesforce and HubSpot: pull, score, tag, remind.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
]


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


@app.command()
def check(config: ConfigOption = Path("partnerpulse.toml")) -> None:
    """Validate the config (and, with the adapters, credentials, connectivity and fields)."""
    with reported():
        cfg = load_config(config)
        console.print(f"[green]ok[/] {config}: workspace [bold]{cfg.workspace.name}[/]")
        console.print(f"  state: {_redact_url(cfg.state.url)}")
        systems = cfg.systems()
        console.print(f"  CRMs: {', '.join(systems) if systems else 'none enabled'}")


app.command("sync")(sync_cmd.sync)
app.command("plan")(plan_cmd.plan)
app.command("explain")(explain_cmd.explain)
app.command("report")(report_cmd.report)
app.command("run")(run_cmd.run)
app.command("demo")(demo_cmd.demo)
app.command("status")(status_cmd.status)


def _redact_url(url: str) -> str:
    """A database URL without its password."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _mount_sandbox() -> None:
    from sandbox.cli import app as sandbox_app

    app.add_typer(
        sandbox_app, name="sandbox", help="A local Salesforce and HubSpot to try things on."
    )


def main() -> None:
    logs.configure("console", "warning")
    _mount_sandbox()
    app()
