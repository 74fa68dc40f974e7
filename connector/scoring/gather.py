"""Scoring inputs gathered in SQL: the statements of ``queries.py`` run on one connection
(one consistent read), merged into a :class:`PartnerFacts` per canonical partner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from connector.scoring.facts import PartnerFacts, Windows
from connector.scoring.queries import (
    activity_query,
    deal_query,
    issue_query,
    kpi_query,
    partner_query,
    survey_query,
)

_COUNTS = (
    "activities_recent",
    "activities_before",
    "won_cents_recent",
    "won_cents_before",
    "issues_open_old",
    "issues_open_other",
    "kpi_readings",
)


def gather_facts(conn: Connection, workspace: str, windows: Windows) -> dict[str, PartnerFacts]:
    """Every linked canonical partner's facts as of ``windows.as_of``, keyed by partner id.

    Includes partners that are not (or no longer) partners: deciding who is scored and
    who churned is the pure part's job.
    """
    found = {
        partner_id: {
            "partner_id": partner_id,
            "is_partner": bool(is_partner),
            "partner_since": since if since is not None else (created.date() if created else None),
            "partner_end": end,
            "unique_resources": bool(unique),
        }
        for partner_id, is_partner, since, created, end, unique in conn.execute(
            partner_query(workspace)
        )
    }
    for query in (
        activity_query(workspace, windows),
        deal_query(workspace, windows),
        issue_query(workspace, windows),
        survey_query(workspace, windows),
        kpi_query(workspace, windows),
    ):
        result = conn.execute(query)
        names = list(result.keys())[1:]
        for partner_id, *values in result:
            partner = found.get(partner_id)
            if partner is not None:
                partner.update(zip(names, values, strict=True))
    return {pid: _facts(values) for pid, values in found.items()}


def total_won_cents(facts: Mapping[str, PartnerFacts]) -> int:
    """All given partners' won revenue in the recent window (the strategic share's base)."""
    return sum(f.won_cents_recent for f in facts.values())


def _facts(values: dict[str, Any]) -> PartnerFacts:
    for name in _COUNTS:
        # SUM() is NULL over no rows, and a Decimal on PostgreSQL.
        values[name] = int(values.get(name) or 0)
    if values.get("kpi_attainment") is not None:
        values["kpi_attainment"] = float(values["kpi_attainment"])
    return PartnerFacts(**values)
