"""The canonical model: what PartnerPulse knows about partners, whichever CRM it came from.

Records are per source (one Salesforce Account, one HubSpot company ...), keyed by a
:class:`SourceRef`; linking joins the partner records of one real partner under one
canonical ``partner_id``. Everything is frozen, datetimes are timezone-aware UTC, and
money is ``Decimal``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

System = Literal["salesforce", "hubspot"]
SYSTEMS: tuple[System, ...] = ("salesforce", "hubspot")


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value  # the common case, and the hot path of reading millions of records
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]


class Frozen(BaseModel):
    """Base of every canonical value: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(Frozen):
    """A record's identity in one CRM: ``SourceRef(system="salesforce", id="001...")``."""

    system: System
    id: str = Field(min_length=1)

    def __str__(self) -> str:
        return f"{self.system}:{self.id}"


class Record(Frozen):
    """What every pulled record carries: its identity, its change stamp, whether it is gone."""

    ref: SourceRef
    modified_at: UtcDatetime
    deleted: bool = False


class Owner(Record):
    """A CRM user who can own partners and tasks."""

    name: str = ""
    email: str | None = None
    active: bool = True


class PartnerRecord(Record):
    """One CRM's view of an account or company that is, or was, a partner.

    ``tags`` holds the live values of the fields the tool writes (keyed by canonical tag
    name: ``health_score``, ``health_grade`` ...), so planning diffs against the CRM, not
    against what we last sent.
    """

    name: str
    domain: str | None = None
    owner: SourceRef | None = None
    is_partner: bool = True
    partner_since: date | None = None
    partner_end: date | None = None
    created_at: UtcDatetime | None = None
    unique_resources: bool = False
    linked_salesforce_id: str | None = None
    tags: dict[str, str | None] = Field(default_factory=dict)


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"
    TODO = "todo"


# Kinds that count as communication for the health score (domain.md: meeting, call or email).
COMMUNICATION_KINDS = frozenset({ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING})


class Activity(Record):
    """A call, email, meeting, note or to-do tied to a partner.

    ``task_key`` is set on tasks the tool created itself, so they never count as the
    partner's own activity.
    """

    partner: SourceRef | None
    kind: ActivityKind
    occurred_at: UtcDatetime | None
    owner: SourceRef | None = None
    subject: str = ""
    task_key: str | None = None
    is_open: bool = False


class Deal(Record):
    """An opportunity or deal; ``mirror_of`` names the record it mirrors in the other CRM."""

    partner: SourceRef | None
    name: str = ""
    amount: Decimal | None = None
    close_date: date | None = None
    won: bool = False
    closed: bool = False
    mirror_of: SourceRef | None = None


class Issue(Record):
    """A support case or ticket."""

    partner: SourceRef | None
    subject: str = ""
    opened_at: UtcDatetime
    closed: bool = False
    closed_at: UtcDatetime | None = None
    mirror_of: SourceRef | None = None


class SurveyAnswer(Record):
    """One NPS answer (0-10) from a partner, on a date."""

    partner: SourceRef
    score: int = Field(ge=0, le=10)
    answered_on: date


class KpiReading(Record):
    """A partner's contractual KPI target and actual, as mapped fields carry them."""

    partner: SourceRef
    target: Decimal
    actual: Decimal


AnyRecord = Owner | PartnerRecord | Activity | Deal | Issue | SurveyAnswer | KpiReading


class LinkReason(StrEnum):
    """Why a source partner record belongs to a canonical partner (strongest first)."""

    MANUAL = "manual"
    ID_FIELD = "id_field"
    DOMAIN = "domain"
    FUZZY_NAME = "fuzzy_name"
    ONLY_SOURCE = "only_source"


class Link(Frozen):
    """A source partner record joined to canonical ``partner_id``, and why."""

    partner_id: str
    ref: SourceRef
    reason: LinkReason
    detail: str = ""
    confidence: float = 1.0


class Grade(StrEnum):
    HEALTHY = "healthy"
    WATCH = "watch"
    AT_RISK = "at_risk"


class Segment(StrEnum):
    STRATEGIC = "strategic"
    PROSPECTIVE = "prospective"
    TRANSACTIONAL = "transactional"


class Tier(StrEnum):
    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    NEW = "new"


class ComponentScore(Frozen):
    """One component of the health score: its value (None = no data), weight and inputs."""

    name: str
    value: float | None
    weight: float
    inputs: dict[str, str | int | float | None] = Field(default_factory=dict)
    reason: str = ""


class Snapshot(Frozen):
    """A partner's score as of a date, kept so trend, hysteresis and history need no recompute."""

    partner_id: str
    as_of: UtcDatetime
    score: float
    grade: Grade
    segment: Segment
    segment_rule: str = ""
    tier: Tier
    trend: Trend = Trend.NEW
    components: tuple[ComponentScore, ...] = ()
    reasons: tuple[str, ...] = ()
    config_version: str
    churned: bool = False


class Quarantined(Frozen):
    """A record that could not be used, kept with the reason so it can be retried or fixed."""

    system: System
    stream: str
    record_id: str
    reason: str
    payload: str = ""
