"""Injection: values from config and from CRM data that reach a SOQL query or a HubSpot
search are escaped or bound, through every builder and the writers that call them.

Values (task keys, partner-filter values, record data) must come back from the query as the
one literal they went in as (read with ``soql_tokens``, a tokenizer written from SOQL's
grammar, or as JSON values in a HubSpot filter). Names (fields, properties, objects) and
record ids are checked, never escaped: anything else is refused — at config load, with the
key and the file named, for names a config gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.hubspot import search
from adapters.hubspot.tasks import TaskWriter as HubSpotTasks
from adapters.salesforce import soql
from adapters.salesforce.tasks import TaskWriter as SalesforceTasks
from connector.config import load_config
from connector.errors import ConfigError
from connector.operations import TaskClose
from mappings.hubspot_map import load
from mappings.salesforce import STREAMS, SalesforceMapping
from tests.reliability.soql_tokens import shape, strings

PAYLOADS = [
    "x' OR Name != '",
    "x\\' OR Name != \\'",
    "' OR '1'='1",
    "x') OR (Id != '",
    "'; DELETE FROM Account; --",
    "\\",
    "\\'",
    "\\\\'",
    "'",
    '"',
    "''",
    "\n",
    "\r\n",
    "a\nOR Id != null",
    "\t\b\f",
    "%",
    "_",
    "50%_off\\%",
    "Ærøskøbing 🚀 北京",
    "\u0000",
    "a\u0000' OR Name != '",
    "\u2028\u2029",
    "/* */ --",
    "IN ('a')",
]
CAP = datetime(2024, 5, 1, 10, tzinfo=UTC)
IDS = pytest.mark.parametrize("value", PAYLOADS, ids=[repr(p)[:30] for p in PAYLOADS])


# -- values: one literal each ---------------------------------------------------------------
@IDS
def test_soql_literals_keep_a_value_one_literal(value: str) -> None:
    for text in (soql.quote(value), soql.literal(value)):
        assert shape(text) == ["STRING"]
        assert strings(text) == [value]
    assert shape(soql.equals("Name", value)) == ["Name", "=", "STRING"]
    assert "LIKE" not in soql.equals("Name", value).upper().replace(value.upper(), "")


def test_soql_lookup_by_key_keeps_every_value_one_literal() -> None:
    text = soql.lookup("Task", ["PartnerPulse_Key__c"], "PartnerPulse_Key__c", PAYLOADS)
    assert strings(text) == PAYLOADS
    listed = ["STRING", ","] * len(PAYLOADS)
    assert shape(text) == [
        "SELECT",
        "Id",
        ",",
        "PartnerPulse_Key__c",
        "FROM",
        "Task",
        "WHERE",
        "PartnerPulse_Key__c",
        "IN",
        "(",
        *listed[:-1],
        ")",
        "AND",
        "IsDeleted",
        "=",
        "false",
    ]


@dataclass
class FakeSalesforce:
    """The port the Salesforce task writer talks through: records every query it runs."""

    queries: list[str] = field(default_factory=list)

    def run(self, what: str, call: Any) -> Any:
        return call(self)

    def query(self, text: str) -> dict[str, Any]:
        self.queries.append(text)
        return {"records": [], "done": True}


def test_the_salesforce_task_writer_binds_task_keys_from_crm_data() -> None:
    session = FakeSalesforce()
    assert SalesforceTasks(session, "PartnerPulse_Key__c").find(PAYLOADS) == {}  # type: ignore[arg-type]
    assert session.queries
    sent = [value for query in session.queries for value in strings(query)]
    assert sent == PAYLOADS
    for query in session.queries:
        assert shape(query)[:8] == [
            "SELECT",
            "Id",
            ",",
            "PartnerPulse_Key__c",
            "FROM",
            "Task",
            "WHERE",
            "PartnerPulse_Key__c",
        ]


@IDS
def test_the_salesforce_task_writer_refuses_ids_that_are_not_ids(value: str) -> None:
    session = FakeSalesforce()
    close = TaskClose(
        key="k",
        task_key="k",
        system="salesforce",
        task_id=value,
        partner_id="p",
        playbook="p",
        note="done",
        reason="r",
    )
    outcomes = SalesforceTasks(session, "PartnerPulse_Key__c").close([close])  # type: ignore[arg-type]
    assert "not a Salesforce record id" in str(outcomes[value])
    assert session.queries == []


@dataclass
class FakeHubSpot:
    """The port the HubSpot task writer talks through: records every search request."""

    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def search_api(self) -> FakeHubSpot:
        return self

    def do_search(self, object_type: str, request: Any, **_: Any) -> Any:
        self.requests.append(request.to_dict())
        return type("Response", (), {"data": b'{"results": []}'})()

    def call_json(self, endpoint: str, fn: Any, **_: Any) -> dict[str, Any]:
        return dict(json.loads(fn().data))


@IDS
def test_hubspot_filters_carry_values_as_json_values(value: str) -> None:
    built = search.condition("pp_task_key", "EQ", value)
    assert built == {"propertyName": "pp_task_key", "operator": "EQ", "value": value}
    body = search.Search(filters=(built,), after=value).body()
    assert json.loads(json.dumps(body)) == body
    assert body["filterGroups"][0]["filters"][0]["value"] == value
    assert body["after"] == value  # a paging token is a JSON value too
    assert "query" not in body  # HubSpot's free-text search is never used


def test_the_hubspot_task_writer_binds_task_keys_from_crm_data() -> None:
    client = FakeHubSpot()
    assert HubSpotTasks(client, "pp_task_key").find(PAYLOADS) == {}  # type: ignore[arg-type]
    (request,) = client.requests
    (group,) = request["filter_groups"]
    (sent,) = group["filters"]
    assert sent["property_name"] == "pp_task_key"
    assert sent["operator"] == "IN"
    assert sent["values"] == PAYLOADS


# -- names and ids: refused -----------------------------------------------------------------
@IDS
def test_soql_builders_refuse_names_and_ids_that_are_not_ones(value: str) -> None:
    with pytest.raises(ValueError, match="is not a Salesforce"):
        soql.name(value)
    with pytest.raises(ValueError, match="is not a Salesforce"):
        soql.select("Account", ["Name", value], after=None, cap=CAP)
    with pytest.raises(ValueError, match="is not a Salesforce"):
        soql.select(value, ["Name"], after=None, cap=CAP)
    with pytest.raises(ValueError, match="is not a Salesforce"):
        soql.count(value, cap=CAP)
    with pytest.raises(ValueError, match="is not a Salesforce"):
        soql.lookup("Task", ["Id"], value, ["k"])
    with pytest.raises(ValueError, match="is not a Salesforce record id"):
        soql.lookup("Task", ["Status"], "Id", [value])
    with pytest.raises(ValueError, match="is not a Salesforce record id"):
        soql.Position(CAP, last_id=value).clause()
    with pytest.raises(ValueError, match="is not a Salesforce"):
        SalesforceTasks(FakeSalesforce(), value)  # type: ignore[arg-type]


@IDS
def test_hubspot_builders_refuse_names_and_ids_that_are_not_ones(value: str) -> None:
    with pytest.raises(ValueError, match="is not a HubSpot property name"):
        search.condition(value, "EQ", "x")
    with pytest.raises(ValueError, match="is not a HubSpot property name"):
        search.Search(properties=("name", value)).body()
    with pytest.raises(ValueError, match="is not a HubSpot property name"):
        search.Search(sort=value).body()
    with pytest.raises(ValueError, match="is not a HubSpot record id"):
        search.window(None, CAP, value)
    with pytest.raises(ValueError, match="is not a HubSpot search operator"):
        search.condition("name", value, "x")  # type: ignore[arg-type]


# -- config: values are data, names are checked at load --------------------------------------
def test_partner_filter_values_never_reach_a_query() -> None:
    sf = SalesforceMapping(partner_filter=("Type", PAYLOADS))
    for stream in STREAMS:
        text = soql.select(stream, sf.select(stream), after=None, cap=CAP)
        assert strings(text) == []
        assert not set(PAYLOADS) & set(sf.select(stream))
    hs = load({"partner_filter": {"field": "type", "values": PAYLOADS}})
    for stream in ("companies", "calls", "deals", "tickets", "tasks"):
        body = search.Search(
            filters=search.window(CAP, CAP, "1"), properties=hs.properties(stream)
        ).body()
        assert not set(PAYLOADS) & set(body["properties"])
        filters = body["filterGroups"][0]["filters"]
        assert not set(PAYLOADS) & {f["value"] for f in filters}


NAME_KEYS = [
    (
        "[mappings.salesforce.partner_filter]\nfield = {v}\nvalues = ['Partner']\n",
        "mappings.salesforce.partner_filter.field",
    ),
    (
        "[mappings.hubspot.partner_filter]\nfield = {v}\nvalues = ['PARTNER']\n",
        "mappings.hubspot.partner_filter.field",
    ),
    ("[mappings.salesforce.fields.Account]\nname = {v}\n", "mappings.salesforce.fields"),
    ("[mappings.hubspot.fields.tasks]\nsubject = {v}\n", "mappings.hubspot.fields"),
    ("[writeback.salesforce_fields]\ntier = {v}\n", "writeback.salesforce_fields"),
    ("[writeback.hubspot_properties]\ntier = {v}\n", "writeback.hubspot_properties"),
    ("[writeback]\nsalesforce_task_key_field = {v}\n", "writeback.salesforce_task_key_field"),
    ("[writeback]\nhubspot_task_key_property = {v}\n", "writeback.hubspot_task_key_property"),
]


@pytest.mark.parametrize(("template", "key"), NAME_KEYS, ids=[k for _, k in NAME_KEYS])
def test_field_names_from_config_are_refused_at_load(
    tmp_path: Path, template: str, key: str
) -> None:
    path = tmp_path / "pp.toml"
    for value in PAYLOADS:
        # JSON string escapes are TOML basic-string escapes (astral characters kept raw)
        path.write_text(template.format(v=json.dumps(value, ensure_ascii=False)), encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: {key}"), message
        assert "is not a field name" in message
        assert "\n" not in message
