"""``partnerpulse check`` (what is wrong, changing nothing) and ``partnerpulse setup`` (create
what the tool needs in HubSpot; list, and optionally write as metadata, what Salesforce needs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connector.cli.compose import WallClock, build_adapters, close_adapters
from connector.cli.errors import reported
from connector.config import load_config
from connector.errors import ExitCode

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
]
console = Console()


def _redact_url(url: str) -> str:
    """A database URL without its password."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def check(
    config: ConfigOption = Path("partnerpulse.toml"),
    offline: Annotated[
        bool, typer.Option("--offline", help="Validate the config only; contact no CRM.")
    ] = False,
) -> None:
    """Validate the config, then sign in to each enabled CRM and check every mapped field."""
    with reported():
        cfg = load_config(config)
        console.print(f"[green]ok[/] {config}: workspace [bold]{cfg.workspace.name}[/]")
        console.print(f"  state: {_redact_url(cfg.state.url)}")
        systems = cfg.systems()
        console.print(f"  CRMs: {', '.join(systems) if systems else 'none enabled'}")
        if offline or not systems:
            return
        adapters = build_adapters(cfg, WallClock().now())
        problems: list[str] = []
        try:
            for system, adapter in adapters.items():
                found = adapter.check_schema()
                mark = "[green]ok[/]" if not found else f"[red]{len(found)} problem(s)[/]"
                console.print(f"  {system}: signed in, fields {mark}")
                problems += [f"{system}: {line}" for line in found]
        finally:
            close_adapters(adapters)
        for line in problems:
            console.print(f"  [red]✗[/] {line}")
        if problems:
            raise typer.Exit(int(ExitCode.BAD_INPUT))


def setup(
    config: ConfigOption = Path("partnerpulse.toml"),
    salesforce_metadata: Annotated[
        Path | None,
        typer.Option(
            "--salesforce-metadata",
            help="Write the Salesforce fields as a Metadata API folder here, to deploy.",
        ),
    ] = None,
) -> None:
    """Create the HubSpot properties the tool writes; list the Salesforce fields it needs."""
    with reported():
        cfg = load_config(config)
        adapters = build_adapters(cfg, WallClock().now())
        missing_sf: list[str] = []
        try:
            if "hubspot" in adapters:
                from adapters.hubspot.setup import setup as hubspot_setup

                report = hubspot_setup(adapters["hubspot"], cfg.writeback)  # type: ignore[arg-type]
                for name in report.created:
                    console.print(f"  [green]created[/] HubSpot {name}")
                console.print(f"  HubSpot: {len(report.existing)} already there")
                for line in report.problems:
                    console.print(f"  [red]✗[/] HubSpot {line}")
                if report.problems:
                    missing_sf.append("HubSpot properties the tool cannot use (see above)")
            if "salesforce" in adapters:
                missing_sf += [
                    line for line in adapters["salesforce"].check_schema() if "missing" in line
                ]
                for line in missing_sf:
                    console.print(f"  [yellow]missing[/] Salesforce {line}")
        finally:
            close_adapters(adapters)
        if salesforce_metadata is not None:
            from adapters.salesforce.metadata import tool_fields, write_metadata

            files = write_metadata(salesforce_metadata, tool_fields(cfg.writeback))
            console.print(
                f"  wrote {len(files)} files to {salesforce_metadata} — deploy with "
                f"`sf project deploy start --metadata-dir {salesforce_metadata}`"
            )
        if missing_sf:
            raise typer.Exit(int(ExitCode.BAD_INPUT))
