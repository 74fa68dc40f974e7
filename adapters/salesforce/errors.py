"""The one place Salesforce, requests and httpx exceptions become connector errors.

Everything the adapter sends runs inside :func:`translated`; nothing from
``simple_salesforce``, ``requests`` or ``httpx`` escapes it. Two private kinds steer the
adapter itself: :class:`SessionExpired` (refresh the token once, replay) and
:class:`QueryTimeout` (shrink the time window); left uncaught they are an ordinary
:class:`AuthError` and :class:`RetryableError`.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import requests
from simple_salesforce import exceptions as sfe

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

_MAX_DETAIL = 300
_CA_HINT = "set [salesforce].ca_bundle to the CA that signed the server's certificate"


class SessionExpired(AuthError):
    """401 INVALID_SESSION_ID: the token died; the adapter refreshes it once and replays."""


class QueryTimeout(RetryableError):
    """400 QUERY_TIMEOUT: the adapter splits the time window and asks again."""


class LocatorExpired(RetryableError):
    """INVALID_QUERY_LOCATOR: the adapter re-queries from the last record it read."""


def error_code(content: Any) -> tuple[str, str]:
    """``(errorCode, message)`` of a Salesforce error body (a JSON array), or ``("", text)``."""
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except ValueError:
            return "", _short(content)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return str(first.get("errorCode", "")), _short(_salient(first.get("message", "")))
    if isinstance(content, dict):
        return str(content.get("errorCode") or content.get("error") or ""), _short(
            content.get("message") or content.get("error_description") or ""
        )
    return "", _short(content)


def bad_request(error: BaseException) -> tuple[str, str] | None:
    """``(errorCode, message)`` when ``error`` came from a 400 answer, which refuses a whole
    request and applies none of it (a collection naming a field the org lacks); else None."""
    cause = error.__cause__
    if isinstance(cause, sfe.SalesforceError) and cause.status == 400:
        return error_code(cause.content)
    return None


def _salient(message: Any) -> Any:
    """What a SOQL error says, without the query Salesforce echoes before it (the query, a
    caret under the column, ``ERROR at Row:1:Column:9``, then ``No such column 'X' on
    entity 'Account'. ...``): the echo would fill the message and cut off the field named."""
    if not isinstance(message, str):
        return message
    _, marker, rest = message.rpartition("\nERROR at Row:")
    if not marker:
        return message
    _, _, said = rest.partition("\n")
    return " ".join(said.split()) or message


def _short(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "..."


def budget_exhausted(what: str, message: str) -> BudgetExhausted:
    """Salesforce's daily allocation is a rolling 24 h window: the reset is an estimate."""
    resets_at = datetime.now(UTC) + timedelta(hours=24)
    return BudgetExhausted(
        f"Salesforce refused {what}: the org's daily API allocation is spent ({message}); "
        "it is a rolling 24-hour window, so calls free up as day-old ones age out — "
        f"resume after about {resets_at:%Y-%m-%d %H:%M} UTC (estimated)",
        resets_at=resets_at,
    )


def _from_salesforce(what: str, exc: sfe.SalesforceError, retry_after: float | None) -> Exception:
    code, message = error_code(exc.content)
    status = exc.status
    detail = f"{code}: {message}" if code else message
    if isinstance(exc, sfe.SalesforceAuthenticationFailed):
        return AuthError(f"Salesforce refused the login for {what}: {exc.code} — check credentials")
    if status == 401:
        if code == "INVALID_SESSION_ID":
            return SessionExpired(f"Salesforce session expired during {what}")
        return AuthError(f"Salesforce refused {what} (401 {detail}) — check the credentials")
    if status == 403:
        if code == "REQUEST_LIMIT_EXCEEDED" and "concurrent" in message.lower():
            return RateLimited(f"Salesforce concurrency limit during {what}: {detail}", 30.0)
        if code == "REQUEST_LIMIT_EXCEEDED":
            return budget_exhausted(what, detail)
        return CrmRefused(
            f"Salesforce refused {what} (403 {detail}) — "
            "give the integration user API access and read access to the object"
        )
    if status == 400:
        if code == "QUERY_TIMEOUT":
            return QueryTimeout(f"Salesforce timed out on {what}: {detail}")
        if code == "INVALID_QUERY_LOCATOR":
            return LocatorExpired(f"Salesforce dropped the query cursor of {what}: {detail}")
        if code in ("INVALID_FIELD", "INVALID_TYPE", "INVALID_FIELD_FOR_INSERT_UPDATE"):
            return ConfigError(
                f"Salesforce rejected {what}: {detail} — fix [mappings.salesforce] "
                "or create the field, then run `partnerpulse check`"
            )
        return CrmRefused(f"Salesforce rejected {what} (400 {detail})")
    if isinstance(exc, sfe.SalesforceMoreThanOneRecord) or status == 404:
        return RecordRejected(f"Salesforce: {what} ({status} {detail})", system="salesforce")
    if status in (420, 429) or code == "REQUEST_LIMIT_EXCEEDED":
        return RateLimited(f"Salesforce throttled {what} ({status})", retry_after)
    if status >= 500 or status in (406, 408):
        return RetryableError(f"Salesforce failed {what} ({status} {detail})")
    return CrmRefused(f"Salesforce refused {what} ({status} {detail})")


def _is_certificate_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(
            seen
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _from_transport(what: str, exc: Exception) -> Exception:
    kind = type(exc).__name__
    if _is_certificate_problem(exc):
        return ConfigError(f"TLS verification failed for {what} — {_CA_HINT}")
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.URLRequired
        | requests.exceptions.MissingSchema,
    ):
        return ConfigError(f"bad Salesforce URL for {what} ({kind}) — check [salesforce] URLs")
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.InvalidHeader):
        return ConfigError(f"bad request for {what} ({kind}) — check [salesforce] URLs")
    if isinstance(exc, requests.exceptions.InvalidJSONError) and not isinstance(
        exc, requests.exceptions.JSONDecodeError
    ):
        return CrmRefused(f"could not encode {what} as JSON ({kind})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigError(f"bad Salesforce URL for {what} ({kind}) — check [salesforce].login_url")
    if isinstance(exc, requests.exceptions.TooManyRedirects | httpx.TooManyRedirects):
        return CrmRefused(f"Salesforce redirected {what} too often — check the URLs")
    if isinstance(exc, httpx.StreamError | httpx.CookieConflict | httpx.HTTPStatusError):
        return CrmRefused(f"HTTP client error during {what} ({kind})")
    return RetryableError(f"network trouble during {what} ({kind}); will retry")


@contextmanager
def translated(
    what: str, *, retry_after: Callable[[], float | None] = lambda: None
) -> Iterator[None]:
    """Run a Salesforce call; re-raise whatever it throws as a connector error.

    ``what`` names the call in messages ("query Account"); ``retry_after`` reads the last
    response's ``Retry-After`` so a throttle carries its hint.
    """
    try:
        yield
    except ConnectorError:
        raise
    except sfe.SalesforceError as exc:
        raise _from_salesforce(what, exc, retry_after()) from exc
    except sfe.SalesforceOperationError as exc:
        raise CrmRefused(f"Salesforce bulk job for {what} failed: {_short(exc)}") from exc
    except json.JSONDecodeError as exc:
        raise RetryableError(f"Salesforce sent malformed JSON for {what}; will retry") from exc
    except (requests.exceptions.RequestException, httpx.HTTPError) as exc:
        raise _from_transport(what, exc) from exc
    except (httpx.StreamError, httpx.InvalidURL, httpx.CookieConflict) as exc:
        raise _from_transport(what, exc) from exc
