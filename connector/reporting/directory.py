"""Who each canonical partner is, for people: its name, domains and source records.

Built from the store's partner records and links (no CRM call), so ``explain`` can find a
partner by what an admin types and the report can name partners instead of showing ids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from connector.linking import normalise_domain
from connector.model import Link, PartnerRecord, SourceRef
from connector.store import SqlStore


@dataclass(frozen=True, slots=True)
class PartnerEntry:
    """One canonical partner: its linked source records (Salesforce first) and links."""

    partner_id: str
    records: tuple[PartnerRecord, ...]
    links: tuple[Link, ...]

    @property
    def name(self) -> str:
        """The Salesforce record's name when there is one (it founded the id), else HubSpot's."""
        return self.records[0].name if self.records else self.partner_id

    @property
    def domains(self) -> tuple[str, ...]:
        found = (normalise_domain(r.domain) for r in self.records)
        return tuple(dict.fromkeys(d for d in found if d))

    @property
    def refs(self) -> tuple[SourceRef, ...]:
        return tuple(link.ref for link in self.links)

    def label(self) -> str:
        """``Acme Ltd (acme.com; salesforce:001…, hubspot:123)``: enough to tell two apart."""
        parts = [*self.domains[:1], ", ".join(str(ref) for ref in self.refs)]
        return f"{self.name} ({'; '.join(p for p in parts if p)})"


class Directory:
    """Every linked canonical partner of a workspace, by partner id."""

    def __init__(self, entries: dict[str, PartnerEntry]) -> None:
        self.entries = entries

    @classmethod
    def load(cls, store: SqlStore) -> Directory:
        """Read links and partner records once (10,000 partners: a few thousand rows each)."""
        links_by_partner: dict[str, list[Link]] = defaultdict(list)
        for link in store.links():
            links_by_partner[link.partner_id].append(link)
        records = {r.ref: r for r in store.records(PartnerRecord)}
        entries = {}
        for partner_id, links in links_by_partner.items():
            ordered = sorted(links, key=lambda link: (link.ref.system != "salesforce", link.ref.id))
            found = tuple(records[link.ref] for link in ordered if link.ref in records)
            entries[partner_id] = PartnerEntry(partner_id, found, tuple(ordered))
        return cls(entries)

    def get(self, partner_id: str) -> PartnerEntry | None:
        return self.entries.get(partner_id)

    def name(self, partner_id: str) -> str:
        entry = self.entries.get(partner_id)
        return entry.name if entry else partner_id
