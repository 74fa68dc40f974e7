"""The hubspot-api-client, built once per adapter, and the one way to call it.

``HubSpot(access_token=..., host=base_url)`` (no trailing slash: the client concatenates
``host + path``). No urllib3 ``Retry`` is configured: retries are ``adapters/retry.py``'s,
through :meth:`HubSpotClient.call`, which replays a create only when HubSpot certainly did
not act on it. The SDK builds a fresh ``ApiClient`` (and connection pool) each time an API
attribute is read, so the APIs are built once here, through an ``api_factory`` that swaps
every package's pool manager for the shared :class:`~adapters.hubspot.transport.GovernedPool`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from hubspot import HubSpot
from hubspot.discovery.discovery_base import DiscoveryBase

from adapters.calls import ApiCalls
from adapters.hubspot.auth import TokenSource
from adapters.hubspot.errors import MalformedResponse, OutcomeUnknown, TokenRejected, translate
from adapters.hubspot.governor import Governor
from adapters.hubspot.transport import GovernedPool
from adapters.retry import call_with_retry, retrying
from connector.errors import RateLimited, RetryableError

T = TypeVar("T")


class HubSpotClient:
    """The SDK's APIs the adapter uses, and :meth:`call`: retry, translate, refresh on 401."""

    def __init__(
        self,
        base_url: str,
        *,
        tokens: TokenSource,
        governor: Governor,
        calls: ApiCalls,
        timeout_s: float,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        initial_token: str | None = None,
    ) -> None:
        self.calls = calls
        self.governor = governor
        self.tokens = tokens
        self.max_retries = max_retries
        self._sleep = sleep
        self.pool = GovernedPool(calls=calls, governor=governor, tokens=tokens, timeout_s=timeout_s)
        self.sdk = HubSpot(
            access_token=initial_token, host=base_url.rstrip("/"), api_factory=self._factory
        )
        crm = self.sdk.crm
        self.search_api: Any = crm.objects.search_api
        self.objects_api: Any = crm.objects.basic_api
        self.batch_api: Any = crm.objects.batch_api
        self.associations_api: Any = crm.associations.v4.batch_api
        self.owners_api: Any = crm.owners.owners_api
        self.pipelines_api: Any = crm.pipelines.pipelines_api
        self.properties_api: Any = crm.properties.core_api
        self.groups_api: Any = crm.properties.groups_api

    def _factory(self, package: Any, api_name: str, config: dict[str, Any]) -> Any:
        api = DiscoveryBase._default_api_factory(package, api_name, config)
        api.api_client.rest_client.pool_manager = self.pool
        return api

    def call(self, endpoint: str, fn: Callable[[], T], *, idempotent: bool = True) -> T:
        """Run one SDK call with retries; ``endpoint`` names it in errors.

        A call that is not ``idempotent`` (a create) is replayed only when HubSpot certainly
        did not act on it: a 429 (refused at the gate) or a 401 (one refresh). Any other
        transient failure raises :class:`OutcomeUnknown` instead of a blind retry."""
        attempts = {"n": 0}

        def attempt() -> T:
            if attempts["n"]:
                self.calls.count_retry()
            attempts["n"] += 1
            try:
                return self._with_refresh(endpoint, fn)
            except RetryableError as exc:
                if idempotent or isinstance(exc, RateLimited):
                    raise
                raise OutcomeUnknown(f"{exc} — HubSpot may or may not have applied it") from exc

        policy = retrying(attempts=self.max_retries + 1, sleep=self._sleep)
        return call_with_retry(attempt, policy)

    def call_json(
        self, endpoint: str, fn: Callable[[], Any], *, idempotent: bool = True
    ) -> dict[str, Any]:
        """Like :meth:`call` for an SDK method called with ``_preload_content=False``: the
        JSON body as a dict. Used on the bulk read paths, where the SDK's model
        deserialisation (dateutil on every timestamp) would cost more than the HTTP call."""

        def parsed() -> dict[str, Any]:
            response = fn()
            try:
                body = json.loads(response.data)
            except ValueError as exc:
                raise MalformedResponse(f"{len(response.data or b'')} bytes") from exc
            if not isinstance(body, dict):
                raise MalformedResponse("the body is not a JSON object")
            return body

        return self.call(endpoint, parsed, idempotent=idempotent)

    def _with_refresh(self, endpoint: str, fn: Callable[[], T]) -> T:
        """One attempt; a 401 gets one fresh token (if one can be had) and one more try."""
        try:
            with translate(endpoint):
                return fn()
        except TokenRejected:
            used = self.pool.last_token
            if used is None or not self.tokens.invalidate(used):
                raise
        with translate(endpoint):
            return fn()

    def close(self) -> None:
        self.pool.clear()
        self.tokens.close()
