"""Score snapshots: a partner's health as of a date, kept for trend, hysteresis and history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, select

from connector.model import Snapshot
from connector.store.engine import writing
from connector.store.scope import Scoped
from connector.store.tables import snapshots
from connector.store.upserts import upsert

_NOT_MODEL = ("workspace", "run_id", "rn")


def _row(s: Snapshot, workspace: str, run_id: str | None) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "partner_id": s.partner_id,
        "as_of": s.as_of,
        "config_version": s.config_version,
        "score": s.score,
        "grade": s.grade.value,
        "segment": s.segment.value,
        "segment_rule": s.segment_rule,
        "tier": s.tier.value,
        "trend": s.trend.value,
        "components": [c.model_dump(mode="json") for c in s.components],
        "reasons": list(s.reasons),
        "churned": s.churned,
        "run_id": run_id,
    }


def _snapshot(row: RowMapping) -> Snapshot:
    return Snapshot.model_validate({k: v for k, v in row.items() if k not in _NOT_MODEL})


class SnapshotStore(Scoped):
    """Snapshots of this workspace."""

    def save_snapshots(self, items: Sequence[Snapshot], run_id: str | None = None) -> None:
        """Store ``items``; the same (partner, as_of, config_version) again replaces it."""
        rows = [_row(s, self.workspace, run_id) for s in items]
        with writing(self.engine) as conn:
            upsert(conn, snapshots, rows)

    def latest_snapshots(self) -> dict[str, Snapshot]:
        """Each partner's newest snapshot, keyed by partner id."""
        return self._latest_per_partner()

    def snapshots_near(
        self, as_of: datetime, *, window: timedelta | None = None
    ) -> dict[str, Snapshot]:
        """Each partner's newest snapshot taken at or before ``as_of`` (and, with ``window``,
        no earlier than ``as_of - window``): the baseline a trend compares against."""
        c = snapshots.c
        bounds = [c.as_of <= as_of]
        if window is not None:
            bounds.append(c.as_of >= as_of - window)
        return self._latest_per_partner(*bounds)

    def snapshot_history(self, partner_id: str, limit: int = 30) -> list[Snapshot]:
        """One partner's snapshots, newest first."""
        c = snapshots.c
        query = (
            select(snapshots)
            .where(c.workspace == self.workspace, c.partner_id == partner_id)
            .order_by(c.as_of.desc(), c.config_version.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_snapshot(row) for row in conn.execute(query).mappings()]

    def _latest_per_partner(self, *bounds: ColumnElement[bool]) -> dict[str, Snapshot]:
        c = snapshots.c
        rank = (
            func.row_number()
            .over(partition_by=c.partner_id, order_by=(c.as_of.desc(), c.config_version.desc()))
            .label("rn")
        )
        ranked = select(snapshots, rank).where(c.workspace == self.workspace, *bounds).subquery()
        query = select(ranked).where(ranked.c.rn == 1).order_by(ranked.c.partner_id)
        with self.engine.connect() as conn:
            return {row["partner_id"]: _snapshot(row) for row in conn.execute(query).mappings()}
