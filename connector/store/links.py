"""Identity links (source partner record → canonical partner) and admins' overrides."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, case, delete, select

from connector.model import Link, SourceRef
from connector.store.engine import writing
from connector.store.entries import LinkOverride
from connector.store.scope import Scoped
from connector.store.tables import link_overrides, links
from connector.store.upserts import upsert


class LinkStore(Scoped):
    """Links and link overrides of this workspace."""

    def save_links(self, items: Sequence[Link]) -> None:
        """Replace the workspace's links with ``items`` (linking is recomputed whole).

        ``linked_at`` keeps its old value while a record stays with the same partner, so it
        reads "linked since".
        """
        now = self._now()
        rows = {
            (link.ref.system, link.ref.id): {
                "workspace": self.workspace,
                "system": link.ref.system,
                "source_id": link.ref.id,
                "partner_id": link.partner_id,
                "reason": link.reason.value,
                "detail": link.detail,
                "confidence": link.confidence,
                "linked_at": now,
            }
            for link in items
        }
        c = links.c
        with writing(self.engine) as conn:
            stored = conn.execute(
                select(c.system, c.source_id).where(c.workspace == self.workspace)
            ).all()
            gone = [{"b_system": s, "b_id": i} for s, i in stored if (s, i) not in rows]
            if gone:
                conn.execute(
                    delete(links).where(
                        c.workspace == self.workspace,
                        c.system == bindparam("b_system"),
                        c.source_id == bindparam("b_id"),
                    ),
                    gone,
                )
            upsert(
                conn,
                links,
                list(rows.values()),
                overrides=lambda new: {
                    "linked_at": case(
                        (c.partner_id == new.partner_id, c.linked_at), else_=new.linked_at
                    )
                },
            )

    def links(self) -> list[Link]:
        """Every link of this workspace, by partner then source."""
        c = links.c
        query = (
            select(links)
            .where(c.workspace == self.workspace)
            .order_by(c.partner_id, c.system, c.source_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Link(
                partner_id=row["partner_id"],
                ref=SourceRef(system=row["system"], id=row["source_id"]),
                reason=row["reason"],
                detail=row["detail"],
                confidence=row["confidence"],
            )
            for row in rows
        ]

    def link_overrides(self) -> list[LinkOverride]:
        """Every manual link decision of this workspace."""
        c = link_overrides.c
        query = select(link_overrides).where(c.workspace == self.workspace)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.system, c.source_id)).mappings().all()
        return [
            LinkOverride(
                ref=SourceRef(system=row["system"], id=row["source_id"]),
                partner_id=row["partner_id"],
                note=row["note"],
            )
            for row in rows
        ]

    def set_link_override(self, ref: SourceRef, partner_id: str | None, note: str = "") -> None:
        """Pin ``ref`` to ``partner_id``; ``None`` removes the override."""
        c = link_overrides.c
        with writing(self.engine) as conn:
            if partner_id is None:
                conn.execute(
                    delete(link_overrides).where(
                        c.workspace == self.workspace, c.system == ref.system, c.source_id == ref.id
                    )
                )
                return
            row = {
                "workspace": self.workspace,
                "system": ref.system,
                "source_id": ref.id,
                "partner_id": partner_id,
                "note": note,
            }
            upsert(conn, link_overrides, [row])
