"""The ``/__sandbox/`` back door: stats, records, mutate, create, delete, drop-field, latency."""

from __future__ import annotations

import json
import time

from hubspot.crm.companies import SimplePublicObjectInput
from hubspot.crm.objects import PublicObjectSearchRequest

from sandbox.hubspot import HubSpotStore


def test_stats_and_reset_are_not_counted(sandbox):
    sandbox.client().crm.companies.basic_api.get_page(limit=3)
    stats = sandbox.admin("GET", "stats")
    assert stats["total_calls"] == 1
    assert stats["calls"] == {"GET /crm/v3/objects/{type}": 1}
    assert stats["records_returned"] == 3
    assert stats["by_object"] == {"read companies": 3}
    assert {"faults_injected", "daily_used", "daily_limit"} <= set(stats)
    sandbox.admin("POST", "stats/reset")
    assert sandbox.admin("GET", "stats")["total_calls"] == 0


def test_records_dump_includes_archived_and_round_trips(sandbox):
    sandbox.client().crm.companies.basic_api.archive("1001")
    rows = sandbox.admin("GET", "records/companies")
    assert len(rows) == 250
    first = next(r for r in rows if r["id"] == "1001")
    assert first["archived"] is True
    assert "archivedAt" in first
    assert first["properties"]["partner_since"] == "2022-03-01"
    assert first["associations"] == {"tasks": ["50001"]}
    tasks = sandbox.admin("GET", "records/tasks")
    copy = HubSpotStore.from_records({"companies": rows, "tasks": tasks})
    assert copy.tables["companies"].records[1001].archived
    assert copy.tables["companies"].records[1002].props == (
        sandbox.store.tables["companies"].records[1002].props
    )


def test_mutate_sets_values_and_modstamp_as_a_person_would(sandbox):
    stamp = "2024-06-01T12:00:00.250Z"
    sandbox.admin(
        "POST",
        "mutate",
        {
            "object": "companies",
            "ids": ["1001", "1002"],
            "set": {"pp_tier": "gold"},
            "modstamp": stamp,
        },
    )
    client = sandbox.client()
    for company_id in ("1001", "1002"):
        company = client.crm.companies.basic_api.get_by_id(company_id, properties=["pp_tier"])
        assert company.properties["pp_tier"] == "gold"
        assert company.properties["hs_lastmodifieddate"] == stamp
    ties = client.crm.objects.search_api.do_search(
        "companies",
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "hs_lastmodifieddate",
                            "operator": "EQ",
                            "value": "1717243200250",
                        }
                    ]
                }
            ]
        ),
    )
    assert ties.total == 2
    before = time.time()
    sandbox.admin("POST", "mutate", {"object": "companies", "ids": ["1003"], "set": {"name": "X"}})
    now_stamp = client.crm.companies.basic_api.get_by_id("1003").updated_at.timestamp()
    assert now_stamp >= before - 0.01
    bad = sandbox.raw(
        "POST", "/__sandbox/mutate", {"object": "companies", "ids": ["1003"], "set": {"nope": "1"}}
    )
    assert bad.status == 400


def test_create_and_delete(sandbox):
    made = sandbox.admin(
        "POST",
        "create",
        {
            "object": "calls",
            "records": [
                {
                    "properties": {
                        "hs_timestamp": "2024-05-02T10:00:00Z",
                        "hs_call_title": "Kickoff",
                    },
                    "associations": {"companies": ["1004"]},
                },
            ],
        },
    )
    (call_id,) = made["ids"]
    client = sandbox.client()
    call = client.crm.objects.basic_api.get_by_id(
        "calls", call_id, properties=["hs_call_title"], associations=["companies"]
    )
    assert call.properties["hs_call_title"] == "Kickoff"
    assert call.associations["companies"].results[0].id == "1004"
    before = client.crm.companies.basic_api.get_by_id("1005").updated_at
    sandbox.admin("POST", "delete", {"object": "companies", "ids": ["1005"]})
    archived = client.crm.companies.basic_api.get_by_id("1005", archived=True)
    assert archived.archived
    assert archived.updated_at == before


def test_drop_field_is_schema_drift(sandbox):
    sandbox.admin("POST", "schema/drop-field", {"object": "companies", "field": "pp_segment"})
    client = sandbox.client()
    assert (
        sandbox.error(
            lambda: client.crm.properties.core_api.get_by_name("companies", "pp_segment")
        ).status
        == 404
    )
    refused = sandbox.error(
        lambda: client.crm.companies.basic_api.update(
            "1001", SimplePublicObjectInput(properties={"pp_segment": "strategic"})
        )
    )
    assert "PROPERTY_DOESNT_EXIST" in sandbox.body_of(refused)["message"]
    read = client.crm.companies.basic_api.get_by_id("1001", properties=["pp_segment", "name"])
    assert "pp_segment" not in read.properties
    search = sandbox.raw(
        "POST",
        "/crm/v3/objects/companies/search",
        {
            "filterGroups": [
                {"filters": [{"propertyName": "pp_segment", "operator": "HAS_PROPERTY"}]}
            ]
        },
    )
    assert search.status == 400


def test_latency_is_added_to_api_calls(sandbox):
    sandbox.admin("POST", "latency", {"ms": 120})
    started = time.perf_counter()
    response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
    assert response.status == 200
    assert time.perf_counter() - started >= 0.12
    sandbox.admin("POST", "latency", {"ms": 0})
    assert json.loads(sandbox.raw("GET", "/__sandbox/stats").data)["total_calls"] == 1
