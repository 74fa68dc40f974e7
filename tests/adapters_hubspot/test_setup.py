"""``setup`` creates the group and properties the tool writes, once, and changes nothing else."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.hubspot.setup import missing, setup
from connector.config.writeback import WritebackConfig
from connector.model import PartnerRecord
from connector.planning.values import same
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox, drain
from tests.adapters_hubspot.writekit import DESIRED, calls_settle, tag_update, task_create

TOOL = [
    "companies property group partnerpulse",
    "tasks property group partnerpulse",
    "companies.pp_health_score",
    "companies.pp_health_grade",
    "companies.pp_segment",
    "companies.pp_tier",
    "companies.pp_health_reasons",
    "companies.pp_health_updated_at",
    "tasks.pp_task_key",
]


def bare(make_sandbox: SandboxFactory) -> Sandbox:
    return make_sandbox(include_tool_properties=False)


def properties(sandbox: Sandbox, object_type: str) -> dict[str, dict[str, Any]]:
    response = httpx.get(
        f"{sandbox.url}/crm/v3/properties/{object_type}",
        headers={"Authorization": f"Bearer {sandbox.token}"},
        trust_env=False,
    )
    response.raise_for_status()
    return {p["name"]: p for p in response.json()["results"]}


def test_setup_creates_everything_once(make_sandbox: SandboxFactory) -> None:
    sandbox = bare(make_sandbox)
    adapter = sandbox.adapter()
    writeback = WritebackConfig()
    assert missing(adapter, writeback) == TOOL
    report = setup(adapter, writeback)
    assert report.created == TOOL
    assert report.existing == []
    assert report.problems == []
    assert report.ok
    assert adapter.check_schema() == []
    assert missing(adapter, writeback) == []
    snapshot = adapter.calls.snapshot()
    assert snapshot["POST /crm/v3/properties/companies"] == 6
    assert snapshot["POST /crm/v3/properties/tasks"] == 1

    again = setup(sandbox.adapter(), writeback)
    assert again.created == []
    assert again.problems == []
    assert again.existing == TOOL
    calls_settle(sandbox)

    companies = properties(sandbox, "companies")
    assert companies["pp_health_grade"]["type"] == "enumeration"
    assert [o["value"] for o in companies["pp_health_grade"]["options"]] == [
        "healthy",
        "watch",
        "at_risk",
    ]
    assert companies["pp_health_updated_at"]["type"] == "datetime"
    assert companies["pp_health_score"]["groupName"] == "partnerpulse"
    key = properties(sandbox, "tasks")["pp_task_key"]
    assert (key["type"], key["hasUniqueValue"]) == ("string", True)


def test_what_setup_made_takes_the_writes_and_reads_back_the_same(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = bare(make_sandbox)
    adapter = sandbox.adapter()
    setup(adapter, WritebackConfig())
    company = sorted(r["id"] for r in sandbox.records("companies"))[0]
    results = adapter.apply([tag_update(company, DESIRED), task_create(1, company)])
    assert all(r.ok for r in results)
    assert len(results) == 2
    pages, _ = drain(sandbox.adapter().pull("companies", None, full=True))
    partners = [r for p in pages for r in p.records if isinstance(r, PartnerRecord)]
    tags = next(r.tags for r in partners if r.ref.id == company)
    assert all(same(tag, tags[tag], want) for tag, want in DESIRED.items())


def test_configured_names_and_group_are_used(make_sandbox: SandboxFactory) -> None:
    sandbox = bare(make_sandbox)
    writeback = WritebackConfig(
        hubspot_group="revops",
        hubspot_properties={"health_score": "acme_health", "tier": "acme_tier"},
        hubspot_task_key_property="acme_task_key",
    )
    report = setup(sandbox.adapter(), writeback)
    assert report.created == [
        "companies property group revops",
        "tasks property group revops",
        "companies.acme_health",
        "companies.acme_tier",
        "tasks.acme_task_key",
    ]
    assert properties(sandbox, "companies")["acme_tier"]["groupName"] == "revops"


def test_a_property_of_the_wrong_kind_is_reported_not_changed(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = bare(make_sandbox)
    client = sandbox.adapter().client
    client.groups_api.create("companies", {"name": "partnerpulse", "label": "PP"})
    text = {"type": "string", "fieldType": "text", "groupName": "partnerpulse"}
    client.properties_api.create("companies", {"name": "pp_tier", "label": "Tier", **text})
    client.properties_api.create(
        "tasks", {"name": "pp_task_key", "label": "Key", **text, "groupName": "taskinformation"}
    )
    report = setup(sandbox.adapter(), WritebackConfig())
    assert "companies.pp_tier" in report.existing
    assert "tasks.pp_task_key" in report.existing
    assert "companies property group partnerpulse" in report.existing
    assert report.problems == [
        "companies.pp_tier exists as string, PartnerPulse writes enumeration — left unchanged "
        "(it may hold data); delete it and run `partnerpulse setup` again, or name another "
        "property in [writeback]",
        "tasks.pp_task_key does not have unique values, so HubSpot cannot refuse a duplicate "
        "task — left unchanged (it may hold data); recreate it with unique values",
    ]
    assert not report.ok
    assert properties(sandbox, "companies")["pp_tier"]["type"] == "string"
