"""The properties and groups a fresh sandbox portal has, per object type.

HubSpot-defined properties carry their real names and types; the portal's own custom company
properties (``partner_since``, ``nps_score``, ...) and, unless left out, the tool's
``pp_*`` properties (group ``partnerpulse``) exist from the start. Group names other than
``companyinformation`` / ``contactinformation`` follow the same pattern [unverified].
"""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.objecttypes import ENGAGEMENTS, OBJECT_TYPES, SINGULAR
from sandbox.hubspot.pipelines import DEAL_STAGES, PIPELINES, TICKET_STAGES
from sandbox.hubspot.schema import GroupDef, PropertyDef, bool_options, options

TOOL_GROUP = "partnerpulse"

INDUSTRIES = (
    "ACCOUNTING",
    "AUTOMOTIVE",
    "BANKING",
    "BIOTECHNOLOGY",
    "COMPUTER_HARDWARE",
    "COMPUTER_NETWORKING",
    "COMPUTER_SOFTWARE",
    "CONSTRUCTION",
    "CONSUMER_ELECTRONICS",
    "CONSUMER_GOODS",
    "EDUCATION_MANAGEMENT",
    "ENTERTAINMENT",
    "FINANCIAL_SERVICES",
    "FOOD_BEVERAGES",
    "HOSPITAL_HEALTH_CARE",
    "HOSPITALITY",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "INSURANCE",
    "INTERNET",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "MACHINERY",
    "MANAGEMENT_CONSULTING",
    "MARKETING_AND_ADVERTISING",
    "MEDICAL_DEVICES",
    "OIL_ENERGY",
    "PHARMACEUTICALS",
    "REAL_ESTATE",
    "RETAIL",
    "TELECOMMUNICATIONS",
    "UTILITIES",
    "WHOLESALE",
)

# Properties returned when a read names none (objects package docstrings, crm-api.md §8.1),
# on top of the system ones every read returns.
DEFAULT_READ: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain"),
    "contacts": ("firstname", "lastname", "email", "lastmodifieddate"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
    "tickets": (
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_category",
        "hs_ticket_priority",
        "subject",
    ),
    **{t: ("hs_createdate",) for t in ENGAGEMENTS},
}
ALWAYS_READ = ("createdate", "hs_lastmodifieddate", "hs_object_id")
# Free-text ``query`` in search looks at these.
QUERY_FIELDS: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "website"),
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "deals": ("dealname",),
    "tickets": ("subject", "content"),
    "calls": ("hs_call_title", "hs_call_body"),
    "emails": ("hs_email_subject", "hs_email_text"),
    "meetings": ("hs_meeting_title", "hs_meeting_body"),
    "notes": ("hs_note_body",),
    "tasks": ("hs_task_subject", "hs_task_body"),
}

Spec = tuple[str, str, str, dict[str, Any]]


def _s(name: str, field_type: str = "text", **kw: Any) -> Spec:
    return (name, "string", field_type, kw)


def _n(name: str, **kw: Any) -> Spec:
    return (name, "number", "number", kw)


def _dt(name: str, **kw: Any) -> Spec:
    return (name, "datetime", "date", kw)


def _d(name: str, **kw: Any) -> Spec:
    return (name, "date", "date", kw)


def _e(name: str, *values: str, **kw: Any) -> Spec:
    return (name, "enumeration", "select", {"options": options(*values), **kw})


def _b(name: str, **kw: Any) -> Spec:
    return (name, "bool", "booleancheckbox", {"options": bool_options(), **kw})


_OWNER = ("hubspot_owner_id", "enumeration", "select", {"external_options": True})
_SYSTEM: tuple[Spec, ...] = (
    _dt("createdate", source="created"),
    _dt("hs_lastmodifieddate", source="updated"),
    _n("hs_object_id", source="id"),
)
_LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)

_TYPE_SPECS: dict[str, tuple[Spec, ...]] = {
    "companies": (
        _s("name"),
        _s("domain"),
        _s("website"),
        _s("phone"),
        _s("city"),
        _s("country"),
        _s("description", "textarea"),
        _e("type", "PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"),
        _e("industry", *INDUSTRIES),
        _e("lifecyclestage", *_LIFECYCLE),
        _n("numberofemployees"),
        _n("annualrevenue"),
        _OWNER,
        _s("salesforceaccountid"),
        _d("partner_since", hubspot_defined=False),
        _d("partner_end_date", hubspot_defined=False),
        _b("unique_resources", hubspot_defined=False),
        _n("nps_score", hubspot_defined=False),
        _d("nps_response_date", hubspot_defined=False),
        _n("kpi_target", hubspot_defined=False),
        _n("kpi_actual", hubspot_defined=False),
    ),
    "contacts": (
        _s("firstname"),
        _s("lastname"),
        _s("email"),
        _s("phone"),
        _s("company"),
        _s("jobtitle"),
        _e("lifecyclestage", *_LIFECYCLE),
        _n("associatedcompanyid"),
        _OWNER,
        _s("salesforcecontactid"),
        _dt("lastmodifieddate", source="updated"),
    ),
    "deals": (
        _s("dealname"),
        _n("amount"),
        _dt("closedate"),
        _e("pipeline", PIPELINES["deals"][0]),
        _e("dealstage", *(stage for stage, _, _ in DEAL_STAGES)),
        _e("dealtype", "newbusiness", "existingbusiness"),
        _s("description", "textarea"),
        _s("hs_salesforceopportunityid"),
        _OWNER,
        _b("hs_is_closed_won", calculated=True, source="closed_won"),
        _b("hs_is_closed", calculated=True, source="closed"),
    ),
    "tickets": (
        _s("subject"),
        _s("content", "textarea"),
        _e("hs_pipeline", PIPELINES["tickets"][0]),
        _e("hs_pipeline_stage", *(stage for stage, _, _ in TICKET_STAGES)),
        _e("hs_ticket_priority", "LOW", "MEDIUM", "HIGH", "URGENT"),
        _e(
            "hs_ticket_category",
            "PRODUCT_ISSUE",
            "BILLING_ISSUE",
            "FEATURE_REQUEST",
            "GENERAL_INQUIRY",
        ),
        _dt("closed_date"),
        _s("salesforcecaseid"),
        _OWNER,
    ),
    "calls": (
        _s("hs_call_title"),
        _s("hs_call_body", "textarea"),
        _e("hs_call_direction", "INBOUND", "OUTBOUND"),
        _n("hs_call_duration"),
        _e(
            "hs_call_status",
            "BUSY",
            "CALLING_CRM_USER",
            "CANCELED",
            "COMPLETED",
            "CONNECTING",
            "FAILED",
            "IN_PROGRESS",
            "NO_ANSWER",
            "QUEUED",
            "RINGING",
        ),
        _s("hs_call_disposition"),
        _s("hs_call_to_number"),
        _s("hs_call_from_number"),
    ),
    "emails": (
        _s("hs_email_subject"),
        _s("hs_email_text", "textarea"),
        _s("hs_email_html", "html"),
        _e("hs_email_direction", "EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
        _e("hs_email_status", "BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
        _s("hs_email_headers", "textarea"),
    ),
    "meetings": (
        _s("hs_meeting_title"),
        _s("hs_meeting_body", "textarea"),
        _s("hs_internal_meeting_notes", "textarea"),
        _dt("hs_meeting_start_time"),
        _dt("hs_meeting_end_time"),
        _e("hs_meeting_outcome", "SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
        _s("hs_meeting_location"),
        _s("hs_meeting_external_url"),
    ),
    "notes": (_s("hs_note_body", "textarea"),),
    "tasks": (
        _s("hs_task_subject"),
        _s("hs_task_body", "textarea"),
        _e("hs_task_status", "NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
        _e("hs_task_priority", "NONE", "LOW", "MEDIUM", "HIGH"),
        _e("hs_task_type", "EMAIL", "CALL", "TODO", "LINKED_IN"),
        _s("hs_task_reminders"),
        _dt("hs_task_completion_date"),
    ),
}
_ENGAGEMENT_COMMON: tuple[Spec, ...] = (
    _dt("hs_timestamp"),
    _OWNER,
    _dt("hs_createdate", source="created"),
)

TOOL_SPECS: dict[str, tuple[Spec, ...]] = {
    "companies": (
        _n("pp_health_score"),
        _e("pp_health_grade", "healthy", "watch", "at_risk"),
        _e("pp_segment", "strategic", "prospective", "transactional"),
        _e("pp_tier", "gold", "silver", "bronze"),
        _s("pp_health_reasons", "textarea"),
        _dt("pp_health_updated_at"),
    ),
    "tasks": (_s("pp_task_key", has_unique_value=True),),
}


def info_group(object_type: str) -> str:
    return f"{SINGULAR[object_type]}information"


def _build(spec: Spec, group: str, order: int, now_ms: int, hubspot_defined: bool) -> PropertyDef:
    name, kind, field_type, extra = spec
    extra = dict(extra)
    extra.setdefault("hubspot_defined", hubspot_defined)
    return PropertyDef(
        name=name,
        label=name.replace("hs_", "").replace("_", " ").strip().capitalize(),
        type=kind,
        field_type=field_type,
        group_name=group,
        display_order=order,
        created_at=now_ms,
        updated_at=now_ms,
        **extra,
    )


def default_schema(
    now_ms: int, include_tool_properties: bool
) -> tuple[dict[str, dict[str, PropertyDef]], dict[str, dict[str, GroupDef]]]:
    """Fresh property and group maps for every object type."""
    properties: dict[str, dict[str, PropertyDef]] = {}
    groups: dict[str, dict[str, GroupDef]] = {}
    for object_type in OBJECT_TYPES:
        group = info_group(object_type)
        groups[object_type] = {
            group: GroupDef(group, f"{SINGULAR[object_type].capitalize()} information", 0)
        }
        specs = _TYPE_SPECS[object_type] + _SYSTEM
        if object_type in ENGAGEMENTS:
            specs += _ENGAGEMENT_COMMON
        defs = [_build(s, group, i, now_ms, True) for i, s in enumerate(specs)]
        if include_tool_properties and object_type in TOOL_SPECS:
            groups[object_type][TOOL_GROUP] = GroupDef(TOOL_GROUP, "PartnerPulse", 1)
            defs += [
                _build(s, TOOL_GROUP, i, now_ms, False)
                for i, s in enumerate(TOOL_SPECS[object_type])
            ]
        properties[object_type] = {d.name: d for d in defs}
    return properties, groups
