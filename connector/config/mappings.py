"""``[mappings.salesforce]`` and ``[mappings.hubspot]``: overrides of the default field maps.

The defaults live beside the mapping code (``mappings/*.toml``); a config only names what
differs: a custom NPS field, a different partner filter.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from connector.config.base import Section
from mappings import hubspot_map
from mappings import salesforce as salesforce_map

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


def field_name(value: str, *, where: str = "") -> str:
    """A CRM field or property API name, refused unless it is one: config values that name
    fields reach SOQL and HubSpot requests, so they must be names, never query text."""
    if not _FIELD.match(value):
        raise ValueError(f"{where}{value[:80]!r} is not a field name")
    return value


class PartnerFilter(Section):
    """Who is a partner: ``field`` equals one of ``values`` (compared as data, never as code)."""

    field: str
    values: list[str] = Field(min_length=1)

    @field_validator("field")
    @classmethod
    def _field_name(cls, value: str) -> str:
        return field_name(value)


class MappingOverride(Section):
    """Overrides for one CRM: ``fields.<stream>.<canonical> = "<CRM field>"``."""

    partner_filter: PartnerFilter | None = None
    fields: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for stream, table in value.items():
            for canonical, crm_field in table.items():
                field_name(crm_field, where=f"{stream}.{canonical}: ")
        return value


def _known(override: MappingOverride, known: dict[str, frozenset[str]]) -> MappingOverride:
    """Refuse a stream or canonical field the mapping does not read: it would do nothing."""
    for stream, table in override.fields.items():
        if stream not in known:
            raise ValueError(
                f"fields.{stream}: unknown stream {stream!r}; streams: {', '.join(known)}"
            )
        for canonical in table:
            if canonical not in known[stream]:
                raise ValueError(
                    f"fields.{stream}.{canonical}: unknown field {canonical!r}; "
                    f"fields: {', '.join(sorted(known[stream]))}"
                )
    return override


class MappingsConfig(Section):
    """Per-CRM overrides, and how partners are linked across the two CRMs."""

    salesforce: MappingOverride = MappingOverride()
    hubspot: MappingOverride = MappingOverride()
    # Linking by ID field and by web domain is always on; a fuzzy name match is opt-in,
    # above this confidence (0..1). See docs/linking.md.
    link_fuzzy_names: bool = False
    fuzzy_name_min_confidence: float = Field(default=0.92, gt=0.5, le=1.0)

    @field_validator("salesforce")
    @classmethod
    def _salesforce_fields(cls, value: MappingOverride) -> MappingOverride:
        return _known(value, {s: frozenset(f) for s, f in salesforce_map.KINDS.items()})

    @field_validator("hubspot")
    @classmethod
    def _hubspot_fields(cls, value: MappingOverride) -> MappingOverride:
        return _known(value, hubspot_map.canonical_fields())
