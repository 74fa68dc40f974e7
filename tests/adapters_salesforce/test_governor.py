"""The governor reads Sforce-Limit-Info and stops before the reserve; endpoints by template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.salesforce.governor import Governor, parse_limit_info
from adapters.salesforce.session import endpoint_of
from connector.errors import BudgetExhausted

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("api-usage=18/5000", (18, 5000)),
        ("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)", (25, 5000)),
        ("api-usage=0/15000", (0, 15000)),
        ("per-app-api-usage=17/250(appName=x)", None),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_parse_limit_info(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_limit_info(header) == expected


def test_it_stops_before_the_call_that_would_eat_the_reserve() -> None:
    governor = Governor(0.2, now=lambda: NOW)
    governor.before_call("query")  # usage unknown yet: the first call finds out
    governor.observe("api-usage=78/100")
    governor.before_call("query-next")  # 78 < 80
    governor.before_call("query-next")  # counted locally: 79 < 80
    with pytest.raises(BudgetExhausted) as caught:
        governor.before_call("query-next")
    assert caught.value.resets_at == NOW + timedelta(hours=24)
    message = str(caught.value)
    assert "80 of 100" in message or "used 80" in message
    assert "20% is kept for other integrations" in message
    assert "estimated" in message
    snapshot = governor.snapshot()
    assert snapshot["remaining"] == 0
    assert snapshot["resets_at"] == (NOW + timedelta(hours=24)).isoformat()
    assert snapshot["resets_at_estimated"] is True


def test_a_fresh_header_overrides_the_local_count() -> None:
    governor = Governor(0.5)
    governor.observe("api-usage=10/100")
    for _ in range(5):
        governor.before_call("query")
    governor.observe("api-usage=12/100")  # someone else's calls aged out of the window
    assert governor.snapshot()["used"] == 12
    assert governor.snapshot()["remaining"] == 38


def test_zero_reserve_uses_the_whole_allocation() -> None:
    governor = Governor(0.0)
    governor.observe("api-usage=99/100")
    governor.before_call("query")
    with pytest.raises(BudgetExhausted):
        governor.before_call("query")


@pytest.mark.parametrize(
    ("method", "url", "endpoint"),
    [
        ("GET", "https://h/services/data/v59.0/query/?q=SELECT+Id", "query"),
        ("GET", "https://h/services/data/v59.0/queryAll/?q=x", "queryAll"),
        ("GET", "https://h/services/data/v59.0/queryAll", "queryAll"),
        ("GET", "https://h/services/data/v59.0/query/01gSB000000001-2000", "query-next"),
        ("GET", "https://h/services/data/v59.0/queryAll/01gSB000000001-2000", "query-next"),
        ("POST", "https://h/services/data/v59.0/jobs/query", "jobs/query"),
        ("GET", "https://h/services/data/v59.0/jobs/query/750SB01", "jobs/query/{id}"),
        ("GET", "https://h/services/data/v59.0/jobs/query/750/results", "jobs/query/{id}/results"),
        ("DELETE", "https://h/services/data/v59.0/jobs/query/750SB01", "DELETE jobs/query/{id}"),
        ("GET", "https://h/services/data/v59.0/sobjects/Account/describe/", "describe"),
        ("GET", "https://h/services/data/v59.0/sobjects/", "describe-global"),
        ("GET", "https://h/services/data/v59.0/limits/", "limits"),
        ("PATCH", "https://h/services/data/v59.0/composite/sobjects", "PATCH composite"),
        ("PATCH", "https://h/services/data/v59.0/composite/sobjects/Task/Key__c",
         "PATCH composite/sobjects/{type}/{field}"),
        ("POST", "https://h/services/oauth2/token", "token"),
        ("GET", "https://h/services/apexrest/x", "other"),
    ],
)  # fmt: skip
def test_endpoint_templates(method: str, url: str, endpoint: str) -> None:
    assert endpoint_of(method, url) == endpoint
