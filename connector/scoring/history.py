"""The earlier score a trend is measured against: per partner, the snapshot taken nearest
to ``trend_lookback_days`` before ``as_of`` (and strictly before ``as_of``).

One statement for every partner: for each linked partner, two correlated look-ups on the
snapshots' primary key (the last instant at or before the target, the first after it),
then the rows at those instants. Each look-up is an index seek, so the cost does not grow
with the length of the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, or_, select

from connector.model import Snapshot
from connector.store.tables import links, snapshots


class BaseScore(NamedTuple):
    """The score of an earlier snapshot, and when it was taken."""

    as_of: datetime
    score: float


def trend_bases(
    conn: Connection, workspace: str, target: datetime, as_of: datetime, config_version: str
) -> dict[str, BaseScore]:
    """Per partner, the snapshot taken nearest to ``target`` and before ``as_of``.

    Equally near on both sides: the earlier wins. Several snapshots at that instant
    (different config versions): the one of ``config_version``, else the first by version.
    """
    s, t = snapshots, snapshots.alias("near")
    partner_ids = (
        select(links.c.partner_id).where(links.c.workspace == workspace).distinct().subquery()
    )
    mine = (t.c.workspace == workspace) & (t.c.partner_id == partner_ids.c.partner_id)
    before_at = (
        select(t.c.as_of)
        .where(mine, t.c.as_of <= target)
        .order_by(t.c.as_of.desc())
        .limit(1)
        .scalar_subquery()
    )
    after_at = (
        select(t.c.as_of)
        .where(mine, t.c.as_of > target, t.c.as_of < as_of)
        .order_by(t.c.as_of.asc())
        .limit(1)
        .scalar_subquery()
    )
    near = select(
        partner_ids.c.partner_id, before_at.label("before_at"), after_at.label("after_at")
    ).subquery()
    query = select(s.c.partner_id, s.c.as_of, s.c.score, s.c.config_version).join(
        near,
        (s.c.workspace == workspace)
        & (s.c.partner_id == near.c.partner_id)
        & or_(s.c.as_of == near.c.before_at, s.c.as_of == near.c.after_at),
    )
    best: dict[str, tuple[tuple[float, datetime, bool, str], BaseScore]] = {}
    for row in conn.execute(query):
        distance = abs((row.as_of - target).total_seconds())
        rank = (distance, row.as_of, row.config_version != config_version, row.config_version)
        held = best.get(row.partner_id)
        if held is None or rank < held[0]:
            best[row.partner_id] = (rank, BaseScore(row.as_of, row.score))
    return {pid: base for pid, (_, base) in best.items()}


def bases_from_snapshots(chosen: Mapping[str, Snapshot]) -> dict[str, BaseScore]:
    """Trend bases the caller already picked (a back-test replaying in memory)."""
    return {pid: BaseScore(snap.as_of, snap.score) for pid, snap in chosen.items()}
