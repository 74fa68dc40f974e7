"""Bulk API 2.0 query jobs with the real simple-salesforce bulk2 handler."""

from __future__ import annotations

import csv
import io
import time

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import make_id
from tests.sandbox_salesforce.conftest import SESSION, MakeSandbox, Sandbox

AUTH = {"Authorization": f"Bearer {SESSION}"}


def _rows(pages: list[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for page in pages:
        rows += list(csv.DictReader(io.StringIO(page)))
    return rows


def test_bulk2_query_in_several_pages(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    pages = list(
        sf.bulk2.Account.query(
            "SELECT Id, Name, Owner.Email, AnnualRevenue, IsPartner, SystemModstamp, BillingCity "
            "FROM Account ORDER BY Name",
            max_records=7,
            wait=0.05,
        )
    )
    assert len(pages) == 3
    assert all(page.startswith('"Id","Name","Owner.Email",') for page in pages)
    rows = _rows(pages)
    assert len(rows) == 20
    assert rows[0]["Name"] == "Partner 001"
    assert rows[0]["Owner.Email"] == "bob@example.com"
    assert rows[0]["IsPartner"] == "true"
    assert rows[0]["SystemModstamp"] == "2025-05-31T12:00:00.000Z"
    assert rows[2]["BillingCity"] == ""
    third = pages[0].splitlines()[3]  # Partner 003: no billing city
    assert '"3000.0","true"' in third
    assert third.endswith(",")


def test_bulk2_query_all_includes_deleted(sandbox: Sandbox) -> None:
    sf = sandbox.sf()
    sf.Account.delete(make_id("001", 1))
    live = _rows(list(sf.bulk2.Account.query("SELECT Id FROM Account", wait=0.05)))
    everything = _rows(
        list(sf.bulk2.Account.query_all("SELECT Id, IsDeleted FROM Account", wait=0.05))
    )
    assert len(live) == 19
    assert len(everything) == 20
    assert [r["Id"] for r in everything if r["IsDeleted"] == "true"] == [make_id("001", 1)]


def test_compound_fields_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        list(sandbox.sf().bulk2.Account.query("SELECT Id, BillingAddress FROM Account", wait=0.05))
    assert caught.value.content == [
        {"message": "Selecting compound data not supported in Bulk Query", "errorCode": "API_ERROR"}
    ]


def test_job_lifecycle_over_http(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(bulk_job_delay_s=0.4)
    http = org.http()
    base = f"{org.url}/services/data/v59.0/jobs/query"
    created = http.post(
        base,
        json={
            "operation": "query",
            "query": "SELECT Id FROM Task",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        },
        headers=AUTH,
    ).json()
    assert created["id"].startswith("750")
    assert created["state"] == "UploadComplete"
    assert created["object"] == "Task"
    assert created["apiVersion"] == 59.0
    assert http.get(f"{base}/{created['id']}", headers=AUTH).json()["state"] == "InProgress"
    early = http.get(f"{base}/{created['id']}/results", headers=AUTH)
    assert early.status_code == 412
    assert early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"
    time.sleep(0.45)
    info = http.get(f"{base}/{created['id']}", headers=AUTH).json()
    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 40
    first = http.get(f"{base}/{created['id']}/results", params={"maxRecords": 25}, headers=AUTH)
    assert first.headers["Sforce-NumberOfRecords"] == "25"
    locator = first.headers["Sforce-Locator"]
    second = http.get(
        f"{base}/{created['id']}/results",
        params={"maxRecords": 25, "locator": locator},
        headers=AUTH,
    )
    assert second.headers["Sforce-NumberOfRecords"] == "15"
    assert second.headers["Sforce-Locator"] == "null"
    assert second.text.startswith('"Id"\n')
    assert http.delete(f"{base}/{created['id']}", headers=AUTH).status_code == 204
    assert http.get(f"{base}/{created['id']}", headers=AUTH).status_code == 404


def test_abort_a_running_job(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(bulk_job_delay_s=30)
    http = org.http()
    base = f"{org.url}/services/data/v59.0/jobs/query"
    job = http.post(
        base, json={"operation": "queryAll", "query": "SELECT Id FROM Account"}, headers=AUTH
    ).json()
    aborted = http.patch(f"{base}/{job['id']}", json={"state": "Aborted"}, headers=AUTH)
    assert aborted.json()["state"] == "Aborted"
    assert http.get(f"{base}/{job['id']}/results", headers=AUTH).status_code == 400
