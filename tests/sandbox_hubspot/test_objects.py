"""Objects API through the real client: paging, reads, single writes and HubSpot's value rules."""

from __future__ import annotations

import json
import time
from datetime import datetime

from hubspot.crm.companies import SimplePublicObjectInput
from hubspot.crm.objects import SimplePublicObjectInputForCreate


def test_get_page_follows_after_until_paging_disappears(sandbox):
    client = sandbox.client()
    seen, after, pages = [], None, 0
    while True:
        page = client.crm.companies.basic_api.get_page(limit=100, after=after)
        seen += [r.id for r in page.results]
        pages += 1
        if page.paging is None:
            break
        assert page.paging.next.link.endswith(f"after={page.paging.next.after}")
        after = page.paging.next.after
    assert pages == 3
    assert len(seen) == len(set(seen)) == 250
    assert seen == sorted(seen, key=int)


def test_get_all_returns_every_company(sandbox):
    everything = sandbox.client().crm.companies.get_all(properties=["name"])
    assert len(everything) == 250
    assert everything[0].properties["name"] == "Partner 00000"


def test_list_limit_above_100_is_refused(sandbox):
    error = sandbox.error(lambda: sandbox.client().crm.companies.basic_api.get_page(limit=101))
    assert error.status == 400
    assert sandbox.body_of(error)["category"] == "VALIDATION_ERROR"


def test_requested_properties_unset_come_back_null_and_values_are_strings(sandbox):
    company = sandbox.client().crm.companies.basic_api.get_by_id(
        "1003", properties=["name", "nps_score", "kpi_target", "partner_since", "no_such_prop"]
    )
    props = company.properties
    assert props["nps_score"] == "2"
    assert props["kpi_target"] is None
    assert props["partner_since"] == "2022-03-01"
    assert "no_such_prop" not in props
    assert props["hs_object_id"] == "1003"
    assert props["createdate"] == "2024-01-01T00:00:00Z"
    assert props["hs_lastmodifieddate"] == "2024-01-01T00:02:00Z"


def test_default_properties_when_none_requested(sandbox):
    company = sandbox.client().crm.companies.basic_api.get_by_id("1001")
    assert set(company.properties) == {
        "name",
        "domain",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }


def test_comma_separated_properties_numeric_type_ids_and_double_slashes(sandbox):
    response = sandbox.raw(
        "GET", "//crm/v3/objects/0-2?limit=2&properties=name,type&archived=false"
    )
    assert response.status == 200
    body = json.loads(response.data)
    assert [r["id"] for r in body["results"]] == ["1001", "1002"]
    assert body["results"][0]["properties"]["type"] == "PROSPECT"
    assert body["paging"]["next"]["after"] == "1003"


def test_associations_on_list_and_get(sandbox):
    page = sandbox.client().crm.companies.basic_api.get_page(limit=2, associations=["tasks"])
    first, second = page.results
    assert first.associations["tasks"].results[0].id == "50001"
    assert first.associations["tasks"].results[0].type == "company_to_task"
    assert second.associations is None


def test_update_bumps_modified_stamp_archive_does_not(sandbox):
    client = sandbox.client()
    before = client.crm.companies.basic_api.get_by_id("1010")
    updated = client.crm.companies.basic_api.update(
        "1010",
        SimplePublicObjectInput(properties={"pp_health_score": 82.0, "unique_resources": True}),
    )
    assert updated.properties["pp_health_score"] == "82"
    assert updated.properties["unique_resources"] == "true"
    assert updated.updated_at > before.updated_at
    stamp = updated.properties["hs_lastmodifieddate"]
    assert datetime.fromisoformat(stamp) == updated.updated_at  # property and envelope agree
    client.crm.companies.basic_api.archive("1010")
    archived = client.crm.companies.basic_api.get_by_id("1010", archived=True)
    assert archived.archived is True
    assert archived.updated_at == updated.updated_at
    assert sandbox.error(lambda: client.crm.companies.basic_api.get_by_id("1010")).status == 404
    live_ids = {r.id for r in client.crm.companies.get_all()}
    archived_ids = [r.id for r in client.crm.companies.basic_api.get_page(archived=True).results]
    assert "1010" not in live_ids
    assert archived_ids == ["1010"]


def test_datetime_accepts_epoch_ms_and_iso_and_returns_iso(sandbox):
    client = sandbox.client()
    task = client.crm.objects.basic_api.create(
        "tasks",
        SimplePublicObjectInputForCreate(
            properties={"hs_timestamp": "1714554000000", "hs_task_subject": "a"}
        ),
    )
    assert task.properties["hs_timestamp"] == "2024-05-01T09:00:00Z"
    other = client.crm.objects.basic_api.create(
        "tasks",
        SimplePublicObjectInputForCreate(
            properties={"hs_timestamp": "2024-05-01T11:00:00.123456+02:00", "hs_task_subject": "b"}
        ),
    )
    assert other.properties["hs_timestamp"] == "2024-05-01T09:00:00.123Z"


def test_unknown_property_is_refused_with_property_doesnt_exist(sandbox):
    error = sandbox.error(
        lambda: sandbox.client().crm.companies.basic_api.update(
            "1001", SimplePublicObjectInput(properties={"partner_health": "5"})
        )
    )
    body = sandbox.body_of(error)
    assert error.status == 400
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid: ")
    results = json.loads(body["message"].removeprefix("Property values were not valid: "))
    assert results[0]["error"] == "PROPERTY_DOESNT_EXIST"
    assert results[0]["name"] == "partner_health"


def test_date_not_at_midnight_is_invalid_date(sandbox):
    error = sandbox.error(
        lambda: sandbox.client().crm.companies.basic_api.update(
            "1001", SimplePublicObjectInput(properties={"partner_since": "1606768561954"})
        )
    )
    body = sandbox.body_of(error)
    assert error.status == 400
    assert "INVALID_DATE" in body["message"]
    assert "1606768561954 is at 20:36:1.954 UTC, not midnight!" in body["message"]


def test_enumeration_values_are_checked(sandbox):
    client = sandbox.client()
    error = sandbox.error(
        lambda: client.crm.companies.basic_api.update(
            "1001", SimplePublicObjectInput(properties={"pp_health_grade": "great"})
        )
    )
    assert "INVALID_OPTION" in sandbox.body_of(error)["message"]
    ok = client.crm.companies.basic_api.update(
        "1001",
        SimplePublicObjectInput(
            properties={"pp_health_grade": "at_risk", "partner_since": "2024-05-01"}
        ),
    )
    assert ok.properties["pp_health_grade"] == "at_risk"
    assert ok.properties["partner_since"] == "2024-05-01"


def test_engagement_create_needs_hs_timestamp(sandbox):
    error = sandbox.error(
        lambda: sandbox.client().crm.objects.basic_api.create(
            "calls", SimplePublicObjectInputForCreate(properties={"hs_call_title": "x"})
        )
    )
    assert error.status == 400


def test_two_writes_in_a_row_keep_millisecond_stamps(sandbox):
    client = sandbox.client()
    first = client.crm.companies.basic_api.update(
        "1002", SimplePublicObjectInput(properties={"name": "A"})
    )
    time.sleep(0.005)
    second = client.crm.companies.basic_api.update(
        "1002", SimplePublicObjectInput(properties={"name": "B"})
    )
    assert second.updated_at > first.updated_at
    assert (
        sandbox.store.tables["companies"].records[1002].updated % 1000
        == second.updated_at.microsecond // 1000
    )
