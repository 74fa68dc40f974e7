"""The Salesforce field map as tables: each stream, every field, nulls, bad values, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

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
from mappings.salesforce import STREAMS, SalesforceMapping, typed_row

TAGS = {
    "health_score": "Partner_Health_Score__c",
    "health_grade": "Partner_Health_Grade__c",
    "segment": "Partner_Segment__c",
    "health_updated_at": "Partner_Health_Updated__c",
}
STAMP = "2024-05-01T10:00:00.000+0000"
WHEN = datetime(2024, 5, 1, 10, tzinfo=UTC)
ACC = "001SB0000000001AAA"
USER = "005SB0000000001AAA"


def sf(system_id: str) -> SourceRef:
    return SourceRef(system="salesforce", id=system_id)


@pytest.fixture
def mapping() -> SalesforceMapping:
    return SalesforceMapping(tag_fields=TAGS)


def row(record_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "attributes": {"type": "X"},
        "Id": record_id,
        "SystemModstamp": STAMP,
        "IsDeleted": False,
        **fields,
    }


def only(mapping: SalesforceMapping, stream: str, data: dict[str, Any]) -> Any:
    mapped = mapping.map(stream, data)
    assert mapped.quarantined == ()
    assert len(mapped.records) == 1
    return mapped.records[0]


def test_user_to_owner(mapping: SalesforceMapping) -> None:
    data = row(USER, Name="Ada Lovelace", Email="ada@example.com", IsActive=False)
    assert only(mapping, "User", data) == Owner(
        ref=sf(USER), modified_at=WHEN, name="Ada Lovelace", email="ada@example.com", active=False
    )


def test_account_every_field(mapping: SalesforceMapping) -> None:
    data = row(
        ACC,
        Name="Acme",
        Website="https://www.Acme.com/partners?x=1",
        OwnerId=USER,
        Type="Partner",
        Partner_Since__c="2021-03-04",
        Partner_End_Date__c=None,
        CreatedDate="2020-01-02T03:04:05.000+0000",
        Unique_Resources__c=True,
        NPS_Score__c=Decimal("9.0"),
        NPS_Response_Date__c="2024-04-01",
        Partner_Health_Score__c=Decimal("82.0"),
        Partner_Health_Grade__c="healthy",
        Partner_Segment__c=None,
        Partner_Health_Updated__c="2024-04-30T08:00:00.000+0000",
    )
    mapped = mapping.map("Account", data)
    assert mapped.quarantined == ()
    partner, survey = mapped.records
    assert partner == PartnerRecord(
        ref=sf(ACC),
        modified_at=WHEN,
        name="Acme",
        domain="acme.com",
        owner=sf(USER),
        is_partner=True,
        partner_since=date(2021, 3, 4),
        partner_end=None,
        created_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
        unique_resources=True,
        tags={
            "health_score": "82",
            "health_grade": "healthy",
            "segment": None,
            "health_updated_at": "2024-04-30T08:00:00+00:00",
        },
    )
    assert survey == SurveyAnswer(
        ref=sf(f"{ACC}:nps:2024-04-01"),
        modified_at=WHEN,
        partner=sf(ACC),
        score=9,
        answered_on=date(2024, 4, 1),
    )


def test_account_kpi_when_mapped() -> None:
    mapping = SalesforceMapping(
        {"Account": {"kpi_target": "KPI_Target__c", "kpi_actual": "KPI_Actual__c"}}
    )
    assert "KPI_Target__c" in mapping.select("Account")
    data = row(ACC, Name="Acme", KPI_Target__c=Decimal("100"), KPI_Actual__c="87.5")
    records = mapping.map("Account", data).records
    assert records[1] == KpiReading(
        ref=sf(f"{ACC}:kpi"),
        modified_at=WHEN,
        partner=sf(ACC),
        target=Decimal("100"),
        actual=Decimal("87.5"),
    )


@pytest.mark.parametrize(
    ("flag_field", "values", "value", "expected"),
    [
        ("Type", ["Partner"], "Partner", True),
        ("Type", ["Partner"], "partner", True),
        ("Type", ["Partner"], "Customer - Direct", False),
        ("Type", ["Partner"], None, False),
        ("Type", ["Partner", "Channel Partner / Reseller"], "Channel Partner / Reseller", True),
        ("IsPartner", ["true"], True, True),
        ("IsPartner", ["true"], "false", False),
    ],
)
def test_partner_filter_is_data(
    flag_field: str, values: list[str], value: Any, expected: bool
) -> None:
    mapping = SalesforceMapping(partner_filter=(flag_field, values))
    assert flag_field in mapping.select("Account")
    partner = mapping.map("Account", row(ACC, Name="Acme", **{flag_field: value})).records[0]
    assert isinstance(partner, PartnerRecord)
    assert partner.is_partner is expected


@pytest.mark.parametrize(
    ("subtype", "kind"),
    [("Call", ActivityKind.CALL), ("Email", ActivityKind.EMAIL), ("Task", ActivityKind.TODO),
     (None, ActivityKind.TODO), ("ListEmail", ActivityKind.TODO)],
)  # fmt: skip
def test_task_kinds(mapping: SalesforceMapping, subtype: str | None, kind: ActivityKind) -> None:
    task = only(mapping, "Task", row("00TSB0000000001AAA", AccountId=ACC, TaskSubtype=subtype))
    assert task.kind == kind


def test_task_every_field(mapping: SalesforceMapping) -> None:
    data = row(
        "00TSB0000000001AAA",
        AccountId=ACC,
        WhatId="006SB0000000001AAA",
        TaskSubtype="Call",
        CompletedDateTime="2024-04-02T15:30:00.000+0000",
        ActivityDate="2024-04-01",
        OwnerId=USER,
        Subject="Quarterly check-in",
        IsClosed=True,
        PartnerPulse_Key__c="at_risk_call:p1:2024-04",
    )
    assert only(mapping, "Task", data) == Activity(
        ref=sf("00TSB0000000001AAA"),
        modified_at=WHEN,
        partner=sf(ACC),
        kind=ActivityKind.CALL,
        occurred_at=datetime(2024, 4, 2, 15, 30, tzinfo=UTC),
        owner=sf(USER),
        subject="Quarterly check-in",
        task_key="at_risk_call:p1:2024-04",
        is_open=False,
    )


@pytest.mark.parametrize(
    ("fields", "partner", "occurred", "is_open"),
    [
        ({"WhatId": ACC}, sf(ACC), None, False),
        ({"WhatId": "006SB0000000001AAA"}, None, None, False),
        ({}, None, None, False),
        ({"ActivityDate": "2024-04-01", "IsClosed": False}, None, datetime(2024, 4, 1, tzinfo=UTC),
         True),
    ],
)  # fmt: skip
def test_task_without_what_or_account(
    mapping: SalesforceMapping,
    fields: dict[str, Any],
    partner: SourceRef | None,
    occurred: datetime | None,
    is_open: bool,
) -> None:
    task = only(mapping, "Task", row("00TSB0000000001AAA", **fields))
    assert (task.partner, task.occurred_at, task.is_open, task.task_key) == (
        partner,
        occurred,
        is_open,
        None,
    )


def test_event_is_a_meeting_at_its_start(mapping: SalesforceMapping) -> None:
    data = row(
        "00USB0000000001AAA",
        WhatId=ACC,
        StartDateTime="2024-04-03T09:00:00.000+0000",
        OwnerId=USER,
        Subject="QBR",
    )
    assert only(mapping, "Event", data) == Activity(
        ref=sf("00USB0000000001AAA"),
        modified_at=WHEN,
        partner=sf(ACC),
        kind=ActivityKind.MEETING,
        occurred_at=datetime(2024, 4, 3, 9, tzinfo=UTC),
        owner=sf(USER),
        subject="QBR",
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("125000.50"), Decimal("125000.50")),
        ("125000.50", Decimal("125000.50")),
        (125000, Decimal("125000")),
        (0.1, Decimal("0.1")),
        (None, None),
        ("", None),
    ],
)
def test_opportunity_money_is_decimal(
    mapping: SalesforceMapping, amount: Any, expected: Decimal | None
) -> None:
    data = row(
        "006SB0000000001AAA",
        AccountId=ACC,
        Name="Renewal",
        Amount=amount,
        CloseDate="2024-03-31",
        IsWon=True,
        IsClosed="true",
    )
    assert only(mapping, "Opportunity", data) == Deal(
        ref=sf("006SB0000000001AAA"),
        modified_at=WHEN,
        partner=sf(ACC),
        name="Renewal",
        amount=expected,
        close_date=date(2024, 3, 31),
        won=True,
        closed=True,
    )


def test_case_to_issue(mapping: SalesforceMapping) -> None:
    data = row(
        "500SB0000000001AAA",
        AccountId=ACC,
        Subject="Broken sync",
        CreatedDate="2024-01-01T00:00:00.000+0000",
        IsClosed=True,
        ClosedDate="2024-01-05T12:00:00.000+0000",
    )
    assert only(mapping, "Case", data) == Issue(
        ref=sf("500SB0000000001AAA"),
        modified_at=WHEN,
        partner=sf(ACC),
        subject="Broken sync",
        opened_at=datetime(2024, 1, 1, tzinfo=UTC),
        closed=True,
        closed_at=datetime(2024, 1, 5, 12, tzinfo=UTC),
    )


NULL_ROWS = {
    "User": row(USER),
    "Account": row(ACC, Name="Bare"),
    "Task": row("00TSB0000000001AAA"),
    "Event": row("00USB0000000001AAA"),
    "Opportunity": row("006SB0000000001AAA"),
    "Case": row("500SB0000000001AAA", CreatedDate=STAMP),
}


@pytest.mark.parametrize("stream", STREAMS)
def test_nulls_everywhere_map_to_defaults(mapping: SalesforceMapping, stream: str) -> None:
    data = dict(NULL_ROWS[stream])
    for field in mapping.select(stream):
        data.setdefault(field, None)
    record = only(mapping, stream, data)
    assert record.ref.id == data["Id"]
    assert record.modified_at == WHEN


@pytest.mark.parametrize(
    ("stream", "fields", "reason"),
    [
        ("Account", {"Name": None}, "Account has no Name"),
        ("Case", {"CreatedDate": None}, "Case has no CreatedDate"),
        ("Case", {"CreatedDate": "2024-02-30T00:00:00Z"},
         "CreatedDate: '2024-02-30T00:00:00Z' is not a real datetime"),
        ("Task", {"CompletedDateTime": "yesterday"},
         "CompletedDateTime: 'yesterday' is not a datetime"),
        ("Task", {"ActivityDate": "2024-13-01"}, "ActivityDate: '2024-13-01' is not a real date"),
        ("Task", {"ActivityDate": "01/04/2024"},
         "ActivityDate: '01/04/2024' is not a date (expected YYYY-MM-DD)"),
        ("Event", {"StartDateTime": 1714557600},
         "StartDateTime: 1714557600 is a number, not an ISO-8601 datetime"),
        ("Event", {"StartDateTime": 1714557600000}, "epoch values are not guessed"),
        ("Opportunity", {"Amount": "lots"}, "Amount: 'lots' is not a number"),
        ("Opportunity", {"Amount": "NaN"}, "Amount: 'NaN' is not a number"),
        ("Opportunity", {"IsWon": "yes"}, "IsWon: 'yes' is not a checkbox value"),
        ("User", {"SystemModstamp": None}, "the row has no SystemModstamp"),
        ("User", {"Id": None}, "the row has no Id"),
    ],
)  # fmt: skip
def test_bad_values_are_quarantined_with_the_reason(
    mapping: SalesforceMapping, stream: str, fields: dict[str, Any], reason: str
) -> None:
    data = {**NULL_ROWS[stream], **fields}
    mapped = mapping.map(stream, data)
    assert mapped.records == ()
    (bad,) = mapped.quarantined
    assert bad.system == "salesforce"
    assert bad.stream == stream
    assert reason in bad.reason
    assert "attributes" not in bad.payload


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T10:00:00.000+0000",
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.000Z",
        "2024-05-01T12:00:00+02:00",
        "2024-05-01T10:00:00",
    ],
)
def test_iso_datetimes_in_every_form_salesforce_uses(
    mapping: SalesforceMapping, value: str
) -> None:
    event = only(mapping, "Event", row("00USB0000000001AAA", StartDateTime=value))
    assert event.occurred_at == WHEN


@pytest.mark.parametrize(
    ("score", "date_", "reason"),
    [
        (Decimal("11"), "2024-04-01", "is not a whole number from 0 to 10"),
        (Decimal("7.5"), "2024-04-01", "is not a whole number from 0 to 10"),
        (Decimal("7"), None, "NPS answer without NPS_Response_Date__c"),
        (None, "2024-04-01", "NPS answer without NPS_Score__c"),
        (Decimal("7"), "April", "NPS_Response_Date__c: 'April' is not a date"),
    ],
)
def test_a_bad_nps_answer_quarantines_only_the_answer(
    mapping: SalesforceMapping, score: Decimal | None, date_: str | None, reason: str
) -> None:
    mapped = mapping.map(
        "Account", row(ACC, Name="Acme", NPS_Score__c=score, NPS_Response_Date__c=date_)
    )
    assert [type(r) for r in mapped.records] == [PartnerRecord]
    (bad,) = mapped.quarantined
    assert reason in bad.reason


def test_overrides_are_plain_dicts_and_change_the_select() -> None:
    mapping = SalesforceMapping(
        {"Account": {"nps_score": "Net_Promoter__c"}}, task_key_field="My_Key__c"
    )
    assert mapping.fields("Account")["nps_score"] == "Net_Promoter__c"
    assert "NPS_Score__c" not in mapping.select("Account")
    assert "My_Key__c" in mapping.select("Task")
    task = only(mapping, "Task", row("00TSB0000000001AAA", My_Key__c="k1"))
    assert task.task_key == "k1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Account": {"nps": "X__c"}}, "unknown canonical field(s) nps"),
        ({"Lead": {"name": "Name"}}, "unknown stream 'Lead'"),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SalesforceMapping(overrides)


def test_bulk_csv_rows_read_like_rest_rows(mapping: SalesforceMapping) -> None:
    rest = row(
        "006SB0000000001AAA",
        AccountId=ACC,
        Name="Renewal",
        Amount=Decimal("10.5"),
        CloseDate="2024-03-31",
        IsWon=False,
        IsClosed=True,
    )
    csv_row = {
        "Id": "006SB0000000001AAA",
        "SystemModstamp": "2024-05-01T10:00:00.000Z",
        "IsDeleted": "false",
        "AccountId": ACC,
        "Name": "Renewal",
        "Amount": "10.5",
        "CloseDate": "2024-03-31",
        "IsWon": "false",
        "IsClosed": "true",
    }
    typed = typed_row(mapping.kinds("Opportunity"), csv_row)
    assert typed["IsDeleted"] is False
    assert typed["Amount"] == Decimal("10.5")
    assert only(mapping, "Opportunity", typed) == only(mapping, "Opportunity", rest)


@pytest.mark.parametrize("bad_id", ["0" * 65, "001 A", "001'--", "001\x00A"])
def test_a_row_whose_id_is_not_a_salesforce_id_is_quarantined(bad_id: str) -> None:
    row = {"Id": bad_id, "SystemModstamp": "2025-01-01T00:00:00.000+0000", "Name": "Acme"}
    mapped = SalesforceMapping().map("Account", row)
    assert mapped.records == ()
    assert "is not a Salesforce Id" in mapped.quarantined[0].reason
