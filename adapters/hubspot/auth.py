"""HubSpot credentials: a private-app token, or OAuth access tokens from a refresh token.

The OAuth refresh (``POST {base_url}/oauth/v1/token``, form-encoded) runs on httpx, not the
SDK, so it is one plain request we count and test with respx. Access tokens live 30 minutes;
HubSpot's docs say to refresh by ``expires_in``, not on a 401, so the token is refreshed
*ahead* of expiry (``expires_in`` minus a margin). Refreshes are single-flight (one lock; a
thread that waited re-checks before refreshing again). A refused refresh (4xx) is remembered
and every later call fails at once with the same :class:`AuthError` — no refresh storm. A
transient failure (5xx, network) while the old token is still valid keeps the old token and
tries again after a pause; once the old token is dead it is a ``RetryableError``, bounded by
the retry policy.

Nothing here puts a secret into a message or a log line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx
import structlog
from pydantic import SecretStr

from adapters.calls import ApiCalls
from connector.errors import AuthError, ConfigError, RetryableError

log = structlog.get_logger("partnerpulse.hubspot.auth")

OAUTH_PATH = "/oauth/v1/token"
REFRESH_ENDPOINT = f"POST {OAUTH_PATH}"
REFRESH_MARGIN_S = 300.0  # refresh this long before expiry (and at least at 10 % of the lifetime)
RETRY_PAUSE_S = 30.0  # after a transient refresh failure while the old token still works


class TokenSource(Protocol):
    """Gives the bearer token for the next request."""

    def token(self) -> str: ...

    def invalidate(self, token: str) -> bool:
        """HubSpot refused ``token``: return True when a different one can be had."""
        ...

    def close(self) -> None: ...


class StaticToken:
    """A private-app token: it never changes, so a refused one cannot be replaced."""

    def __init__(self, secret: SecretStr) -> None:
        self._secret = secret

    def token(self) -> str:
        return self._secret.get_secret_value()

    def invalidate(self, token: str) -> bool:
        return False

    def close(self) -> None:
        return None


class OAuthRefresher:
    """OAuth access tokens from a refresh token, refreshed ahead of expiry."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        calls: ApiCalls,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        http: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + OAUTH_PATH
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._calls = calls
        self._clock = clock
        self._http = http or httpx.Client(timeout=timeout_s, trust_env=False)
        self._owns_http = http is None
        self._lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0
        self._refresh_at = 0.0
        self._refused: AuthError | None = None
        self.refreshes = 0

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._access is not None and now < self._refresh_at:
                return self._access
            if self._refused is not None:
                raise self._refused
            try:
                self._refresh(now)
            except RetryableError:
                if self._access is not None and now < self._expires_at:
                    log.warning("token refresh failed; the current token is still valid")
                    self._refresh_at = now + min(RETRY_PAUSE_S, self._expires_at - now)
                    return self._access
                raise
            assert self._access is not None
            return self._access

    def invalidate(self, token: str) -> bool:
        with self._lock:
            if self._refused is not None:
                return False
            if token == self._access:
                self._access = None
                self._refresh_at = 0.0
            return True

    def _refresh(self, now: float) -> None:
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "refresh_token": self._refresh_token.get_secret_value(),
        }
        self._calls.count(REFRESH_ENDPOINT)
        try:
            response = self._http.post(self._url, data=form, headers={"Accept": "application/json"})
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ConfigError(f"HubSpot base_url cannot be used for {OAUTH_PATH}") from exc
        except httpx.HTTPError as exc:
            raise RetryableError(
                f"HubSpot token refresh failed: {type(exc).__name__} — will retry"
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryableError(f"HubSpot token refresh answered {response.status_code}")
        if response.status_code != 200:
            self._refused = AuthError(
                f"HubSpot refused the OAuth refresh ({response.status_code} "
                f"{_oauth_status(response)}) — check [hubspot] client_id, client_secret "
                "and refresh_token; re-authorise the app if the refresh token was revoked"
            )
            raise self._refused
        try:
            body = response.json()
            access = str(body["access_token"])
            lifetime = float(body.get("expires_in", 1800))
        except (ValueError, KeyError, TypeError) as exc:
            raise RetryableError("HubSpot token refresh returned an unreadable body") from exc
        margin = min(REFRESH_MARGIN_S, lifetime * 0.5)
        margin = max(margin, lifetime * 0.1)
        self._access = access
        self._expires_at = now + lifetime
        self._refresh_at = now + lifetime - margin
        self.refreshes += 1
        log.info("hubspot token refreshed", expires_in_s=int(lifetime))

    def close(self) -> None:
        if self._owns_http:
            self._http.close()


def _oauth_status(response: httpx.Response) -> str:
    """HubSpot's error code for a refused refresh (BAD_REFRESH_TOKEN ...), never the body."""
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    status = body.get("status") if isinstance(body, dict) else None
    allowed = status if isinstance(status, str) and status.replace("_", "").isalnum() else None
    return allowed[:40] if allowed else "no error code"
