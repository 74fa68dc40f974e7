"""Associations v4, and tasks created already associated with their company."""

from __future__ import annotations

import json

from hubspot.crm.associations.v4 import (
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInputForCreate,
)

TASK_TO_COMPANY = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 192}]


def _task_input(subject: str, company: str) -> dict:
    return {
        "properties": {
            "hs_timestamp": "2024-05-01T09:00:00Z",
            "hs_task_subject": subject,
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": "HIGH",
            "hs_task_type": "TODO",
            "hubspot_owner_id": "1",
        },
        "associations": [{"to": {"id": company}, "types": TASK_TO_COMPANY}],
    }


def test_tasks_created_with_their_company_read_back_through_v4(sandbox):
    client = sandbox.client()
    single = client.crm.objects.basic_api.create(
        "tasks", SimplePublicObjectInputForCreate(**_task_input("Call the partner", "1005"))
    )
    batch = client.crm.objects.batch_api.create(
        "tasks",
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[_task_input("Review issues", "1006"), _task_input("Send NPS survey", "1007")]
        ),
    )
    ids = [single.id] + [r.id for r in batch.results]
    read = client.crm.associations.v4.batch_api.get_page(
        "tasks",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": i} for i in ids]),
    )
    linked = {r._from.id: r.to for r in read.results}
    assert {k: [t.to_object_id for t in v] for k, v in linked.items()} == {
        ids[0]: ["1005"],
        ids[1]: ["1006"],
        ids[2]: ["1007"],
    }
    kinds = linked[ids[0]][0].association_types
    assert [(k.category, k.type_id, k.label) for k in kinds] == [("HUBSPOT_DEFINED", 192, None)]
    back = client.crm.associations.v4.basic_api.get_page("companies", "1005", "tasks")
    assert [r.to_object_id for r in back.results] == [single.id]
    assert back.results[0].association_types[0].type_id == 191


def test_to_object_id_is_a_json_number_and_unknown_ids_give_207(sandbox):
    response = sandbox.raw(
        "POST",
        "/crm/v4/associations/tasks/companies/batch/read",
        {"inputs": [{"id": "50001"}, {"id": "123456"}]},
    )
    body = json.loads(response.data)
    assert response.status == 207
    assert body["results"][0]["to"][0]["toObjectId"] == 1001
    assert body["errors"][0]["context"] == {"ids": ["123456"]}


def test_v4_batch_read_of_a_thousand_ids(sandbox_factory, company_rows):
    calls = [
        {
            "id": str(90_000 + i),
            "properties": {"hs_timestamp": 1714554000000 + i},
            "associations": {"companies": [str(1001 + i % 250)]},
        }
        for i in range(1_000)
    ]
    sandbox = sandbox_factory({"companies": company_rows(), "calls": calls})
    api = sandbox.client().crm.associations.v4.batch_api
    inputs = [{"id": c["id"]} for c in calls]
    read = api.get_page(
        "calls", "companies", BatchInputPublicFetchAssociationsBatchRequest(inputs=inputs)
    )
    assert read.status == "COMPLETE"
    assert len(read.results) == 1_000
    assert not hasattr(read, "errors")  # a 200, not a 207
    too_many = sandbox.error(
        lambda: api.get_page(
            "calls",
            "companies",
            BatchInputPublicFetchAssociationsBatchRequest(inputs=[*inputs, {"id": "90000"}]),
        )
    )
    assert too_many.status == 400
    per_company = sandbox.client().crm.associations.v4.basic_api.get_page(
        "companies", "1001", "calls"
    )
    assert len(per_company.results) == 4


def test_create_associate_default_and_archive(sandbox):
    v4 = sandbox.client().crm.associations.v4
    created = v4.batch_api.create(
        "tasks",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[{"from": {"id": "50001"}, "to": {"id": "1002"}, "types": TASK_TO_COMPANY}]
        ),
    )
    assert created.results[0].to_object_id == "1002"
    assert created.results[0].from_object_type_id == "0-27"
    default = v4.batch_api.create_default(
        "tasks",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[{"from": {"id": "50001"}, "to": {"id": "1003"}}]
        ),
    )
    assert default.results[0].association_spec.association_type_id == 192
    one = v4.basic_api.create_default("companies", "1004", "tasks", "50001")
    assert one.results[0].association_spec.association_type_id == 191
    listed = v4.basic_api.get_page("tasks", "50001", "companies")
    assert sorted(r.to_object_id for r in listed.results) == ["1001", "1002", "1003", "1004"]
    v4.batch_api.archive(
        "tasks",
        "companies",
        BatchInputPublicAssociationMultiArchive(
            inputs=[{"from": {"id": "50001"}, "to": [{"id": "1001"}]}]
        ),
    )
    v4.basic_api.archive("tasks", "50001", "companies", "1002")
    listed = v4.basic_api.get_page("tasks", "50001", "companies")
    assert sorted(r.to_object_id for r in listed.results) == ["1003", "1004"]


def test_unknown_association_type_is_refused(sandbox):
    error = sandbox.error(
        lambda: sandbox.client().crm.objects.basic_api.create(
            "tasks",
            SimplePublicObjectInputForCreate(
                properties={"hs_timestamp": "2024-05-01T09:00:00Z"},
                associations=[
                    {
                        "to": {"id": "1001"},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 191}
                        ],
                    }
                ],
            ),
        )
    )
    assert error.status == 400
