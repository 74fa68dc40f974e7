"""Getting a Salesforce access token: JWT bearer, client credentials, OAuth password, or given.

The token flows are ours, on httpx, because simple-salesforce only logs in at
``https://<label>.salesforce.com``: here the token endpoint is ``{login_url}/services/oauth2/token``
for any ``login_url`` (login, test, a My Domain, the sandbox). Secrets are read from the
config's references at the moment of use and never put in a message: error text from
the server is scrubbed of every secret before it is shown.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from pydantic import SecretStr

from adapters.calls import ApiCalls
from adapters.salesforce.errors import translated
from connector.config.crm import SalesforceConfig
from connector.errors import AuthError, ConfigError, RateLimited, RetryableError

OAUTH_ENDPOINT = "/services/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_S = 180
_SECRET_NAMES = ("client_secret", "password", "security_token", "access_token")


@dataclass(frozen=True)
class Token:
    """An access token and the instance it is good for."""

    access_token: SecretStr = field(repr=False)
    instance_url: str


def tls_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The system trust store, or the private CA ``ca_bundle`` names."""
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)


def audience(login_url: str) -> str:
    """The JWT ``aud``: a My Domain host signs for login (or test for sandboxes), else itself."""
    host = login_url.split("://", 1)[-1].split("/", 1)[0].lower()
    if host.endswith(".sandbox.my.salesforce.com"):
        return "https://test.salesforce.com"
    if host.endswith(".my.salesforce.com"):
        return "https://login.salesforce.com"
    return login_url


class TokenSource:
    """Fetches tokens by the configured flow; one HTTP request per :meth:`fetch`, counted."""

    def __init__(
        self,
        config: SalesforceConfig,
        calls: ApiCalls,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.calls = calls
        self._clock = clock
        self._http = httpx.Client(
            verify=tls_context(config.ca_bundle),
            trust_env=False,
            timeout=config.timeout_s,
            transport=transport,
        )

    @property
    def can_refresh(self) -> bool:
        return self.config.auth != "session"

    def fetch(self) -> Token:
        """A fresh token; AuthError when refused, RetryableError when Salesforce is down."""
        config = self.config
        if config.auth == "session":
            token, instance = config.secret("access_token"), config.instance_url
            if token is None or instance is None:
                raise ConfigError(
                    "[salesforce] auth = 'session' needs access_token and instance_url"
                )
            return Token(token, instance)
        data, auth = self._grant()
        sent = [data.get("assertion", ""), data.get("client_secret", ""), data.get("password", "")]
        url = config.login_url + OAUTH_ENDPOINT
        self.calls.count("token")
        with translated(f"the {config.auth} login at {config.login_url}"):
            response = self._http.post(url, data=data, auth=auth or httpx.USE_CLIENT_DEFAULT)
            body = _json(response)
        return self._token(response, body, sent)

    def close(self) -> None:
        self._http.close()

    def _grant(self) -> tuple[dict[str, str], httpx.BasicAuth | None]:
        config = self.config
        client_id = config.client_id or ""
        if config.auth == "jwt":
            return {"grant_type": JWT_GRANT, "assertion": self._assertion()}, None
        if config.auth == "client_credentials":
            basic = httpx.BasicAuth(client_id, self._secret("client_secret"))
            return {"grant_type": "client_credentials"}, basic
        password = self._secret("password")
        token = config.secret("security_token")
        return {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": self._secret("client_secret"),
            "username": config.username or "",
            "password": password + (token.get_secret_value() if token else ""),
        }, None

    def _assertion(self) -> str:
        config = self.config
        path = config.private_key_file
        if path is None:
            raise ConfigError("[salesforce] auth = 'jwt' needs private_key_file")
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"[salesforce] private_key_file: cannot read {path}: {exc.strerror}"
            ) from None
        claims = {
            "iss": config.client_id,
            "sub": config.username,
            "aud": audience(config.login_url),
            "exp": int(self._clock()) + JWT_LIFETIME_S,
        }
        try:
            return jwt.encode(claims, key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError):
            raise ConfigError(
                f"[salesforce] private_key_file: {path} is not an RSA private key in PEM form"
            ) from None

    def _secret(self, name: str) -> str:
        value = self.config.secret(name)
        if value is None:
            raise ConfigError(
                f"[salesforce] auth = {self.config.auth!r} needs {name}_env or {name}_file"
            )
        return value.get_secret_value()

    def _token(
        self, response: httpx.Response, parsed: dict[str, Any] | None, sent: list[str]
    ) -> Token:
        status = response.status_code
        where = f"{self.config.auth} login at {self.config.login_url}"
        if status == 200 and parsed is None:
            raise RetryableError(f"the {where} answered with malformed JSON; will retry")
        body = parsed or {}
        if status == 429:
            raise RateLimited(f"Salesforce throttled the {where}", _retry_after(response))
        if status >= 500:
            raise RetryableError(f"Salesforce failed the {where} ({status}); will retry")
        if status != 200:
            error = self._scrub(str(body.get("error") or status), sent)
            detail = self._scrub(str(body.get("error_description") or ""), sent)
            raise AuthError(
                f"Salesforce refused the {where}: {error}"
                + (f" ({detail})" if detail else "")
                + " — check client_id, username and the secrets [salesforce] names, "
                "and that the connected app allows this flow"
            )
        token, instance = body.get("access_token"), body.get("instance_url")
        if not isinstance(token, str) or not token:
            raise AuthError(f"the {where} answered without an access_token")
        if not isinstance(instance, str) or not instance.startswith("https://"):
            raise AuthError(f"the {where} answered without an https instance_url")
        return Token(SecretStr(token), instance.rstrip("/"))

    def _scrub(self, text: str, sent: list[str]) -> str:
        """Server text with every secret we hold or sent (and its base64 forms) masked."""
        values = [s.get_secret_value() for s in map(self.config.secret, _SECRET_NAMES) if s]
        for value in sorted({v for v in [*values, *sent] if v}, key=len, reverse=True):
            text = text.replace(value, "***")
        text = re.sub(r"(?i)basic\s+[A-Za-z0-9+/=]+", "Basic ***", text)
        return text[:200]


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
