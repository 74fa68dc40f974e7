"""``partnerpulse explain PARTNER``: why this partner has its score, segment, tier and tasks.

Reads the store only (no CRM call), so it works offline and costs no API budget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connector.cli.compose import open_store
from connector.cli.errors import reported
from connector.config import load_config
from connector.reporting import explain as explain_partner
from connector.reporting import explanation_document, print_explanation


def explain(
    partner: Annotated[
        str,
        typer.Argument(help="Name, web domain, Salesforce or HubSpot id, or partner id."),
    ],
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The TOML config file.", envvar="PARTNERPULSE_CONFIG"),
    ] = Path("partnerpulse.toml"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Explain a partner's latest score: components, segment, tier, playbooks, links, history."""
    with reported():
        cfg = load_config(config)
        store = open_store(cfg)
        try:
            result = explain_partner(store, cfg, partner)
        finally:
            store.engine.dispose()
        if as_json:
            print(json.dumps(explanation_document(result), indent=2, ensure_ascii=False))
        else:
            print_explanation(Console(), result)
