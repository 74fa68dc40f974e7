"""The httpx token flows, against respx: each grant's request, refusals that name no secret, 5xx."""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.calls import ApiCalls
from adapters.salesforce.auth import TokenSource, audience
from connector.config.crm import SalesforceConfig
from connector.errors import AuthError, ConfigError, RateLimited, RetryableError

LOGIN = "https://login.example.test"
TOKEN_URL = f"{LOGIN}/services/oauth2/token"
GOOD = {"access_token": "00Dxx!token", "instance_url": "https://acme.my.example.test", "id": "x"}


@pytest.fixture
def secret_files(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for name in ("client_secret", "password", "security_token"):
        path = tmp_path / name
        path.write_text(secrets.token_urlsafe(24), encoding="utf-8")
        files[name] = path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "key.pem").write_bytes(pem)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "key.pub").write_bytes(public)
    files["private_key"] = tmp_path / "key.pem"
    files["public_key"] = tmp_path / "key.pub"
    return files


def config(auth: str, files: dict[str, Path], **extra: object) -> SalesforceConfig:
    base: dict[str, object] = {
        "enabled": True,
        "auth": auth,
        "login_url": LOGIN,
        "client_id": "pp-connected-app",
        "username": "sync@acme.example",
    }
    if auth in ("client_credentials", "password"):
        base["client_secret_file"] = files["client_secret"]
    if auth == "password":
        base["password_file"] = files["password"]
        base["security_token_file"] = files["security_token"]
    if auth == "jwt":
        base["private_key_file"] = files["private_key"]
    base.update(extra)
    return SalesforceConfig.model_validate(base)


def secret(files: dict[str, Path], name: str) -> str:
    return files[name].read_text(encoding="utf-8")


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@respx.mock
def test_client_credentials_uses_basic_auth(secret_files: dict[str, Path]) -> None:
    route = respx.post(TOKEN_URL).respond(200, json=GOOD)
    calls = ApiCalls("salesforce")
    source = TokenSource(config("client_credentials", secret_files), calls)
    token = source.fetch()
    source.close()
    assert token.instance_url == GOOD["instance_url"]
    assert token.access_token.get_secret_value() == GOOD["access_token"]
    assert GOOD["access_token"] not in repr(token)
    request = route.calls.last.request
    assert form(request) == {"grant_type": "client_credentials"}
    expected = base64.b64encode(
        f"pp-connected-app:{secret(secret_files, 'client_secret')}".encode()
    ).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert calls.snapshot() == {"token": 1}


@respx.mock
def test_password_grant_appends_the_security_token(secret_files: dict[str, Path]) -> None:
    route = respx.post(TOKEN_URL).respond(200, json=GOOD)
    source = TokenSource(config("password", secret_files), ApiCalls("salesforce"))
    source.fetch()
    source.close()
    assert form(route.calls.last.request) == {
        "grant_type": "password",
        "client_id": "pp-connected-app",
        "client_secret": secret(secret_files, "client_secret"),
        "username": "sync@acme.example",
        "password": secret(secret_files, "password") + secret(secret_files, "security_token"),
    }


@respx.mock
def test_jwt_bearer_signs_an_assertion(secret_files: dict[str, Path]) -> None:
    route = respx.post(TOKEN_URL).respond(200, json=GOOD)
    source = TokenSource(config("jwt", secret_files), ApiCalls("salesforce"), clock=lambda: 1000.0)
    source.fetch()
    source.close()
    sent = form(route.calls.last.request)
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        sent["assertion"],
        secret_files["public_key"].read_bytes(),
        algorithms=["RS256"],
        audience=LOGIN,
        options={"verify_exp": False},
    )
    assert claims == {
        "iss": "pp-connected-app",
        "sub": "sync@acme.example",
        "aud": LOGIN,
        "exp": 1180,
    }


@pytest.mark.parametrize(
    ("login_url", "aud"),
    [
        ("https://login.salesforce.com", "https://login.salesforce.com"),
        ("https://test.salesforce.com", "https://test.salesforce.com"),
        ("https://acme.my.salesforce.com", "https://login.salesforce.com"),
        ("https://acme--uat.sandbox.my.salesforce.com", "https://test.salesforce.com"),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ],
)
def test_jwt_audience(login_url: str, aud: str) -> None:
    assert audience(login_url) == aud


def test_a_broken_private_key_is_a_config_error(
    secret_files: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key", encoding="utf-8")
    source = TokenSource(config("jwt", secret_files, private_key_file=bad), ApiCalls("salesforce"))
    with pytest.raises(ConfigError, match="not an RSA private key"):
        source.fetch()
    source.close()


def echo_what_was_sent(request: httpx.Request) -> httpx.Response:
    """A hostile server that repeats every credential it was sent in its error text."""
    sent = " ".join([*form(request).values(), request.headers.get("Authorization", "")])
    return httpx.Response(
        400, json={"error": "invalid_grant", "error_description": f"authentication failure {sent}"}
    )


@respx.mock
@pytest.mark.parametrize("auth", ["client_credentials", "password", "jwt"])
def test_bad_credentials_are_an_auth_error_naming_no_secret(
    secret_files: dict[str, Path], auth: str
) -> None:
    route = respx.post(TOKEN_URL).mock(side_effect=echo_what_was_sent)
    source = TokenSource(config(auth, secret_files), ApiCalls("salesforce"))
    with pytest.raises(AuthError) as caught:
        source.fetch()
    source.close()
    message = str(caught.value)
    assert "invalid_grant (authentication failure" in message
    for name in ("client_secret", "password", "security_token"):
        assert secret(secret_files, name) not in message
    sent = form(route.calls.last.request)
    assert sent.get("assertion", "not sent") not in message
    assert route.calls.last.request.headers.get("Authorization", "not sent") not in message
    assert caught.value.exit_code == 3


@respx.mock
@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(500, text="oops"), RetryableError),
        (httpx.Response(503, text="down"), RetryableError),
        (httpx.Response(429, headers={"Retry-After": "7"}), RateLimited),
        (httpx.Response(200, text='{"access_tok'), RetryableError),
    ],
)
def test_server_trouble_is_retryable(
    secret_files: dict[str, Path], response: httpx.Response, error: type[Exception]
) -> None:
    respx.post(TOKEN_URL).mock(return_value=response)
    calls = ApiCalls("salesforce")
    source = TokenSource(config("client_credentials", secret_files), calls)
    with pytest.raises(error) as caught:
        source.fetch()
    source.close()
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7.0
    assert not isinstance(caught.value, AuthError)
    assert calls.snapshot() == {"token": 1}


@respx.mock
def test_transport_errors_are_retryable(secret_files: dict[str, Path]) -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ConnectError("refused"))
    source = TokenSource(config("client_credentials", secret_files), ApiCalls("salesforce"))
    with pytest.raises(RetryableError, match="network trouble"):
        source.fetch()
    source.close()


@respx.mock
@pytest.mark.parametrize(
    "body",
    [{"instance_url": "https://x.example"}, {"access_token": "t", "instance_url": "http://plain"}],
)
def test_an_incomplete_token_answer_is_refused(
    secret_files: dict[str, Path], body: dict[str, str]
) -> None:
    respx.post(TOKEN_URL).respond(200, json=body)
    source = TokenSource(config("client_credentials", secret_files), ApiCalls("salesforce"))
    with pytest.raises(AuthError, match="answered without"):
        source.fetch()
    source.close()


def test_a_given_session_needs_no_call(secret_files: dict[str, Path], tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("00Dgiven!" + secrets.token_urlsafe(8), encoding="utf-8")
    calls = ApiCalls("salesforce")
    source = TokenSource(
        config(
            "session", secret_files, instance_url="https://acme.my.example.test",
            access_token_file=token_file,
        ),
        calls,
    )  # fmt: skip
    token = source.fetch()
    source.close()
    assert token.instance_url == "https://acme.my.example.test"
    assert not source.can_refresh
    assert calls.total == 0


def test_the_clock_sets_exp(secret_files: dict[str, Path]) -> None:
    source = TokenSource(config("jwt", secret_files), ApiCalls("salesforce"))
    claims = jwt.decode(source._assertion(), options={"verify_signature": False})
    source.close()
    assert abs(claims["exp"] - (time.time() + 180)) < 5
