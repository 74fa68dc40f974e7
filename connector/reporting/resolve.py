"""Finding the partner an admin means: by name, web domain, Salesforce or HubSpot id, or
canonical partner id, case-insensitively.

Exact matches win (an id, the normalised domain, the whole name); only when nothing
matches exactly is the text looked for inside names and domains. One partner found is the
answer; several are listed so the admin can pick one by id; none is a clear error.
"""

from __future__ import annotations

from collections.abc import Sequence

from connector.errors import ConfigError
from connector.linking import normalise_domain, normalise_name
from connector.reporting.directory import Directory, PartnerEntry

SHOWN_CANDIDATES = 10
_SALESFORCE_SHORT_ID = 15


class PartnerNotFound(ConfigError):
    """Nothing in the store matches what was asked for."""


class AmbiguousPartner(ConfigError):
    """More than one partner matches; ``candidates`` lists them."""

    def __init__(self, query: str, candidates: Sequence[PartnerEntry]) -> None:
        lines = [f"{query!r} matches {len(candidates)} partners — ask again by one of their ids:"]
        lines += [f"  {c.partner_id}  {c.label()}" for c in candidates[:SHOWN_CANDIDATES]]
        if len(candidates) > SHOWN_CANDIDATES:
            lines.append(f"  … and {len(candidates) - SHOWN_CANDIDATES} more")
        super().__init__("\n".join(lines))
        self.candidates = tuple(candidates)


def resolve(query: str, directory: Directory) -> PartnerEntry:
    """The one partner ``query`` names; raises :class:`PartnerNotFound` or
    :class:`AmbiguousPartner` (both exit 2)."""
    text = query.strip()
    if not text:
        raise PartnerNotFound("no partner given: name a partner, domain, or CRM id")
    entries = sorted(directory.entries.values(), key=lambda e: (e.name.casefold(), e.partner_id))
    found = [e for e in entries if _exact(e, text)] or [e for e in entries if _partial(e, text)]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousPartner(text, found)
    raise PartnerNotFound(
        f"no partner matches {text!r} (by name, domain, Salesforce or HubSpot id) — "
        "check the spelling, or run `partnerpulse sync` if it is new"
    )


def _exact(entry: PartnerEntry, text: str) -> bool:
    folded = text.casefold()
    if entry.partner_id.casefold() == folded:
        return True
    for ref in entry.refs:
        ref_id = ref.id.casefold()
        if folded in (ref_id, str(ref).casefold()):
            return True
        # A 15-character Salesforce id is the case-sensitive prefix of the 18-character one.
        if (
            ref.system == "salesforce"
            and len(text) == _SALESFORCE_SHORT_ID
            and ref.id.startswith(text)
        ):
            return True
    domain = normalise_domain(text)
    if domain is not None and domain in entry.domains:
        return True
    wanted = normalise_name(text)
    return any(
        r.name.casefold() == folded or (wanted and normalise_name(r.name) == wanted)
        for r in entry.records
    )


def _partial(entry: PartnerEntry, text: str) -> bool:
    folded = text.casefold()
    return any(folded in r.name.casefold() for r in entry.records) or any(
        folded in d for d in entry.domains
    )
