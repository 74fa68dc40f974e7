"""The SOQL builder: values become literals, names are checked, the stream query is tie-safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.salesforce import soql

CAP = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
ID = "001SB0000000001AAA"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme", "'Acme'"),
        ("x' OR Name != '", "'x\\' OR Name != \\''"),
        ("back\\slash", "'back\\\\slash'"),
        ("trailing\\", "'trailing\\\\'"),
        ("\\'", "'\\\\\\''"),
        ("line\nbreak\r\ttab", "'line\\nbreak\\r\\ttab'"),
        ('say "hi"', "'say \\\"hi\\\"'"),
        ("\b\f", "'\\b\\f'"),
        ("Müller – 東京 🚀", "'Müller – 東京 🚀'"),
        ("", "''"),
        ("%_", "'%_'"),
    ],
)
def test_strings_are_quoted_and_escaped(value: str, expected: str) -> None:
    assert soql.quote(value) == expected
    assert soql.literal(value) == expected


def test_an_injection_attempt_stays_inside_one_literal() -> None:
    clause = soql.equals("Name", "x' OR Name != '")
    assert clause == "Name = 'x\\' OR Name != \\''"
    # Outside escapes there are exactly two quote characters: the literal's own.
    assert clause.replace("\\\\", "").replace("\\'", "").count("'") == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (Decimal("12.50"), "12.50"),
        (date(2024, 2, 29), "2024-02-29"),
        (datetime(2024, 5, 1, 10, 0, 0, 999, tzinfo=UTC), "2024-05-01T10:00:00Z"),
        (
            datetime(2024, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T10:30:00Z",
        ),
    ],
)
def test_literals_by_type(value: object, expected: str) -> None:
    assert soql.literal(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [datetime(2024, 5, 1), Decimal("NaN"), Decimal("Infinity"), 1.5, object()],
)
def test_values_without_a_safe_literal_are_refused(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        soql.literal(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "1Name", "Name; DELETE", "Name OR 1=1", "FIELDS(ALL)", "Owner.Name", "a" * 81]
)
def test_names_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="API name"):
        soql.name(bad)


@pytest.mark.parametrize("bad", ["001' OR Id != '", "001", "001SB000000000!AAA", "x" * 19])
def test_ids_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="record id"):
        soql.record_id(bad)


def test_a_cursor_with_a_forged_id_never_reaches_the_query() -> None:
    with pytest.raises(ValueError, match="record id"):
        soql.Position(CAP, "x' OR Id != '").clause()


@pytest.mark.parametrize(
    ("position", "where"),
    [
        (None, "SystemModstamp <= 2024-06-01T12:00:00Z"),
        (
            soql.Position(datetime(2024, 5, 1, tzinfo=UTC), ID),
            "(SystemModstamp > 2024-05-01T00:00:00Z OR (SystemModstamp = 2024-05-01T00:00:00Z "
            f"AND Id > '{ID}')) AND SystemModstamp <= 2024-06-01T12:00:00Z",
        ),
        (
            soql.Position(datetime(2024, 5, 1, tzinfo=UTC)),
            "SystemModstamp > 2024-05-01T00:00:00Z AND SystemModstamp <= 2024-06-01T12:00:00Z",
        ),
        (
            soql.Position(datetime(2024, 5, 1, tzinfo=UTC), inclusive=True),
            "SystemModstamp >= 2024-05-01T00:00:00Z AND SystemModstamp <= 2024-06-01T12:00:00Z",
        ),
    ],
)
def test_the_stream_query(position: soql.Position | None, where: str) -> None:
    text = soql.select("Account", ["Name", "Id", "Partner_Segment__c"], after=position, cap=CAP)
    assert text == (
        "SELECT Id, SystemModstamp, IsDeleted, Name, Partner_Segment__c FROM Account "
        f"WHERE {where} ORDER BY SystemModstamp ASC, Id ASC"
    )


def test_users_have_no_is_deleted() -> None:
    assert soql.select("User", ["Name"], after=None, cap=CAP, ordered=False) == (
        "SELECT Id, SystemModstamp, Name FROM User WHERE SystemModstamp <= 2024-06-01T12:00:00Z"
    )


def test_bulk_queries_are_unordered_and_counts_respect_the_cap() -> None:
    assert soql.select("Case", ["Subject"], after=None, cap=CAP, ordered=False) == (
        "SELECT Id, SystemModstamp, IsDeleted, Subject FROM Case "
        "WHERE SystemModstamp <= 2024-06-01T12:00:00Z"
    )
    assert soql.count("Task", cap=CAP) == (
        "SELECT COUNT() FROM Task WHERE SystemModstamp <= 2024-06-01T12:00:00Z"
    )


def test_select_refuses_field_lists_that_are_not_names() -> None:
    with pytest.raises(ValueError, match="API name"):
        soql.select("Account", ["FIELDS(ALL)"], after=None, cap=CAP)
    with pytest.raises(ValueError, match="API name"):
        soql.select("Account WHERE Name != null", ["Name"], after=None, cap=CAP)


def test_a_lookup_quotes_every_key_and_excludes_deleted_rows() -> None:
    text = soql.lookup("Task", ["PartnerPulse_Key__c"], "PartnerPulse_Key__c", ["a", "b' OR 'x"])
    assert text == (
        "SELECT Id, PartnerPulse_Key__c FROM Task "
        "WHERE PartnerPulse_Key__c IN ('a', 'b\\' OR \\'x') AND IsDeleted = false"
    )


def test_a_lookup_by_id_checks_each_id() -> None:
    assert soql.lookup("Task", ["Status"], "Id", [ID]).endswith(
        f"Id IN ('{ID}') AND IsDeleted = false"
    )
    with pytest.raises(ValueError, match="record id"):
        soql.lookup("Task", ["Status"], "Id", ["00T' OR Id != '"])
    with pytest.raises(ValueError, match="at least one"):
        soql.lookup("Task", ["Status"], "Id", [])


def test_in_chunks_keep_the_where_well_under_4000_characters() -> None:
    keys = [f"at_risk_call:P-{n:012d}:2026-03-02" + "x" * (n % 40) for n in range(1000)]
    chunks = soql.in_chunks([*keys, keys[0]])
    assert [k for c in chunks for k in c] == keys  # in order, once each
    for chunk in chunks:
        where = soql.lookup("Task", [], "PartnerPulse_Key__c", chunk).split(" WHERE ", 1)[1]
        assert len(where) < 3100
    ids = [f"00T5g0000{n:09d}" for n in range(450)]
    assert [len(c) for c in soql.in_chunks(ids, most=200)] == [136, 136, 136, 42]
