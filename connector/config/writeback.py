"""``[writeback]``: which tag fields are written where, the policy per field, and the guards."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from connector.config.base import Section
from connector.config.mappings import field_name

Policy = Literal["overwrite", "keep_manual", "set_if_empty"]

_OVERWRITE: Policy = "overwrite"

TAGS = (
    "health_score",
    "health_grade",
    "segment",
    "tier",
    "health_reasons",
    "health_updated_at",
)


class WritebackConfig(Section):
    """Tags (fields) and follow-up tasks written into both CRMs."""

    enabled: bool = True
    tasks: bool = True
    auto_close: bool = True
    close_note: str = "Closed by PartnerPulse: the condition that raised this task has cleared."
    max_partners_per_run: int = Field(default=1000, ge=1)
    max_share_per_run: float = Field(default=1.0, gt=0, le=1)
    policy: dict[str, Policy] = Field(default_factory=lambda: dict.fromkeys(TAGS, _OVERWRITE))
    salesforce_fields: dict[str, str] = Field(
        default_factory=lambda: {
            "health_score": "Partner_Health_Score__c",
            "health_grade": "Partner_Health_Grade__c",
            "segment": "Partner_Segment__c",
            "tier": "Partner_Tier__c",
            "health_reasons": "Partner_Health_Reasons__c",
            "health_updated_at": "Partner_Health_Updated__c",
        }
    )
    hubspot_properties: dict[str, str] = Field(
        default_factory=lambda: {
            "health_score": "pp_health_score",
            "health_grade": "pp_health_grade",
            "segment": "pp_segment",
            "tier": "pp_tier",
            "health_reasons": "pp_health_reasons",
            "health_updated_at": "pp_health_updated_at",
        }
    )
    hubspot_group: str = "partnerpulse"
    salesforce_task_key_field: str = "PartnerPulse_Key__c"
    hubspot_task_key_property: str = "pp_task_key"

    @field_validator("policy", "salesforce_fields", "hubspot_properties")
    @classmethod
    def _known_tags(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(TAGS))
        if unknown:
            raise ValueError(f"unknown tag {unknown[0]!r}; the tags are {', '.join(TAGS)}")
        return value

    @field_validator("salesforce_fields", "hubspot_properties")
    @classmethod
    def _tag_field_names(cls, value: dict[str, str]) -> dict[str, str]:
        # These names reach SOQL selects and HubSpot requests: API names only.
        for tag, name in value.items():
            field_name(name, where=f"{tag}: ")
        return value

    @field_validator("salesforce_task_key_field", "hubspot_task_key_property")
    @classmethod
    def _key_field_name(cls, value: str) -> str:
        return field_name(value)
