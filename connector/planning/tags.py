"""Planning the tags of one partner record: the desired values against the live ones,
through the per-field policy.

A field is written only when its live value differs from the desired one (canonical
comparison, :mod:`connector.planning.values`), so a second plan over the tags the tool
wrote plans nothing. ``health_updated_at`` is written only alongside another change:
written alone it would change every run.

"Set by hand" means the live value differs from what the tool last wrote to that field
of that record, as the ledger's latest done tag update records it. A value the tool
never wrote counts as set by hand, and so does a value a person cleared. The policies:

- ``overwrite``: write; the reason says when it replaces a value set by hand;
- ``keep_manual``: write unless the live value was set by hand, which is kept and reported;
- ``set_if_empty``: write only into an empty field; a field with any value is kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from connector.config.writeback import TAGS, WritebackConfig
from connector.model import PartnerRecord, System
from connector.operations import FieldChange, TagUpdate, TagValue
from connector.planning.keys import tag_key
from connector.planning.plan import Kept
from connector.planning.values import UPDATED_AT, desired_tags, is_empty, same, shown
from connector.scoring import ScoredPartner, join_reasons

_LABELS = {
    "health_score": "score",
    "health_grade": "grade",
    "segment": "segment",
    "tier": "tier",
    "health_reasons": "reasons",
    UPDATED_AT: "updated",
}


def crm_fields(config: WritebackConfig, system: System) -> Mapping[str, str]:
    """Canonical tag name → the CRM's field (Salesforce) or property (HubSpot) name."""
    return config.salesforce_fields if system == "salesforce" else config.hubspot_properties


def plan_tags(
    scored: ScoredPartner,
    record: PartnerRecord,
    memory: Mapping[str, TagValue] | None,
    config: WritebackConfig,
) -> tuple[TagUpdate | None, list[Kept]]:
    """The tag update one partner record needs (``None`` if none) and the fields kept."""
    snapshot = scored.snapshot
    fields = crm_fields(config, record.ref.system)
    desired = desired_tags(snapshot)
    last = memory or {}
    changes: list[FieldChange] = []
    kept: list[Kept] = []
    for tag in TAGS:
        if tag not in fields or (tag == UPDATED_AT and not changes):
            continue
        want, have = desired[tag], record.tags.get(tag)
        if same(tag, have, want):
            continue
        by_hand = not same(tag, have, last.get(tag))
        why_kept = _kept_because(config.policy.get(tag, "overwrite"), tag, have, by_hand, last)
        if why_kept:
            kept.append(
                Kept(
                    record.ref.system,
                    record.ref.id,
                    snapshot.partner_id,
                    tag,
                    fields[tag],
                    have,
                    want,
                    why_kept,
                )
            )
            continue
        reason = _reason(tag, have, want, scored)
        if by_hand and not is_empty(have):
            reason += (
                " — replaces a value set by hand"
                if tag in last
                else " — replaces a value PartnerPulse did not write"
            )
        changes.append(
            FieldChange(tag=tag, crm_field=fields[tag], old=have, new=want, reason=reason)
        )
    if not changes:
        return None, kept
    update = TagUpdate(
        key=tag_key(record.ref, snapshot.as_of, tuple(changes)),
        system=record.ref.system,
        record_id=record.ref.id,
        partner_id=snapshot.partner_id,
        changes=tuple(changes),
        written={**last, **{c.tag: c.new for c in changes}},
    )
    return update, kept


def _kept_because(
    policy: str, tag: str, have: TagValue, by_hand: bool, last: Mapping[str, TagValue]
) -> str:
    """Why the policy keeps the live value, or ``""`` when it lets the tool write."""
    if policy == "set_if_empty" and not is_empty(have):
        return "set_if_empty: the field already holds a value"
    if policy == "keep_manual" and by_hand:
        if tag in last:
            return f"keep_manual: set by hand (PartnerPulse last wrote {shown(last[tag])})"
        return "keep_manual: set by hand (PartnerPulse never wrote this field)"
    return ""


def _reason(tag: str, old: TagValue, new: TagValue, scored: ScoredPartner) -> str:
    snapshot = scored.snapshot
    if tag == "health_reasons":
        return "reasons changed" if not is_empty(new) else "no reason to name any more"
    if tag == UPDATED_AT:
        return f"scored as of {shown(new)}, stamped with the other changes"
    text = f"{_LABELS[tag]} {shown(old)} → {shown(new)}"
    detail = {
        "health_score": join_reasons(snapshot.reasons),
        "health_grade": f"score {snapshot.score:.1f}",
        "segment": snapshot.segment_rule,
        "tier": scored.tier_rule,
    }[tag]
    return f"{text} ({detail})" if detail else text
