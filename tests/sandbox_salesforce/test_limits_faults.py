"""Allocation and Sforce-Limit-Info, the back door, and injected faults."""

from __future__ import annotations

import json
import time

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)
from simple_salesforce.util import Usage

from sandbox.salesforce import make_id
from tests.sandbox_salesforce.conftest import SESSION, MakeSandbox, Sandbox

AUTH = {"Authorization": f"Bearer {SESSION}"}


def test_limit_info_header_and_limits_resource(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    sf.query("SELECT COUNT() FROM Account")
    assert sf.api_usage["api-usage"] == Usage(used=1, total=15000)
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 15000, "Remaining": 14998}
    assert sf.api_usage["api-usage"] == Usage(used=2, total=15000)


def test_daily_allocation_runs_out(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(daily_limit=3)
    sf = org.sf()
    for _ in range(3):
        sf.query("SELECT COUNT() FROM Account")
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT COUNT() FROM Account")
    assert caught.value.status == 403
    assert caught.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert org.admin("POST", "limits", {"daily_used": 0}) == {"daily_limit": 3, "daily_used": 0}
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 20


def test_back_door_routes(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    created = sandbox.admin(
        "POST",
        "create",
        {
            "object": "Account",
            "records": [{"Name": "Via back door", "SystemModstamp": "2025-01-01T00:00:00Z"}],
        },
    )
    new_id = created["ids"][0]
    mutated = sandbox.admin(
        "POST",
        "mutate",
        {
            "object": "Account",
            "ids": [new_id],
            "set": {"Type": "Partner"},
            "modstamp": "2025-06-01T12:00:00+00:00",
        },
    )
    assert mutated["updated"] == 1
    row = sf.query(f"SELECT Type, SystemModstamp FROM Account WHERE Id = '{new_id}'")
    assert row["records"][0]["SystemModstamp"] == "2025-06-01T12:00:00.000+0000"
    sandbox.admin("POST", "delete", {"object": "Account", "ids": [new_id]})
    exported = {r["Id"]: r for r in sandbox.admin("GET", "records/Account")}
    assert exported[new_id]["IsDeleted"] is True
    assert exported[new_id]["Type"] == "Partner"
    assert sandbox.admin("POST", "latency", {"ms": 60}) == {"ok": True}
    started = time.perf_counter()
    sf.query("SELECT COUNT() FROM Account")
    assert time.perf_counter() - started >= 0.06
    sandbox.admin("POST", "latency", {"ms": 0})
    stats = sandbox.admin("GET", "stats")
    assert stats["total_calls"] == 2
    assert stats["daily_used"] == 2
    assert stats["records_written"] == 0
    sandbox.admin("POST", "stats/reset")
    assert sandbox.admin("GET", "stats")["total_calls"] == 0
    bad = sandbox.http().post(f"{sandbox.url}/__sandbox/faults", json={"spec": "salesforce.x=1"})
    assert bad.status_code == 400


def _faulted(sandbox: Sandbox, spec: str) -> requests.Session:
    sandbox.admin("POST", "faults", {"spec": spec, "seed": 7})
    return sandbox.http()


@pytest.mark.parametrize(
    ("kind", "status", "code", "retry_after"),
    [
        ("429", 429, "TOO_MANY_REQUESTS", "1"),
        ("429-no-retry-after", 429, "TOO_MANY_REQUESTS", None),
        ("500", 500, "UNKNOWN_EXCEPTION", None),
        ("503", 503, "SERVER_UNAVAILABLE", None),
    ],
)
def test_transport_faults_have_salesforce_bodies(
    sandbox: Sandbox, kind: str, status: int, code: str, retry_after: str | None
) -> None:
    http = _faulted(sandbox, f"salesforce.{kind}=1")
    response = http.get(f"{sandbox.url}/services/data/v59.0/limits/", headers=AUTH)
    assert response.status_code == status
    assert response.json()[0]["errorCode"] == code
    assert response.headers.get("Retry-After") == retry_after
    with pytest.raises(SalesforceGeneralError):
        sandbox.sf().query("SELECT COUNT() FROM Account")
    stats = sandbox.admin("GET", "stats")
    assert stats["faults_injected"][kind] == 2
    assert stats["total_calls"] == 2


def test_reset_fault_drops_the_connection(sandbox: Sandbox) -> None:
    http = _faulted(sandbox, "salesforce.reset=1")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        http.get(f"{sandbox.url}/services/data/v59.0/limits/", headers=AUTH)
    assert sandbox.admin("GET", "stats")["faults_injected"]["reset"] == 1


def test_query_timeout_and_daily_limit_faults(sandbox: Sandbox) -> None:
    _faulted(sandbox, "salesforce.query-timeout=1")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf().query("SELECT Id FROM Account")
    assert caught.value.content == [
        {"message": "Your query request was running for too long.", "errorCode": "QUERY_TIMEOUT"}
    ]
    _faulted(sandbox, "salesforce.daily-limit=1")
    with pytest.raises(SalesforceRefusedRequest):
        sandbox.sf().query("SELECT Id FROM Account")


def test_partial_batch_fault_fails_single_items(sandbox: Sandbox) -> None:
    _faulted(sandbox, "salesforce.partial-batch=0.5")
    records = [
        {"attributes": {"type": "Account"}, "id": make_id("001", i), "Website": "x"}
        for i in range(1, 21)
    ]
    results = sandbox.sf().restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records}
    )
    failed = [r for r in results if not r["success"]]
    assert 0 < len(failed) < 20
    assert {r["errors"][0]["statusCode"] for r in failed} == {"UNABLE_TO_LOCK_ROW"}
    stats = sandbox.admin("GET", "stats")
    assert stats["faults_injected"]["partial-batch"] == len(failed)
    assert stats["records_written"] == 20 - len(failed)


def test_malformed_json_fault(sandbox: Sandbox) -> None:
    _faulted(sandbox, "salesforce.malformed-json=1")
    with pytest.raises(json.JSONDecodeError):
        sandbox.sf().query("SELECT Id FROM Account")
