"""The SOQL subset as a table of cases, run straight against a store (no HTTP)."""

from __future__ import annotations

import pytest

from sandbox.salesforce import SalesforceStore, make_id
from sandbox.salesforce.query_engine import compile_and_bind, run_query
from sandbox.salesforce.soql_ast import SoqlError
from tests.sandbox_salesforce.conftest import NOW, small_world

STORE = SalesforceStore.from_records(small_world(accounts=12, tasks_per_account=2), now=NOW)
STORE.insert("Account", {"Name": "x' OR Name != '", "Type": "Other"})
STORE.insert("Account", {"Name": "50% off_deal", "Type": "Other"})


def names(soql: str, *, deleted: bool = False) -> list[str]:
    query = compile_and_bind(STORE, soql, "59.0")
    getter = query.columns[0].getter
    return [getter(rec) for rec in run_query(STORE, query, include_deleted=deleted)]


def count(soql: str) -> int:
    return len(run_query(STORE, compile_and_bind(STORE, soql, "59.0"), include_deleted=False))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'Partner 001'", 1),
        ("Name = 'partner 001'", 1),  # text compares case-insensitively
        ("Name != 'Partner 001'", 13),
        ("Name <> 'Partner 001'", 13),
        ("AnnualRevenue > 5000", 7),
        ("AnnualRevenue >= 5000", 8),
        ("AnnualRevenue < 3000", 2),
        ("AnnualRevenue <= 3000", 3),
        ("AnnualRevenue = 1000.0", 1),
        ("AnnualRevenue > -1", 12),
        ("Type IN ('Partner', 'Other')", 8),
        ("Type NOT IN ('Partner')", 8),
        ("BillingCity = null", 6),
        ("BillingCity != null", 8),
        ("BillingCity != 'Berlin'", 6),  # != matches nulls too
        ("BillingCity IN ('Berlin', null)", 14),
        ("IsPartner = true", 6),
        ("IsPartner = false", 8),
        ("Name LIKE 'Partner 00%'", 9),
        ("Name LIKE 'partner 01_'", 3),
        ("Name LIKE '50\\% off\\_deal'", 1),
        ("Name LIKE '50_ off%'", 1),
        ("Name = 'x\\' OR Name != \\''", 1),  # an injection attempt is one string literal
        ("NOT Name LIKE 'Partner%'", 2),
        ("NOT (Type = 'Partner' OR Type = 'Customer')", 2),
        ("(Type = 'Partner' OR Type = 'Other') AND AnnualRevenue > 4000", 4),
        ("Type = 'Partner' AND (AnnualRevenue < 3000 OR AnnualRevenue > 10000)", 2),
        ("SystemModstamp > 2025-05-25T12:00:00Z", 8),  # 6 + the 2 made "now"
        ("SystemModstamp >= 2025-05-25T12:00:00Z", 9),
        ("SystemModstamp > 2025-05-25T14:00:00+02:00", 8),  # the offset is applied
        ("SystemModstamp < 2025-05-25T12:00:00.000Z", 5),
        ("CreatedDate < 2024-05-01T00:00:00-05:00", 12),
        ("Partner_Since__c = 2023-01-15", 12),
        ("Partner_Since__c > 2023-01-15", 0),
        ("Owner.Email = 'ann@example.com'", 9),
        ("Owner.IsActive = false", 5),
        ("Id = '" + make_id("001", 3) + "'", 1),
        ("Id = '" + make_id("001", 3)[:15] + "'", 1),  # 15-char ids are accepted
        ("Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')", 6),
        ("Id NOT IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')", 8),
        ("CreatedDate = LAST_N_DAYS:30", 2),
        ("CreatedDate < TODAY", 12),
    ],
)
def test_where_operators_and_literals(where: str, expected: int) -> None:
    assert count(f"SELECT Id FROM Account WHERE {where}") == expected


def test_order_by_several_keys_with_nulls() -> None:
    got = names("SELECT Name FROM Account ORDER BY BillingCity DESC NULLS FIRST, Name ASC LIMIT 5")
    assert got == ["50% off_deal", "Partner 003", "Partner 006", "Partner 009", "Partner 012"]
    got = names("SELECT Name FROM Account ORDER BY BillingCity ASC NULLS LAST, Name DESC")
    assert got[:2] == ["Partner 011", "Partner 010"]
    assert got[-1] == "50% off_deal"


def test_order_by_parent_field_and_limit_offset() -> None:
    got = names(
        "SELECT Name FROM Account WHERE Type = 'Partner' ORDER BY Owner.Email DESC, "
        "Name LIMIT 3 OFFSET 1"
    )
    assert got == ["Partner 003", "Partner 007", "Partner 009"]


def test_stamp_index_order_matches_a_plain_sort() -> None:
    soql = (
        "SELECT Id FROM Task WHERE SystemModstamp > 2025-05-22T00:00:00Z OR "
        "(SystemModstamp = 2025-05-22T00:00:00Z AND Id > '{0}') ORDER BY SystemModstamp, Id"
    )
    indexed = compile_and_bind(STORE, soql.format(make_id("00T", 0)), "59.0")
    assert indexed.index_order == "asc"
    assert indexed.interval is not None
    rows = run_query(STORE, indexed, include_deleted=False)
    slot = STORE.schemas["Task"].slots["SystemModstamp"]
    assert rows == sorted(rows, key=lambda r: (r[slot], r[0]))
    assert len(rows) == 2 * 10


def test_count_and_case_insensitive_names() -> None:
    assert count("select count() from account where type = 'Partner'") == 6
    query = compile_and_bind(STORE, "select id, owner.email from ACCOUNT limit 1", "59.0")
    assert [c.path for c in query.columns] == ["Id", "Owner.Email"]


@pytest.mark.parametrize(
    ("soql", "code", "fragment"),
    [
        ("SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
        (
            "SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Id = null",
            "MALFORMED_QUERY",
            "unexpected token: 'OR'",
        ),
        ("SELECT Id FROM Account WHERE Name = 'open", "MALFORMED_QUERY", "<EOF>"),
        ("SELECT Id FROM Account LIMIT x", "MALFORMED_QUERY", "unexpected token: 'x'"),
        ("SELECT Id, id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"),
        (
            "SELECT Foo__c FROM Account",
            "INVALID_FIELD",
            "No such column 'Foo__c' on entity 'Account'",
        ),
        ("SELECT Boss.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'Boss'"),
        ("SELECT Id FROM Widget__c", "INVALID_TYPE", "sObject type 'Widget__c' is not supported"),
        (
            "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01",
            "INVALID_FIELD",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE Partner_Since__c > 2024-01-01T00:00:00Z",
            "INVALID_FIELD",
            "must be of type date and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE Partner_Since__c > '2024-01-01'",
            "INVALID_FIELD",
            "must be of type date",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "must be of type string and should be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE AnnualRevenue > '5'",
            "INVALID_FIELD",
            "must be of type double",
        ),
        (
            "SELECT Id FROM Account WHERE IsPartner = 'true'",
            "INVALID_FIELD",
            "must be of type boolean",
        ),
        (
            "SELECT Id FROM Account WHERE Id = 'abc'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: abc",
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00",
            "MALFORMED_QUERY",
            "no viable alternative",
        ),
        ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
        ("SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD", "can not be sorted"),
        ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "2000"),
        ("SELECT Id FROM Account GROUP BY Type", "MALFORMED_QUERY", "GROUP"),
    ],
)
def test_errors_as_salesforce_reports_them(soql: str, code: str, fragment: str) -> None:
    with pytest.raises(SoqlError) as caught:
        compile_and_bind(STORE, soql, "59.0")
    assert caught.value.code == code
    assert fragment in caught.value.message_for(soql)


def test_error_message_points_at_the_token() -> None:
    soql = "SELECT Id, Foo__c FROM Account"
    with pytest.raises(SoqlError) as caught:
        compile_and_bind(STORE, soql, "59.0")
    lines = caught.value.message_for(soql).split("\n")
    assert lines[1] == soql
    assert lines[2] == " " * 11 + "^"
    assert lines[3] == "ERROR at Row:1:Column:12"


def test_deleted_rows_only_with_query_all() -> None:
    store = SalesforceStore.from_records(small_world(accounts=3, tasks_per_account=0), now=NOW)
    store.delete("Account", make_id("001", 1))
    query = compile_and_bind(store, "SELECT Id, IsDeleted FROM Account", "59.0")
    assert len(run_query(store, query, include_deleted=False)) == 2
    assert len(run_query(store, query, include_deleted=True)) == 3
