"""Who may call: private-app tokens (static) and OAuth access tokens issued from refresh tokens.

OAuth access tokens live ``access_token_ttl_s`` (HubSpot: 30 minutes); a call with an expired
one gets 401 ``EXPIRED_AUTHENTICATION`` [category name unverified], an unknown or missing token
401 ``INVALID_AUTHENTICATION``. Refresh tokens do not expire. The ``token-expiry`` fault
revokes the OAuth access token in use (the client must refresh); a private-app token cannot
be refreshed, so only the call that drew the fault is refused.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.options import HubSpotOptions


@dataclass
class AccessToken:
    token: str
    refresh_token: str
    expires_at: float
    revoked_at: float | None = None


@dataclass(frozen=True)
class Caller:
    token: str
    oauth: bool


class TokenRegistry:
    def __init__(self, options: HubSpotOptions, *, wall: Callable[[], float] = time.time) -> None:
        self.options = options
        self._wall = wall
        self._private = frozenset(options.access_tokens)
        self._refresh = set(options.refresh_tokens)
        self._access: dict[str, AccessToken] = {}

    def authenticate(self, header: str | None) -> Caller | Response:
        scheme, _, token = (header or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return errors.invalid_authentication()
        if token in self._private:
            return Caller(token, oauth=False)
        issued = self._access.get(token)
        if issued is None:
            return errors.invalid_authentication()
        now = self._wall()
        dead_since = min(issued.expires_at, issued.revoked_at or issued.expires_at)
        if now >= dead_since:
            return errors.expired_authentication(int(now - dead_since))
        return Caller(token, oauth=True)

    def expire(self, caller: Caller) -> Response:
        """The ``token-expiry`` fault: this OAuth token is dead from now on."""
        issued = self._access.get(caller.token)
        if issued is not None and issued.revoked_at is None:
            issued.revoked_at = self._wall()
        return errors.expired_authentication(0)

    def token_grant(self, form: Mapping[str, str]) -> Response:
        """``POST /oauth/v1/token`` (form-encoded)."""
        grant = form.get("grant_type", "")
        if grant != "refresh_token":
            return _oauth_error("BAD_GRANT_TYPE", f"grant_type {grant!r} is not supported here")
        if not self.options.client_id or form.get("client_id") != self.options.client_id:
            return _oauth_error("BAD_CLIENT_ID", "missing or invalid client_id")
        if not secrets.compare_digest(form.get("client_secret", ""), self.options.client_secret):
            return _oauth_error("BAD_CLIENT_SECRET", "missing or invalid client_secret")
        refresh = form.get("refresh_token", "")
        if refresh not in self._refresh:
            return _oauth_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        ttl = self.options.access_token_ttl_s
        token = "CN" + secrets.token_urlsafe(48)
        self._access[token] = AccessToken(token, refresh, self._wall() + ttl)
        return errors.json_response(
            {
                "token_type": "bearer",
                "refresh_token": refresh,
                "access_token": token,
                "expires_in": int(ttl),
            }
        )

    def access_token_info(self, token: str) -> Response:
        issued = self._access.get(token)
        now = self._wall()
        if issued is None or issued.revoked_at is not None or now >= issued.expires_at:
            return errors.error(404, "OBJECT_NOT_FOUND", "Token not found or expired")
        return errors.json_response(
            {
                **self._identity(),
                "token": token,
                "token_type": "access",
                "expires_in": int(issued.expires_at - now),
                "app_id": self.options.app_id,
            }
        )

    def refresh_token_info(self, token: str) -> Response:
        if token not in self._refresh:
            return errors.error(404, "OBJECT_NOT_FOUND", "Token not found")
        return errors.json_response(
            {
                **self._identity(),
                "token": token,
                "token_type": "refresh",
                "client_id": self.options.client_id,
            }
        )

    def _identity(self) -> dict[str, Any]:
        return {
            "hub_id": self.options.hub_id,
            "hub_domain": self.options.hub_domain,
            "user": "sandbox-admin@partnerpulse.example",
            "user_id": 1,
            "scopes": list(self.options.scopes),
        }


def _oauth_error(status: str, message: str) -> Response:
    return errors.json_response(
        {"status": status, "message": message, "correlationId": errors.correlation_id()}, 400
    )
