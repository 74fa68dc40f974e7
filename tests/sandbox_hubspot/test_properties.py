"""Properties and groups (what ``partnerpulse setup`` does), owners and pipelines."""

from __future__ import annotations

import pytest
from hubspot.crm.companies import SimplePublicObjectInput
from hubspot.crm.properties import (
    BatchReadInputPropertyName,
    PropertyCreate,
    PropertyGroupCreate,
    PropertyUpdate,
)

SCORE = PropertyCreate(
    name="pp_health_score",
    label="Partner health score",
    type="number",
    field_type="number",
    group_name="partnerpulse",
    description="0-100",
)
GRADE = PropertyCreate(
    name="pp_health_grade",
    label="Partner health grade",
    type="enumeration",
    field_type="select",
    group_name="partnerpulse",
    options=[
        {"label": v.title(), "value": v, "hidden": False, "displayOrder": i}
        for i, v in enumerate(("healthy", "watch", "at_risk"))
    ],
)


@pytest.fixture
def bare(sandbox_factory):
    """A portal where setup has not run: no pp_* properties, no partnerpulse group."""
    return sandbox_factory(world={"companies": []}, include_tool_properties=False)


def test_setup_creates_group_and_properties_then_conflicts(bare):
    api = bare.client().crm.properties
    missing = bare.error(lambda: api.core_api.get_by_name("companies", "pp_health_score"))
    assert missing.status == 404
    no_group = bare.error(lambda: api.core_api.create("companies", SCORE))
    assert no_group.status == 400
    group = api.groups_api.create(
        "companies", PropertyGroupCreate(name="partnerpulse", label="PartnerPulse", display_order=5)
    )
    assert (group.name, group.archived) == ("partnerpulse", False)
    assert (
        bare.error(
            lambda: api.groups_api.create(
                "companies", PropertyGroupCreate(name="partnerpulse", label="x")
            )
        ).status
        == 409
    )
    created = api.core_api.create("companies", SCORE)
    assert (created.name, created.type, created.hubspot_defined) == (
        "pp_health_score",
        "number",
        False,
    )
    assert created.modification_metadata.archivable is True
    grade = api.core_api.create("companies", GRADE)
    assert [o.value for o in grade.options] == ["healthy", "watch", "at_risk"]
    again = bare.error(lambda: api.core_api.create("companies", SCORE))
    assert again.status == 409
    assert bare.body_of(again)["category"] == "OBJECT_ALREADY_EXISTS"
    names = {p.name for p in api.core_api.get_all("companies").results}
    assert {"pp_health_score", "pp_health_grade", "name", "partner_since"} <= names
    groups = {g.name for g in api.groups_api.get_all("companies").results}
    assert groups == {"companyinformation", "partnerpulse"}


def test_writing_a_property_before_setup_fails_then_works(bare):
    client = bare.client()
    made = client.crm.companies.basic_api.create(
        {"properties": {"name": "Acme", "type": "PARTNER"}}
    )
    update = SimplePublicObjectInput(properties={"pp_health_score": "71"})
    refused = bare.error(lambda: client.crm.companies.basic_api.update(made.id, update))
    assert "PROPERTY_DOESNT_EXIST" in bare.body_of(refused)["message"]
    client.crm.properties.groups_api.create(
        "companies", PropertyGroupCreate(name="partnerpulse", label="P")
    )
    client.crm.properties.core_api.create("companies", SCORE)
    assert (
        client.crm.companies.basic_api.update(made.id, update).properties["pp_health_score"] == "71"
    )


def test_default_portal_has_the_tool_properties(readonly_sandbox):
    api = readonly_sandbox.client().crm.properties.core_api
    grade = api.get_by_name("companies", "pp_health_grade")
    assert grade.group_name == "partnerpulse"
    assert sorted(o.value for o in grade.options) == ["at_risk", "healthy", "watch"]
    assert api.get_by_name("companies", "pp_health_updated_at").type == "datetime"
    assert api.get_by_name("companies", "type").options[1].value == "PARTNER"
    assert api.get_by_name("companies", "partner_since").type == "date"
    assert api.get_by_name("companies", "unique_resources").type == "bool"
    key = api.get_by_name("tasks", "pp_task_key")
    assert (key.type, key.has_unique_value) == ("string", True)
    read = readonly_sandbox.client().crm.properties.batch_api.read(
        "deals",
        BatchReadInputPropertyName(
            archived=False, inputs=[{"name": "dealstage"}, {"name": "nope"}]
        ),
    )
    assert [p.name for p in read.results] == ["dealstage"]
    assert read.num_errors == 1


def test_update_and_archive_a_property(sandbox):
    api = sandbox.client().crm.properties.core_api
    updated = api.update("companies", "pp_health_reasons", PropertyUpdate(label="Why"))
    assert updated.label == "Why"
    api.archive("companies", "pp_health_reasons")
    assert sandbox.error(lambda: api.get_by_name("companies", "pp_health_reasons")).status == 404
    assert api.get_by_name("companies", "pp_health_reasons", archived=True).archived is True
    assert sandbox.error(lambda: api.archive("companies", "name")).status == 400


def test_owners_paging_and_email_filter(readonly_sandbox):
    owners = readonly_sandbox.client().crm.owners.owners_api
    first = owners.get_page(limit=2)
    assert [o.id for o in first.results] == ["1", "2"]
    rest = owners.get_page(limit=2, after=first.paging.next.after)
    assert [o.email for o in rest.results] == ["cy@example.com"]
    assert rest.paging is None
    assert [o.id for o in owners.get_page(email="bob@example.com").results] == ["2"]
    assert owners.get_by_id(3).last_name == "N"
    assert owners.get_by_id(12, id_property="userId").first_name == "Bob"
    assert readonly_sandbox.error(lambda: owners.get_by_id(9)).status == 404


def test_pipelines_with_stage_metadata(readonly_sandbox):
    api = readonly_sandbox.client().crm.pipelines.pipelines_api
    deals = api.get_all("deals").results[0]
    stages = {s.id: s.metadata for s in deals.stages}
    assert stages["closedwon"] == {"isClosed": "true", "probability": "1.0"}
    assert stages["closedlost"] == {"isClosed": "true", "probability": "0.0"}
    assert stages["contractsent"]["isClosed"] == "false"
    tickets = api.get_all("tickets").results[0]
    assert {s.id: s.metadata["isClosed"] for s in tickets.stages} == {
        "1": "false",
        "2": "false",
        "3": "false",
        "4": "true",
    }
    assert api.get_by_id("deals", "default").label == "Sales Pipeline"
