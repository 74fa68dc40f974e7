"""Canonical values for planning tests, built by hand: snapshots, scored partners, records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from connector.config.writeback import WritebackConfig
from connector.model import (
    Activity,
    ActivityKind,
    Grade,
    Owner,
    PartnerRecord,
    Segment,
    Snapshot,
    SourceRef,
    System,
    Tier,
)
from connector.operations import TagValue
from connector.planning import PlanInputs
from connector.scoring import PartnerFacts, PlaybookResult, ScoredPartner
from connector.store import LedgerEntry

AS_OF = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PID = "P-000000000001"


def sf(id_: str) -> SourceRef:
    return SourceRef(system="salesforce", id=id_)


def hs(id_: str) -> SourceRef:
    return SourceRef(system="hubspot", id=id_)


def snapshot(
    partner_id: str = PID,
    *,
    score: float = 48.5,
    grade: Grade = Grade.WATCH,
    segment: Segment = Segment.TRANSACTIONAL,
    tier: Tier = Tier.BRONZE,
    reasons: tuple[str, ...] = ("no meeting for 94 days",),
    as_of: datetime = AS_OF,
    churned: bool = False,
) -> Snapshot:
    return Snapshot(
        partner_id=partner_id,
        as_of=as_of,
        score=score,
        grade=grade,
        segment=segment,
        segment_rule="neither strategic nor prospective",
        tier=tier,
        reasons=reasons,
        config_version="test",
        churned=churned,
    )


def playbook(
    name: str, fires: bool = True, holds: bool | None = None, task: str | None = None
) -> PlaybookResult:
    return PlaybookResult(
        name=name,
        fires=fires,
        holds=fires if holds is None else holds,
        why=f"{name} {'fires' if fires else 'is quiet'}",
        values={},
        task=task or f"Do {name}",
    )


def scored(snap: Snapshot | None = None, *playbooks: PlaybookResult) -> ScoredPartner:
    snap = snap or snapshot()
    return ScoredPartner(
        snapshot=snap,
        playbooks=tuple(playbooks),
        facts=PartnerFacts(partner_id=snap.partner_id),
        tier_rule="won revenue 0.00 is below 250,000.00",
        trend_base=None,
    )


def record(
    ref: SourceRef,
    *,
    tags: Mapping[str, TagValue] | None = None,
    owner: str | None = "005OWNER",
    deleted: bool = False,
    is_partner: bool = True,
) -> PartnerRecord:
    return PartnerRecord(
        ref=ref,
        modified_at=AS_OF - timedelta(days=1),
        name=f"Partner {ref.id}",
        owner=SourceRef(system=ref.system, id=owner) if owner else None,
        tags=dict(tags or {}),
        deleted=deleted,
        is_partner=is_partner,
    )


def tool_task(
    system: System,
    id_: str,
    key: str,
    *,
    on: str = "001A",
    is_open: bool = True,
    deleted: bool = False,
) -> Activity:
    return Activity(
        ref=SourceRef(system=system, id=id_),
        modified_at=AS_OF - timedelta(hours=1),
        partner=SourceRef(system=system, id=on),
        kind=ActivityKind.TODO,
        occurred_at=AS_OF,
        task_key=key,
        is_open=is_open,
        deleted=deleted,
    )


def owner(ref: SourceRef, active: bool = True) -> Owner:
    return Owner(ref=ref, modified_at=AS_OF, name="Owner", active=active)


def inputs(
    partners: Sequence[ScoredPartner],
    records: Iterable[PartnerRecord],
    *,
    links: Mapping[str, Sequence[SourceRef]] | None = None,
    as_of: datetime = AS_OF,
    tool_tasks: Sequence[Activity] = (),
    memory: Mapping[SourceRef, Mapping[str, TagValue]] | None = None,
    task_ledger: Mapping[str, LedgerEntry] | None = None,
    owners: Iterable[Owner] = (),
    systems: Iterable[System] = ("salesforce", "hubspot"),
) -> PlanInputs:
    """Inputs where every record belongs to the one partner, unless ``links`` says otherwise."""
    recs = {r.ref: r for r in records}
    if links is None:
        links = {partners[0].partner_id: list(recs)} if partners else {}
    return PlanInputs(
        as_of=as_of,
        scored=partners,
        links=links,
        records=recs,
        owners={o.ref: o for o in owners},
        tool_tasks=tool_tasks,
        memory=memory or {},
        task_ledger=task_ledger or {},
        systems=frozenset(systems),
    )


def writeback(**kw: object) -> WritebackConfig:
    return WritebackConfig.model_validate(kw)


def synced_tags(snap: Snapshot) -> dict[str, TagValue]:
    """The tags as the CRM would hold them after the tool wrote ``snap`` (other forms)."""
    return {
        "health_score": f"{snap.score:.2f}",
        "health_grade": snap.grade.value,
        "segment": snap.segment.value,
        "tier": snap.tier.value,
        "health_reasons": "; ".join(snap.reasons) or None,
        "health_updated_at": snap.as_of.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
