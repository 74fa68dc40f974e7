"""Rate limits (10-second, search per-second, daily), headers, tokens and OAuth refresh."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from hubspot.crm.companies import BatchReadInputSimplePublicObjectId
from hubspot.crm.objects import PublicObjectSearchRequest

from sandbox.hubspot import HubSpotOptions


@pytest.mark.parametrize(
    ("tier", "window", "daily"),
    [
        ("free", 100, 250_000),
        ("starter", 100, 250_000),
        ("professional", 190, 625_000),
        ("enterprise", 190, 1_000_000),
    ],
)
def test_tier_presets(tier, window, daily):
    options = HubSpotOptions(tier=tier)
    assert (options.ten_secondly_max, options.daily_max) == (window, daily)


def test_burst_past_the_ten_second_limit_gets_429(sandbox_factory):
    # A free-tier portal whose 10-second allowance is lowered to 25, so the burst fits in the
    # window even on a loaded machine; the daily figures stay the tier's.
    sandbox = sandbox_factory(rate_limits=True, tier="free", ten_secondly_limit=25)
    remaining = []
    for _ in range(25):
        response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
        assert response.status == 200
        remaining.append(int(response.headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining[0] == 24
    assert remaining[-1] == 0
    assert response.headers["X-HubSpot-RateLimit-Max"] == "25"
    assert response.headers["X-HubSpot-RateLimit-Daily"] == "250000"
    assert response.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "249975"
    # A POST: urllib3's default Retry (which the client uses) would sleep out Retry-After on a GET.
    error = sandbox.error(
        lambda: sandbox.client().crm.companies.batch_api.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[{"id": "1001"}], properties=["name"], properties_with_history=[]
            )
        )
    )
    body = sandbox.body_of(error)
    assert error.status == 429
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["groupName"].startswith("publicapi:private-app-api-calls-ten-secondly:")
    assert 1 <= int(error.headers["Retry-After"]) <= 10
    assert sandbox.stats.snapshot()["rate_limited"] == 1


def test_retry_after_can_be_left_out(sandbox_factory):
    sandbox = sandbox_factory(rate_limits=True, ten_secondly_limit=2, retry_after_on_429=False)
    for _ in range(2):
        sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
    response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
    assert response.status == 429
    assert "Retry-After" not in response.headers


def test_search_has_its_own_per_second_limit(sandbox_factory):
    sandbox = sandbox_factory(rate_limits=True)
    search = sandbox.client().crm.objects.search_api
    request = PublicObjectSearchRequest(limit=1)
    for _ in range(5):
        search.do_search("companies", request)
    error = sandbox.error(lambda: search.do_search("companies", request))
    body = sandbox.body_of(error)
    assert error.status == 429
    assert body["policyName"] == "SECONDLY"
    assert body["message"] == "You have reached your secondly limit."
    assert not [h for h in error.headers if h.lower().startswith("x-hubspot-ratelimit")]
    assert sandbox.raw("GET", "/crm/v3/objects/companies?limit=1").status == 200  # other bucket
    time.sleep(1.05)
    assert search.do_search("companies", request).total == 250


def test_daily_limit(sandbox_factory):
    sandbox = sandbox_factory(rate_limits=True, daily_limit=3)
    for left in (2, 1, 0):
        response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1")
        assert response.headers["X-HubSpot-RateLimit-Daily-Remaining"] == str(left)
    error = sandbox.error(lambda: sandbox.client().crm.companies.basic_api.get_page(limit=1))
    assert sandbox.body_of(error)["policyName"] == "DAILY"
    assert sandbox.body_of(error)["message"] == "You have reached your daily limit."
    assert "Retry-After" not in error.headers
    state = sandbox.admin("POST", "limits", {"daily_limit": 10, "daily_used": 9})
    assert (state["daily_used"], state["daily_limit"]) == (9, 10)
    assert sandbox.raw("GET", "/crm/v3/objects/companies?limit=1").status == 200
    assert sandbox.raw("GET", "/crm/v3/objects/companies?limit=1").status == 429


def test_bad_or_missing_token_is_401_invalid_authentication(readonly_sandbox):
    for token in ("pat-na1-wrong", " "):
        response = readonly_sandbox.raw("GET", "/crm/v3/objects/companies", token=token)
        body = json.loads(response.data)
        assert response.status == 401
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["message"].startswith("Authentication credentials not found.")
    error = readonly_sandbox.error(
        lambda: readonly_sandbox.client(token="nope").crm.companies.basic_api.get_page()
    )
    assert error.status == 401


def test_oauth_refresh_short_ttl_and_expiry(sandbox_factory):
    client_id, secret, refresh = (secrets.token_hex(8) for _ in range(3))
    sandbox = sandbox_factory(
        client_id=client_id,
        client_secret=secret,
        refresh_tokens=(refresh,),
        access_token_ttl_s=0.5,
    )
    oauth = sandbox.client().oauth
    grant = oauth.tokens_api.create(
        grant_type="refresh_token", client_id=client_id, client_secret=secret, refresh_token=refresh
    )
    assert (grant.token_type, grant.refresh_token, grant.expires_in) == ("bearer", refresh, 0)
    user = sandbox.client(token=grant.access_token)
    assert user.crm.companies.basic_api.get_by_id("1001").id == "1001"
    info = oauth.access_tokens_api.get(grant.access_token)
    assert info.hub_id == sandbox.options.hub_id
    assert info.token == grant.access_token
    response = sandbox.raw("GET", "/crm/v3/objects/companies?limit=1", token=grant.access_token)
    assert "X-HubSpot-RateLimit-Max" in response.headers
    assert "X-HubSpot-RateLimit-Daily" not in response.headers  # not sent for OAuth calls
    time.sleep(0.55)
    expired = sandbox.error(lambda: user.crm.companies.basic_api.get_by_id("1001"))
    assert expired.status == 401
    assert sandbox.body_of(expired)["category"] == "EXPIRED_AUTHENTICATION"
    again = oauth.tokens_api.create(
        grant_type="refresh_token", client_id=client_id, client_secret=secret, refresh_token=refresh
    )
    assert sandbox.client(token=again.access_token).crm.companies.basic_api.get_by_id("1001")
    bad = sandbox.error(
        lambda: oauth.tokens_api.create(
            grant_type="refresh_token",
            client_id=client_id,
            client_secret=secret,
            refresh_token="not-it",
        )
    )
    assert bad.status == 400
    assert sandbox.body_of(bad)["status"] == "BAD_REFRESH_TOKEN"
