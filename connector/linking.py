"""Identity: one canonical partner per real partner, across both CRMs, each link with its reason.

Rules, strongest first (domain.md): a manual override; an explicit ID field (HubSpot's
``salesforceaccountid``, set by HubSpot's own Salesforce integration); the normalised web
domain, when it names exactly one record in each CRM; then, opt-in, a fuzzy name match
above a confidence floor. A record that matches nothing is a partner of its own.

Canonical ids are stable: a group keeps the id one of its records already had (the
Salesforce side's first), so history and snapshots survive new links.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from connector.model import Link, LinkReason, PartnerRecord, SourceRef

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_NAME_NOISE = re.compile(
    r"\b(inc|llc|ltd|gmbh|corp|corporation|co|company|plc|ag|sa|bv|group)\b\.?", re.IGNORECASE
)


def normalise_domain(value: str | None) -> str | None:
    """``https://www.Acme.com/about`` → ``acme.com``; None for nothing usable."""
    if not value:
        return None
    text = _SCHEME.sub("", value.strip().lower())
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    text = text.removeprefix("www.")
    return text if "." in text and " " not in text else None


def normalise_name(value: str) -> str:
    text = _NAME_NOISE.sub(" ", value.lower())
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


@dataclass(frozen=True)
class LinkOptions:
    fuzzy_names: bool = False
    fuzzy_min_confidence: float = 0.92


def partner_id_for(ref: SourceRef) -> str:
    """A new canonical id, derived from the record that founded the partner."""
    digest = hashlib.sha256(str(ref).encode()).hexdigest()[:12]
    return f"P-{digest}"


class _Groups:
    """Union-find over source refs, remembering why each union happened."""

    def __init__(self, refs: Iterable[SourceRef]) -> None:
        self.parent: dict[SourceRef, SourceRef] = {ref: ref for ref in refs}
        self.systems: dict[SourceRef, set[str]] = {ref: {ref.system} for ref in self.parent}
        self.reason: dict[SourceRef, tuple[LinkReason, str, float]] = {}

    def find(self, ref: SourceRef) -> SourceRef:
        root = ref
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[ref] != root:
            self.parent[ref], ref = root, self.parent[ref]
        return root

    def union(self, a: SourceRef, b: SourceRef, why: tuple[LinkReason, str, float]) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        if "salesforce" in self.systems[root_b] and "salesforce" not in self.systems[root_a]:
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.systems[root_a] |= self.systems.pop(root_b)
        for ref in (a, b):
            self.reason.setdefault(ref, why)
        return True


def link_partners(
    records: Sequence[PartnerRecord],
    *,
    existing: Mapping[SourceRef, str],
    overrides: Mapping[SourceRef, str],
    options: LinkOptions = LinkOptions(),
) -> list[Link]:
    """Every record's link to its canonical partner. Pure: the caller reads and saves links."""
    by_ref = {r.ref: r for r in records if not r.deleted}
    groups = _Groups(by_ref)
    forced: dict[SourceRef, str] = {ref: pid for ref, pid in overrides.items() if ref in by_ref}

    _link_by_override(groups, forced)
    _link_by_id_field(groups, by_ref, forced)
    _link_by_domain(groups, by_ref, forced)
    if options.fuzzy_names:
        _link_by_name(groups, by_ref, forced, options.fuzzy_min_confidence)

    members: dict[SourceRef, list[SourceRef]] = defaultdict(list)
    for ref in by_ref:
        members[groups.find(ref)].append(ref)

    links: list[Link] = []
    for root, refs in members.items():
        refs.sort(key=lambda r: (r.system != "salesforce", r.id))
        partner_id = _choose_id(refs, forced, existing) or partner_id_for(root)
        for ref in refs:
            reason, detail, confidence = groups.reason.get(
                ref, (LinkReason.ONLY_SOURCE, "no record in the other CRM matched", 1.0)
            )
            if ref in forced:
                reason, detail, confidence = LinkReason.MANUAL, "manual override", 1.0
            elif len(refs) == 1:
                reason, detail, confidence = (
                    LinkReason.ONLY_SOURCE,
                    "no record in the other CRM matched",
                    1.0,
                )
            links.append(
                Link(
                    partner_id=partner_id,
                    ref=ref,
                    reason=reason,
                    detail=detail,
                    confidence=confidence,
                )
            )
    return links


def _choose_id(
    refs: list[SourceRef], forced: Mapping[SourceRef, str], existing: Mapping[SourceRef, str]
) -> str | None:
    for ref in refs:
        if ref in forced:
            return forced[ref]
    for ref in refs:
        if ref in existing:
            return existing[ref]
    return None


def _link_by_override(groups: _Groups, forced: Mapping[SourceRef, str]) -> None:
    by_partner: dict[str, list[SourceRef]] = defaultdict(list)
    for ref, partner_id in forced.items():
        by_partner[partner_id].append(ref)
    for refs in by_partner.values():
        for other in refs[1:]:
            groups.union(refs[0], other, (LinkReason.MANUAL, "manual override", 1.0))


def _link_by_id_field(
    groups: _Groups, by_ref: Mapping[SourceRef, PartnerRecord], forced: Mapping[SourceRef, str]
) -> None:
    for ref, record in by_ref.items():
        if record.linked_salesforce_id is None or ref in forced:
            continue
        target = SourceRef(system="salesforce", id=record.linked_salesforce_id)
        if target in by_ref and target not in forced:
            why = (
                LinkReason.ID_FIELD,
                f"HubSpot company {ref.id} names Salesforce Account {target.id} "
                "(salesforceaccountid)",
                1.0,
            )
            groups.union(target, ref, why)


def _link_by_domain(
    groups: _Groups, by_ref: Mapping[SourceRef, PartnerRecord], forced: Mapping[SourceRef, str]
) -> None:
    by_domain: dict[str, dict[str, list[SourceRef]]] = defaultdict(lambda: defaultdict(list))
    for ref, record in by_ref.items():
        domain = normalise_domain(record.domain)
        if domain and ref not in forced:
            by_domain[domain][ref.system].append(ref)
    for domain, systems in by_domain.items():
        sf, hs = systems.get("salesforce", []), systems.get("hubspot", [])
        if len(sf) != 1 or len(hs) != 1:
            continue  # ambiguous (or one-sided): never guess between two records
        if _already_cross_linked(groups, sf[0], hs[0]):
            continue
        groups.union(sf[0], hs[0], (LinkReason.DOMAIN, f"same web domain {domain}", 0.95))


def _already_cross_linked(groups: _Groups, sf: SourceRef, hs: SourceRef) -> bool:
    """True when either side already joined a record of the other CRM by a stronger rule."""
    root_sf, root_hs = groups.find(sf), groups.find(hs)
    if root_sf == root_hs:
        return True
    return "hubspot" in groups.systems[root_sf] or "salesforce" in groups.systems[root_hs]


def _link_by_name(
    groups: _Groups,
    by_ref: Mapping[SourceRef, PartnerRecord],
    forced: Mapping[SourceRef, str],
    floor: float,
) -> None:
    sf = [r for r in by_ref.values() if r.ref.system == "salesforce" and r.ref not in forced]
    hs = [r for r in by_ref.values() if r.ref.system == "hubspot" and r.ref not in forced]
    names = {r.ref: normalise_name(r.name) for r in (*sf, *hs)}
    for left in sf:
        best: tuple[float, PartnerRecord | None] = (0.0, None)
        for right in hs:
            if _already_cross_linked(groups, left.ref, right.ref):
                continue
            ratio = SequenceMatcher(None, names[left.ref], names[right.ref]).ratio()
            if ratio > best[0]:
                best = (ratio, right)
        score, match = best
        if match is not None and score >= floor:
            why = (
                LinkReason.FUZZY_NAME,
                f"names {left.name!r} and {match.name!r} match at {score:.2f}",
                round(score, 3),
            )
            groups.union(left.ref, match.ref, why)
