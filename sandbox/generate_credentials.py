"""Fresh credentials for one sandbox run, and the files that hold them.

Every start mints new secrets (nothing is built in or stored in fixtures). The
secret halves are written to files with mode 0600 so that configs and the ready
line can point at them instead of carrying them; the dataclasses keep secrets
out of their ``repr`` so a logged handle leaks nothing.
"""

from __future__ import annotations

import os
import secrets
import string
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class SalesforceCredentials:
    """Every Salesforce login flow the sandbox org accepts, with the files holding the secrets."""

    username: str
    consumer_key: str
    password: str = field(repr=False)
    security_token: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    public_key_pem: str = field(repr=False)
    private_key_file: Path
    files: dict[str, Path]


@dataclass(frozen=True)
class HubSpotCredentials:
    """A private-app token and an OAuth app (client id/secret + a refresh token)."""

    client_id: str
    private_app_token: str = field(repr=False)
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    files: dict[str, Path]


def write_secret(path: Path, value: str) -> Path:
    """Write ``value`` to ``path`` readable by the owner only (0600, also when it existed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value)
    path.chmod(0o600)
    return path


def salesforce_credentials(workdir: Path) -> SalesforceCredentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    values = {
        "password": secrets.token_urlsafe(18),
        "security_token": "".join(secrets.choice(_ALNUM) for _ in range(25)),
        "consumer_secret": secrets.token_hex(32).upper(),
        "refresh_token": "5Aep861" + secrets.token_urlsafe(60),
    }
    files = {
        name: write_secret(workdir / f"salesforce-{name.replace('_', '-')}", value)
        for name, value in values.items()
    }
    files["private_key"] = write_secret(workdir / "salesforce-jwt-key.pem", private_pem)
    return SalesforceCredentials(
        username="integration@partnerpulse.sandbox",
        consumer_key="3MVG9" + secrets.token_urlsafe(62),
        public_key_pem=public_pem,
        private_key_file=files["private_key"],
        files=files,
        **values,
    )


def hubspot_credentials(workdir: Path) -> HubSpotCredentials:
    values = {
        "private_app_token": f"pat-na1-{uuid.uuid4()}",
        "client_secret": str(uuid.uuid4()),
        "refresh_token": f"na1-{secrets.token_hex(2)}-{uuid.uuid4()}",
    }
    files = {
        name: write_secret(workdir / f"hubspot-{name.replace('_', '-')}", value)
        for name, value in values.items()
    }
    return HubSpotCredentials(client_id=str(uuid.uuid4()), files=files, **values)
