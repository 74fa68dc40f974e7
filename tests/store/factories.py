"""Canonical records with sensible defaults, for the store contract suite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from connector.model import (
    Activity,
    ActivityKind,
    ComponentScore,
    Deal,
    Grade,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    Segment,
    Snapshot,
    SourceRef,
    SurveyAnswer,
    System,
    Tier,
    Trend,
)
from connector.ports import Cursor, Page

T0 = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)


def ref(source_id: str, system: System = "salesforce") -> SourceRef:
    return SourceRef(system=system, id=source_id)


def partner(source_id: str = "001A", system: System = "salesforce", **kw: Any) -> PartnerRecord:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "name": f"Partner {source_id}",
        "domain": f"{source_id.lower()}.example.com",
        "owner": ref("005U1", system),
        "partner_since": date(2021, 6, 1),
        "created_at": T0 - timedelta(days=900),
        "tags": {"health_score": "72", "health_grade": None},
    }
    return PartnerRecord(**(fields | kw))


def activity(source_id: str = "00TA", system: System = "salesforce", **kw: Any) -> Activity:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "partner": ref("001A", system),
        "kind": ActivityKind.MEETING,
        "occurred_at": T0 - timedelta(days=3),
        "owner": ref("005U1", system),
        "subject": "Quarterly review",
    }
    return Activity(**(fields | kw))


def deal(source_id: str = "006A", system: System = "salesforce", **kw: Any) -> Deal:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "partner": ref("001A", system),
        "name": "Renewal",
        "amount": Decimal("1234.56"),
        "close_date": date(2025, 2, 28),
        "won": True,
        "closed": True,
    }
    return Deal(**(fields | kw))


def issue(source_id: str = "500A", system: System = "salesforce", **kw: Any) -> Issue:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "partner": ref("001A", system),
        "subject": "Portal login broken",
        "opened_at": T0 - timedelta(days=10),
        "closed": True,
        "closed_at": T0 - timedelta(days=2),
    }
    return Issue(**(fields | kw))


def owner(source_id: str = "005U1", system: System = "salesforce", **kw: Any) -> Owner:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "name": "Dana Scully",
        "email": "dana@example.com",
    }
    return Owner(**(fields | kw))


def survey(source_id: str = "a0S1", system: System = "salesforce", **kw: Any) -> SurveyAnswer:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "partner": ref("001A", system),
        "score": 9,
        "answered_on": date(2024, 12, 15),
    }
    return SurveyAnswer(**(fields | kw))


def kpi(source_id: str = "001A-kpi", system: System = "salesforce", **kw: Any) -> KpiReading:
    fields: dict[str, Any] = {
        "ref": ref(source_id, system),
        "modified_at": T0,
        "partner": ref("001A", system),
        "target": Decimal("120.5"),
        "actual": Decimal("98.25"),
    }
    return KpiReading(**(fields | kw))


def page(
    *records: Any,
    stream: str = "Account",
    system: System = "salesforce",
    deleted: tuple[SourceRef, ...] = (),
    quarantined: tuple[Any, ...] = (),
    stamp: datetime | None = None,
    last_id: str | None = None,
) -> Page:
    """A page whose cursor points at its last record (or at ``stamp``/``last_id``)."""
    last = records[-1] if records else None
    cursor = Cursor(
        system=system,
        stream=stream,
        modified_at=stamp or (last.modified_at if last else T0),
        last_id=last_id or (last.ref.id if last else None),
        state={"deletes_since": "2025-01-01T00:00:00Z"},
    )
    return Page(
        stream=stream,
        records=tuple(records),
        deleted=deleted,
        quarantined=quarantined,
        cursor=cursor,
    )


def snapshot(partner_id: str = "P1", as_of: datetime = T0, **kw: Any) -> Snapshot:
    fields: dict[str, Any] = {
        "partner_id": partner_id,
        "as_of": as_of,
        "score": 71.5,
        "grade": Grade.WATCH,
        "segment": Segment.STRATEGIC,
        "segment_rule": "revenue >= 100k",
        "tier": Tier.SILVER,
        "trend": Trend.UP,
        "components": (
            ComponentScore(
                name="engagement",
                value=0.8,
                weight=0.3,
                inputs={"meetings_90d": 4, "last": "2024-12-01", "none": None, "ratio": 0.5},
                reason="4 meetings in 90 days",
            ),
            ComponentScore(name="nps", value=None, weight=0.2, reason="no answers"),
        ),
        "reasons": ("engagement up", "no NPS data"),
        "config_version": "v1",
    }
    return Snapshot(**(fields | kw))
