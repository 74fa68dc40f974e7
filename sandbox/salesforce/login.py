"""Logins: SOAP partner ``login`` and the OAuth 2.0 token endpoint (password, JWT bearer,
client credentials, refresh token).

Shapes follow what simple-salesforce reads (``login.py``): SOAP answers carry ``sessionId`` and
``serverUrl``; faults are HTTP 500 with ``sf:exceptionCode``/``sf:exceptionMessage``. OAuth
answers carry ``access_token``, ``instance_url``, ``id``, ``token_type``, ``issued_at`` and
``signature``; failures are HTTP 400 ``{"error", "error_description"}``. None of these grants
returns a refresh token (Salesforce issues them only to web-server style flows), except a
refresh grant with rotation on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import jwt

from sandbox.salesforce.options import SalesforceOptions
from sandbox.salesforce.sessions import RefreshTokens, Sessions

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_BAD_LOGIN = "Invalid username, password, security token; or user locked out."


@dataclass(frozen=True)
class Org:
    """What a login needs to know about the org it logs into."""

    options: SalesforceOptions
    sessions: Sessions
    refresh: RefreshTokens
    user_id: str
    instance_url: str


# -- SOAP -------------------------------------------------------------------------------------
def soap_login(org: Org, body: bytes, version: str) -> tuple[int, str]:
    """(HTTP status, XML) for a SOAP ``login`` call."""
    try:
        if re.search(rb"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
            raise ET.ParseError("DTDs are not allowed")
        root = ET.fromstring(body)  # noqa: S314 - DTDs refused above
    except ET.ParseError as exc:
        return 500, _soap_fault("soapenv:Client", f"Unable to parse request: {exc}", None)
    found = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in root.iter()}
    if "login" not in found:
        return 500, _soap_fault("soapenv:Client", "No operation available for request", None)
    opts = org.options
    password = found.get("password", "")
    org_scoped = found.get("organizationId") == opts.organization_id
    accepted = opts.password is not None and (
        password == opts.password + opts.security_token
        or (org_scoped and password == opts.password)
    )
    if found.get("username") != opts.username or not accepted:
        return 500, _soap_fault(
            "sf:INVALID_LOGIN", f"INVALID_LOGIN: {_BAD_LOGIN}", ("INVALID_LOGIN", _BAD_LOGIN)
        )
    token = org.sessions.issue(org.user_id, "soap")
    base = f"{org.instance_url}/services/Soap"
    result = {
        "metadataServerUrl": f"{base}/m/{version}/{opts.organization_id}",
        "passwordExpired": "false",
        "sandbox": "false",
        "serverUrl": f"{base}/u/{version}/{opts.organization_id}",
        "sessionId": token,
        "userId": org.user_id,
    }
    user_info = {
        "organizationId": opts.organization_id,
        "organizationName": "PartnerPulse Sandbox",
        "sessionSecondsValid": str(int(opts.session_ttl_s)),
        "userEmail": opts.username,
        "userId": org.user_id,
        "userName": opts.username,
        "userTimeZone": "GMT",
        "userType": "Standard",
    }
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in result.items())
    info = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in user_info.items())
    return 200, (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse>'
        f"<result>{inner}<userInfo>{info}</userInfo></result>"
        "</loginResponse></soapenv:Body></soapenv:Envelope>"
    )


def _soap_fault(faultcode: str, faultstring: str, detail: tuple[str, str] | None) -> str:
    extra = ""
    if detail:
        code, message = detail
        extra = (
            '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
            f"<sf:exceptionCode>{code}</sf:exceptionCode>"
            f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
            "</sf:LoginFault></detail>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>{faultcode}</faultcode><faultstring>{escape(faultstring)}</faultstring>"
        f"{extra}</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


# -- OAuth ------------------------------------------------------------------------------------
class OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.body = {"error": error, "error_description": description}


def token_endpoint(
    org: Org, form: Mapping[str, str], authorization: str | None
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for ``POST /services/oauth2/token``."""
    grant = form.get("grant_type", "")
    handlers = {
        "password": _password,
        JWT_GRANT: _jwt_bearer,
        "client_credentials": _client_credentials,
        "refresh_token": _refresh,
    }
    handler = handlers.get(grant)
    try:
        if handler is None:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        return 200, handler(org, form, authorization)
    except OAuthError as exc:
        return 400, exc.body


def _client(org: Org, client_id: str | None, secret: str | None, *, need_secret: bool) -> None:
    opts = org.options
    if opts.consumer_key is None or client_id != opts.consumer_key:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if (need_secret or secret is not None) and secret != opts.consumer_secret:
        raise OAuthError("invalid_client", "invalid client credentials")


def _password(org: Org, form: Mapping[str, str], _auth: str | None) -> dict[str, Any]:
    _client(org, form.get("client_id"), form.get("client_secret"), need_secret=True)
    opts = org.options
    password = form.get("password", "")
    ok = opts.password is not None and password in (
        opts.password,
        opts.password + opts.security_token,
    )
    if form.get("username") != opts.username or not ok:
        raise OAuthError("invalid_grant", "authentication failure")
    return _token(org, "password")


def _jwt_bearer(org: Org, form: Mapping[str, str], _auth: str | None) -> dict[str, Any]:
    """RS256 signature, ``iss``/``sub``/``aud`` and ``exp`` (an int or a string of digits)."""
    opts = org.options
    if opts.jwt_public_key is None:
        raise OAuthError("invalid_grant", "invalid assertion")
    try:
        claims = jwt.decode(
            form.get("assertion", ""),
            opts.jwt_public_key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if claims.get("iss") != opts.consumer_key or opts.consumer_key is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if claims.get("aud") not in (*opts.jwt_audiences, org.instance_url):
        raise OAuthError("invalid_grant", "audience is invalid")
    if claims.get("sub") != opts.username:
        raise OAuthError("invalid_grant", "invalid assertion")
    exp = claims.get("exp")
    if isinstance(exp, str) and exp.isdigit():
        exp = int(exp)
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise OAuthError("invalid_grant", "invalid assertion")
    if exp <= time.time():
        raise OAuthError("invalid_grant", "expired authorization code")
    return _token(org, "jwt-bearer", scope="api")


def _client_credentials(org: Org, form: Mapping[str, str], auth: str | None) -> dict[str, Any]:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if auth and auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "invalid client credentials") from None
    _client(org, client_id, secret, need_secret=True)
    if not org.options.client_credentials_enabled:
        raise OAuthError("invalid_grant", "no client credentials user enabled")
    return _token(org, "client-credentials", scope="api")


def _refresh(org: Org, form: Mapping[str, str], _auth: str | None) -> dict[str, Any]:
    _client(org, form.get("client_id"), form.get("client_secret"), need_secret=False)
    valid, fresh = org.refresh.use(form.get("refresh_token", ""))
    if not valid:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    body = _token(org, "refresh-token", scope="api refresh_token")
    if fresh is not None:
        body["refresh_token"] = fresh
    return body


def _token(org: Org, flow: str, *, scope: str | None = None) -> dict[str, Any]:
    opts = org.options
    identity = f"https://login.salesforce.com/id/{opts.organization_id}/{org.user_id}"
    issued_at = str(int(time.time() * 1000))
    secret = (opts.consumer_secret or "").encode()
    signature = base64.b64encode(
        hmac.new(secret, (identity + issued_at).encode(), hashlib.sha256).digest()
    ).decode()
    body: dict[str, Any] = {"access_token": org.sessions.issue(org.user_id, flow)}
    if scope:
        body["scope"] = scope
    body.update(
        {
            "instance_url": org.instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": signature,
        }
    )
    return body
