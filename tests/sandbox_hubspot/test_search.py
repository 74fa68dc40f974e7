"""CRM search through the real client: every operator, sorts, limits, the 10,000 cap, index lag."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hubspot.crm.objects import PublicObjectSearchRequest

BASE = (
    1_704_067_200_000  # createdate of every generated company; hs_lastmodifieddate = BASE + i min
)


def f(prop: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"propertyName": prop, "operator": op, **extra}
    if value is not None:
        out["value"] = value
    return out


def search_ids(
    sandbox: Any, groups: list[list[dict[str, Any]]], sorts: Any = None, **kw: Any
) -> list[str]:
    client, after, ids = sandbox.client(), "0", []
    while True:
        page = client.crm.objects.search_api.do_search(
            "companies",
            PublicObjectSearchRequest(
                filter_groups=[{"filters": g} for g in groups],
                sorts=sorts,
                limit=200,
                after=after,
                **kw,
            ),
        )
        ids += [r.id for r in page.results]
        if page.paging is None:
            assert len(ids) == page.total
            return ids
        after = page.paging.next.after


def expected(pred: Callable[[int], bool]) -> list[str]:
    return [str(1001 + i) for i in range(250) if pred(i)]


CASES = [
    ([f("type", "EQ", "PARTNER")], lambda i: i % 5 != 0),
    ([f("type", "EQ", "partner")], lambda i: i % 5 != 0),
    ([f("type", "NEQ", "PARTNER")], lambda i: i % 5 == 0),
    ([f("nps_score", "LT", "3")], lambda i: i % 11 < 3),
    ([f("nps_score", "LTE", "3")], lambda i: i % 11 <= 3),
    ([f("nps_score", "GT", "8")], lambda i: i % 11 > 8),
    ([f("nps_score", "GTE", "8")], lambda i: i % 11 >= 8),
    (
        [
            f(
                "hs_lastmodifieddate",
                "BETWEEN",
                str(BASE + 10 * 60_000),
                highValue=str(BASE + 20 * 60_000),
            )
        ],
        lambda i: 10 <= i <= 20,
    ),
    (
        [
            f(
                "hs_lastmodifieddate",
                "BETWEEN",
                "2024-01-01T00:10:00Z",
                highValue="2024-01-01T00:20:00Z",
            )
        ],
        lambda i: 10 <= i <= 20,
    ),
    ([f("hubspot_owner_id", "IN", values=["1", "2"])], lambda i: i % 3 in (0, 1)),
    ([f("hubspot_owner_id", "NOT_IN", values=["1", "2"])], lambda i: i % 3 == 2),
    ([f("kpi_target", "HAS_PROPERTY")], lambda i: False),
    ([f("kpi_target", "NOT_HAS_PROPERTY")], lambda i: True),
    ([f("name", "CONTAINS_TOKEN", "00007")], lambda i: i == 7),
    ([f("domain", "CONTAINS_TOKEN", "partner7")], lambda i: i == 7),
    ([f("domain", "CONTAINS_TOKEN", "*.example.com")], lambda i: True),
    ([f("name", "NOT_CONTAINS_TOKEN", "00007")], lambda i: i != 7),
    ([f("hs_object_id", "GT", "1100")], lambda i: 1001 + i > 1100),
    (
        [
            f("hs_lastmodifieddate", "GTE", "2024-01-01T00:01:00.000900Z"),
            f("hs_lastmodifieddate", "LT", str(BASE + 3 * 60_000)),
        ],
        lambda i: i in (1, 2),
    ),
    (
        [f("type", "EQ", "PARTNER"), f("nps_score", "EQ", "10"), f("hubspot_owner_id", "EQ", "3")],
        lambda i: i % 5 != 0 and i % 11 == 10 and i % 3 == 2,
    ),
]


@pytest.mark.parametrize(("filters", "pred"), CASES)
def test_every_operator(readonly_sandbox, filters, pred):
    assert search_ids(readonly_sandbox, [filters]) == expected(pred)


def test_filter_groups_are_ored(readonly_sandbox):
    sandbox = readonly_sandbox
    groups = [[f("type", "EQ", "PROSPECT")], [f("nps_score", "EQ", "10")]]
    assert search_ids(sandbox, groups) == expected(lambda i: i % 5 == 0 or i % 11 == 10)


def test_sorts_object_and_string_forms(readonly_sandbox):
    sandbox = readonly_sandbox
    by_score = search_ids(
        sandbox,
        [[f("nps_score", "GTE", "9")]],
        sorts=[{"propertyName": "nps_score", "direction": "DESCENDING"}],
    )
    scores = [int(i) - 1001 for i in by_score]
    assert [s % 11 for s in scores] == sorted((s % 11 for s in scores), reverse=True)
    assert scores[:2] == [10, 21]  # ties broken by ascending id
    descending = search_ids(sandbox, [[f("hs_object_id", "LTE", "1010")]], sorts=["-hs_object_id"])
    assert descending == [str(i) for i in range(1010, 1000, -1)]
    error = sandbox.error(lambda: search_ids(sandbox, [], sorts=["name", "domain"]))
    assert error.status == 400


def test_properties_in_the_body_and_nulls(readonly_sandbox):
    sandbox = readonly_sandbox
    page = sandbox.client().crm.objects.search_api.do_search(
        "companies",
        PublicObjectSearchRequest(
            filter_groups=[{"filters": [f("hs_object_id", "EQ", "1001")]}],
            properties=["name", "kpi_actual"],
        ),
    )
    assert page.total == 1
    assert page.results[0].properties["name"] == "Partner 00000"
    assert page.results[0].properties["kpi_actual"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"filterGroups": [{"filters": [f("type", "EQ", "PARTNER")]}] * 6},
        {"filterGroups": [{"filters": [f("type", "EQ", "PARTNER")] * 7}]},
        {"filterGroups": [{"filters": [f("type", "EQ", "PARTNER")] * 5}] * 4},
        {"limit": 201},
        {"filterGroups": [{"filters": [f("nope", "EQ", "1")]}]},
        {"filterGroups": [{"filters": [f("type", "LIKE", "x")]}]},
    ],
)
def test_refused_search_bodies(readonly_sandbox, body):
    sandbox = readonly_sandbox
    response = sandbox.raw("POST", "/crm/v3/objects/companies/search", body)
    assert response.status == 400
    assert json.loads(response.data)["category"] == "VALIDATION_ERROR"


def test_search_responses_carry_no_rate_limit_headers(readonly_sandbox):
    sandbox = readonly_sandbox
    search = sandbox.raw("POST", "/crm/v3/objects/companies/search", {"limit": 1})
    listing = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
    assert not [h for h in search.headers if h.lower().startswith("x-hubspot-ratelimit")]
    assert "X-HubSpot-Correlation-Id" in search.headers
    assert listing.headers["X-HubSpot-RateLimit-Max"] == "190"
    assert listing.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"


def test_ten_thousand_result_cap(sandbox_factory, company_rows):
    sandbox = sandbox_factory({"companies": company_rows(10_050)})
    client = sandbox.client()
    window = [{"filters": [f("hs_lastmodifieddate", "GTE", str(BASE))]}]
    sorts = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]

    def page(after: str, limit: int = 200) -> Any:
        return client.crm.objects.search_api.do_search(
            "companies",
            PublicObjectSearchRequest(filter_groups=window, sorts=sorts, limit=limit, after=after),
        )

    last_ok = page("9800")
    assert last_ok.total == 10_050
    assert last_ok.paging.next.after == "10000"
    for after, limit in (("10000", 200), ("9900", 200), ("10000", 1)):
        error = sandbox.error(lambda a=after, n=limit: page(a, n))
        assert error.status == 400
        assert sandbox.body_of(error)["category"] == "VALIDATION_ERROR"
    # The documented way past the cap: restart after the last id seen.
    last_id = last_ok.results[-1].id
    rest = client.crm.objects.search_api.do_search(
        "companies",
        PublicObjectSearchRequest(
            filter_groups=[{"filters": [*window[0]["filters"], f("hs_object_id", "GT", last_id)]}],
            sorts=sorts,
            limit=100,
            after="0",
        ),
    )
    assert rest.total == 50
    assert rest.results[0].id == str(int(last_id) + 1)


def test_object_id_can_compare_as_a_string(sandbox_factory, company_rows):
    rows = company_rows(3, first_id=998)  # ids 998, 999, 1000
    numeric = sandbox_factory({"companies": rows})
    string = sandbox_factory({"companies": rows}, object_id_compare="string")
    assert search_ids(numeric, [[f("hs_object_id", "GTE", "999")]]) == ["999", "1000"]
    assert search_ids(string, [[f("hs_object_id", "GTE", "999")]]) == ["999"]


def test_search_index_lag_hides_fresh_writes(sandbox_factory):
    sandbox = sandbox_factory(search_index_lag_ms=400)
    from hubspot.crm.companies import SimplePublicObjectInputForCreate

    made = sandbox.client().crm.companies.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"name": "Fresh Partner"})
    )
    groups = [[f("name", "EQ", "Fresh Partner")]]
    assert search_ids(sandbox, groups) == []
    time.sleep(0.45)
    assert search_ids(sandbox, groups) == [made.id]
