"""Every exception hubspot-api-client (and urllib3 under it) can raise is translated."""

from __future__ import annotations

import inspect
import json
import ssl
from importlib import import_module
from typing import Any

import pytest
import urllib3.exceptions as u3

from adapters.hubspot.errors import SDK_PACKAGES, MalformedResponse, TokenRejected, translate
from connector.errors import (
    AuthError,
    BudgetExhausted,
    ConfigError,
    ConnectorError,
    CrmRefused,
    RateLimited,
    RecordRejected,
    RetryableError,
)

ENDPOINT = "POST /crm/v3/objects/companies/search"


class FakeResponse:
    """What the SDK's ApiException reads from a response."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status = status
        self.reason = "reason"
        self.data = json.dumps(body).encode() if body is not None else b""
        self._headers = headers or {}

    def getheaders(self) -> dict[str, str]:
        return self._headers


def translated(exc: BaseException, *, write: bool = False) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught, translate(ENDPOINT, write=write):
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


def sdk_classes() -> list[type[Exception]]:
    """Every exception class of every hubspot package the adapter uses."""
    found = []
    for package in SDK_PACKAGES:
        module = import_module(f"{package}.exceptions")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def make(cls: type[Exception]) -> Exception:
    if "ApiException" in [c.__name__ for c in cls.__mro__]:
        status = {
            "NotFoundException": 404,
            "UnauthorizedException": 401,
            "ForbiddenException": 403,
            "ServiceException": 503,
        }.get(cls.__name__, 400)
        return cls(http_resp=FakeResponse(status, {"message": "m", "category": "C"}))  # type: ignore[call-arg]
    return cls("bad model")


def test_every_sdk_exception_class_of_every_package_is_mapped() -> None:
    classes = sdk_classes()
    names = {cls.__name__ for cls in classes}
    assert {
        "ApiException",
        "NotFoundException",
        "UnauthorizedException",
        "ForbiddenException",
        "ServiceException",
        "ApiTypeError",
        "ApiValueError",
        "ApiAttributeError",
        "ApiKeyError",
        "OpenApiException",
    } <= names
    assert len(classes) >= 10 * len(SDK_PACKAGES)
    for cls in classes:
        error = translated(make(cls))
        expected = {
            "NotFoundException": ConfigError,
            "UnauthorizedException": TokenRejected,
            "ForbiddenException": AuthError,
            "ServiceException": RetryableError,
            "ApiException": CrmRefused,
        }.get(cls.__name__, RetryableError)
        assert type(error) is expected, cls


def test_every_urllib3_error_is_mapped() -> None:
    for _, cls in inspect.getmembers(u3, inspect.isclass):
        if not issubclass(cls, u3.HTTPError):
            continue
        error = translated(_instance(cls))
        if issubclass(cls, (u3.LocationValueError, u3.ProxySchemeUnsupported)):
            assert isinstance(error, ConfigError), cls
        else:
            assert isinstance(error, RetryableError), cls


def _instance(cls: type[u3.HTTPError]) -> u3.HTTPError:
    for args in ((), ("boom",), (None, "boom"), (None, "/", "boom"), (None, "boom", 1)):
        try:
            return cls(*args)
        except (TypeError, AttributeError):
            continue
    # A constructor that wants a live response (InvalidChunkLength): the class is what counts.
    exc = cls.__new__(cls)
    Exception.__init__(exc, "boom")
    return exc


def test_resets_and_exhausted_retries_are_retryable() -> None:
    reset = u3.ProtocolError("Connection broken", ConnectionResetError(104, "reset"))
    assert isinstance(translated(reset), RetryableError)
    exhausted = u3.MaxRetryError(
        None, "/crm/v3/objects/companies", u3.ReadTimeoutError(None, "/", "t")
    )  # type: ignore[arg-type]
    assert isinstance(translated(exhausted), RetryableError)
    assert isinstance(translated(ConnectionRefusedError()), RetryableError)


def test_certificate_failures_are_config() -> None:
    inner = ssl.SSLCertVerificationError("certificate verify failed")
    wrapped = u3.SSLError(inner)
    assert isinstance(translated(wrapped), ConfigError)
    assert isinstance(translated(u3.SSLError("handshake timed out")), RetryableError)


API = import_module("hubspot.crm.objects.exceptions")


def api(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Exception:
    exc: Exception = API.ApiException(http_resp=FakeResponse(status, body, headers))
    return exc


def test_429_with_and_without_retry_after() -> None:
    body = {
        "status": "error",
        "errorType": "RATE_LIMIT",
        "policyName": "TEN_SECONDLY_ROLLING",
        "message": "You have reached your ten_secondly_rolling limit.",
    }
    limited = translated(api(429, body, {"Retry-After": "3"}))
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 3.0
    bare = translated(api(429, body))
    assert isinstance(bare, RateLimited)
    assert bare.retry_after is None
    search = translated(api(429, {**body, "policyName": "SECONDLY"}, {"retry-after": "1"}))
    assert isinstance(search, RateLimited)
    assert search.retry_after == 1.0


def test_a_daily_429_is_budget_exhausted_with_a_reset_estimate() -> None:
    daily = translated(api(429, {"errorType": "RATE_LIMIT", "policyName": "DAILY", "message": "x"}))
    assert isinstance(daily, BudgetExhausted)
    assert daily.resets_at is not None
    assert daily.resets_at.hour == 0
    assert "estimate" in str(daily)


def test_statuses_by_consequence() -> None:
    missing = {
        "category": "VALIDATION_ERROR",
        "message": 'Property "pp_x" does not exist',
        "errors": [{"code": "PROPERTY_DOESNT_EXIST"}],
    }
    assert isinstance(translated(api(400, missing)), ConfigError)
    assert "partnerpulse setup" in str(translated(api(400, missing)))
    assert isinstance(translated(api(400, {"category": "VALIDATION_ERROR"})), CrmRefused)
    assert isinstance(translated(api(400, {"category": "X"}), write=True), RecordRejected)
    assert isinstance(translated(api(409, {"category": "CONFLICT"}), write=True), RecordRejected)
    assert isinstance(translated(api(404, {}), write=True), RecordRejected)
    for status in (408, 423, 425, 500, 502, 503, 504, 530):
        assert isinstance(translated(api(status, {})), RetryableError), status
    assert isinstance(
        translated(API.ApiException(status=0, reason="SSLError\nbad cert")), ConfigError
    )
    assert isinstance(
        translated(API.ApiException(status=0, reason="Failed to parse")), RetryableError
    )
    assert isinstance(translated(MalformedResponse("half a body")), RetryableError)


def test_401_names_the_category_and_no_secret() -> None:
    token = "pat-na1-0123456789abcdef"
    exc = API.UnauthorizedException(
        http_resp=FakeResponse(
            401,
            {
                "category": "EXPIRED_AUTHENTICATION",
                "message": "The OAuth token used to make this call expired 3 second(s) ago.",
            },
            {"Authorization": f"Bearer {token}"},
        )
    )
    error = translated(exc)
    assert isinstance(error, TokenRejected)
    assert isinstance(error, AuthError)
    assert error.category == "EXPIRED_AUTHENTICATION"
    assert token not in str(error)
    assert token in str(exc)  # the SDK's own message would have leaked it


def test_connector_errors_pass_through_untouched() -> None:
    original = RateLimited("slow down", retry_after=2)
    with pytest.raises(RateLimited) as caught, translate(ENDPOINT):
        raise original
    assert caught.value is original
