"""A back-test as JSON, and as a table per as-of date with the overall line."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from connector.reporting.backtest import Backtest, Measure


def backtest_document(b: Backtest) -> dict[str, Any]:
    return {
        "horizon_days": b.horizon_days,
        "config_version": b.config_version,
        "auc_meaning": (
            "chance that a partner churning within the horizon scored lower than one that "
            "stayed (ties count half); 0.5 is chance, 1.0 perfect"
        ),
        "overall": _measure(b.overall) | {"mean_auc_per_date": _round(b.mean_auc)},
        "dates": [{"as_of": p.as_of.isoformat()} | _measure(p.measure) for p in b.points],
    }


def print_backtest(console: Console, b: Backtest) -> None:
    table = Table(
        title=(
            f"back-test: churn within {b.horizon_days} days of each date "
            f"(config {b.config_version})"
        ),
        show_edge=False,
        title_justify="left",
    )
    for column in ("as of", "partners", "churned", "AUC", "at risk", "precision", "recall"):
        table.add_column(column, justify="left" if column == "as of" else "right")
    for p in b.points:
        table.add_row(f"{p.as_of:%Y-%m-%d}", *_cells(p.measure))
    table.add_section()
    table.add_row("[bold]overall[/]", *_cells(b.overall))
    console.print(table)
    mean = "—" if b.mean_auc is None else f"{b.mean_auc:.3f}"
    console.print(
        "[dim]AUC: chance that a partner that churned scored lower than one that stayed "
        f"(0.5 = chance). Overall pools every date; mean of the dates' AUC {mean}. "
        "Precision: share of at-risk partners that churned; recall: share of churners "
        "that were at risk.[/]"
    )


def _cells(m: Measure) -> list[str]:
    return [
        str(m.partners),
        str(m.churned),
        _fmt(m.auc, "{:.3f}"),
        str(m.at_risk),
        _fmt(m.precision, "{:.0%}"),
        _fmt(m.recall, "{:.0%}"),
    ]


def _measure(m: Measure) -> dict[str, Any]:
    return {
        "partners": m.partners,
        "churned": m.churned,
        "auc": _round(m.auc, 4),
        "at_risk": m.at_risk,
        "at_risk_churned": m.at_risk_churned,
        "precision": _round(m.precision, 4),
        "recall": _round(m.recall, 4),
    }


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)
