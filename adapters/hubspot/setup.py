"""``partnerpulse setup`` for HubSpot: the property group and properties the tool writes.

On companies, the group ``[writeback] hubspot_group`` (default ``partnerpulse``) and the tag
properties (names from ``[writeback] hubspot_properties``)::

    health_score        number / number
    health_grade        enumeration / select   healthy, watch, at_risk
    segment             enumeration / select   strategic, prospective, transactional
    tier                enumeration / select   gold, silver, bronze
    health_reasons      string / text
    health_updated_at   datetime / date

On tasks, the same group and the task-key property (``hubspot_task_key_property``):
string / text with ``hasUniqueValue``, which is what lets HubSpot refuse a second task with
the same key.

Idempotent: it lists what exists first (one call per object type for groups, one for
properties) and creates only what is missing; a 409 on create means another run made it
meanwhile and counts as existing. A property that exists in a form the tool cannot use
(another type, missing options, a key without unique values) is reported, never changed:
it may hold a person's data. :func:`missing` is the same survey without creating anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.hubspot.adapter import HubSpotAdapter
from adapters.hubspot.batches import whole_refusal
from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.schema import TAG_TYPES
from connector.config.writeback import WritebackConfig
from connector.errors import ConnectorError

COMPANIES, TASKS = "companies", "tasks"
GROUP_LABEL = "PartnerPulse"
FIELD_TYPES = {"number": "number", "enumeration": "select", "string": "text", "datetime": "date"}
LABELS = {
    "health_score": "Partner health score",
    "health_grade": "Partner health grade",
    "segment": "Partner segment",
    "tier": "Partner tier",
    "health_reasons": "Partner health reasons",
    "health_updated_at": "Partner health updated at",
}
OPTION_LABELS = {"at_risk": "At risk"}


@dataclass
class SetupReport:
    """What setup created, what was there already, and what it could not fix."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Wanted:
    """One property the tool needs, as HubSpot's create body has it."""

    object_type: str
    name: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    unique: bool = False
    description: str = ""

    def body(self, group: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.kind,
            "fieldType": FIELD_TYPES[self.kind],
            "groupName": group,
            "description": self.description,
        }
        if self.options:
            body["options"] = [
                {
                    "label": OPTION_LABELS.get(value, value.replace("_", " ").capitalize()),
                    "value": value,
                    "displayOrder": order,
                    "hidden": False,
                }
                for order, value in enumerate(self.options)
            ]
        if self.unique:
            body["hasUniqueValue"] = True
        return body


def wanted(writeback: WritebackConfig) -> list[Wanted]:
    props = [
        Wanted(
            COMPANIES,
            name,
            LABELS.get(tag, tag),
            *TAG_TYPES.get(tag, ("string", ())),
            description=f"Written by PartnerPulse ({tag}); edits may be overwritten.",
        )
        for tag, name in writeback.hubspot_properties.items()
    ]
    props.append(
        Wanted(
            TASKS,
            writeback.hubspot_task_key_property,
            "PartnerPulse task key",
            "string",
            unique=True,
            description="Set by PartnerPulse on the follow-up tasks it creates; keeps them unique.",
        )
    )
    return props


Target = HubSpotAdapter | HubSpotClient


def _client(target: Target) -> HubSpotClient:
    return target.client if isinstance(target, HubSpotAdapter) else target


@dataclass
class _Survey:
    groups: dict[str, set[str]]
    properties: dict[str, dict[str, dict[str, Any]]]


def _survey(client: HubSpotClient) -> _Survey:
    groups: dict[str, set[str]] = {}
    properties: dict[str, dict[str, dict[str, Any]]] = {}
    for object_type in (COMPANIES, TASKS):

        def list_groups(object_type: str = object_type) -> Any:
            return client.groups_api.get_all(object_type, _preload_content=False)

        def list_properties(object_type: str = object_type) -> Any:
            return client.properties_api.get_all(
                object_type, archived=False, _preload_content=False
            )

        found = client.call_json(f"GET /crm/v3/properties/{object_type}/groups", list_groups)
        groups[object_type] = {str(g.get("name")) for g in found.get("results") or []}
        found = client.call_json(f"GET /crm/v3/properties/{object_type}", list_properties)
        properties[object_type] = {str(p.get("name")): p for p in found.get("results") or []}
    return _Survey(groups, properties)


def missing(target: Target, writeback: WritebackConfig) -> list[str]:
    """What :func:`setup` would create, one name each (``companies.pp_tier``); reading only.
    ``check_schema`` says the same, with what to do, and also reports unusable types."""
    survey = _survey(_client(target))
    group = writeback.hubspot_group
    out = [
        f"{object_type} property group {group}"
        for object_type in (COMPANIES, TASKS)
        if group not in survey.groups[object_type]
    ]
    return out + [
        f"{w.object_type}.{w.name}"
        for w in wanted(writeback)
        if w.name not in survey.properties[w.object_type]
    ]


def setup(target: Target, writeback: WritebackConfig) -> SetupReport:
    """Create the missing group and properties; report the rest."""
    client = _client(target)
    survey = _survey(client)
    report = SetupReport()
    group = writeback.hubspot_group
    for object_type in (COMPANIES, TASKS):
        label = f"{object_type} property group {group}"
        if group in survey.groups[object_type]:
            report.existing.append(label)
            continue
        body = {"name": group, "label": GROUP_LABEL, "displayOrder": -1}
        made = _create(
            client,
            f"POST /crm/v3/properties/{object_type}/groups",
            lambda o=object_type, b=body: client.groups_api.create(o, b, _preload_content=False),
        )
        (report.created if made else report.existing).append(label)
    for want in wanted(writeback):
        label = f"{want.object_type}.{want.name}"
        found = survey.properties[want.object_type].get(want.name)
        if found is not None:
            report.existing.append(label)
            report.problems += _unusable(want, found)
            continue
        body = want.body(group)
        made = _create(
            client,
            f"POST /crm/v3/properties/{want.object_type}",
            lambda o=want.object_type, b=body: client.properties_api.create(
                o, b, _preload_content=False
            ),
        )
        (report.created if made else report.existing).append(label)
    return report


def _create(client: HubSpotClient, endpoint: str, run: Any) -> bool:
    """Create one definition; False when HubSpot says it exists (409). A create of a
    named definition is safe to retry: a replay meets the 409."""
    try:
        client.call_json(endpoint, run)
    except ConnectorError as exc:
        refusal = whole_refusal(exc)
        if refusal is None or refusal.status != 409:
            raise
        return False
    return True


def _unusable(want: Wanted, found: Mapping[str, Any]) -> list[str]:
    where = f"{want.object_type}.{want.name}"
    kind = str(found.get("type") or "")
    keep = "left unchanged (it may hold data)"
    if kind != want.kind:
        return [
            f"{where} exists as {kind}, PartnerPulse writes {want.kind} — {keep}; delete it "
            "and run `partnerpulse setup` again, or name another property in [writeback]"
        ]
    have = {str(o.get("value")) for o in found.get("options") or []}
    lacking = [o for o in want.options if o not in have]
    if lacking:
        return [f"{where} lacks options {', '.join(lacking)} — add them in HubSpot; {keep}"]
    if want.unique and not found.get("hasUniqueValue"):
        return [
            f"{where} does not have unique values, so HubSpot cannot refuse a duplicate task "
            f"— {keep}; recreate it with unique values"
        ]
    return []
