"""Faults, token expiry, rate limits and the daily budget, against the sandbox over sockets."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from connector.errors import AuthError, BudgetExhausted
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox, drain, ids_of

STREAMS = ("owners", "companies", "calls", "emails", "meetings", "deals", "tickets")


def pull_ids(sandbox: Sandbox, **kw: object) -> tuple[dict[str, list[object]], object]:
    """Every record of a full pull, per stream, in id order (compared by value)."""
    adapter = sandbox.adapter(**kw)  # type: ignore[arg-type]
    pulled: dict[str, list[object]] = {}
    for stream in STREAMS:
        pages, _ = drain(adapter.pull(stream, None, full=True))
        assert len(ids_of(pages)) == len(set(ids_of(pages)))
        pulled[stream] = sorted((r for p in pages for r in p.records), key=lambda r: r.ref.id)
    return pulled, adapter


def test_faults_end_with_the_same_records_and_every_call_counted(
    make_sandbox: SandboxFactory,
) -> None:
    faulty = make_sandbox()
    expected, _ = pull_ids(faulty)  # before any fault
    faulty.reset_stats()
    faulty.faults(
        "hubspot.429=0.05,hubspot.429-no-retry-after=0.05,hubspot.503=0.02,"
        "hubspot.reset=0.02,hubspot.malformed-json=0.02",
        seed=8,
    )
    waits: list[float] = []
    total = retries = limited = 0
    for _ in range(3):  # enough calls (~70) for every kind of fault to turn up
        pulled, adapter = pull_ids(faulty, sleep=waits.append)
        assert pulled == expected
        total += adapter.calls.total  # type: ignore[attr-defined]
        retries += adapter.calls.retries  # type: ignore[attr-defined]
        limited += adapter.calls.rate_limited  # type: ignore[attr-defined]
    stats = faulty.sandbox_stats()
    injected = stats["faults_injected"]
    assert {"429", "429-no-retry-after", "reset"} <= set(injected), injected
    assert len(injected) >= 4, injected  # seed 8: all five kinds with today's sandbox
    assert total == stats["total_calls"]
    assert retries == sum(injected.values())
    assert limited == stats["rate_limited"]
    assert 1.0 in waits  # Retry-After honoured; jittered backoff otherwise


def test_an_oauth_token_dying_mid_run_is_refreshed(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox()
    expected, _ = pull_ids(sandbox)  # private-app token, no faults
    sandbox.reset_stats()
    sandbox.faults("hubspot.token-expiry=7")
    pulled, adapter = pull_ids(sandbox, oauth=True)
    assert pulled == expected
    stats = sandbox.sandbox_stats()
    refreshes = stats["calls"]["POST /oauth/v1/token"]
    assert refreshes == stats["faults_injected"]["token-expiry"] + 1
    assert adapter.calls.total == stats["total_calls"]  # type: ignore[attr-defined]
    assert adapter.calls.snapshot()["POST /oauth/v1/token"] == refreshes  # type: ignore[attr-defined]


def test_an_expiring_oauth_token_is_refreshed_ahead_of_time(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(access_token_ttl_s=1.0)
    adapter = sandbox.adapter(oauth=True)
    for _ in range(3):
        drain(adapter.pull("owners", None, full=True))
        time.sleep(0.6)  # past half the lifetime: refreshed before HubSpot would refuse it
    stats = sandbox.sandbox_stats()
    assert stats["statuses"].get("401", 0) == 0
    assert stats["calls"]["POST /oauth/v1/token"] >= 2


def test_a_refused_refresh_stops_with_an_auth_error_and_no_storm(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = make_sandbox()
    sandbox.refresh_token = "not-the-real-one"
    adapter = sandbox.adapter(oauth=True)
    with pytest.raises(AuthError) as caught:
        drain(adapter.pull("companies", None, full=True))
    assert "BAD_REFRESH_TOKEN" in str(caught.value)
    assert sandbox.client_secret not in str(caught.value)
    with pytest.raises(AuthError):
        drain(adapter.pull("calls", None, full=True))
    assert sandbox.sandbox_stats()["total_calls"] == 1


def test_a_wrong_private_app_token_is_an_auth_error(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox()
    sandbox.token = "pat-na1-wrong"
    adapter = sandbox.adapter()
    with pytest.raises(AuthError) as caught:
        drain(adapter.pull("companies", None, full=True))
    assert "INVALID_AUTHENTICATION" in str(caught.value)
    assert "pat-na1-wrong" not in str(caught.value)
    assert sandbox.sandbox_stats()["total_calls"] == 1


def test_a_paced_run_at_professional_limits_stays_under_one_percent_429s(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = make_sandbox(rate_limits=True, tier="professional")
    started = time.monotonic()
    pulled, adapter = pull_ids(sandbox, sleep=time.sleep, tier="professional")
    counts = [adapter.count(s) for s in STREAMS if s != "owners"]  # type: ignore[attr-defined]
    elapsed = time.monotonic() - started
    stats = sandbox.sandbox_stats()
    assert stats["rate_limited"] <= 0.01 * stats["total_calls"]
    searches = sum(n for k, n in stats["calls"].items() if k.endswith("/search"))
    # near the rate-limit bound (5 searches/s), not far above it
    assert elapsed < searches / 5.0 * 1.5 + 2.0
    assert all(pulled.values())
    assert counts[1:] == [len(pulled[s]) for s in STREAMS[2:]]


def test_the_daily_reserve_stops_the_run_cleanly(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(rate_limits=True)
    sandbox.limits(daily_limit=1_000, daily_used=795)
    adapter = sandbox.adapter(daily_reserve=0.2)

    def pull_everything() -> None:
        for stream in STREAMS:
            drain(adapter.pull(stream, None, full=True))

    with pytest.raises(BudgetExhausted) as caught:
        pull_everything()
    assert caught.value.resets_at is not None
    assert caught.value.resets_at > datetime.now(UTC)
    assert sandbox.sandbox_stats()["daily_used"] <= 800  # the reserve is untouched
    budget = adapter.budget()
    assert budget["limit"] == 1_000
    assert budget["remaining"] == 0


def test_a_spent_daily_limit_is_budget_exhausted(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(rate_limits=True)
    sandbox.limits(daily_limit=1_000, daily_used=1_000)
    adapter = sandbox.adapter()
    with pytest.raises(BudgetExhausted, match="daily"):
        drain(adapter.pull("companies", None, full=True))
    assert sandbox.sandbox_stats()["total_calls"] == 1  # not retried
