"""Batch read/create/update/upsert/archive, with 207 partial failures and 409 conflicts."""

from __future__ import annotations

from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
)
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
)


def test_batch_read_reports_unknown_ids_in_a_207(sandbox):
    result = sandbox.client().crm.companies.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": "1001"}, {"id": "999999"}, {"id": "1002"}],
            properties=["name", "kpi_actual"],
            properties_with_history=[],
        )
    )
    assert result.status == "COMPLETE"
    assert sorted(r.id for r in result.results) == ["1001", "1002"]
    assert result.results[0].properties["kpi_actual"] is None
    assert result.num_errors == 1
    assert result.errors[0].category == "OBJECT_NOT_FOUND"
    assert result.errors[0].context == {"ids": ["999999"]}


def test_batch_update_with_a_missing_id_answers_207_and_applies_the_rest(sandbox):
    client = sandbox.client()
    result = client.crm.companies.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[
                {"id": "1001", "properties": {"pp_segment": "strategic"}},
                {"id": "424242", "properties": {"pp_segment": "strategic"}},
            ]
        )
    )
    assert result.num_errors == 1
    assert result.errors[0].context["ids"] == ["424242"]
    assert [r.properties["pp_segment"] for r in result.results] == ["strategic"]
    fresh = client.crm.companies.basic_api.get_by_id("1001", properties=["pp_segment"])
    assert fresh.properties["pp_segment"] == "strategic"
    assert sandbox.stats.snapshot()["statuses"]["207"] == 1


def test_batch_update_with_an_invalid_value_fails_whole(sandbox):
    error = sandbox.error(
        lambda: sandbox.client().crm.companies.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    {"id": "1001", "properties": {"pp_tier": "gold"}},
                    {"id": "1002", "properties": {"pp_tier": "platinum"}},
                ]
            )
        )
    )
    assert error.status == 400
    assert sandbox.store.tables["companies"].records[1001].props.get("pp_tier") is None


def test_more_than_100_inputs_is_a_validation_error(sandbox):
    inputs = [{"id": str(1001 + i), "properties": {"pp_tier": "gold"}} for i in range(101)]
    error = sandbox.error(
        lambda: sandbox.client().crm.companies.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(inputs=inputs)
        )
    )
    assert error.status == 400
    assert sandbox.body_of(error)["category"] == "VALIDATION_ERROR"


def _task(key: str, company: str = "1002") -> dict:
    return {
        "properties": {
            "hs_timestamp": "2024-05-01T09:00:00Z",
            "hs_task_subject": "QBR",
            "pp_task_key": key,
        },
        "associations": [
            {
                "to": {"id": company},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 192}],
            }
        ],
    }


def test_batch_create_fails_whole_with_409_on_an_existing_task_key(sandbox):
    client = sandbox.client()
    error = sandbox.error(
        lambda: client.crm.objects.batch_api.create(
            "tasks",
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[_task("new:1"), _task("qbr:1001:2024Q2")]
            ),
        )
    )
    body = sandbox.body_of(error)
    assert error.status == 409
    assert body["category"] == "CONFLICT"
    assert body["message"] == "Task already exists. Existing ID: 50001"
    assert len(sandbox.store.tables["tasks"]) == 1  # nothing was created
    prop = client.crm.properties.core_api.get_by_name("tasks", "pp_task_key")
    assert prop.has_unique_value is True


def test_batch_create_then_upsert_by_unique_key(sandbox):
    client = sandbox.client()
    created = client.crm.objects.batch_api.create(
        "tasks",
        BatchInputSimplePublicObjectBatchInputForCreate(inputs=[_task("k:1"), _task("k:2")]),
    )
    assert len(created.results) == 2
    upserted = client.crm.objects.batch_api.upsert(
        "tasks",
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {
                    "idProperty": "pp_task_key",
                    "id": "k:1",
                    "properties": {"hs_task_status": "COMPLETED"},
                },
                {
                    "idProperty": "pp_task_key",
                    "id": "k:3",
                    "properties": {"hs_task_subject": "New", "hs_timestamp": "1714554000000"},
                },
            ]
        ),
    )
    by_key = {r.properties["pp_task_key"]: r for r in upserted.results}
    assert by_key["k:1"].new is False
    assert by_key["k:1"].properties["hs_task_status"] == "COMPLETED"
    assert by_key["k:3"].new is True
    error = sandbox.error(
        lambda: client.crm.objects.batch_api.upsert(
            "tasks",
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[{"idProperty": "hs_task_subject", "id": "x", "properties": {}}]
            ),
        )
    )
    assert "non-unique 0-27 property hs_task_subject" in sandbox.body_of(error)["message"]


def test_batch_archive(sandbox):
    client = sandbox.client()
    client.crm.companies.batch_api.archive(
        BatchInputSimplePublicObjectId(inputs=[{"id": "1001"}, {"id": "1002"}, {"id": "77"}])
    )
    page = client.crm.companies.basic_api.get_page(archived=True)
    assert [r.id for r in page.results] == ["1001", "1002"]
