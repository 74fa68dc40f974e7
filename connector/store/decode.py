"""Table rows back to canonical records (the read direction of ``rows.py``).

Rows come back through SQLAlchemy's typed result processing (aware UTC datetimes, dates,
bools, parsed JSON, on both databases); the models validate them again on the way in.
(``model_construct`` would skip that, but it runs in Python and measured twice as slow.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping

from connector.model import (
    Activity,
    ActivityKind,
    Deal,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    SourceRef,
    SurveyAnswer,
    System,
)

_HUNDRED = Decimal(100)
_TWO_PLACES = Decimal("0.01")


def from_cents(cents: int | None) -> Decimal | None:
    """``1234`` → ``Decimal("12.34")``."""
    if cents is None:
        return None
    return (Decimal(cents) / _HUNDRED).quantize(_TWO_PLACES)


def _ref(system: System, source_id: str | None) -> SourceRef | None:
    return None if source_id is None else SourceRef(system=system, id=source_id)


def _mirror(row: RowMapping) -> SourceRef | None:
    system, source_id = row["mirror_system"], row["mirror_id"]
    return None if system is None or source_id is None else SourceRef(system=system, id=source_id)


def _common(row: RowMapping) -> dict[str, Any]:
    return {
        "ref": SourceRef(system=row["system"], id=row["source_id"]),
        "modified_at": row["modified_at"],
        "deleted": row["deleted"],
    }


def owner(row: RowMapping) -> Owner:
    return Owner(**_common(row), name=row["name"], email=row["email"], active=row["active"])


def partner(row: RowMapping) -> PartnerRecord:
    return PartnerRecord(
        **_common(row),
        name=row["name"],
        domain=row["domain"],
        owner=_ref(row["system"], row["owner_id"]),
        is_partner=row["is_partner"],
        partner_since=row["partner_since"],
        partner_end=row["partner_end"],
        created_at=row["created_at"],
        unique_resources=row["unique_resources"],
        linked_salesforce_id=row["linked_salesforce_id"],
        tags=row["tags"],
    )


def activity(row: RowMapping) -> Activity:
    return Activity(
        **_common(row),
        partner=_ref(row["system"], row["partner_source_id"]),
        kind=ActivityKind(row["kind"]),
        occurred_at=row["occurred_at"],
        owner=_ref(row["system"], row["owner_id"]),
        subject=row["subject"],
        task_key=row["task_key"],
        is_open=row["is_open"],
    )


def deal(row: RowMapping) -> Deal:
    return Deal(
        **_common(row),
        partner=_ref(row["system"], row["partner_source_id"]),
        name=row["name"],
        amount=from_cents(row["amount_cents"]),
        close_date=row["close_date"],
        won=row["won"],
        closed=row["closed"],
        mirror_of=_mirror(row),
    )


def issue(row: RowMapping) -> Issue:
    return Issue(
        **_common(row),
        partner=_ref(row["system"], row["partner_source_id"]),
        subject=row["subject"],
        opened_at=row["opened_at"],
        closed=row["closed"],
        closed_at=row["closed_at"],
        mirror_of=_mirror(row),
    )


def survey(row: RowMapping) -> SurveyAnswer:
    return SurveyAnswer(
        **_common(row),
        partner=SourceRef(system=row["system"], id=row["partner_source_id"]),
        score=row["score"],
        answered_on=row["answered_on"],
    )


def kpi(row: RowMapping) -> KpiReading:
    return KpiReading(
        **_common(row),
        partner=SourceRef(system=row["system"], id=row["partner_source_id"]),
        target=Decimal(repr(row["target"])),
        actual=Decimal(repr(row["actual"])),
    )
