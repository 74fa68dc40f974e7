"""``partnerpulse report``: portfolio metrics in the terminal, as JSON, or as one HTML page
with charts; ``--backtest`` measures how well past scores foresaw churn.

Reads the store only (no CRM call).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connector.cli.compose import WallClock, open_store
from connector.cli.errors import reported
from connector.cli.sync_cmd import parse_as_of
from connector.config import load_config
from connector.errors import ConfigError
from connector.reporting import (
    DEFAULT_COUNT,
    DEFAULT_DATES,
    DEFAULT_HORIZON_DAYS,
    PeriodKind,
    backtest_document,
    build_report,
    last_sync,
    print_backtest,
    print_report,
    render_html,
    replay_dates,
    report_document,
    run_backtest,
)


def report(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as one HTML page here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    period: Annotated[
        PeriodKind, typer.Option("--period", help="Period of retention and NPS.")
    ] = PeriodKind.QUARTER,
    periods: Annotated[
        int | None,
        typer.Option(
            "--periods", min=1, help="How many periods (default 8 quarters, 12 months, 5 years)."
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report as of this date (default: now).")
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest", help="Replay past scores and measure how well they foresaw churn."
        ),
    ] = False,
    horizon_days: Annotated[
        int, typer.Option("--horizon-days", min=1, help="Back-test: churn within this many days.")
    ] = DEFAULT_HORIZON_DAYS,
    dates: Annotated[
        int, typer.Option("--dates", min=1, help="Back-test: how many monthly as-of dates.")
    ] = DEFAULT_DATES,
) -> None:
    """Portfolio metrics: retention (both formulas), LTV, NPS, mixes, at-risk partners."""
    console = Console(stderr=as_json)
    with reported():
        cfg = load_config(config)
        when = parse_as_of(as_of)
        store = open_store(cfg)
        try:
            if backtest:
                if html is not None:
                    raise ConfigError("--html: the back-test prints a table or JSON, not a page")
                end = when or last_sync(store)
                if end is None:
                    raise ConfigError(
                        f"{config}: the store has no sync yet — run `partnerpulse sync` first"
                    )
                result = run_backtest(
                    store.engine,
                    store.workspace,
                    cfg,
                    replay_dates(end, horizon_days, dates),
                    horizon_days=horizon_days,
                )
                if as_json:
                    print(json.dumps(backtest_document(result), indent=2))
                else:
                    print_backtest(console, result)
                return
            built = build_report(
                store,
                as_of=when or WallClock().now(),
                kind=period,
                count=periods or DEFAULT_COUNT[period],
            )
        finally:
            store.engine.dispose()
        if html is not None:
            html.write_text(render_html(built), encoding="utf-8")
            console.print(f"wrote {html}")
        if as_json:
            print(json.dumps(report_document(built), indent=2, ensure_ascii=False))
        elif html is None:
            print_report(console, built)
