"""Injected faults as the real client sees them, and that stats count every API call."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
)
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.retry import Retry

READ = BatchReadInputSimplePublicObjectId(
    inputs=[{"id": "1001"}], properties=["name"], properties_with_history=[]
)


def set_faults(sandbox, spec: str, seed: int = 1) -> None:
    sandbox.admin("POST", "faults", {"spec": spec, "seed": seed})


@pytest.mark.parametrize(("kind", "retry_after"), [("429", "1"), ("429-no-retry-after", None)])
def test_injected_429(sandbox, kind, retry_after):
    set_faults(sandbox, f"hubspot.{kind}=1")
    error = sandbox.error(lambda: sandbox.client().crm.companies.batch_api.read(READ))
    assert error.status == 429
    assert sandbox.body_of(error)["policyName"] == "TEN_SECONDLY_ROLLING"
    assert error.headers.get("Retry-After") == retry_after
    stats = sandbox.admin("GET", "stats")
    assert stats["rate_limited"] == 1
    assert stats["faults_injected"] == {kind: 1}


def test_injected_503_and_500(sandbox):
    set_faults(sandbox, "hubspot.503=1")
    error = sandbox.error(lambda: sandbox.client().crm.companies.basic_api.get_page())
    assert error.status == 503
    assert sandbox.body_of(error)["status"] == "error"
    set_faults(sandbox, "hubspot.500=1")
    assert sandbox.error(lambda: sandbox.client().crm.companies.batch_api.read(READ)).status == 500


def test_reset_surfaces_as_urllib3_errors(sandbox):
    set_faults(sandbox, "hubspot.reset=1")
    with pytest.raises(ProtocolError):  # POST: never retried by urllib3
        sandbox.client().crm.companies.batch_api.read(READ)
    with pytest.raises(MaxRetryError):  # GET with retries: they run out
        sandbox.client(retry=Retry(total=2, backoff_factor=0)).crm.companies.basic_api.get_page()
    assert sandbox.admin("GET", "stats")["faults_injected"]["reset"] == 4


def test_partial_batch_fails_single_items(sandbox):
    set_faults(sandbox, "hubspot.partial-batch=0.5", seed=3)
    inputs = [{"id": str(1001 + i), "properties": {"pp_tier": "silver"}} for i in range(20)]
    result = sandbox.client().crm.companies.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(inputs=inputs)
    )
    failed = {e.context["ids"][0] for e in result.errors}
    applied = {r.id for r in result.results}
    assert result.num_errors == len(failed) > 0
    assert applied
    assert failed.isdisjoint(applied)
    assert len(failed | applied) == 20
    records = sandbox.store.tables["companies"].records
    assert all(records[int(i)].props.get("pp_tier") is None for i in failed)
    assert sandbox.admin("GET", "stats")["records_written"] == len(applied)


def test_malformed_json(sandbox):
    set_faults(sandbox, "hubspot.malformed-json=1")
    response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=5")
    assert response.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.data)
    # The client swallows the JSON error and hands back an empty model: adapters must check.
    page = sandbox.client().crm.companies.basic_api.get_page(limit=5)
    assert page.results is None


def test_token_expiry_and_daily_limit_faults(sandbox):
    set_faults(sandbox, "hubspot.token-expiry=3")
    statuses = [sandbox.raw("GET", "/crm/v3/objects/companies?limit=1").status for _ in range(6)]
    assert statuses == [200, 200, 401, 200, 200, 401]
    body = json.loads(sandbox.raw("GET", "/crm/v3/objects/companies?limit=1").data)
    set_faults(sandbox, "hubspot.daily-limit=1")
    error = sandbox.error(lambda: sandbox.client().crm.companies.batch_api.read(READ))
    assert sandbox.body_of(error)["policyName"] == "DAILY"
    assert body["results"]


def test_stats_count_every_call_including_faulted_ones(sandbox):
    set_faults(sandbox, "hubspot.503=0.3,hubspot.429-no-retry-after=0.2", seed=11)
    outcomes = [
        sandbox.raw("GET", f"/crm/v3/objects/companies/{1001 + i}").status for i in range(40)
    ]
    outcomes += [sandbox.raw("POST", "/crm/v3/objects/companies/search", {"limit": 1}).status]
    outcomes += [sandbox.raw("GET", "/crm/v3/owners/", token="bad").status]
    stats = sandbox.admin("GET", "stats")
    assert stats["total_calls"] == len(outcomes) == 42
    assert stats["statuses"] == {str(s): outcomes.count(s) for s in set(outcomes)}
    assert stats["rate_limited"] == outcomes.count(429)
    assert stats["calls"]["GET /crm/v3/objects/{type}/{id}"] == 40
    assert stats["calls"]["POST /crm/v3/objects/{type}/search"] == 1
    assert stats["calls"]["GET /crm/v3/owners"] == 1
    injected = stats["faults_injected"]
    assert injected.get("503", 0) == outcomes.count(503)
