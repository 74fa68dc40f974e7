"""Hypothesis over every mapping and every query builder.

Mappings (CRM-native record → canonical): whatever the fields hold — missing, null, wrong
type, huge, control characters, epoch numbers — a record maps to canonical records or to a
quarantine with a reason; no other exception escapes. Builders (SOQL in
``adapters/salesforce/soql.py``, HubSpot search filters in ``adapters/hubspot/search.py``):
the output reads back (SOQL tokenizes; JSON round-trips), every value comes back unchanged
as one literal, and names that are not API names are refused.

Derandomized (``derandomize=True``, no example database): CI runs the same examples each
time. ``EXAMPLES`` per property keeps the file well under 20 s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.hubspot import search
from adapters.salesforce import soql
from connector.model import Frozen, Quarantined
from mappings.hubspot import STREAMS as HS_STREAMS
from mappings.hubspot import map_record
from mappings.hubspot_map import load
from mappings.salesforce import STREAMS as SF_STREAMS
from mappings.salesforce import SalesforceMapping, typed_row
from tests.reliability.soql_tokens import shape, strings, tokens

EXAMPLES = 150
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SF_MAP = SalesforceMapping(
    tag_fields={
        "health_score": "Partner_Health_Score__c",
        "segment": "Partner_Segment__c",
        "health_updated_at": "Partner_Health_Updated__c",
    },
    overrides={"Account": {"kpi_target": "KPI_Target__c", "kpi_actual": "KPI_Actual__c"}},
)
HS_MAP = load(
    {"fields": {"companies": {"kpi_target": "kpi_target", "kpi_actual": "kpi_actual"}}},
    tags={"health_score": "pp_health_score"},
)

texts = st.text(max_size=40)
odd_strings = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "null",
        "None",
        "NaN",
        "Infinity",
        "-0",
        "1e999",
        "9" * 40,
        "true",
        "yes",
        "2024-05-01",
        "2024-02-30",
        "05/01/2024",
        "2024-05-01T10:00:00.000+0000",
        "2024-05-01T10:00:00Z",
        "2024-05-01 10:00",
        "1714557600",
        "1714557600000",
        "1714557600000000",
        "0",
        "-1714557600000",
        "1970-01-01T00:00:00Z",
        "x' OR Name != '",
        "١٢٣٤-٠٥-٠١",
        "2024-05-01\n",
        "\u2028",
        "a" * 5000,
    ]
)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    texts,
    odd_strings,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(texts, st.integers(), max_size=2),
)


def _assert_canonical(records: tuple[Any, ...], quarantined: tuple[Quarantined, ...]) -> None:
    assert records or quarantined
    for record in records:
        assert isinstance(record, Frozen)
        assert "\x00" not in record.model_dump_json()
    for q in quarantined:
        assert isinstance(q, Quarantined)
        assert q.reason


# -- mappings -----------------------------------------------------------------------------
@pytest.mark.parametrize("stream", SF_STREAMS)
@FUZZ
@given(data=st.data())
def test_salesforce_rows_map_or_quarantine(stream: str, data: st.DataObject) -> None:
    fields = [*SF_MAP.select(stream), "Id", "SystemModstamp"]
    row = data.draw(st.dictionaries(st.sampled_from(fields), values))
    if data.draw(st.booleans()):  # mostly readable rows, so the field readers are reached
        row.setdefault("Id", "001000000000001AAA")
        row.setdefault("SystemModstamp", "2024-05-01T10:00:00.000+0000")
    mapped = SF_MAP.map(stream, row)
    _assert_canonical(mapped.records, mapped.quarantined)


@pytest.mark.parametrize("stream", SF_STREAMS)
@FUZZ
@given(data=st.data())
def test_salesforce_bulk_rows_map_or_quarantine(stream: str, data: st.DataObject) -> None:
    fields = [*SF_MAP.select(stream), "IsDeleted"]
    cells = data.draw(st.dictionaries(st.sampled_from(fields), st.one_of(texts, odd_strings)))
    cells |= {"Id": "001000000000001AAA", "SystemModstamp": "2024-05-01T10:00:00.000Z"}
    mapped = SF_MAP.map(stream, typed_row(SF_MAP.kinds(stream), cells))
    _assert_canonical(mapped.records, mapped.quarantined)


def _hubspot_record(stream: str) -> st.SearchStrategy[dict[str, Any]]:
    if stream == "owners":
        keys = ["id", "email", "firstName", "lastName", "archived", "updatedAt", "createdAt"]
        return st.dictionaries(st.sampled_from(keys), values)
    props = st.dictionaries(st.sampled_from(HS_MAP.properties(stream)), values)
    return st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(values, st.from_regex(r"\A[0-9]{1,12}\Z")),
            "properties": st.one_of(props, props, values),
            "associations": st.one_of(
                values,
                st.fixed_dictionaries(
                    {"companies": st.one_of(values, st.lists(values, max_size=2))}
                ),
            ),
            "archived": values,
            "createdAt": values,
            "updatedAt": values,
        },
    )


@pytest.mark.parametrize("stream", HS_STREAMS)
@FUZZ
@given(data=st.data())
def test_hubspot_records_map_or_quarantine(stream: str, data: st.DataObject) -> None:
    record = data.draw(_hubspot_record(stream))
    mapped = map_record(HS_MAP, stream, record)
    _assert_canonical(mapped.records, mapped.quarantined)


# -- SOQL builders ------------------------------------------------------------------------
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)  # NUL, controls, astral
api_names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,20}\Z")
record_ids = st.from_regex(r"\A[A-Za-z0-9]{15}([A-Za-z0-9]{3})?\Z")
stamps = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@FUZZ
@given(any_text)
def test_soql_quote_reads_back_as_one_literal(value: str) -> None:
    text = soql.quote(value)
    assert [t.kind for t in tokens(text)] == ["string"]
    assert strings(text) == [value]


@FUZZ
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        any_text,
        stamps,
        st.dates(),
        st.decimals(allow_nan=False, allow_infinity=False),
    )
)
def test_soql_literal_is_one_token_of_its_type(value: Any) -> None:
    (token,) = tokens(soql.literal(value))
    if isinstance(value, str):
        assert token == ("string", value)
    elif isinstance(value, datetime):
        assert token.kind == "datetime"
        assert datetime.fromisoformat(token.value) == value.replace(microsecond=0)
    elif value is None or isinstance(value, bool):
        assert token.kind == "keyword"
    else:
        assert token.kind in ("date", "number")


@FUZZ
@given(api_names, any_text)
def test_soql_equals_keeps_the_value_a_value(field: str, value: str) -> None:
    text = soql.equals(field, value)
    assert shape(text) == [field, "=", "STRING"]
    assert strings(text) == [value]


@FUZZ
@given(any_text)
def test_soql_names_and_ids_refuse_anything_else(value: str) -> None:
    for check in (soql.name, soql.record_id):
        try:
            assert check(value) == value
        except ValueError:
            continue
        assert [t.kind for t in tokens(value)] in (["name"], ["number"], ["keyword"])


@FUZZ
@given(
    api_names,
    st.lists(api_names, max_size=5),
    stamps,
    stamps,
    st.one_of(st.none(), record_ids),
    st.booleans(),
)
def test_soql_select_has_one_shape(
    obj: str, fields: list[str], at: datetime, cap: datetime, last_id: str | None, inclusive: bool
) -> None:
    position = soql.Position(at, last_id, inclusive=inclusive)
    text = soql.select(obj, fields, after=position, cap=cap)
    parsed = tokens(text)
    assert parsed[0] == ("keyword", "SELECT")
    where = shape(text)[shape(text).index("WHERE") :]
    if inclusive:
        expected = ["WHERE", "SystemModstamp", ">=", "DATETIME"]
    elif last_id is None:
        expected = ["WHERE", "SystemModstamp", ">", "DATETIME"]
    else:
        expected = [
            "WHERE",
            "(",
            "SystemModstamp",
            ">",
            "DATETIME",
            "OR",
            "(",
            "SystemModstamp",
            "=",
            "DATETIME",
            "AND",
            "Id",
            ">",
            "STRING",
            ")",
            ")",
        ]
    expected += [
        "AND",
        "SystemModstamp",
        "<=",
        "DATETIME",
        "ORDER",
        "BY",
        "SystemModstamp",
        "ASC",
        ",",
        "Id",
        "ASC",
    ]
    assert where == expected
    assert strings(text) == ([last_id] if last_id and not inclusive else [])
    assert tokens(soql.count(obj, cap=cap))[-1].kind == "datetime"


@FUZZ
@given(
    api_names,
    st.lists(api_names, max_size=3),
    api_names,
    st.lists(any_text, min_size=1, max_size=8),
)
def test_soql_lookup_lists_each_value_once_as_a_literal(
    obj: str, fields: list[str], by: str, keys: list[str]
) -> None:
    if by == "Id":
        by = "Key__c"
    text = soql.lookup(obj, fields, by, keys)
    assert strings(text) == keys
    where = shape(text)[shape(text).index("WHERE") :]
    listed = ["STRING", ","] * len(keys)
    assert where == ["WHERE", by, "IN", "(", *listed[:-1], ")", "AND", "IsDeleted", "=", "false"]


@FUZZ
@given(
    st.lists(any_text, max_size=60),
    st.integers(min_value=50, max_value=600),
    st.integers(min_value=1, max_value=20),
)
def test_soql_in_chunks_keep_every_value_within_budget(
    values_: list[str], budget: int, most: int
) -> None:
    chunks = soql.in_chunks(values_, budget=budget, most=most)
    assert [v for chunk in chunks for v in chunk] == list(dict.fromkeys(values_))
    for chunk in chunks:
        assert 1 <= len(chunk) <= most
        width = sum(len(soql.quote(v)) + 2 for v in chunk)
        assert width <= budget or len(chunk) == 1


# -- HubSpot search filters ---------------------------------------------------------------
operators = st.sampled_from(sorted(search.OPERATORS))
hs_values = st.one_of(any_text, st.integers(min_value=-(2**62), max_value=2**62), stamps)


@FUZZ
@given(
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,30}\Z"),
    operators,
    hs_values,
    st.lists(hs_values, min_size=1, max_size=4),
    hs_values,
)
def test_hubspot_filters_bind_values_as_json_values(
    name: str, operator: search.Operator, value: Any, many: list[Any], high: Any
) -> None:
    built = search.condition(name, operator, value, values=many, high=high)
    assert built["propertyName"] == name
    assert json.loads(json.dumps(built)) == built
    bound = [search.bind(v) for v in many] if operator in ("IN", "NOT_IN") else [search.bind(value)]
    if operator in ("IN", "NOT_IN"):
        assert built["values"] == bound
    elif operator not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        assert built["value"] == bound[0]
        if isinstance(value, str):
            assert built["value"] == value  # the very text, never quoted or spliced
    request = search.Search(filters=(built,), properties=(name,)).request()
    sent = request.to_dict()["filter_groups"][0]["filters"][0]
    assert sent["property_name"] == name
    assert sent.get("value") == built.get("value")
    assert sent.get("values") == built.get("values")


@FUZZ
@given(any_text)
def test_hubspot_property_names_refuse_anything_else(name: str) -> None:
    try:
        assert search.prop(name) == name
    except ValueError:
        return
    assert name.isascii()
    assert name.replace("_", "").isalnum()


@FUZZ
@given(
    st.one_of(st.none(), stamps),
    st.one_of(st.none(), stamps),
    st.one_of(st.none(), any_text, st.from_regex(r"\A[0-9]{1,18}\Z")),
)
def test_hubspot_window_filters_are_well_formed(
    since: datetime | None, until: datetime | None, after_id: str | None
) -> None:
    try:
        filters = search.window(since, until, after_id)
    except ValueError:
        assert after_id is not None
        assert not (after_id.strip().isascii() and after_id.strip().isdigit())
        return
    body = search.Search(filters=filters).body()
    assert json.loads(json.dumps(body)) == body
    for f in filters:
        assert f["operator"] in ("GTE", "LTE", "GT")
        assert str(f["value"]).isdigit() or f["value"].lstrip("-").isdigit()
    if since is not None:
        assert filters[0]["value"] == str(search.epoch_ms(since))


def test_epoch_ms_is_exact_at_a_known_instant() -> None:
    at = datetime(2024, 5, 1, 10, tzinfo=UTC) + timedelta(microseconds=999)
    assert search.epoch_ms(at) == 1_714_557_600_000
    assert Decimal(soql.literal(Decimal("1.50"))) == Decimal("1.50")
