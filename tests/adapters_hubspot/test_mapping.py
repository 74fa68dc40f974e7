"""HubSpot records to canonical records: every mapped property, nulls, and bad values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
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
)
from mappings.hubspot import STREAMS, HubSpotMapping, Stages, load, map_record

WB = WritebackConfig()
STAMP = "2024-06-01T12:00:00.250Z"
MODIFIED = datetime(2024, 6, 1, 12, 0, 0, 250_000, tzinfo=UTC)
DEAL_STAGES = Stages(
    closed=frozenset({"closedwon", "closedlost", "won_custom"}),
    won=frozenset({"closedwon", "won_custom"}),
)
TICKET_STAGES = Stages(closed=frozenset({"4"}))


def hs(**overrides: Any) -> HubSpotMapping:
    return load(
        overrides or None, tags=WB.hubspot_properties, task_key=WB.hubspot_task_key_property
    )


def rec(rid: str = "101", assoc: list[str] | None = None, **props: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": rid,
        "properties": {"hs_object_id": rid, "hs_lastmodifieddate": STAMP, **props},
        "archived": False,
        "createdAt": "2023-01-02T03:04:05Z",
        "updatedAt": STAMP,
    }
    if assoc is not None:
        record["associations"] = {"companies": assoc}
    return record


def one(stream: str, record: dict[str, Any], mapping: HubSpotMapping | None = None) -> Any:
    stages = DEAL_STAGES if stream == "deals" else TICKET_STAGES
    mapped = map_record(mapping or hs(), stream, record, stages=stages)
    assert mapped.quarantined == (), mapped.quarantined
    assert len(mapped.records) == 1
    return mapped.records[0]


def reason(stream: str, record: dict[str, Any]) -> str:
    mapped = map_record(hs(), stream, record, stages=Stages())
    assert mapped.records == ()
    assert len(mapped.quarantined) == 1
    quarantined = mapped.quarantined[0]
    assert quarantined.system == "hubspot"
    assert quarantined.stream == stream
    assert quarantined.record_id == record["id"]
    return quarantined.reason


def test_a_company_maps_every_property() -> None:
    record = rec(
        name="Acme GmbH",
        domain="https://www.acme.de/",
        hubspot_owner_id="77",
        type="PARTNER",
        partner_since="2022-03-01",
        partner_end_date="1714521600000",
        createdate="2021-01-01T00:00:00Z",
        unique_resources="true",
        salesforceaccountid="0015g00000XyZ12AAB",
        nps_score="9",
        nps_response_date="2024-05-01",
        pp_health_score="72",
        pp_segment="strategic",
    )
    mapped = map_record(hs(), "companies", record)
    partner, survey = mapped.records
    assert partner == PartnerRecord(
        ref=SourceRef(system="hubspot", id="101"),
        modified_at=MODIFIED,
        name="Acme GmbH",
        domain="acme.de",
        owner=SourceRef(system="hubspot", id="77"),
        is_partner=True,
        partner_since=date(2022, 3, 1),
        partner_end=date(2024, 5, 1),
        created_at=datetime(2021, 1, 1, tzinfo=UTC),
        unique_resources=True,
        linked_salesforce_id="0015g00000XyZ12AAB",
        tags={
            "health_score": "72",
            "health_grade": None,
            "segment": "strategic",
            "tier": None,
            "health_reasons": None,
            "health_updated_at": None,
        },
    )
    assert survey == SurveyAnswer(
        ref=SourceRef(system="hubspot", id="101:nps:2024-05-01"),
        modified_at=MODIFIED,
        partner=partner.ref,
        score=9,
        answered_on=date(2024, 5, 1),
    )


def test_nulls_everywhere_still_map() -> None:
    streams = [s for s in STREAMS if s != "owners"]
    for stream in streams:
        record = rec()
        record["properties"] = {"hs_lastmodifieddate": STAMP}
        if stream == "tickets":
            record["properties"]["createdate"] = None
        mapped = map_record(hs(), stream, record, stages=Stages())
        assert mapped.quarantined == (), (stream, mapped.quarantined)
        first = mapped.records[0]
        assert first.ref.id == "101"
        if isinstance(first, PartnerRecord):
            assert (first.name, first.domain, first.owner, first.is_partner) == (
                "",
                None,
                None,
                False,
            )
            assert len(mapped.records) == 1  # no NPS, no KPI
        if isinstance(first, Activity | Deal | Issue):
            assert first.partner is None


def test_the_partner_filter_and_overrides_are_plain_dicts() -> None:
    custom = hs(
        partner_filter={"field": "partner_kind", "values": ["Reseller", "VAR"]},
        fields={"companies": {"nps_score": "nps_latest"}},
    )
    record = rec(partner_kind="VAR", nps_latest="3", nps_response_date="2024-02-02", type="PARTNER")
    partner, survey = map_record(custom, "companies", record).records
    assert isinstance(partner, PartnerRecord)
    assert partner.is_partner
    assert isinstance(survey, SurveyAnswer)
    assert survey.score == 3
    assert "nps_latest" in custom.properties("companies")
    assert "partner_kind" in custom.properties("companies")
    multi = rec(partner_kind="Customer;Reseller")
    assert map_record(custom, "companies", multi).records[0].is_partner  # type: ignore[union-attr]
    # a MappingOverride from the config, dumped as the adapter does
    dumped = MappingOverride.model_validate(
        {"partner_filter": {"field": "type", "values": ["RESELLER"]}}
    ).model_dump(exclude_none=True)
    assert hs(**dumped).partner_values == frozenset({"RESELLER"})


def test_kpi_readings_appear_when_both_fields_are_mapped() -> None:
    mapping = hs(fields={"companies": {"kpi_target": "kpi_t", "kpi_actual": "kpi_a"}})
    records = map_record(mapping, "companies", rec(kpi_t="100", kpi_a="80.5")).records
    assert records[1] == KpiReading(
        ref=SourceRef(system="hubspot", id="101:kpi"),
        modified_at=MODIFIED,
        partner=SourceRef(system="hubspot", id="101"),
        target=Decimal("100"),
        actual=Decimal("80.5"),
    )
    assert len(map_record(hs(), "companies", rec(kpi_t="1", kpi_a="2")).records) == 1


def test_a_bad_nps_quarantines_only_the_survey() -> None:
    mapped = map_record(hs(), "companies", rec(nps_score="11", nps_response_date="2024-05-01"))
    assert [type(r) for r in mapped.records] == [PartnerRecord]
    (quarantined,) = mapped.quarantined
    assert quarantined.record_id == "101:nps"
    assert "nps_score (nps_score) '11' is not a whole number from 0 to 10" in quarantined.reason
    half = map_record(hs(), "companies", rec(nps_score="8"))
    assert "nps_response_date is missing" in half.quarantined[0].reason


@pytest.mark.parametrize(
    ("stream", "kind", "subject_prop"),
    [
        ("calls", ActivityKind.CALL, "hs_call_title"),
        ("emails", ActivityKind.EMAIL, "hs_email_subject"),
        ("meetings", ActivityKind.MEETING, "hs_meeting_title"),
        ("notes", ActivityKind.NOTE, "hs_note_body"),
        ("tasks", ActivityKind.TODO, "hs_task_subject"),
    ],
)
def test_engagements(stream: str, kind: ActivityKind, subject_prop: str) -> None:
    record = rec(
        "9001",
        assoc=["555", "556"],
        hs_timestamp="1714555800000",
        hubspot_owner_id="77",
        **{subject_prop: "Quarterly review"},
    )
    activity = one(stream, record)
    assert activity == Activity(
        ref=SourceRef(system="hubspot", id="9001"),
        modified_at=MODIFIED,
        partner=SourceRef(system="hubspot", id="555"),  # the first (primary) association
        kind=kind,
        occurred_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        owner=SourceRef(system="hubspot", id="77"),
        subject="Quarterly review",
        is_open=kind is ActivityKind.TODO,  # no status: open
    )


def test_meetings_prefer_the_start_time_and_tasks_carry_their_key() -> None:
    meeting = rec(hs_meeting_start_time="2024-05-02T10:00:00Z", hs_timestamp="2024-05-01T00:00:00Z")
    assert one("meetings", meeting).occurred_at == datetime(2024, 5, 2, 10, tzinfo=UTC)
    fallback = rec(hs_timestamp="2024-05-01T00:00:00Z")
    assert one("meetings", fallback).occurred_at == datetime(2024, 5, 1, tzinfo=UTC)
    task = rec(hs_task_status="COMPLETED", pp_task_key="nps_survey:p-1:2024")
    mapped = one("tasks", task)
    assert (mapped.task_key, mapped.is_open) == ("nps_survey:p-1:2024", False)
    assert "pp_task_key" in hs().properties("tasks")


def test_epoch_seconds_in_hs_timestamp_are_converted() -> None:
    assert one("calls", rec(hs_timestamp="1714555800")).occurred_at == datetime(
        2024, 5, 1, 9, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("stream", "props", "expected"),
    [
        ("calls", {"hs_timestamp": "last tuesday"}, "occurred_at (hs_timestamp) 'last tuesday'"),
        ("companies", {"partner_since": "01/03/2022"}, "partner_since (partner_since) '01/03/20"),
        ("companies", {"unique_resources": "sometimes"}, "unique_resources (unique_resources)"),
        ("companies", {"salesforceaccountid": "x" * 500}, "longer than 64"),
        ("tasks", {"pp_task_key": "k" * 300}, "task_key (pp_task_key)"),
        ("deals", {"amount": "lots"}, "amount (amount) 'lots' is not a number"),
        ("deals", {"closedate": "2024-02-30"}, "close_date (closedate)"),
        ("tickets", {"closed_date": "soon"}, "closed_at (closed_date)"),
        ("calls", {"hubspot_owner_id": "77 88"}, "owner (hubspot_owner_id)"),
        ("calls", {"hs_lastmodifieddate": "never"}, "modified_at (hs_lastmodifieddate)"),
    ],
)
def test_unreadable_values_quarantine_the_record_with_a_reason(
    stream: str, props: dict[str, Any], expected: str
) -> None:
    text = reason(stream, rec(**props))
    assert text.startswith(f"{stream} 101: ")
    assert expected in text


def test_a_record_without_any_stamp_is_quarantined() -> None:
    record = rec()
    record["properties"]["hs_lastmodifieddate"] = None
    record["updatedAt"] = None
    assert "modified_at (hs_lastmodifieddate) is missing" in reason("calls", record)


def test_huge_strings() -> None:
    huge = "Ω" * 1_000_000
    partner = one("notes", rec(hs_note_body=huge))
    assert len(partner.subject) == 2000
    company = map_record(hs(), "companies", rec(name=huge, domain=huge, pp_health_reasons=huge))
    first = company.records[0]
    assert isinstance(first, PartnerRecord)
    assert len(first.name) == 2000
    assert first.domain is None
    assert first.tags["health_reasons"] == huge  # tags are compared with live values verbatim
    quarantined = map_record(hs(), "calls", rec(hs_timestamp=huge)).quarantined[0]
    assert len(quarantined.reason) < 300
    assert len(quarantined.payload) <= 4001


def test_deals() -> None:
    record = rec(
        assoc=["555"],
        dealname="Renewal",
        amount="125000.50",
        closedate="2024-03-31T15:00:00Z",
        dealstage="closedwon",
        hs_salesforceopportunityid="0065g00000ABCDEAAA",
    )
    assert one("deals", record) == Deal(
        ref=SourceRef(system="hubspot", id="101"),
        modified_at=MODIFIED,
        partner=SourceRef(system="hubspot", id="555"),
        name="Renewal",
        amount=Decimal("125000.50"),
        close_date=date(2024, 3, 31),
        won=True,
        closed=True,
        mirror_of=SourceRef(system="salesforce", id="0065g00000ABCDEAAA"),
    )
    custom = one("deals", rec(dealstage="won_custom"))
    assert (custom.won, custom.closed) == (True, True)  # the pipeline metadata says won
    lost = one("deals", rec(dealstage="closedlost"))
    assert (lost.won, lost.closed) == (False, True)
    open_ = one("deals", rec(dealstage="contractsent", amount=None))
    assert (open_.won, open_.closed, open_.amount) == (False, False, None)


def test_tickets() -> None:
    record = rec(
        assoc=["555"],
        subject="Portal down",
        createdate="2024-01-10T08:00:00Z",
        closed_date="2024-01-12T08:00:00Z",
        hs_pipeline_stage="4",
        salesforcecaseid="5005g00000ABCDEAAA",
    )
    assert one("tickets", record) == Issue(
        ref=SourceRef(system="hubspot", id="101"),
        modified_at=MODIFIED,
        partner=SourceRef(system="hubspot", id="555"),
        subject="Portal down",
        opened_at=datetime(2024, 1, 10, 8, tzinfo=UTC),
        closed=True,
        closed_at=datetime(2024, 1, 12, 8, tzinfo=UTC),
        mirror_of=SourceRef(system="salesforce", id="5005g00000ABCDEAAA"),
    )
    still_open = one("tickets", rec(createdate="2024-01-10T08:00:00Z", hs_pipeline_stage="2"))
    assert (still_open.closed, still_open.closed_at) == (False, None)
    # no ticket createdate: the record's createdAt
    assert one("tickets", rec()).opened_at == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_owners() -> None:
    raw = {
        "id": "77",
        "email": "dana@example.com",
        "firstName": "Dana",
        "lastName": "Scully",
        "userId": 9,
        "archived": True,
        "createdAt": "2020-01-01T00:00:00Z",
        "updatedAt": "2024-01-01T00:00:00Z",
    }
    owner = one("owners", raw)
    assert owner == Owner(
        ref=SourceRef(system="hubspot", id="77"),
        modified_at=datetime(2024, 1, 1, tzinfo=UTC),
        name="Dana Scully",
        email="dana@example.com",
        active=False,
    )
    nameless = one("owners", {**raw, "firstName": None, "lastName": None})
    assert nameless.name == "dana@example.com"


def test_unknown_streams_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a HubSpot stream"):
        map_record(hs(), "contacts", rec())
