"""Logins against the sandbox with the real simple-salesforce, and session expiry."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from tests.sandbox_salesforce.conftest import MakeSandbox, Sandbox

USER = "integration@example.com"
PASSWORD = "pw-" + "x7Q"
TOKEN = "tok" + "42"
KEY = "consumer-key"
SECRET = "consumer-" + "s3cret"


def _rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


PRIVATE_KEY, PUBLIC_KEY = _rsa_pair()


@pytest.fixture
def org(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(
        username=USER,
        password=PASSWORD,
        security_token=TOKEN,
        consumer_key=KEY,
        consumer_secret=SECRET,
        jwt_public_key=PUBLIC_KEY,
        refresh_tokens=("refresh-1",),
    )


def _count(sf: Salesforce) -> int:
    return int(sf.query("SELECT COUNT() FROM Account")["totalSize"])


def test_session_id_and_instance_url(org: Sandbox) -> None:
    sf = org.sf()
    assert sf.sf_instance == f"127.0.0.1:{org.server.port}"
    assert _count(sf) == 20


def test_soap_login_through_rewritten_login_host(org: Sandbox) -> None:
    sf = Salesforce(
        username=USER, password=PASSWORD, security_token=TOKEN, session=org.http(rewrite_login=True)
    )
    assert sf.sf_instance == f"127.0.0.1:{org.server.port}"
    assert _count(sf) == 20
    stats = org.admin("GET", "stats")
    assert stats["calls"]["POST /services/Soap/u/{version}"] == 1
    assert stats["daily_used"] == 1  # the login did not count


def test_soap_login_with_bad_password_is_a_fault_with_exception_code(org: Sandbox) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=USER,
            password="wrong",
            security_token=TOKEN,
            session=org.http(rewrite_login=True),
        )
    assert caught.value.code == "INVALID_LOGIN"


def test_salesforce_login_with_scratch_url(org: Sandbox) -> None:
    session_id, instance = SalesforceLogin(
        username=USER,
        password=PASSWORD,
        security_token=TOKEN,
        scratch_url=org.url,
        session=org.http(),
    )
    assert instance == f"127.0.0.1:{org.server.port}"
    assert _count(org.sf(session_id)) == 20


def test_oauth_password_grant(org: Sandbox) -> None:
    sf = Salesforce(
        username=USER,
        password=PASSWORD,
        consumer_key=KEY,
        consumer_secret=SECRET,
        session=org.http(rewrite_login=True),
    )
    assert _count(sf) == 20
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=USER,
            password=PASSWORD,
            consumer_key=KEY,
            consumer_secret="bad",
            session=org.http(rewrite_login=True),
        )
    assert caught.value.code == "invalid_client"


def test_token_response_shape(org: Sandbox) -> None:
    response = org.http().post(
        f"{org.url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": KEY,
            "client_secret": SECRET,
            "username": USER,
            "password": PASSWORD + TOKEN,
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert {
        "access_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
        "signature",
    } <= body.keys()
    assert "refresh_token" not in body  # the password flow issues none
    assert body["instance_url"] == org.url
    assert body["token_type"] == "Bearer"


def test_jwt_bearer_grant_with_string_exp(org: Sandbox) -> None:
    sf = Salesforce(
        username=USER,
        consumer_key=KEY,
        privatekey=PRIVATE_KEY,
        session=org.http(rewrite_login=True),
    )
    assert _count(sf) == 20


@pytest.mark.parametrize(
    ("claims", "key", "error"),
    [
        ({"exp": "100"}, PRIVATE_KEY, "expired authorization code"),
        ({"aud": "https://evil.example.com"}, PRIVATE_KEY, "audience is invalid"),
        ({}, _rsa_pair()[0], "invalid assertion"),
        ({"sub": "someone@else.com"}, PRIVATE_KEY, "invalid assertion"),
    ],
)
def test_jwt_bearer_rejections(org: Sandbox, claims: dict[str, str], key: str, error: str) -> None:
    payload = {
        "iss": KEY,
        "sub": USER,
        "aud": "https://login.salesforce.com",
        "exp": str(int(time.time()) + 180),
        **claims,
    }
    response = org.http().post(
        f"{org.url}/services/oauth2/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": jwt.encode(payload, key, algorithm="RS256"),
        },
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": error}


def test_client_credentials_with_basic_auth(org: Sandbox) -> None:
    sf = Salesforce(
        consumer_key=KEY,
        consumer_secret=SECRET,
        domain="acme.my",
        session=org.http(rewrite_login=True),
    )
    assert _count(sf) == 20
    bad = base64.b64encode(f"{KEY}:nope".encode()).decode()
    response = org.http().post(
        f"{org.url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {bad}"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_refresh_token_grant_and_rotation(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(
        consumer_key=KEY,
        consumer_secret=SECRET,
        refresh_tokens=("r-1",),
        rotate_refresh_tokens=True,
    )
    url = f"{org.url}/services/oauth2/token"
    first = org.http().post(
        url,
        data={
            "grant_type": "refresh_token",
            "client_id": KEY,
            "client_secret": SECRET,
            "refresh_token": "r-1",
        },
    )
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert _count(org.sf(first.json()["access_token"])) == 20
    again = org.http().post(
        url, data={"grant_type": "refresh_token", "client_id": KEY, "refresh_token": "r-1"}
    )
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }
    assert (
        org.http()
        .post(url, data={"grant_type": "refresh_token", "client_id": KEY, "refresh_token": rotated})
        .status_code
        == 200
    )


def test_expired_session_answers_401_array_and_a_fresh_token_works(
    make_sandbox: MakeSandbox,
) -> None:
    org = make_sandbox(
        consumer_key=KEY, consumer_secret=SECRET, refresh_tokens=("r-1",), session_ttl_s=0.3
    )
    url = f"{org.url}/services/oauth2/token"
    form = {"grant_type": "refresh_token", "client_id": KEY, "refresh_token": "r-1"}
    sf = org.sf(org.http().post(url, data=form).json()["access_token"])
    assert _count(sf) == 20
    time.sleep(0.4)
    with pytest.raises(SalesforceExpiredSession) as caught:
        _count(sf)
    assert caught.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert _count(org.sf(org.http().post(url, data=form).json()["access_token"])) == 20


def test_soap_client_logs_in_again_after_invalid_session(org: Sandbox) -> None:
    sf = Salesforce(
        username=USER, password=PASSWORD, security_token=TOKEN, session=org.http(rewrite_login=True)
    )
    assert _count(sf) == 20
    org.admin("POST", "sessions/expire")
    assert _count(sf) == 20  # 401 INVALID_SESSION_ID → re-login → replay
    stats = org.admin("GET", "stats")
    assert stats["calls"]["POST /services/Soap/u/{version}"] == 2
    assert stats["statuses"]["401"] == 1


def test_token_expiry_fault_kills_sessions_and_client_recovers(org: Sandbox) -> None:
    sf = Salesforce(
        username=USER, password=PASSWORD, security_token=TOKEN, session=org.http(rewrite_login=True)
    )
    org.admin("POST", "faults", {"spec": "salesforce.token-expiry=3", "seed": 1})
    for _ in range(8):
        assert _count(sf) == 20
    stats = org.admin("GET", "stats")
    assert stats["faults_injected"]["token-expiry"] >= 2
    assert stats["calls"]["POST /services/Soap/u/{version}"] >= 3
