"""The filter builder binds values as values, whatever they look like."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from adapters.hubspot.search import Search, bind, condition, epoch_ms, object_id, window

INJECTIONS = [
    "x' OR Name != '",
    'x" OR "1"="1',
    "'; DROP TABLE companies; --",
    '{"propertyName": "type", "operator": "HAS_PROPERTY"}',
    "a\\\\b\\'c",
    "ünïcödé — 日本語 🚀",
    "line\nbreak\ttab\x00nul",
    "x" * 20_000,
    "",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_value_lands_verbatim_in_the_value_field(value: str) -> None:
    body = Search(filters=(condition("name", "EQ", value),)).body()
    wire = json.loads(json.dumps(body))
    assert wire["filterGroups"] == [
        {"filters": [{"propertyName": "name", "operator": "EQ", "value": value}]}
    ]
    assert "query" not in wire  # free-text search, which HubSpot parses, is never used


@pytest.mark.parametrize("value", INJECTIONS)
def test_values_in_lists_are_bound_one_by_one(value: str) -> None:
    built = condition("type", "IN", values=[value, "PARTNER"])
    assert built["values"] == [value, "PARTNER"]


@pytest.mark.parametrize(
    ("value", "bound"),
    [
        (datetime(2024, 5, 1, tzinfo=UTC), "1714521600000"),
        (datetime(2024, 5, 1, 0, 0, 0, 999_999, tzinfo=UTC), "1714521600999"),  # truncated
        (datetime(2024, 5, 1, 2, tzinfo=timezone(timedelta(hours=2))), "1714521600000"),
        (datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC), "-1"),
        (123, "123"),
        (True, "true"),
        ("7199", "7199"),
    ],
)
def test_bind_table(value: Any, bound: str) -> None:
    assert bind(value) == bound


def test_naive_datetimes_and_other_types_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        bind(datetime(2024, 5, 1))
    with pytest.raises(TypeError):
        bind(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bind(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name", ["name OR 1=1", "x'", "", "1abc", "a" * 101, "hs_object_id)", "na me", "ünï"]
)
def test_property_names_must_be_names(name: str) -> None:
    with pytest.raises(ValueError, match="not a HubSpot property name"):
        condition(name, "EQ", "x")
    with pytest.raises(ValueError, match="not a HubSpot property name"):
        Search(properties=(name,)).body()
    with pytest.raises(ValueError, match="not a HubSpot property name"):
        Search(sort=name).body()


def test_operators_are_the_apis_enum() -> None:
    with pytest.raises(ValueError, match="not a HubSpot search operator"):
        condition("name", "EQ OR", "x")  # type: ignore[arg-type]
    assert condition("name", "HAS_PROPERTY") == {"propertyName": "name", "operator": "HAS_PROPERTY"}
    assert condition("amount", "BETWEEN", 1, high=5)["highValue"] == "5"
    with pytest.raises(ValueError, match="needs a value"):
        condition("name", "EQ")
    with pytest.raises(ValueError, match="needs values"):
        condition("name", "IN", values=[])


@pytest.mark.parametrize("bad", ["12 OR 1", "-5", "abc", "1" * 31, "", "١٢"])
def test_object_ids_must_be_ids(bad: str) -> None:
    with pytest.raises(ValueError, match="not a HubSpot record id"):
        window(None, None, bad)
    with pytest.raises(ValueError, match="not a HubSpot record id"):
        object_id(bad)


def test_the_window_filters() -> None:
    since = datetime(2024, 5, 1, tzinfo=UTC)
    until = since + timedelta(hours=1, milliseconds=5)
    assert window(since, until, "719869649082") == (
        {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "1714521600000"},
        {"propertyName": "hs_lastmodifieddate", "operator": "LTE", "value": "1714525200005"},
        # numeric: HubSpot compares hs_object_id as a number (crm-api.md Part C #3)
        {"propertyName": "hs_object_id", "operator": "GT", "value": "719869649082"},
    )
    assert window(None, None, None) == ()


def test_the_body_and_the_sdk_request_agree() -> None:
    search = Search(
        filters=window(datetime(2024, 5, 1, tzinfo=UTC), None, "42"),
        properties=("name", "domain"),
        limit=200,
    )
    body = search.body()
    assert body["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert body["limit"] == 200
    assert "after" not in body
    request = search.request()
    assert request.to_dict()["filter_groups"][0]["filters"][1] == {
        "property_name": "hs_object_id",
        "operator": "GT",
        "value": "42",
        "values": None,
        "high_value": None,
    }
    assert request.properties == ["name", "domain"]


def test_limits_are_enforced() -> None:
    with pytest.raises(ValueError, match="limit"):
        Search(limit=201).body()
    with pytest.raises(ValueError, match="filters"):
        Search(filters=tuple(condition("name", "EQ", str(i)) for i in range(7))).body()


def test_epoch_ms_is_exact_far_from_the_epoch() -> None:
    moment = datetime(2262, 4, 11, 23, 47, 16, 854_775, tzinfo=UTC)
    assert epoch_ms(moment) == 9_223_372_036_854
