"""The aggregate statements scoring runs: one per record table, each over every partner
of the workspace at once, never one per partner.

Records reach their canonical partner through ``links`` on (workspace, system,
``partner_source_id`` = ``source_id``). Activities, deals and issues are first grouped by
their source account (in the order of the tables' per-account index), then the small
grouped result is joined to ``links`` and summed per partner. Only non-deleted records
count, and only what had happened by ``as_of``, so a back-test can replay a past date.
A deal or issue whose ``mirror_*`` names a record present in the store is the other CRM's
copy of it and is skipped (of a pair mirroring each other, the HubSpot one is kept).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from connector.model import COMMUNICATION_KINDS, ActivityKind
from connector.scoring.facts import Windows
from connector.store.tables import activities, deals, issues, kpis, links, partners, surveys


def partner_query(workspace: str) -> Select[Any]:
    """Per canonical partner, identity facts merged over its linked partner records:
    any matches the filter, earliest since / creation / end, any unique resources."""
    p = partners
    return (
        select(
            links.c.partner_id,
            func.max(case((p.c.is_partner, 1), else_=0)).label("is_partner"),
            func.min(p.c.partner_since).label("since"),
            func.min(p.c.created_at).label("created"),
            func.min(p.c.partner_end).label("end"),
            func.max(case((p.c.unique_resources, 1), else_=0)).label("unique_resources"),
        )
        .join(links, link_join(p, p.c.source_id))
        .where(p.c.workspace == workspace, p.c.deleted == false())
        .group_by(links.c.partner_id)
    )


def per_partner(inner: Select[Any], sums: dict[str, str]) -> Select[Any]:
    """Re-aggregate a query grouped by (system, psid) per canonical partner.

    ``sums`` maps each output column to ``"sum"`` or ``"max"``.
    """
    sub = inner.subquery()
    columns = [
        (func.sum if how == "sum" else func.max)(sub.c[name]).label(name)
        for name, how in sums.items()
    ]
    return (
        select(links.c.partner_id, *columns)
        .join(
            links,
            and_(
                links.c.workspace == sub.c.workspace,
                links.c.system == sub.c.system,
                links.c.source_id == sub.c.psid,
            ),
        )
        .group_by(links.c.partner_id)
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def activity_query(workspace: str, w: Windows) -> Select[Any]:
    """Last contact (call, email, meeting), last meeting, and activity counts in the two
    engagement windows; the tool's own tasks and open to-dos are not the partner's."""
    a = activities
    talk = a.c.kind.in_(sorted(k.value for k in COMMUNICATION_KINDS))
    inner = (
        select(
            a.c.workspace,
            a.c.system,
            a.c.partner_source_id.label("psid"),
            func.max(case((talk, a.c.occurred_at))).label("last_contact_at"),
            func.max(case((a.c.kind == ActivityKind.MEETING.value, a.c.occurred_at))).label(
                "last_meeting_at"
            ),
            _count(a.c.occurred_at > w.recent_start).label("activities_recent"),
            _count(and_(a.c.occurred_at > w.before_start, a.c.occurred_at <= w.recent_start)).label(
                "activities_before"
            ),
        )
        .where(
            a.c.workspace == workspace,
            a.c.deleted == false(),
            # Written so no planner picks the task_key index for it: nearly every
            # activity has no task key.
            func.coalesce(a.c.task_key, "") == "",
            a.c.is_open == false(),
            a.c.partner_source_id.is_not(None),
            a.c.occurred_at > w.history_start,
            a.c.occurred_at <= w.as_of,
        )
        .group_by(a.c.workspace, a.c.system, a.c.partner_source_id)
    )
    return per_partner(
        inner,
        {
            "last_contact_at": "max",
            "last_meeting_at": "max",
            "activities_recent": "sum",
            "activities_before": "sum",
        },
    )


def not_mirrored(table: Table) -> ColumnElement[bool]:
    """True unless the record's ``mirror_*`` names a present record of the same table."""
    t, m = table, table.alias("mirrored")
    mirror_points_back = and_(
        m.c.mirror_system == t.c.system,
        m.c.mirror_id == t.c.source_id,
        t.c.system < m.c.system,
    )
    present = exists().where(
        m.c.workspace == t.c.workspace,
        m.c.system == t.c.mirror_system,
        m.c.source_id == t.c.mirror_id,
        m.c.deleted == false(),
        # In a pair that names each other, keep the one whose system sorts first.
        or_(m.c.mirror_id.is_(None), m.c.mirror_system.is_(None), ~mirror_points_back),
    )
    return or_(t.c.mirror_id.is_(None), t.c.mirror_system.is_(None), ~present)


def deal_query(workspace: str, w: Windows) -> Select[Any]:
    """Won revenue (cents) in the recent and the previous revenue window, by close date."""
    d = deals
    recent = d.c.close_date > w.revenue_recent_start
    inner = (
        select(
            d.c.workspace,
            d.c.system,
            d.c.partner_source_id.label("psid"),
            func.sum(case((recent, d.c.amount_cents), else_=0)).label("won_cents_recent"),
            func.sum(case((recent, 0), else_=d.c.amount_cents)).label("won_cents_before"),
        )
        .where(
            d.c.workspace == workspace,
            d.c.deleted == false(),
            d.c.won == true(),
            d.c.amount_cents.is_not(None),
            d.c.partner_source_id.is_not(None),
            d.c.close_date <= w.as_of_day,
            d.c.close_date > w.revenue_before_start,
            not_mirrored(d),
        )
        .group_by(d.c.workspace, d.c.system, d.c.partner_source_id)
    )
    return per_partner(inner, {"won_cents_recent": "sum", "won_cents_before": "sum"})


def issue_query(workspace: str, w: Windows) -> Select[Any]:
    """Issues open as of the date: those older than ``issue_old_days``, and the others."""
    i = issues
    inner = (
        select(
            i.c.workspace,
            i.c.system,
            i.c.partner_source_id.label("psid"),
            _count(i.c.opened_at < w.issue_old_before).label("issues_open_old"),
            _count(i.c.opened_at >= w.issue_old_before).label("issues_open_other"),
        )
        .where(
            i.c.workspace == workspace,
            i.c.deleted == false(),
            i.c.partner_source_id.is_not(None),
            i.c.opened_at <= w.as_of,
            # Open as of the date: not closed, or closed only afterwards.
            or_(i.c.closed == false(), i.c.closed_at > w.as_of),
            not_mirrored(i),
        )
        .group_by(i.c.workspace, i.c.system, i.c.partner_source_id)
    )
    return per_partner(inner, {"issues_open_old": "sum", "issues_open_other": "sum"})


def survey_query(workspace: str, w: Windows) -> Select[Any]:
    """The latest answer per partner; across both CRMs the later one wins (then the later
    modified, then a fixed order, so the choice is stable)."""
    s = surveys
    rank = (
        func.row_number()
        .over(
            partition_by=links.c.partner_id,
            order_by=(s.c.answered_on.desc(), s.c.modified_at.desc(), s.c.system, s.c.source_id),
        )
        .label("rank")
    )
    ranked = (
        select(
            links.c.partner_id,
            s.c.score.label("nps_score"),
            s.c.answered_on.label("nps_answered_on"),
            rank,
        )
        .join(links, link_join(s, s.c.partner_source_id))
        .where(s.c.workspace == workspace, s.c.deleted == false(), s.c.answered_on <= w.as_of_day)
        .subquery()
    )
    return select(ranked.c.partner_id, ranked.c.nps_score, ranked.c.nps_answered_on).where(
        ranked.c.rank == 1
    )


def kpi_query(workspace: str, w: Windows) -> Select[Any]:
    """Mean attainment over a partner's KPI readings, each capped at 1 (readings carry no
    date of their own: those last changed after ``as_of`` are left out)."""
    k = kpis
    ratio = case(
        (k.c.target <= 0, None),
        (k.c.actual >= k.c.target, literal(1.0)),
        else_=k.c.actual / k.c.target,
    )
    return (
        select(
            links.c.partner_id,
            func.avg(ratio).label("kpi_attainment"),
            func.count(ratio).label("kpi_readings"),
        )
        .join(links, link_join(k, k.c.partner_source_id))
        .where(k.c.workspace == workspace, k.c.deleted == false(), k.c.modified_at <= w.as_of)
        .group_by(links.c.partner_id)
    )


def link_join(table: Table, source_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """How a record of ``table`` reaches its canonical partner: the link of its source id."""
    return and_(
        links.c.workspace == table.c.workspace,
        links.c.system == table.c.system,
        links.c.source_id == source_id,
    )
