"""Every exception simple-salesforce, requests and httpx raise comes out as a connector error."""

from __future__ import annotations

import inspect
import json
import ssl
from collections.abc import Callable
from types import ModuleType

import httpx
import pytest
import requests
from simple_salesforce import exceptions as sfe

from adapters.salesforce.errors import (
    LocatorExpired,
    QueryTimeout,
    SessionExpired,
    error_code,
    translated,
)
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

URL = "https://acme.my.example.test/services/data/v59.0/query/?q=SELECT"


def body(code: str, message: str = "details") -> bytes:
    return json.dumps([{"message": message, "errorCode": code}]).encode()


def classes(module: ModuleType, base: type[BaseException]) -> list[type[BaseException]]:
    return sorted(
        (
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, base) and not issubclass(cls, Warning)
        ),
        key=lambda cls: cls.__name__,
    )


def raised(exc: BaseException, retry_after: float | None = None) -> ConnectorError:
    with (
        pytest.raises(ConnectorError) as caught,
        translated("query Account", retry_after=lambda: retry_after),
    ):
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


SALESFORCE: dict[str, tuple[Callable[[], BaseException], type[ConnectorError]]] = {
    "SalesforceError": (lambda: sfe.SalesforceError(URL, 418, "q", b"teapot"), CrmRefused),
    "SalesforceMoreThanOneRecord": (
        lambda: sfe.SalesforceMoreThanOneRecord(URL, 300, "q", b"[]"),
        RecordRejected,
    ),
    "SalesforceMalformedRequest": (
        lambda: sfe.SalesforceMalformedRequest(URL, 400, "q", body("MALFORMED_QUERY")),
        CrmRefused,
    ),
    "SalesforceExpiredSession": (
        lambda: sfe.SalesforceExpiredSession(URL, 401, "q", body("INVALID_SESSION_ID")),
        SessionExpired,
    ),
    "SalesforceRefusedRequest": (
        lambda: sfe.SalesforceRefusedRequest(URL, 403, "q", body("INSUFFICIENT_ACCESS")),
        CrmRefused,
    ),
    "SalesforceResourceNotFound": (
        lambda: sfe.SalesforceResourceNotFound(URL, 404, "q", body("NOT_FOUND")),
        RecordRejected,
    ),
    "SalesforceAuthenticationFailed": (
        lambda: sfe.SalesforceAuthenticationFailed("INVALID_LOGIN", "bad"),
        AuthError,
    ),
    "SalesforceGeneralError": (
        lambda: sfe.SalesforceGeneralError(URL, 503, "q", b"unavailable"),
        RetryableError,
    ),
    "SalesforceOperationError": (lambda: sfe.SalesforceOperationError("Job failure"), CrmRefused),
    "SalesforceBulkV2LoadError": (lambda: sfe.SalesforceBulkV2LoadError("x"), CrmRefused),
    "SalesforceBulkV2ExtractError": (lambda: sfe.SalesforceBulkV2ExtractError("x"), CrmRefused),
}


def test_every_simple_salesforce_exception_is_mapped() -> None:
    found = {cls.__name__ for cls in classes(sfe, Exception)}
    assert found == set(SALESFORCE), "a new simple-salesforce exception needs a mapping"
    for name, (make, expected) in SALESFORCE.items():
        exc = make()
        assert type(exc).__name__ == name
        assert type(raised(exc)) is expected, name


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (sfe.SalesforceExpiredSession(URL, 401, "q", body("INVALID_SESSION_ID")), SessionExpired),
        (sfe.SalesforceExpiredSession(URL, 401, "q", body("INVALID_AUTH_HEADER")), AuthError),
        (sfe.SalesforceExpiredSession(URL, 401, "q", "not json"), AuthError),
        (
            sfe.SalesforceRefusedRequest(
                URL, 403, "q", body("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            ),
            BudgetExhausted,
        ),
        (
            sfe.SalesforceRefusedRequest(
                URL,
                403,
                "q",
                body("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."),
            ),
            RateLimited,
        ),
        (sfe.SalesforceMalformedRequest(URL, 400, "q", body("QUERY_TIMEOUT")), QueryTimeout),
        (
            sfe.SalesforceMalformedRequest(URL, 400, "q", body("INVALID_QUERY_LOCATOR")),
            LocatorExpired,
        ),
        (sfe.SalesforceMalformedRequest(URL, 400, "q", body("INVALID_FIELD")), ConfigError),
        (sfe.SalesforceMalformedRequest(URL, 400, "q", body("INVALID_TYPE")), ConfigError),
        (sfe.SalesforceGeneralError(URL, 500, "q", b""), RetryableError),
        (sfe.SalesforceGeneralError(URL, 502, "q", b"<html>"), RetryableError),
        (sfe.SalesforceGeneralError(URL, 409, "q", b""), CrmRefused),
    ],
)
def test_salesforce_errors_by_code(exc: sfe.SalesforceError, expected: type[Exception]) -> None:
    assert type(raised(exc)) is expected


def test_429_is_rate_limited_with_the_servers_hint() -> None:
    error = raised(sfe.SalesforceGeneralError(URL, 429, "q", b""), retry_after=12.0)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 12.0


def test_the_daily_limit_stops_with_an_estimated_reset() -> None:
    error = raised(
        sfe.SalesforceRefusedRequest(URL, 403, "q", body("REQUEST_LIMIT_EXCEEDED", "TotalRequests"))
    )
    assert isinstance(error, BudgetExhausted)
    assert error.resets_at is not None
    assert "estimated" in str(error)
    assert error.exit_code == 3


REQUESTS_EXPECTED: dict[str, type[ConnectorError]] = {
    "InvalidURL": ConfigError,
    "URLRequired": ConfigError,
    "MissingSchema": ConfigError,
    "InvalidSchema": ConfigError,
    "InvalidHeader": ConfigError,
    "InvalidProxyURL": ConfigError,
    "InvalidJSONError": CrmRefused,
    "TooManyRedirects": CrmRefused,
}


def test_every_requests_exception_is_mapped() -> None:
    for cls in classes(requests.exceptions, requests.exceptions.RequestException):
        exc = cls("boom") if cls is not requests.exceptions.JSONDecodeError else cls("x", "{", 1)
        error = raised(exc)
        expected = REQUESTS_EXPECTED.get(cls.__name__, RetryableError)
        assert type(error) is expected, cls.__name__


def test_every_httpx_exception_is_mapped() -> None:
    request = httpx.Request("POST", "https://login.example.test/services/oauth2/token")
    for cls in classes(httpx, Exception):
        if cls is httpx.HTTPStatusError:
            exc: BaseException = cls("x", request=request, response=httpx.Response(500))
        else:
            try:
                exc = cls("boom")
            except TypeError:
                exc = cls()  # httpx's stream errors take no message
        error = raised(exc)
        if issubclass(cls, httpx.TransportError) and cls is not httpx.UnsupportedProtocol:
            assert type(error) is RetryableError, cls.__name__


def test_a_certificate_failure_points_at_ca_bundle() -> None:
    inner = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    outer = requests.exceptions.SSLError("HTTPSConnectionPool: Max retries exceeded")
    outer.__context__ = inner
    error = raised(outer)
    assert isinstance(error, ConfigError)
    assert "ca_bundle" in str(error)
    assert type(raised(requests.exceptions.SSLError("EOF occurred in violation"))) is RetryableError


def test_malformed_json_is_retryable() -> None:
    with pytest.raises(RetryableError, match="malformed JSON"), translated("query Account"):
        json.loads('{"records": [')


def test_connector_errors_pass_through_and_others_are_not_swallowed() -> None:
    original = AuthError("already ours")
    with pytest.raises(AuthError) as caught, translated("x"):
        raise original
    assert caught.value is original
    with pytest.raises(KeyError), translated("x"):
        raise KeyError("a bug stays a bug")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (body("QUERY_TIMEOUT", "too long"), ("QUERY_TIMEOUT", "too long")),
        ([{"errorCode": "X", "message": "m"}], ("X", "m")),
        ({"error": "invalid_grant", "error_description": "d"}, ("invalid_grant", "d")),
        (b"<html>oops</html>", ("", "<html>oops</html>")),
        ("x" * 400, ("", "x" * 300 + "...")),
    ],
)
def test_error_code(content: object, expected: tuple[str, str]) -> None:
    assert error_code(content) == expected
