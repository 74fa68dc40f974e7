"""REST query/queryAll and nextRecordsUrl paging with the real simple-salesforce."""

from __future__ import annotations

import time

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import make_id
from tests.sandbox_salesforce.conftest import MakeSandbox, Sandbox, small_world


def test_query_all_iter_pages_5000_records_with_batch_size(make_sandbox: MakeSandbox) -> None:
    world = small_world(accounts=5000, tasks_per_account=0)
    org = make_sandbox(world)
    sf = org.sf()
    headers = {"Sforce-Query-Options": "batchSize=700"}
    first = sf.query("SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id", headers=headers)
    assert first["totalSize"] == 5000
    assert not first["done"]
    assert len(first["records"]) == 700
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-700")
    org.admin("POST", "stats/reset")
    ids = [r["Id"] for r in sf.query_all_iter("SELECT Id FROM Account", headers=headers)]
    assert len(ids) == len(set(ids)) == 5000
    calls = org.admin("GET", "stats")["calls"]
    assert calls["GET /services/data/vXX.X/query"] == 1
    assert calls["GET /services/data/vXX.X/query/{locator}"] == 7  # 8 pages of 700
    assert org.admin("GET", "stats")["records_returned"] == 5000


def test_batch_size_is_clamped_to_200_2000(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    page = sf.query("SELECT Id FROM Task", headers={"Sforce-Query-Options": "batchSize=10"})
    assert page["totalSize"] == 40
    assert page["done"]


def test_query_and_query_all_with_and_without_trailing_slash(sandbox: Sandbox) -> None:
    http = sandbox.http()
    for path in ("query", "query/", "queryAll", "queryAll/"):
        response = http.get(
            f"{sandbox.url}/services/data/v59.0/{path}",
            params={"q": "SELECT COUNT() FROM Account"},
            headers={"Authorization": f"Bearer {sandbox.options.static_session_id}"},
        )
        assert response.status_code == 200, path
        assert response.json() == {"totalSize": 20, "done": True, "records": []}
        assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_query_all_sees_deleted_rows_and_query_hides_them(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    assert sf.Account.delete(make_id("001", 4)) == 204
    visible = sf.query_all("SELECT Id FROM Account")["records"]
    everything = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)
    assert len(visible) == 19
    deleted = [r for r in everything["records"] if r["IsDeleted"]]
    assert [r["Id"] for r in deleted] == [make_id("001", 4)]


def test_record_shape_parent_fields_and_typed_values(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    record = sf.query(
        "SELECT Id, Name, Owner.Email, Parent.Name, AnnualRevenue, IsPartner, SystemModstamp, "
        f"Partner_Since__c, BillingAddress FROM Account WHERE Id = '{make_id('001', 3)}'"
    )["records"][0]
    assert list(record) == [
        "attributes",
        "Id",
        "Name",
        "Owner",
        "Parent",
        "AnnualRevenue",
        "IsPartner",
        "SystemModstamp",
        "Partner_Since__c",
        "BillingAddress",
    ]
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{make_id('001', 3)}",
    }
    assert record["Owner"]["attributes"]["type"] == "User"
    assert record["Owner"]["Email"] == "bob@example.com"
    assert record["Parent"] is None  # an empty lookup is null
    assert record["AnnualRevenue"] == 3000.0
    assert record["IsPartner"] is True
    assert record["SystemModstamp"] == "2025-05-29T12:00:00.000+0000"
    assert record["Partner_Since__c"] == "2023-01-15"
    assert record["BillingAddress"] is None  # no component set
    berlin = sf.query(f"SELECT BillingAddress FROM Account WHERE Id = '{make_id('001', 2)}'")
    assert berlin["records"][0]["BillingAddress"]["city"] == "Berlin"


def test_task_derived_fields(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    created = sf.Task.create(
        {
            "Subject": "Follow up",
            "WhatId": make_id("001", 2),
            "Status": "Completed",
            "Priority": "High",
        }
    )
    task = sf.query(
        f"SELECT AccountId, IsClosed, IsHighPriority, CompletedDateTime, "
        f"TaskSubtype, What.Name FROM Task WHERE Id = '{created['id']}'"
    )["records"][0]
    assert task["AccountId"] == make_id("001", 2)
    assert task["IsClosed"] is True
    assert task["IsHighPriority"] is True
    assert task["CompletedDateTime"].endswith(".000+0000")
    assert task["What"]["Name"] == "Partner 002"


def test_query_errors_reach_the_client_as_salesforce_errors(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id, Nope__c FROM Account")
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Nope__c'" in caught.value.content[0]["message"]


def test_expired_query_locator(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(small_world(accounts=300, tasks_per_account=0), query_locator_ttl_s=0.2)
    sf = org.sf()
    first = sf.query("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
    time.sleep(0.3)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_tie_break_cursor_over_equal_stamps(sandbox: Sandbox) -> None:
    """Ten records share one SystemModstamp; a (stamp, Id) cursor pages through them exactly."""
    ids = [make_id("001", i) for i in range(1, 11)]
    sandbox.admin(
        "POST",
        "mutate",
        {"object": "Account", "ids": ids, "set": {}, "modstamp": "2025-06-02T00:00:00Z"},
    )
    sf = sandbox.sf()
    seen: list[str] = []
    stamp, last_id = "2025-06-01T23:59:59Z", ""
    while True:
        where = f"SystemModstamp > {stamp}"
        if last_id:
            where = f"(SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > '{last_id}'))"
        rows = sf.query(
            f"SELECT Id, SystemModstamp FROM Account WHERE {where} "
            "ORDER BY SystemModstamp, Id LIMIT 3"
        )["records"]
        if not rows:
            break
        seen += [r["Id"] for r in rows]
        stamp = rows[-1]["SystemModstamp"].replace(".000+0000", "Z")
        last_id = rows[-1]["Id"]
    assert seen == sorted(ids)
