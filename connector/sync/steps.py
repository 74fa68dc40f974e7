"""The pure-ish steps between pull and write: link partners, score them, keep snapshots."""

from __future__ import annotations

from datetime import datetime

from connector.config import Config
from connector.linking import LinkOptions, link_partners
from connector.model import PartnerRecord
from connector.scoring import ScoredPartner, score_portfolio
from connector.store import SqlStore


def link_step(store: SqlStore, config: Config) -> int:
    """Link every partner record (current or former); returns how many links changed."""
    existing = {link.ref: link.partner_id for link in store.links()}
    records = [
        r
        for r in store.records(PartnerRecord)
        if r.is_partner or r.partner_end is not None or r.ref in existing
    ]
    overrides = {o.ref: o.partner_id for o in store.link_overrides()}
    options = LinkOptions(
        fuzzy_names=config.mappings.link_fuzzy_names,
        fuzzy_min_confidence=config.mappings.fuzzy_name_min_confidence,
    )
    links = link_partners(records, existing=existing, overrides=overrides, options=options)
    changed = [link for link in links if existing.get(link.ref) != link.partner_id]
    store.save_links(links)
    return len(changed)


def score_step(store: SqlStore, config: Config, as_of: datetime) -> list[ScoredPartner]:
    """Score the whole portfolio as of ``as_of`` against each partner's latest snapshot."""
    previous = store.latest_snapshots()
    return score_portfolio(store.engine, store.workspace, config, as_of, previous)
