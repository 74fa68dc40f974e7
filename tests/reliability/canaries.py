"""Canary secrets: fresh random values the sandbox accepts as its credentials, every
encoded form they could take in text, and the scan that looks for them.

:func:`canary_sandbox` serves a world whose credentials are canaries: the sandbox mints
its credentials itself (``sandbox.generate_credentials``), so its two minting functions are
replaced for the duration — keeping its own fresh RSA key, random by nature — and the access
tokens it issues while clients sign in are recorded, to be scanned for as well.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import secrets
import string
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

import sandbox.serve
from sandbox.generate_credentials import (
    HubSpotCredentials,
    SalesforceCredentials,
    write_secret,
)
from sandbox.hubspot.auth import TokenRegistry
from sandbox.salesforce.sessions import Sessions
from sandbox.serve import SandboxHandle, start_sandbox
from sandbox.world import World


def _alnum(n: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


@dataclasses.dataclass
class Canaries:
    """Every secret of one test run, by name; ``issued`` fills in while the runs sign in."""

    values: dict[str, str]
    private_key_lines: list[str]
    issued: list[str] = dataclasses.field(default_factory=list)

    def named(self) -> dict[str, str]:
        found = dict(self.values)
        found.update({f"private_key line {i}": v for i, v in enumerate(self.private_key_lines)})
        found.update({f"issued token {i}": v for i, v in enumerate(self.issued)})
        return found


def fresh_canaries() -> dict[str, str]:
    # "+" and "/" make the URL-encoded forms differ from the raw ones.
    return {
        "sf_client_secret": "CNRY" + secrets.token_hex(28).upper(),
        "sf_password": f"cnry+Pw/{secrets.token_hex(10)}",
        "sf_security_token": "cnry" + _alnum(21),
        "sf_refresh_token": "5Aep861cnry" + secrets.token_urlsafe(48),
        "hs_private_app_token": f"pat-na1-cnry{uuid.uuid4().hex[:4]}-{uuid.uuid4()}",
        "hs_client_secret": f"cnry{uuid.uuid4()}",
        "hs_refresh_token": f"na1-cnry-{uuid.uuid4()}",
        # Wrong ones, for the failed run: refused, and still never shown.
        "wrong_sf_client_secret": "CNRYWRONG" + secrets.token_hex(24).upper(),
        "wrong_hs_token": f"pat-na1-cnrywrong-{uuid.uuid4()}",
        "wrong_sf_session": "00DSB0000000001!AQcnrywrong" + secrets.token_urlsafe(40),
        "wrong_sf_password": f"cnry+Wrong/{secrets.token_hex(10)}",
        "wrong_hs_client_secret": f"cnrywrong{uuid.uuid4()}",
        "wrong_hs_refresh_token": f"na1-cnrywrong-{uuid.uuid4()}",
        "pg_password": "cnry+Pg/" + secrets.token_hex(12),
    }


def encoded_forms(secret: str) -> set[str]:
    """``secret`` as it could appear in text: raw, URL-encoded, JSON-escaped, hex, and base64
    (standard and URL-safe) wherever it sits in the encoded input (three alignments: the
    characters that depend on neighbouring bytes are cut off)."""
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms.add(binascii.hexlify(raw).decode())
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            # Only the 4-character groups made of the secret's bytes alone are stable.
            text_form = encode(b"\0" * pad + raw).decode()
            stable = text_form[4 if pad else 0 : 4 * ((pad + len(raw)) // 3)]
            if len(stable) >= 16:
                forms.add(stable)
    return {f for f in forms if len(f) >= 12}


def scan(surfaces: Mapping[str, bytes], canaries: Mapping[str, str]) -> list[str]:
    """``surface: canary (form)`` for every canary form found in a surface."""
    found = []
    for name, secret in canaries.items():
        for form in encoded_forms(secret):
            needle = form.encode()
            for where, blob in surfaces.items():
                if needle in blob or (form.isalnum() and needle.lower() in blob.lower()):
                    shown = "raw" if form == secret else f"encoded {form[:12]}…"
                    found.append(f"{where}: {name} ({shown})")
    return sorted(set(found))


def canary_credentials(
    canaries: Mapping[str, str],
) -> tuple[
    Callable[[Path], SalesforceCredentials], Callable[[Path], HubSpotCredentials], list[str]
]:
    """Replacements for the sandbox's credential minting: its own RSA key (a fresh random
    canary by nature), every other secret a canary, written to the same 0600 files."""
    real_sf = sandbox.serve.salesforce_credentials
    real_hs = sandbox.serve.hubspot_credentials
    key_lines: list[str] = []

    def salesforce(workdir: Path) -> SalesforceCredentials:
        creds = real_sf(workdir)
        values = {
            "password": canaries["sf_password"],
            "security_token": canaries["sf_security_token"],
            "consumer_secret": canaries["sf_client_secret"],
            "refresh_token": canaries["sf_refresh_token"],
        }
        for name, value in values.items():
            write_secret(creds.files[name], value)
        pem = creds.private_key_file.read_text(encoding="utf-8").splitlines()
        key_lines.extend(line for line in pem[1:-2] if len(line) == 64)
        return dataclasses.replace(creds, **values)

    def hubspot(workdir: Path) -> HubSpotCredentials:
        creds = real_hs(workdir)
        values = {
            "private_app_token": canaries["hs_private_app_token"],
            "client_secret": canaries["hs_client_secret"],
            "refresh_token": canaries["hs_refresh_token"],
        }
        for name, value in values.items():
            write_secret(creds.files[name], value)
        return dataclasses.replace(creds, **values)

    return salesforce, hubspot, key_lines


@contextmanager
def canary_sandbox(
    world: World, *, workdir: Path, faults: str, seed: int
) -> Iterator[tuple[SandboxHandle, Canaries]]:
    """``world`` served with canary credentials; the canaries fill in ``issued`` as the
    sandbox hands out access tokens."""
    values = fresh_canaries()
    salesforce, hubspot, key_lines = canary_credentials(values)
    canaries = Canaries(values, key_lines)
    real_issue, real_grant = Sessions.issue, TokenRegistry.token_grant

    def issue(self: Sessions, user_id: str, flow: str) -> str:
        token = real_issue(self, user_id, flow)
        canaries.issued.append(token)
        return token

    def token_grant(self: TokenRegistry, form: Mapping[str, str]) -> Any:
        response = real_grant(self, form)
        if response.status_code == 200:
            canaries.issued.append(json.loads(bytes(response.body))["access_token"])
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox.serve, "salesforce_credentials", salesforce)
        patch.setattr(sandbox.serve, "hubspot_credentials", hubspot)
        patch.setattr(Sessions, "issue", issue)
        patch.setattr(TokenRegistry, "token_grant", token_grant)
        with start_sandbox(world, faults=faults, seed=seed, workdir=workdir) as handle:
            yield handle, canaries
