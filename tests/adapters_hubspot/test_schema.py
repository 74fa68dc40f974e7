"""check_schema reads the properties API and says, one line each, what is missing."""

from __future__ import annotations

from connector.config.mappings import MappingOverride
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox


def test_a_complete_portal_has_no_problems(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    assert adapter.check_schema() == []
    calls = adapter.calls.snapshot()
    assert sum(calls.values()) == 9  # eight object types and one groups listing
    assert calls["GET /crm/v3/properties/companies/groups"] == 1


def test_dropped_properties_are_named_with_what_to_do(sandbox: Sandbox) -> None:
    sandbox.drop_field("companies", "pp_segment")
    sandbox.drop_field("companies", "nps_score")
    sandbox.drop_field("tasks", "pp_task_key")
    problems = sandbox.adapter().check_schema()
    assert problems == [
        "companies.nps_score is missing (number) — create it in HubSpot or map "
        "[mappings.hubspot.fields.companies] nps_score to another property",
        "companies.pp_segment is missing (enumeration: strategic, prospective, transactional) "
        "— run `partnerpulse setup`",
        "tasks.pp_task_key is missing (string; the key that keeps follow-ups unique) "
        "— run `partnerpulse setup`",
    ]


def test_a_portal_without_the_tools_properties(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(include_tool_properties=False)
    problems = sandbox.adapter().check_schema()
    assert "companies.pp_health_score is missing (number) — run `partnerpulse setup`" in problems
    assert (
        "companies.pp_health_grade is missing (enumeration: healthy, watch, at_risk) "
        "— run `partnerpulse setup`"
    ) in problems
    assert (
        "companies property group 'partnerpulse' is missing — run `partnerpulse setup`" in problems
    )
    assert any(p.startswith("tasks.pp_task_key is missing") for p in problems)
    assert len(problems) == 8


def test_a_mapped_property_of_the_wrong_type(sandbox: Sandbox) -> None:
    override = MappingOverride.model_validate(
        {"fields": {"companies": {"nps_score": "name", "partner_since": "nosuchprop"}}}
    )
    problems = sandbox.adapter(mapping=override).check_schema()
    assert problems == [
        "companies.name has type string, nps_score needs number — fix the property or "
        "[mappings.hubspot.fields.companies] nps_score",
        "companies.nosuchprop is missing (date or datetime) — create it in HubSpot or map "
        "[mappings.hubspot.fields.companies] partner_since to another property",
    ]
