"""The statements the report runs over the whole workspace at once (10,000 partners: one
row each), and the small look-up ``explain`` makes about one partner.

Records reach their canonical partner through ``links`` as in scoring. A deal whose
``mirror_*`` names a present deal of the other CRM is that deal's copy and counts once
(of a pair naming each other, the one whose system sorts first is kept) — the rule
``connector.scoring.queries`` applies to revenue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    false,
    func,
    select,
    true,
    tuple_,
)

from connector.model import SourceRef
from connector.scoring.queries import link_join, not_mirrored, per_partner
from connector.store.tables import activities, deals, issues, links, partners, snapshots, surveys


def churn_seen_query(workspace: str, partner_ids: Sequence[str]) -> Select[Any]:
    """For these partners, the first snapshot that found each churned (how a partner that
    left the partner filter without an end date is dated); an index seek per partner."""
    c = snapshots.c
    return (
        select(c.partner_id, func.min(c.as_of).label("churned_at"))
        .where(c.workspace == workspace, c.partner_id.in_(partner_ids), c.churned == true())
        .group_by(c.partner_id)
    )


def lifetime_value_query(workspace: str, as_of_day: date) -> Select[Any]:
    """Per canonical partner, won revenue in cents over every deal closed by ``as_of_day``."""
    d = deals
    inner = (
        select(
            d.c.workspace,
            d.c.system,
            d.c.partner_source_id.label("psid"),
            func.sum(d.c.amount_cents).label("won_cents"),
        )
        .where(
            d.c.workspace == workspace,
            d.c.deleted == false(),
            d.c.won == true(),
            d.c.amount_cents.is_not(None),
            d.c.partner_source_id.is_not(None),
            d.c.close_date <= as_of_day,
            not_mirrored(d),
        )
        .group_by(d.c.workspace, d.c.system, d.c.partner_source_id)
    )
    return per_partner(inner, {"won_cents": "sum"})


def survey_query(workspace: str, start: date, end: date) -> Select[Any]:
    """Every NPS answer given in ``[start, end]``, with its partner, in the order that picks
    a partner's latest (later answer, then later modified, then a fixed order)."""
    s = surveys
    return (
        select(links.c.partner_id, s.c.score, s.c.answered_on)
        .join(links, link_join(s, s.c.partner_source_id))
        .where(
            s.c.workspace == workspace,
            s.c.deleted == false(),
            s.c.answered_on >= start,
            s.c.answered_on <= end,
        )
        .order_by(
            links.c.partner_id,
            s.c.answered_on.desc(),
            s.c.modified_at.desc(),
            s.c.system,
            s.c.source_id,
        )
    )


def snapshot_days_query(workspace: str) -> Select[Any]:
    """Each instant a portfolio was scored at, with how many partners it scored."""
    c = snapshots.c
    return (
        select(c.as_of, func.count().label("partners"))
        .where(c.workspace == workspace)
        .group_by(c.as_of)
        .order_by(c.as_of)
    )


def run_grades_query(workspace: str, instants: Sequence[datetime]) -> Select[Any]:
    """Per scoring instant and grade: active partners and the sum of their scores."""
    c = snapshots.c
    return (
        select(c.as_of, c.grade, func.count().label("partners"), func.sum(c.score).label("total"))
        .where(c.workspace == workspace, c.as_of.in_(instants), c.churned == false())
        .group_by(c.as_of, c.grade)
    )


def middle_scores_query(workspace: str, instant: datetime, active: int) -> Select[Any]:
    """The one or two middle scores of the ``active`` partners scored at ``instant``
    (their mean is the median): one index range and a sort of one run's scores."""
    c = snapshots.c
    return (
        select(c.score)
        .where(c.workspace == workspace, c.as_of == instant, c.churned == false())
        .order_by(c.score)
        .offset((active - 1) // 2)
        .limit(2 - active % 2)
    )


def run_mix_query(workspace: str, instant: datetime) -> Select[Any]:
    """Active partners per (grade, segment, tier) at one scoring instant."""
    c = snapshots.c
    return (
        select(c.grade, c.segment, c.tier, func.count().label("partners"))
        .where(c.workspace == workspace, c.as_of == instant, c.churned == false())
        .group_by(c.grade, c.segment, c.tier)
    )


def changed_after(
    conn: Connection, workspace: str, refs: Sequence[SourceRef], after: datetime
) -> dict[str, int]:
    """How many of these partner records, and of their activities, deals, issues and
    answers, were modified after ``after`` (per table; tables with none are left out)."""
    if not refs:
        return {}
    keys = [(ref.system, ref.id) for ref in refs]
    counts: dict[str, int] = {}
    owned = {
        "partners": (partners, partners.c.source_id),
        "activities": (activities, activities.c.partner_source_id),
        "deals": (deals, deals.c.partner_source_id),
        "issues": (issues, issues.c.partner_source_id),
        "surveys": (surveys, surveys.c.partner_source_id),
    }
    for name, (table, owner) in owned.items():
        query = select(func.count()).where(
            table.c.workspace == workspace,
            tuple_(table.c.system, owner).in_(keys),
            table.c.modified_at > after,
        )
        found = int(conn.execute(query).scalar_one())
        if found:
            counts[name] = found
    return counts


def last_scored_query(workspace: str) -> Select[Any]:
    """When the portfolio was last scored (the newest snapshot's instant)."""
    return select(func.max(snapshots.c.as_of)).where(snapshots.c.workspace == workspace)
