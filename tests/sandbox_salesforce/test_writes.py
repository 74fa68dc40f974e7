"""sObject and sObject Collections writes, upsert by external id, describe, replication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from sandbox.salesforce import make_id
from tests.sandbox_salesforce.conftest import NOW, MakeSandbox, Sandbox

ACCOUNT = make_id("001", 1)


def _error(exc: pytest.ExceptionInfo[Exception]) -> dict[str, object]:
    content = exc.value.content  # type: ignore[attr-defined]
    assert isinstance(content, list)
    return dict(content[0])


def test_create_get_update_delete(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    created = sf.Account.create({"Name": "Fresh", "Type": "Partner", "AnnualRevenue": "12.5"})
    assert created["success"]
    assert created["id"].startswith("001")
    assert sf.Account.update(created["id"], {"Partner_Tier__c": "GOLD"}) == 204
    record = sf.Account.get(created["id"])
    assert record["Partner_Tier__c"] == "gold"  # picklist values are matched case-insensitively
    assert record["AnnualRevenue"] == 13.0  # currency(18, 0) rounds
    assert record["LastModifiedDate"] >= record["CreatedDate"]
    assert sf.Account.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get(created["id"])
    assert _error(caught)["errorCode"] == "ENTITY_IS_DELETED"


@pytest.mark.parametrize(
    ("data", "code", "fields"),
    [
        ({"Nope__c": 1}, "INVALID_FIELD", None),
        ({"AnnualRevenue": "lots"}, "JSON_PARSER_ERROR", None),
        (
            {"Partner_Health_Grade__c": "great"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["Partner_Health_Grade__c"],
        ),
        (
            {"Partner_Health_Reasons__c": "x" * 256},
            "STRING_TOO_LONG",
            ["Partner_Health_Reasons__c"],
        ),
        (
            {"IsDeleted": True, "CreatedDate": "2020-01-01T00:00:00Z"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["IsDeleted", "CreatedDate"],
        ),
        ({"OwnerId": "005bad"}, "MALFORMED_ID", ["OwnerId"]),
        ({"OwnerId": make_id("001", 2)}, "FIELD_INTEGRITY_EXCEPTION", ["OwnerId"]),
        ({"OwnerId": make_id("005", 99)}, "INVALID_CROSS_REFERENCE_KEY", ["OwnerId"]),
        (
            {"Partner_Health_Score__c": 1000.0},
            "NUMBER_OUTSIDE_VALID_RANGE",
            ["Partner_Health_Score__c"],
        ),
        ({"Name": None}, "REQUIRED_FIELD_MISSING", ["Name"]),
    ],
)
def test_update_validation(
    sandbox: Sandbox, data: dict[str, object], code: str, fields: list[str] | None
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf().Account.update(ACCOUNT, data)
    error = _error(caught)
    assert error["errorCode"] == code
    assert error.get("fields") == fields


def test_malformed_id_in_the_path_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sandbox.sf().Account.update("001bad", {"Name": "x"})


def test_collection_create_with_one_bad_record(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    records = [
        {"attributes": {"type": "Task"}, "Subject": f"T{i}", "WhatId": ACCOUNT} for i in range(3)
    ]
    records[1]["Priority"] = "Urgent"
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "message": "Priority: bad value for restricted picklist field: Urgent",
                "fields": ["Priority"],
            }
        ],
    }
    assert sf.query("SELECT COUNT() FROM Task WHERE Subject LIKE 'T_'")["totalSize"] == 2


def test_collection_all_or_none_rolls_back(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    updates = [
        {
            "attributes": {"type": "Account"},
            "id": make_id("001", i),
            "Partner_Segment__c": "strategic",
        }
        for i in (1, 2, 3)
    ]
    updates[2]["id"] = "001bad"
    results = sf.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": True, "records": updates}
    )
    assert [r["errors"][0]["statusCode"] for r in results] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "MALFORMED_ID",
    ]
    assert (
        sf.query("SELECT COUNT() FROM Account WHERE Partner_Segment__c != null")["totalSize"] == 0
    )
    before = sandbox.admin("GET", "records/Account")
    assert all(r["Partner_Segment__c"] is None for r in before)


def test_collection_limits_and_whole_request_errors(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    too_many = [{"attributes": {"type": "Task"}, "Subject": "x"}] * 201
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json={"records": too_many})
    assert _error(caught)["errorCode"] == "EXCEEDED_ID_LIMIT"
    bad_field = [{"attributes": {"type": "Account"}, "id": ACCOUNT, "Gone__c": 1}]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="PATCH", json={"records": bad_field})
    assert _error(caught)["errorCode"] == "INVALID_FIELD"


def test_upsert_by_external_id_creates_then_updates(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    key = "PartnerPulse_Key__c/at_risk_call:001:2025-06"
    created = sf.Task.upsert(key, {"Subject": "Call", "WhatId": ACCOUNT}, raw_response=True)
    assert created.status_code == 201
    assert created.json()["created"] is True
    updated = sf.Task.upsert(key, {"Subject": "Call again"}, raw_response=True)
    assert updated.status_code == 200
    assert updated.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    found = sf.query(
        "SELECT Id, Subject FROM Task WHERE PartnerPulse_Key__c = 'at_risk_call:001:2025-06'"
    )
    assert found["totalSize"] == 1
    assert found["records"][0]["Subject"] == "Call again"
    assert (
        sf.Task.get_by_custom_id("PartnerPulse_Key__c", "at_risk_call:001:2025-06")["Id"]
        == created.json()["id"]
    )


def test_upsert_collection_reports_created(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Task"}, "PartnerPulse_Key__c": k, "Subject": k}
            for k in ("k1", "k2")
        ],
    }
    first = sf.restful("composite/sobjects/Task/PartnerPulse_Key__c", method="PATCH", json=body)
    again = sf.restful("composite/sobjects/Task/PartnerPulse_Key__c", method="PATCH", json=body)
    assert [r["created"] for r in first] == [True, True]
    assert [r["created"] for r in again] == [False, False]
    assert [r["id"] for r in first] == [r["id"] for r in again]
    duplicate = {"attributes": {"type": "Task"}, "Subject": "dup", "PartnerPulse_Key__c": "K1"}
    result = sf.restful("composite/sobjects", method="POST", json={"records": [duplicate]})
    assert result[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"


def test_upsert_with_several_matches_is_http_300(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    for i in (1, 2):
        sf.Contact.update(make_id("003", i), {"Legacy_Id__c": "L-7"})
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Contact.upsert("Legacy_Id__c/L-7", {"Title": "x"})
    assert caught.value.status == 300
    assert len(caught.value.content) == 2


def test_describe_lists_custom_fields(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    fields = {f["name"]: f for f in sf.Account.describe()["fields"]}
    grade = fields["Partner_Health_Grade__c"]
    assert grade["type"] == "picklist"
    assert grade["custom"]
    assert grade["updateable"]
    assert [p["value"] for p in grade["picklistValues"]] == ["healthy", "watch", "at_risk"]
    assert grade["restrictedPicklist"] is True
    assert fields["Partner_Health_Score__c"]["type"] == "double"
    assert fields["Partner_Health_Reasons__c"]["length"] == 255
    assert fields["Partner_Health_Updated__c"]["type"] == "datetime"
    assert fields["BillingCity"]["compoundFieldName"] == "BillingAddress"
    assert fields["OwnerId"]["referenceTo"] == ["User"]
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    assert fields["Id"]["updateable"] is False
    key = {f["name"]: f for f in sf.Task.describe()["fields"]}["PartnerPulse_Key__c"]
    assert key["externalId"]
    assert key["unique"]
    assert key["length"] == 80
    names = [s["name"] for s in sf.describe()["sobjects"]]
    assert {"Account", "Task", "Event", "Opportunity", "Case", "User", "Contact"} <= set(names)


def test_org_without_tool_fields(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(include_tool_fields=False)
    sf = org.sf()
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert "Partner_Health_Score__c" not in fields
    assert "NPS_Score__c" in fields
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.update(ACCOUNT, {"Partner_Health_Score__c": 50})
    assert _error(caught)["errorCode"] == "INVALID_FIELD"


def test_dropped_field_disappears(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "schema/drop-field", {"object": "Account", "field": "NPS_Score__c"})
    sf = sandbox.sf()
    assert "NPS_Score__c" not in {f["name"] for f in sf.Account.describe()["fields"]}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT NPS_Score__c FROM Account")
    assert _error(caught)["errorCode"] == "INVALID_FIELD"


def test_deleted_and_updated_resources_with_aware_datetimes(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    sandbox.store.set_clock(lambda: NOW)
    sf.Account.delete(make_id("001", 5))
    sf.Account.update(make_id("001", 6), {"Website": "https://new.example.com"})
    start, end = NOW - timedelta(days=1), NOW + timedelta(minutes=5)
    deleted = sf.Account.deleted(start, end)
    assert deleted["deletedRecords"] == [
        {"id": make_id("001", 5), "deletedDate": "2025-06-01T12:00:00.000+0000"}
    ]
    assert deleted["earliestDateAvailable"] == "2025-05-17T12:00:00.000+0000"
    updated = sf.Account.updated(start, end)
    assert make_id("001", 6) in updated["ids"]
    assert make_id("001", 5) not in updated["ids"]
    assert updated["latestDateCovered"] == "2025-06-01T12:00:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest):
        sf.Account.updated(datetime(2024, 1, 1, tzinfo=UTC), end)


def test_an_all_or_none_upsert_that_fails_restores_updated_and_removes_created(
    sandbox: Sandbox,
) -> None:
    sf = sandbox.sf()
    path = "composite/sobjects/Task/PartnerPulse_Key__c"

    def task(key: str, **fields: object) -> dict[str, object]:
        return {"attributes": {"type": "Task"}, "PartnerPulse_Key__c": key, **fields}

    (kept,) = sf.restful(path, method="PATCH", json={"records": [task("keep", Subject="old")]})
    body = {
        "allOrNone": True,
        "records": [
            task("keep", Subject="new"),  # an update by external id
            task("fresh", Subject="made"),  # a create
            task("bad", Priority="Not a priority"),  # refused: the batch rolls back
        ],
    }
    results = sf.restful(path, method="PATCH", json=body)
    assert [r["success"] for r in results] == [False, False, False]
    rows = sf.query_all(
        "SELECT PartnerPulse_Key__c, Subject FROM Task WHERE PartnerPulse_Key__c != null"
    )["records"]
    assert {r["PartnerPulse_Key__c"]: r["Subject"] for r in rows} == {"keep": "old"}
    assert sf.Task.get(kept["id"])["Subject"] == "old"
