"""A faulty org: throttles, outages, resets, dead tokens and a spent budget, over real TLS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.salesforce import SalesforceAdapter
from connector.errors import AuthError, BudgetExhausted
from connector.model import AnyRecord
from connector.ports import Cursor
from tests.adapters_salesforce.harness import Sandbox

STREAMS = ("User", "Account", "Task", "Event", "Opportunity", "Case")


def everything(adapter: SalesforceAdapter, *, full: bool = False) -> dict[str, list[AnyRecord]]:
    out = {}
    for stream in STREAMS:
        records = [r for p in adapter.pull(stream, None, full=full) for r in p.records]
        out[stream] = sorted(records, key=lambda r: r.ref.id)
    return out


def drain(adapter: SalesforceAdapter, cursors: dict[str, Cursor]) -> None:
    """Pull every stream, keeping each committed page's cursor as the engine would."""
    for stream in STREAMS:
        for page in adapter.pull(stream, None, full=False):
            cursors[stream] = page.cursor


@pytest.fixture
def baseline(sandbox: Sandbox) -> dict[str, list[AnyRecord]]:
    records = everything(sandbox.adapter(page_size=200))
    sandbox.post("stats/reset", {})
    return records


def test_throttles_outages_and_resets_end_with_the_same_records(
    sandbox: Sandbox, baseline: dict[str, list[AnyRecord]]
) -> None:
    sandbox.faults("salesforce.429=0.1,salesforce.503=0.05,salesforce.reset=0.05", seed=5)
    adapter = sandbox.adapter(page_size=200)
    assert everything(adapter) == baseline
    stats = sandbox.stats()
    injected = stats["faults_injected"]
    assert injected.get("429", 0) > 0
    assert injected.get("503", 0) + injected.get("reset", 0) > 0
    assert adapter.calls.total == stats["total_calls"]
    assert adapter.calls.rate_limited == stats["rate_limited"]
    assert adapter.calls.retries == sum(injected.values())
    assert 1.0 in sandbox.sleeps.slept  # the 429s' Retry-After was honoured


def test_the_brief_fault_mix_on_bulk_too(
    sandbox: Sandbox, baseline: dict[str, list[AnyRecord]]
) -> None:
    sandbox.faults(
        "salesforce.429=0.05,salesforce.503=0.02,salesforce.reset=0.02,"
        "salesforce.malformed-json=0.05",
        seed=11,
    )
    adapter = sandbox.adapter(page_size=200, bulk_threshold=5)
    assert everything(adapter) == baseline
    assert adapter.calls.total == sandbox.stats()["total_calls"]


def test_token_expiry_costs_one_refresh_per_expiry(
    sandbox: Sandbox, baseline: dict[str, list[AnyRecord]]
) -> None:
    sandbox.faults("salesforce.token-expiry=7")
    adapter = sandbox.adapter(page_size=200)
    assert everything(adapter) == baseline
    expiries = sandbox.stats()["faults_injected"]["token-expiry"]
    assert expiries >= 2
    assert adapter.session.refreshes == expiries
    assert adapter.calls.snapshot()["token"] == 1 + expiries
    assert adapter.calls.total == sandbox.stats()["total_calls"]


def test_bulk_jobs_survive_a_dead_token(
    sandbox: Sandbox, baseline: dict[str, list[AnyRecord]]
) -> None:
    sandbox.faults("salesforce.token-expiry=3")
    adapter = sandbox.adapter(bulk_threshold=5)
    assert everything(adapter) == baseline
    expiries = sandbox.stats()["faults_injected"]["token-expiry"]
    assert adapter.calls.snapshot()["jobs/query"] >= 5
    assert adapter.session.refreshes == expiries
    assert adapter.calls.snapshot()["token"] == 1 + expiries


def test_bad_credentials_fail_once_and_name_no_secret(sandbox: Sandbox) -> None:
    wrong = sandbox.secrets_dir / "wrong_secret"
    wrong.write_text("wrong-" + sandbox.consumer_key, encoding="utf-8")
    adapter = sandbox.adapter(client_secret_file=wrong)
    with pytest.raises(AuthError, match="invalid_client") as caught:
        adapter.count("Case")
    assert "wrong-" not in str(caught.value)
    assert adapter.calls.snapshot() == {"token": 1}  # refused is final: no retry storm
    assert sandbox.stats()["total_calls"] == 1


def test_a_refused_refresh_stops_after_one_attempt(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    adapter.count("Case")
    sandbox.post("sessions/expire", {})
    adapter.tokens.config = sandbox.config(client_id="not-the-app")
    with pytest.raises(AuthError, match="invalid_client_id"):
        adapter.count("Case")
    assert adapter.calls.snapshot() == {"query": 2, "token": 2}
    assert adapter.session.refreshes == 0


def test_the_reserve_stops_cleanly_before_it_is_touched(sandbox: Sandbox) -> None:
    sandbox.post("limits", {"daily_limit": 100, "daily_used": 70})
    adapter = sandbox.adapter(page_size=200, daily_reserve=0.2)
    cursors: dict[str, Cursor] = {}
    with pytest.raises(BudgetExhausted) as caught:
        drain(adapter, cursors)
    stats = sandbox.stats()
    assert stats["daily_used"] == 80  # the allowance exactly: 100 x (1 - 0.2)
    assert adapter.calls.total == stats["total_calls"]
    error = caught.value
    assert error.resets_at is not None
    assert "20% is kept for other integrations" in str(error)
    assert error.exit_code == 3
    budget = adapter.budget()
    assert budget["used"] == 80
    assert budget["remaining"] == 0
    assert budget["resets_at"] is not None
    assert cursors  # the pages before the stop carry cursors the engine keeps


def test_a_spent_allocation_is_budget_exhausted_not_retried(sandbox: Sandbox) -> None:
    sandbox.post("limits", {"daily_limit": 1000, "daily_used": 1000})
    adapter = sandbox.adapter()
    with pytest.raises(BudgetExhausted) as caught:
        adapter.count("Account")
    assert caught.value.resets_at is not None
    assert adapter.calls.snapshot() == {"query": 1, "token": 1}
    assert sandbox.sleeps.slept == []
    with pytest.raises(BudgetExhausted):
        adapter.count("Account")  # now known before sending: no second call
    assert adapter.calls.snapshot() == {"query": 1, "token": 1}


def test_budget_reports_usage(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter(daily_reserve=0.5)
    assert adapter.budget()["used"] is None
    adapter.count("User")
    budget = adapter.budget()
    assert budget["limit"] == 15000
    assert budget["allowance"] == 7500
    assert budget["used"] == sandbox.stats()["daily_used"]
    assert budget["calls_this_run"] == 2
    assert budget["resets_at_estimated"] is True
    assert isinstance(adapter.deletion_window, timedelta)
