"""The Salesforce connection: one counted, governed HTTP session and a token refreshed at most once.

:class:`CountingSession` is the ``requests.Session`` simple-salesforce sends everything
through (REST and Bulk alike): it asks the governor before each request, counts it by
endpoint template, and reads ``Sforce-Limit-Info`` from each response. It ignores the
environment (``REQUESTS_CA_BUNDLE`` would override ``verify``) and trusts ``ca_bundle``.

:class:`SalesforceSession` runs one idempotent call at a time under the shared retry
policy; on 401 INVALID_SESSION_ID it refreshes the token once (single-flight: a caller
that finds the token already renewed just replays) and replays the call. A refresh that
fails, or a call refused again right after one, is an :class:`AuthError` — no loop.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce
from tenacity import Retrying, retry_if_exception

from adapters.calls import ApiCalls
from adapters.retry import retrying
from adapters.salesforce.auth import Token, TokenSource
from adapters.salesforce.errors import LocatorExpired, QueryTimeout, SessionExpired, translated
from adapters.salesforce.governor import Governor
from connector.config.crm import SalesforceConfig
from connector.errors import AuthError, RetryableError

T = TypeVar("T")

_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"^query/?$", "query"),
        (r"^queryAll/?$", "queryAll"),
        (r"^query(All)?/[^/]+$", "query-next"),
        (r"^jobs/query/?$", "jobs/query"),
        (r"^jobs/query/[^/]+/results/?$", "jobs/query/{id}/results"),
        (r"^jobs/query/[^/]+/?$", "jobs/query/{id}"),
        (r"^sobjects/[^/]+/describe/?$", "describe"),
        (r"^sobjects/?$", "describe-global"),
        (r"^sobjects/[^/]+/(deleted|updated)/?$", "sobjects/{type}/deleted-updated"),
        (r"^sobjects/.+$", "sobjects/{type}"),
        (r"^composite/sobjects/[^/]+/[^/]+/?$", "composite/sobjects/{type}/{field}"),
        (r"^composite/.*$", "composite"),
        (r"^limits/?$", "limits"),
    )
)
_DATA = re.compile(r"^/services/data/v\d+\.\d+/?")


def endpoint_of(method: str, url: str) -> str:
    """The endpoint template of a request: ``query``, ``query-next``, ``jobs/query/{id}`` ..."""
    path = urlsplit(url).path
    if path.rstrip("/").endswith("/services/oauth2/token"):
        return "token"
    rest = _DATA.sub("", path)
    template = next((t for pattern, t in _ROUTES if pattern.match(rest)), "other")
    if method.upper() in ("GET", "HEAD") or template == "jobs/query":
        return template
    return f"{method.upper()} {template}"


class CountingSession(requests.Session):
    """A ``requests.Session`` that is governed and counted, and trusts only ``ca_bundle``."""

    def __init__(
        self, calls: ApiCalls, governor: Governor, *, verify: str | bool, timeout_s: float
    ) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = verify
        self.calls = calls
        self.governor = governor
        self.timeout_s = timeout_s
        self.last_retry_after: float | None = None

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        endpoint = endpoint_of(method, url)
        self.governor.before_call(endpoint)
        self.calls.count(endpoint)
        kwargs.setdefault("timeout", self.timeout_s)
        response = super().request(method, url, *args, **kwargs)
        self.governor.observe(response.headers.get("Sforce-Limit-Info"))
        self.last_retry_after = _seconds(response.headers.get("Retry-After"))
        if response.status_code == 429:
            self.calls.count_rate_limited()
        return response

    def close(self) -> None:
        """Close pooled sockets now: urllib3 2's ``clear()`` leaves them to the collector."""
        for adapter in self.adapters.values():
            pools = getattr(getattr(adapter, "poolmanager", None), "pools", None)
            if pools is not None:
                for key in pools.keys():  # noqa: SIM118 - the container refuses iteration
                    pool = pools.get(key)
                    if pool is not None:
                        pool.close()
        super().close()


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _retryable_here(exc: BaseException) -> bool:
    """What the retry policy may replay: not timeouts or lost cursors, the pull handles those."""
    return isinstance(exc, RetryableError) and not isinstance(exc, QueryTimeout | LocatorExpired)


class SalesforceSession:
    """A logged-in simple-salesforce client, its counted session, and single-flight refresh."""

    def __init__(
        self,
        config: SalesforceConfig,
        calls: ApiCalls,
        governor: Governor,
        tokens: TokenSource,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.calls = calls
        self.tokens = tokens
        self._sleep = sleep
        verify: str | bool = str(config.ca_bundle) if config.ca_bundle else True
        self.http = CountingSession(calls, governor, verify=verify, timeout_s=config.timeout_s)
        self._lock = threading.Lock()
        self._client: Salesforce | None = None
        self._generation = 0
        self.refreshes = 0

    def run(self, what: str, call: Callable[[Salesforce], T]) -> T:
        """Run one idempotent call: retried when transient, replayed once after a refresh."""
        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                self.calls.count_retry()
            return self._with_refresh(what, call)

        return self._policy()(attempt)

    def client(self) -> Salesforce:
        """The current client, logging in first if needed."""
        return self._current()[0]

    def close(self) -> None:
        self.http.close()
        self.tokens.close()

    def _policy(self) -> Retrying:
        policy = retrying(attempts=self.config.max_retries + 1, sleep=self._sleep)
        return policy.copy(retry=retry_if_exception(_retryable_here))

    def _with_refresh(self, what: str, call: Callable[[Salesforce], T]) -> T:
        client, generation = self._current()
        try:
            with translated(what, retry_after=lambda: self.http.last_retry_after):
                return call(client)
        except SessionExpired:
            self._refresh(generation)
        client, _ = self._current()
        try:
            with translated(what, retry_after=lambda: self.http.last_retry_after):
                return call(client)
        except SessionExpired as exc:
            raise AuthError(
                f"Salesforce refused {what} right after a token refresh — "
                "check the integration user's session policies"
            ) from exc

    def _current(self) -> tuple[Salesforce, int]:
        with self._lock:
            if self._client is None:
                self._install(self._policy()(self.tokens.fetch))
            assert self._client is not None
            return self._client, self._generation

    def _refresh(self, seen: int) -> None:
        with self._lock:
            if self._generation != seen:
                return  # another caller renewed it while we waited
            if not self.tokens.can_refresh:
                raise AuthError(
                    "the Salesforce access token given by [salesforce] access_token_env/_file "
                    "has expired — give a fresh one, or use a token flow that can refresh"
                )
            try:
                token = self._policy()(self.tokens.fetch)
            except RetryableError as exc:
                raise AuthError(f"could not refresh the Salesforce token: {exc}") from exc
            self.refreshes += 1
            self._install(token)

    def _install(self, token: Token) -> None:
        self._client = Salesforce(
            session_id=token.access_token.get_secret_value(),
            instance_url=token.instance_url,
            session=self.http,
            version=self.config.api_version,
            parse_float=Decimal,
        )
        self._generation += 1
