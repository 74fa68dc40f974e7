"""Each login flow against the sandbox org, over TLS with its private CA."""

from __future__ import annotations

import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.errors import AuthError, ConfigError
from tests.adapters_salesforce.harness import SandboxFactory


def keypair() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def test_jwt_bearer(make_sandbox: SandboxFactory) -> None:
    private, public = keypair()
    box = make_sandbox(jwt_public_key=public, username="sync@acme.example")
    key_file = box.secrets_dir / "key.pem"
    key_file.write_bytes(private)
    adapter = box.adapter(auth="jwt", username="sync@acme.example", private_key_file=key_file)
    assert adapter.count("User") > 0
    assert adapter.calls.snapshot() == {"query": 1, "token": 1}


def test_oauth_password(make_sandbox: SandboxFactory) -> None:
    password, token = secrets.token_urlsafe(12), secrets.token_hex(6)
    box = make_sandbox(password=password, security_token=token, username="sync@acme.example")
    (box.secrets_dir / "password").write_text(password, encoding="utf-8")
    (box.secrets_dir / "token").write_text(token, encoding="utf-8")
    adapter = box.adapter(
        auth="password",
        username="sync@acme.example",
        password_file=box.secrets_dir / "password",
        security_token_file=box.secrets_dir / "token",
    )
    assert adapter.count("Account") > 0


def test_a_given_session_works_until_it_dies(make_sandbox: SandboxFactory) -> None:
    session_id = "00DSB0000000001!" + secrets.token_urlsafe(24)
    box = make_sandbox(static_session_id=session_id)
    (box.secrets_dir / "session").write_text(session_id, encoding="utf-8")
    adapter = box.adapter(
        auth="session", instance_url=box.url, access_token_file=box.secrets_dir / "session"
    )
    assert adapter.count("Case") > 0
    assert adapter.calls.snapshot() == {"query": 1}  # no login call at all
    box.post("sessions/expire", {})
    with pytest.raises(AuthError, match="give a fresh one") as caught:
        adapter.count("Case")
    assert session_id not in str(caught.value)
    assert adapter.calls.snapshot() == {"query": 2}


def test_an_untrusted_certificate_points_at_ca_bundle(make_sandbox: SandboxFactory) -> None:
    box = make_sandbox()
    adapter = box.adapter(ca_bundle=None)
    with pytest.raises(ConfigError, match="ca_bundle"):
        adapter.count("User")


def test_expired_sessions_are_renewed_for_rest_and_bulk(make_sandbox: SandboxFactory) -> None:
    box = make_sandbox()
    adapter = box.adapter(bulk_threshold=5)
    assert adapter.count("Case") > 0
    box.post("sessions/expire", {})
    pages = list(adapter.pull("Case", None, full=True))  # COUNT over REST, then a bulk job
    assert pages
    box.post("sessions/expire", {})
    assert adapter.count("Case") > 0
    assert adapter.session.refreshes == 2
    assert adapter.calls.snapshot()["token"] == 3
