"""The one place HubSpot client errors become the connector's errors.

Every SDK call runs inside :func:`translate`. hubspot-api-client generates one exception
module per API package (``hubspot.crm.objects.exceptions``, ``hubspot.crm.owners.exceptions``
...), each with its own ``ApiException`` tree, so the classes are collected from every package
the adapter uses and matched by tuple. urllib3 errors pass through the SDK untouched (we send
with ``retries=False``, so they are the original error, never ``MaxRetryError`` from a retry
we did not ask for, though that is mapped too).

Mapping (reads; ``write=True`` turns a refusal of one record into ``RecordRejected``)::

    401                          TokenRejected (an AuthError; the client refreshes once first)
    403                          AuthError        (the token lacks a scope)
    404                          ConfigError      (no such object type / pipeline / base_url)
    429 policy DAILY             BudgetExhausted  (resets at the next midnight UTC, an estimate)
    429 otherwise                RateLimited      (retry_after from Retry-After when sent)
    400 property does not exist  ConfigError      (run ``partnerpulse setup``)
    400/409/other 4xx            CrmRefused, or RecordRejected for writes
    408/423/425, 5xx, status 0   RetryableError   (status 0 with an SSL reason: ConfigError)
    Api{Type,Value,Attribute,Key}Error   RetryableError (a response the client could not read)
    MalformedResponse            RetryableError
    urllib3 URL/scheme errors    ConfigError      (base_url)
    urllib3 certificate errors   ConfigError      (ca bundle)
    other urllib3 / OSError      RetryableError   (resets, timeouts, refused connections)
"""

from __future__ import annotations

import contextlib
import json
import ssl
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from importlib import import_module
from types import ModuleType
from typing import Any

import urllib3.exceptions as u3

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

# Every hubspot-api-client package whose exceptions can reach the adapter.
SDK_PACKAGES = (
    "hubspot.crm.objects",
    "hubspot.crm.associations.v4",
    "hubspot.crm.owners",
    "hubspot.crm.pipelines",
    "hubspot.crm.properties",
)


def _exception_modules() -> tuple[ModuleType, ...]:
    return tuple(import_module(f"{name}.exceptions") for name in SDK_PACKAGES)


def _classes(attr: str) -> tuple[type[Exception], ...]:
    return tuple(getattr(module, attr) for module in _exception_modules())


API_EXCEPTIONS = _classes("ApiException")
OPENAPI_EXCEPTIONS = _classes("OpenApiException")
_RETRYABLE_4XX = frozenset({408, 423, 425})


class MalformedResponse(Exception):
    """A 2xx response whose body is not the JSON it claims to be (raised by the transport)."""


class OutcomeUnknown(ConnectorError):
    """A call that must not be replayed blindly (a create) failed after it may have reached
    HubSpot (a timeout, a reset, a 5xx, an unreadable answer): whether HubSpot acted on it
    is unknown. Raised instead of retrying; the writer settles such writes by key."""


class TokenRejected(AuthError):
    """HubSpot answered 401; ``category`` is its reason (``EXPIRED_AUTHENTICATION`` ...)."""

    def __init__(self, message: str, *, category: str) -> None:
        super().__init__(message)
        self.category = category


def next_midnight_utc(now: datetime | None = None) -> datetime:
    """When HubSpot's daily count resets: midnight in the portal's time zone, which the API
    does not tell us, so UTC is our estimate."""
    moment = now or datetime.now(UTC)
    return datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def body_of(exc: Any) -> dict[str, Any]:
    """The parsed JSON error body of an ApiException ({} when absent or not JSON)."""
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def header(exc: Any, name: str) -> str | None:
    headers = getattr(exc, "headers", None)
    if not isinstance(headers, Mapping):
        return None
    lowered = name.lower()
    for key, value in headers.items():
        if str(key).lower() == lowered:
            return str(value)
    return None


def retry_after(exc: Any) -> float | None:
    value = header(exc, "Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _describe(body: Mapping[str, Any]) -> str:
    """HubSpot's own words, without anything from the request (no headers, no tokens)."""
    reason = body.get("category") or body.get("policyName") or body.get("errorType") or ""
    message = str(body.get("message") or "")[:300]
    return f"{reason}: {message}" if reason and message else str(reason or message)


def from_api_exception(exc: Any, endpoint: str, *, write: bool = False) -> ConnectorError:
    """The connector error for one SDK ApiException (any package)."""
    status = int(getattr(exc, "status", 0) or 0)
    body = body_of(exc)
    detail = _describe(body) or str(getattr(exc, "reason", "") or "")[:200]
    where = f"HubSpot {status} on {endpoint}"
    if status == 401:
        category = str(body.get("category") or "INVALID_AUTHENTICATION")
        return TokenRejected(
            f"{where}: {detail} — check the [hubspot] token or OAuth app credentials",
            category=category,
        )
    if status == 403:
        return AuthError(f"{where}: {detail} — grant the app the scope this call needs")
    if status == 429:
        if str(body.get("policyName", "")).upper() == "DAILY":
            resets = next_midnight_utc()
            return BudgetExhausted(
                f"{where}: the daily API limit is spent; it resets around {resets:%Y-%m-%d %H:%M} "
                "UTC (estimate: HubSpot resets at midnight in the portal's time zone)",
                resets_at=resets,
            )
        return RateLimited(f"{where}: {detail}", retry_after=retry_after(exc))
    if status == 404:
        if write:
            return RecordRejected(f"{where}: {detail}", system="hubspot")
        return ConfigError(f"{where}: {detail} — check [hubspot] base_url and the object type")
    if status >= 500 or status in _RETRYABLE_4XX:
        return RetryableError(f"{where}: {detail}")
    if status == 0:
        reason = str(getattr(exc, "reason", "") or "")
        if "SSL" in reason:
            return ConfigError(f"TLS to HubSpot failed on {endpoint} — check [hubspot] base_url")
        return RetryableError(f"HubSpot sent an unreadable response on {endpoint}: {reason[:200]}")
    if status == 400 and "PROPERTY_DOESNT_EXIST" in json.dumps(body):
        return ConfigError(
            f"{where}: {detail} — run `partnerpulse setup` or fix [mappings.hubspot]"
        )
    if write:
        return RecordRejected(f"{where}: {detail}", system="hubspot")
    return CrmRefused(f"{where}: {detail}")


def from_transport_error(exc: BaseException, endpoint: str) -> ConnectorError:
    """The connector error for a urllib3 / socket failure."""
    name = type(exc).__name__
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        return from_transport_error(exc.reason, endpoint)
    if isinstance(exc, (u3.LocationValueError, u3.ProxySchemeUnsupported)):
        return ConfigError(f"HubSpot URL for {endpoint} is unusable ({name}) — check base_url")
    if isinstance(exc, u3.SSLError) and _certificate_problem(exc):
        return ConfigError(f"HubSpot's TLS certificate was refused on {endpoint} ({name})")
    return RetryableError(f"HubSpot connection failed on {endpoint}: {name}")


def _certificate_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__ or _first_arg_error(seen)
    return False


def _first_arg_error(exc: BaseException) -> BaseException | None:
    for arg in exc.args:
        if isinstance(arg, BaseException) and arg is not exc:
            return arg
    return None


@contextlib.contextmanager
def translate(endpoint: str, *, write: bool = False) -> Iterator[None]:
    """Run one SDK call; whatever it raises leaves as a ``ConnectorError`` (``from`` the cause)."""
    try:
        yield
    except ConnectorError:
        raise
    except API_EXCEPTIONS as exc:
        raise from_api_exception(exc, endpoint, write=write) from exc
    except OPENAPI_EXCEPTIONS as exc:
        raise RetryableError(
            f"HubSpot's response to {endpoint} did not fit the client's model "
            f"({type(exc).__name__})"
        ) from exc
    except MalformedResponse as exc:
        raise RetryableError(f"HubSpot sent malformed JSON on {endpoint}") from exc
    except (u3.HTTPError, OSError) as exc:
        raise from_transport_error(exc, endpoint) from exc
