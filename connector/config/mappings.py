"""``[mappings.salesforce]`` and ``[mappings.hubspot]``: overrides of the default field maps.

The defaults live beside the mapping code (``mappings/*.toml``); a config only names what
differs: a custom NPS field, a different partner filter.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from connector.config.base import Section

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


class PartnerFilter(Section):
    """Who is a partner: ``field`` equals one of ``values`` (compared as data, never as code)."""

    field: str
    values: list[str] = Field(min_length=1)

    @field_validator("field")
    @classmethod
    def _field_name(cls, value: str) -> str:
        if not _FIELD.match(value):
            raise ValueError(f"{value!r} is not a field name")
        return value


class MappingOverride(Section):
    """Overrides for one CRM: ``fields.<stream>.<canonical> = "<CRM field>"``."""

    partner_filter: PartnerFilter | None = None
    fields: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for stream, table in value.items():
            for canonical, crm_field in table.items():
                if not _FIELD.match(crm_field):
                    raise ValueError(f"{stream}.{canonical}: {crm_field!r} is not a field name")
        return value


class MappingsConfig(Section):
    """Per-CRM overrides, and how partners are linked across the two CRMs."""

    salesforce: MappingOverride = MappingOverride()
    hubspot: MappingOverride = MappingOverride()
    # Linking by ID field and by web domain is always on; a fuzzy name match is opt-in,
    # above this confidence (0..1). See docs/linking.md.
    link_fuzzy_names: bool = False
    fuzzy_name_min_confidence: float = Field(default=0.92, gt=0.5, le=1.0)
