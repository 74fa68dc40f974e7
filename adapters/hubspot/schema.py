"""``check_schema``: do the properties the mapping reads and the tool writes exist?

One ``GET /crm/v3/properties/{object}`` per object type the mapping reads (no paging), and
one groups listing for companies. Problems come back one per line, each saying what to do:
tool-owned properties (tags, the task key, their group) are created by ``partnerpulse
setup``; mapped properties belong to the portal, so the fix is in HubSpot or in
``[mappings.hubspot]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.hubspot.client import HubSpotClient
from connector.model import Grade, Segment, Tier
from mappings.hubspot import EXPECTED_TYPES, OBJECT_STREAMS, HubSpotMapping

SETUP = "run `partnerpulse setup`"

# canonical tag -> (type, options an enumeration needs)
TAG_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "health_score": ("number", ()),
    "health_grade": ("enumeration", tuple(g.value for g in Grade)),
    "segment": ("enumeration", tuple(s.value for s in Segment)),
    "tier": ("enumeration", tuple(t.value for t in Tier)),
    "health_reasons": ("string", ()),
    "health_updated_at": ("datetime", ()),
}
# A tag written as text may live in a string property. A datetime may not be a date:
# HubSpot refuses a date property's value unless it is midnight UTC.
_TAG_COMPATIBLE = {"string": ("string",), "number": ("number",), "datetime": ("datetime",)}


def _describe(kind: str, options: tuple[str, ...]) -> str:
    return f"{kind}: {', '.join(options)}" if options else kind


def _properties(client: HubSpotClient, object_type: str) -> dict[str, Any]:
    def run() -> Any:
        return client.properties_api.get_all(object_type, archived=False)

    answer = client.call(f"GET /crm/v3/properties/{object_type}", run)
    return {p.name: p for p in answer.results or []}


def _groups(client: HubSpotClient, object_type: str) -> set[str]:
    def run() -> Any:
        return client.groups_api.get_all(object_type)

    answer = client.call(f"GET /crm/v3/properties/{object_type}/groups", run)
    return {g.name for g in answer.results or []}


def check_schema(client: HubSpotClient, mapping: HubSpotMapping, group: str) -> list[str]:
    """Problems, one per line; empty when every property is there with a usable type."""
    problems: list[str] = []
    for stream in OBJECT_STREAMS:
        found = _properties(client, stream)
        problems += _mapped(stream, mapping, found)
        if stream == "companies":
            problems += _tags(mapping.tags, found)
            if mapping.partner_field not in found:
                problems.append(
                    f"companies.{mapping.partner_field} is missing (the partner filter reads it) "
                    "— fix [mappings.hubspot.partner_filter]"
                )
        if stream == "tasks":
            problems += _task_key(mapping.task_key, found)
    if mapping.tags and group not in _groups(client, "companies"):
        problems.append(f"companies property group {group!r} is missing — {SETUP}")
    return problems


def _mapped(stream: str, mapping: HubSpotMapping, found: Mapping[str, Any]) -> list[str]:
    problems = []
    for canonical, name in sorted(mapping.fields.get(stream, {}).items()):
        if not name:
            continue
        expected = EXPECTED_TYPES.get(canonical, ())
        where = f"[mappings.hubspot.fields.{stream}] {canonical}"
        prop = found.get(name)
        if prop is None:
            problems.append(
                f"{stream}.{name} is missing ({' or '.join(expected) or 'any type'}) — create it "
                f"in HubSpot or map {where} to another property"
            )
        elif expected and prop.type not in expected:
            problems.append(
                f"{stream}.{name} has type {prop.type}, {canonical} needs "
                f"{' or '.join(expected)} — fix the property or {where}"
            )
    return problems


def _tags(tags: Mapping[str, str], found: Mapping[str, Any]) -> list[str]:
    problems = []
    for tag, name in tags.items():
        kind, options = TAG_TYPES.get(tag, ("string", ()))
        prop = found.get(name)
        if prop is None:
            problems.append(f"companies.{name} is missing ({_describe(kind, options)}) — {SETUP}")
            continue
        allowed = _TAG_COMPATIBLE.get(kind, (kind,))
        if prop.type not in allowed:
            problems.append(
                f"companies.{name} has type {prop.type}, expected {kind} — "
                f"delete it and {SETUP}, or map tag {tag} to another property in [writeback]"
            )
            continue
        have = {str(o.value) for o in prop.options or []}
        missing = [o for o in options if o not in have]
        if missing:
            problems.append(f"companies.{name} lacks options {', '.join(missing)} — {SETUP}")
    return problems


def _task_key(name: str, found: Mapping[str, Any]) -> list[str]:
    prop = found.get(name)
    if prop is None:
        return [f"tasks.{name} is missing (string; the key that keeps follow-ups unique) — {SETUP}"]
    if prop.type != "string":
        return [f"tasks.{name} has type {prop.type}, expected string — {SETUP}"]
    if not getattr(prop, "has_unique_value", False):
        return [
            f"tasks.{name} does not have unique values, so HubSpot cannot refuse a duplicate "
            f"follow-up — recreate it with unique values ({SETUP})"
        ]
    return []
