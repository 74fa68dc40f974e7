"""The OAuth refresh-token flow on httpx, tested with respx."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from pydantic import SecretStr

from adapters.calls import ApiCalls
from adapters.hubspot.auth import OAuthRefresher, StaticToken
from connector.errors import AuthError, ConfigError, RetryableError

BASE = "https://hubspot.test"
TOKEN_URL = f"{BASE}/oauth/v1/token"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secrets_() -> dict[str, str]:
    return {"client_secret": secrets.token_urlsafe(16), "refresh_token": secrets.token_urlsafe(16)}


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def refresher(secrets_: dict[str, str], clock: Clock, calls: ApiCalls) -> OAuthRefresher:
    return OAuthRefresher(
        BASE + "/",
        client_id="app-1",
        client_secret=SecretStr(secrets_["client_secret"]),
        refresh_token=SecretStr(secrets_["refresh_token"]),
        calls=calls,
        clock=clock,
    )


def granted(token: str, expires_in: int = 1800) -> httpx.Response:
    body = {
        "token_type": "bearer",
        "refresh_token": "r",
        "access_token": token,
        "expires_in": expires_in,
    }
    return httpx.Response(200, json=body)


def test_the_refresh_request_and_its_count(
    mock: respx.MockRouter, secrets_: dict[str, str]
) -> None:
    route = mock.post(TOKEN_URL).mock(return_value=granted("CN-1"))
    calls = ApiCalls("hubspot")
    auth = refresher(secrets_, Clock(), calls)
    assert auth.token() == "CN-1"
    assert auth.token() == "CN-1"
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    form = parse_qs(request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": ["app-1"],
        "client_secret": [secrets_["client_secret"]],
        "refresh_token": [secrets_["refresh_token"]],
    }
    assert calls.snapshot() == {"POST /oauth/v1/token": 1}
    auth.close()


def test_the_token_is_refreshed_ahead_of_expiry(
    mock: respx.MockRouter, secrets_: dict[str, str]
) -> None:
    route = mock.post(TOKEN_URL).mock(side_effect=[granted("CN-1"), granted("CN-2")])
    clock = Clock()
    auth = refresher(secrets_, clock, ApiCalls("hubspot"))
    assert auth.token() == "CN-1"
    clock.now += 1800 - 300 - 1  # still outside the 5-minute margin
    assert auth.token() == "CN-1"
    clock.now += 2  # inside it: refreshed while the old token still works
    assert auth.token() == "CN-2"
    assert route.call_count == 2
    auth.close()


def test_short_lived_tokens_keep_a_proportional_margin(
    mock: respx.MockRouter, secrets_: dict[str, str]
) -> None:
    mock.post(TOKEN_URL).mock(side_effect=[granted("CN-1", 60), granted("CN-2", 60)])
    clock = Clock()
    auth = refresher(secrets_, clock, ApiCalls("hubspot"))
    assert auth.token() == "CN-1"
    clock.now += 29
    assert auth.token() == "CN-1"
    clock.now += 2  # past half the lifetime
    assert auth.token() == "CN-2"
    auth.close()


def test_refresh_is_single_flight(mock: respx.MockRouter, secrets_: dict[str, str]) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)
        return granted("CN-1")

    route = mock.post(TOKEN_URL).mock(side_effect=slow)
    auth = refresher(secrets_, Clock(), ApiCalls("hubspot"))
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(auth.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["CN-1"] * 8
    assert route.call_count == 1
    auth.close()


def test_a_refused_refresh_is_an_auth_error_naming_no_secret_and_never_retried(
    mock: respx.MockRouter, secrets_: dict[str, str]
) -> None:
    body = {"status": "BAD_REFRESH_TOKEN", "message": f"unknown token {secrets_['refresh_token']}"}
    route = mock.post(TOKEN_URL).mock(return_value=httpx.Response(400, json=body))
    calls = ApiCalls("hubspot")
    auth = refresher(secrets_, Clock(), calls)
    with pytest.raises(AuthError) as first:
        auth.token()
    message = str(first.value)
    assert "BAD_REFRESH_TOKEN" in message
    assert "refresh_token" in message
    for secret in secrets_.values():
        assert secret not in message
    for _ in range(5):  # no storm: the refusal is remembered
        with pytest.raises(AuthError):
            auth.token()
    assert route.call_count == 1
    assert calls.total == 1
    assert auth.invalidate("anything") is False
    auth.close()


def test_a_transient_failure_keeps_the_valid_token_then_gives_up(
    mock: respx.MockRouter, secrets_: dict[str, str]
) -> None:
    route = mock.post(TOKEN_URL).mock(
        side_effect=[
            granted("CN-1"),
            httpx.Response(503),
            httpx.ConnectError("down"),
            granted("CN-2"),
        ]
    )
    clock = Clock()
    auth = refresher(secrets_, clock, ApiCalls("hubspot"))
    assert auth.token() == "CN-1"
    clock.now += 1600  # inside the margin, token valid until +1800
    assert auth.token() == "CN-1"  # 503: keep the old one
    assert auth.token() == "CN-1"  # paused: no new attempt yet
    assert route.call_count == 2
    clock.now += 300  # the old token is now dead
    with pytest.raises(RetryableError):
        auth.token()  # ConnectError, nothing to fall back on
    assert auth.token() == "CN-2"
    assert route.call_count == 4
    auth.close()


def test_invalidate_forces_one_refresh(mock: respx.MockRouter, secrets_: dict[str, str]) -> None:
    route = mock.post(TOKEN_URL).mock(side_effect=[granted("CN-1"), granted("CN-2")])
    auth = refresher(secrets_, Clock(), ApiCalls("hubspot"))
    assert auth.token() == "CN-1"
    assert auth.invalidate("CN-old") is True  # a stale token: the current one is kept
    assert auth.token() == "CN-1"
    assert auth.invalidate("CN-1") is True
    assert auth.token() == "CN-2"
    assert route.call_count == 2
    auth.close()


def test_an_unreadable_grant_is_retryable(mock: respx.MockRouter, secrets_: dict[str, str]) -> None:
    mock.post(TOKEN_URL).mock(return_value=httpx.Response(200, text="<html>"))
    auth = refresher(secrets_, Clock(), ApiCalls("hubspot"))
    with pytest.raises(RetryableError):
        auth.token()
    auth.close()


def test_a_bad_base_url_is_config(secrets_: dict[str, str]) -> None:
    auth = OAuthRefresher(
        "ftp://hubspot.test",
        client_id="a",
        client_secret=SecretStr("s"),
        refresh_token=SecretStr("r"),
        calls=ApiCalls("hubspot"),
    )
    with pytest.raises(ConfigError):
        auth.token()
    auth.close()


def test_a_private_app_token_is_static() -> None:
    token = StaticToken(SecretStr("pat-na1-x"))
    assert token.token() == "pat-na1-x"
    assert token.invalidate("pat-na1-x") is False
