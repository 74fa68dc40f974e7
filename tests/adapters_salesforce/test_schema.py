"""check_schema against the sandbox's describe, and values reaching SOQL only as data."""

from __future__ import annotations

import pytest

from adapters.salesforce import soql
from connector.config.mappings import MappingOverride
from connector.errors import ConfigError
from tests.adapters_salesforce.harness import Sandbox, SandboxFactory


def test_a_complete_org_has_no_problems(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    assert adapter.check_schema() == []
    assert adapter.calls.snapshot() == {"describe": 6, "token": 1}  # once per object


def test_dropped_fields_are_named_with_what_to_do(sandbox: Sandbox) -> None:
    for obj, field in (
        ("Account", "Partner_Segment__c"),
        ("Account", "NPS_Score__c"),
        ("Task", "PartnerPulse_Key__c"),
    ):
        sandbox.post("schema/drop-field", {"object": obj, "field": field})
    problems = sandbox.adapter().check_schema()
    assert problems == [
        "Account.NPS_Score__c is missing (number, for nps_score) — "
        "fix [mappings.salesforce.fields.Account] nps_score",
        "Account.Partner_Segment__c is missing (picklist: strategic, prospective, "
        "transactional) — create it or run `partnerpulse setup --salesforce-metadata DIR`",
        "Task.PartnerPulse_Key__c is missing (text, External ID, unique) — "
        "create it or run `partnerpulse setup --salesforce-metadata DIR`",
    ]


def test_an_org_without_the_tool_fields(make_sandbox: SandboxFactory) -> None:
    problems = make_sandbox(include_tool_fields=False).adapter().check_schema()
    assert len(problems) == 7  # six tags and the task key
    assert all("partnerpulse setup" in p for p in problems)
    assert any("Partner_Health_Score__c is missing (number)" in p for p in problems)


def test_a_mapped_field_of_the_wrong_type(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter(mapping=MappingOverride(fields={"Account": {"nps_score": "Name"}}))
    (problem,) = adapter.check_schema()
    assert problem.startswith("Account.Name is a string field; nps_score needs number")


def test_pulling_a_dropped_field_is_a_config_error(sandbox: Sandbox) -> None:
    sandbox.post("schema/drop-field", {"object": "Case", "field": "Subject"})
    adapter = sandbox.adapter()
    with pytest.raises(ConfigError, match="INVALID_FIELD"):
        list(adapter.pull("Case", None, full=False))


@pytest.mark.parametrize(
    "name",
    [
        "x' OR Name != '",
        "O'Brien \\' OR Id != null",
        "back\\slash\\",
        'multi\nline\r\n"quoted"\ttab',
        "Müller – 東京 🚀",
        "%_ LIKE wildcards",
    ],
)
def test_values_reach_the_org_as_data(sandbox: Sandbox, name: str) -> None:
    (created,) = sandbox.post("create", {"object": "Account", "records": [{"Name": name}]})["ids"]
    adapter = sandbox.adapter()
    text = f"SELECT Id, Name FROM Account WHERE {soql.equals('Name', name)}"
    result = adapter.session.run("query by name", lambda sf: sf.query(text))
    assert [(r["Id"], r["Name"]) for r in result["records"]] == [(created, name)]
