"""Secrets (issue 8): a full run with faults, using canary secrets, then a scan of everything
the runs left behind — the canaries appear nowhere.

The sandbox is served in this process with its credentials replaced by canaries: fresh
random values (with a ``cnry`` marker where the format allows) for the Salesforce client
secret, password, security token, refresh token and JWT private key, and the HubSpot
private-app token, OAuth client secret and refresh token; the access tokens the sandbox
issues while the runs sign in (and again after every fault-killed token) are recorded and
scanned for too. Every PartnerPulse command runs as a subprocess of the real CLI, its HOME,
TMPDIR and working folder inside the test's folder:

- ``sync`` (client credentials + private app) and ``sync`` (OAuth password flow with the
  security token + HubSpot OAuth, secrets from the environment) with structlog at debug;
- the daemon (JWT bearer + HubSpot OAuth, log level debug), its ``/metrics``, ``/status``,
  ``/healthz`` and page fetched while it runs, then SIGTERM;
- ``sync`` with a Salesforce session token, through the plain ``partnerpulse`` script;
- a failed ``sync`` and ``check`` with wrong canaries (exit code 3, one line);
- ``status`` and ``status --json``;
- and, on PostgreSQL, a state URL whose password is a canary (``status``, ``check``, and
  the error of an unreachable database).

All against faults: 429s, 503s, connection resets, malformed JSON, partial batch failures
and token expiry on both CRMs. Then the scan: every command's stdout and stderr, the daemon's
HTTP answers, the SQLite state (every table and column as text, and the bytes of the
database, WAL and shared-memory files) and every file under the runs' folders — for each
canary raw, URL-encoded, JSON-escaped, hex and base64 (standard and URL-safe, at each of the
three byte alignments).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import create_engine, text

from connector.errors import ExitCode
from sandbox.common.faults import parse_fault_spec
from sandbox.serve import SandboxHandle
from sandbox.world import generate_world
from tests.reliability.canaries import Canaries, canary_sandbox, scan
from tests.reliability.canary_runs import Runs, config_file, run_daemon, secret_file, session_token

PARTNERS = 15
SEED = 8
FAULTS = "*.429=0.02,*.503=0.02,*.reset=0.03,*.malformed-json=0.02,*.partial-batch=0.1"
# Token deaths: Salesforce always signs in again; HubSpot only can with OAuth (a private-app
# token that HubSpot refuses is a stop, by design), so its expiry is on for the OAuth runs.
SF_EXPIRY = "salesforce.token-expiry=12"
HS_EXPIRY = "hubspot.token-expiry=12"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def token_expiry(handle: SandboxHandle, *, salesforce: bool, hubspot: bool) -> None:
    """The faults, with token deaths on for the CRMs that can sign in again."""
    expiry = [e for e, on in ((SF_EXPIRY, salesforce), (HS_EXPIRY, hubspot)) if on]
    rates = parse_fault_spec(",".join([FAULTS, *expiry]))
    handle.salesforce_faults.replace(rates["salesforce"])
    handle.hubspot_faults.replace(rates["hubspot"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxHandle, Canaries]]:
    with canary_sandbox(
        generate_world(PARTNERS, seed=SEED),
        workdir=tmp_path_factory.mktemp("sandbox"),
        faults=f"{FAULTS},{SF_EXPIRY}",
        seed=SEED,
    ) as served:
        yield served


@pytest.fixture(scope="module")
def runs(served: tuple[SandboxHandle, Canaries], tmp_path_factory: pytest.TempPathFactory) -> Runs:
    handle, canaries = served
    c = canaries.values
    folder = tmp_path_factory.mktemp("runs")
    done = Runs(folder)
    db = folder / "state" / "partnerpulse.db"
    db.parent.mkdir()
    sf_files = handle.salesforce.files
    client_credentials = config_file(
        folder,
        "client-credentials",
        handle,
        salesforce={
            "auth": "client_credentials",
            "client_secret_file": secret_file(folder, "sf-secret", c["sf_client_secret"]),
        },
        hubspot={
            "auth": "private_app",
            "token_file": secret_file(folder, "hs-token", c["hs_private_app_token"]),
        },
    )
    done.debug_cli("sync client-credentials", "sync", "--config", str(client_credentials))

    password = config_file(
        folder,
        "password",
        handle,
        salesforce={
            "auth": "password",
            "username": handle.salesforce.username,
            "client_secret_env": "CANARY_SF_SECRET",
            "password_env": "CANARY_SF_PASSWORD",
            "security_token_file": secret_file(folder, "sf-token", c["sf_security_token"]),
        },
        hubspot={
            "auth": "oauth",
            "client_id": handle.hubspot.client_id,
            "client_secret_env": "CANARY_HS_SECRET",
            "refresh_token_file": secret_file(folder, "hs-refresh", c["hs_refresh_token"]),
        },
    )
    secrets_env = {
        "CANARY_SF_SECRET": c["sf_client_secret"],
        "CANARY_SF_PASSWORD": c["sf_password"],
        "CANARY_HS_SECRET": c["hs_client_secret"],
    }
    token_expiry(handle, salesforce=True, hubspot=True)
    done.debug_cli("sync password", "sync", "--config", str(password), extra=secrets_env)

    jwt = config_file(
        folder,
        "jwt",
        handle,
        salesforce={
            "auth": "jwt",
            "username": handle.salesforce.username,
            "private_key_file": str(sf_files["private_key"]),
        },
        hubspot={
            "auth": "oauth",
            "client_id": handle.hubspot.client_id,
            "client_secret_file": secret_file(folder, "hs-secret", c["hs_client_secret"]),
            "refresh_token_file": str(handle.hubspot.files["refresh_token"]),
        },
    )
    run_daemon(done, jwt, db)
    token_expiry(handle, salesforce=False, hubspot=False)  # a session cannot sign in again

    session = config_file(
        folder,
        "session",
        handle,
        salesforce={
            "auth": "session",
            "access_token_file": secret_file(
                folder, "sf-session", session_token(handle, c["sf_client_secret"])
            ),
        },
        hubspot={"auth": "private_app", "token_file": str(folder / "secrets" / "hs-token")},
    )
    done.cli("sync session", "sync", "--config", str(session))

    wrong = config_file(
        folder,
        "wrong",
        handle,
        salesforce={
            "auth": "client_credentials",
            "client_secret_file": secret_file(folder, "wrong-sf", c["wrong_sf_client_secret"]),
        },
        hubspot={
            "auth": "private_app",
            "token_file": secret_file(folder, "wrong-hs", c["wrong_hs_token"]),
        },
    )
    done.cli("sync wrong secrets", "sync", "--config", str(wrong))
    done.cli("check wrong secrets", "check", "--config", str(wrong))
    done.debug_cli("sync wrong secrets (debug)", "sync", "--config", str(wrong))
    wrong_session = config_file(
        folder,
        "wrong-session",
        handle,
        salesforce={
            "auth": "session",
            "access_token_file": secret_file(folder, "wrong-session", c["wrong_sf_session"]),
        },
        hubspot={"auth": "private_app", "token_file": str(folder / "secrets" / "hs-token")},
    )
    done.cli("sync wrong session", "sync", "--config", str(wrong_session), "--only", "salesforce")
    done.cli("sync wrong hubspot token", "sync", "--config", str(wrong), "--only", "hubspot")
    wrong_oauth = config_file(
        folder,
        "wrong-oauth",
        handle,
        salesforce={
            "auth": "password",
            "username": handle.salesforce.username,
            "client_secret_file": str(folder / "secrets" / "sf-secret"),
            "password_file": secret_file(folder, "wrong-password", c["wrong_sf_password"]),
        },
        hubspot={
            "auth": "oauth",
            "client_id": handle.hubspot.client_id,
            "client_secret_file": secret_file(
                folder, "wrong-hs-secret", c["wrong_hs_client_secret"]
            ),
            "refresh_token_file": secret_file(folder, "wrong-refresh", c["wrong_hs_refresh_token"]),
        },
    )
    for only in ("salesforce", "hubspot"):
        done.debug_cli(
            f"sync wrong {only} oauth", "sync", "--config", str(wrong_oauth), "--only", only
        )

    done.cli("status", "status", "--config", str(client_credentials))
    done.cli("status --json", "status", "--config", str(client_credentials), "--json")
    return done


def test_the_scan_finds_a_planted_canary_in_every_form() -> None:
    """The scan itself can fail: a canary hidden in each encoding is found."""
    secret = "cnry+Pw/" + secrets.token_hex(10)
    planted = {
        "raw": f"error: login refused for {secret}!".encode(),
        "url": f"password={quote_plus(secret)}&x=1".encode(),
        "json": json.dumps({"a": f"x{secret}"}).encode(),
        **{
            f"base64 at {pad}": base64.b64encode(f"{'u' * pad}:{secret}".encode())
            for pad in range(3)
        },
        "url-safe base64": base64.urlsafe_b64encode(b"ab" + secret.encode()),
        "hex": ("ab" + secret.encode().hex().upper()).encode(),
    }
    found = scan(planted, {"canary": secret})
    assert {line.split(":", 1)[0] for line in found} == set(planted), found
    assert scan({"clean": b"password=***"}, {"canary": secret}) == []


def test_the_runs_used_every_secret_under_faults(
    served: tuple[SandboxHandle, Canaries], runs: Runs
) -> None:
    """The scan below means something only if the runs signed in with every canary, went on
    under faults (re-signing in after the token deaths) and stored what they pulled."""
    handle, canaries = served
    injected: dict[str, int] = {}
    for plan in (handle.salesforce_faults, handle.hubspot_faults):
        for kind, n in plan.injected.items():
            injected[kind] = injected.get(kind, 0) + n
    for kind in ("429", "503", "reset", "token-expiry", "malformed-json", "partial-batch"):
        assert injected.get(kind, 0) > 0, (kind, injected)
    # client credentials, password, JWT (each more than once: tokens died) and OAuth.
    assert len(canaries.issued) >= 6, len(canaries.issued)
    for label in ("sync client-credentials", "sync password", "sync session"):
        tail = runs.outputs[f"{label} stderr"][-3000:].decode(errors="replace")
        assert runs.exits[label] in (ExitCode.OK, ExitCode.REJECTED), (label, tail)
    assert runs.exits["daemon"] == 0, runs.outputs["daemon log"][-2000:]
    assert b'"event": "run finished"' in runs.outputs["daemon log"]
    for label in (
        "sync wrong secrets",
        "check wrong secrets",
        "sync wrong session",
        "sync wrong hubspot token",
        "sync wrong salesforce oauth",
        "sync wrong hubspot oauth",
    ):
        assert runs.exits[label] == ExitCode.CRM_REFUSED, (label, runs.outputs)
        stderr = runs.outputs[f"{label} stderr"].decode()
        # One line names the problem (after any log lines of the retries before it).
        assert stderr.strip().splitlines()[-1].startswith("partnerpulse: "), (label, stderr)
        assert stderr.count("partnerpulse: ") == 1, (label, stderr)
        assert "Traceback" not in stderr, stderr
    db = runs.folder / "state" / "partnerpulse.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM activities").fetchone()[0] > 1000
        outcomes = [r[0] for r in conn.execute("SELECT outcome FROM runs")]
    assert len(outcomes) >= 5, outcomes


def test_no_canary_in_output_logs_or_daemon_http(
    served: tuple[SandboxHandle, Canaries], runs: Runs
) -> None:
    _, canaries = served
    print("seconds per command:", runs.seconds)
    assert scan({**runs.outputs, **runs.http}, canaries.named()) == []
    assert any(b"partnerpulse_api_calls_total" in v for v in runs.http.values())


def test_no_canary_in_the_state_database(
    served: tuple[SandboxHandle, Canaries], runs: Runs
) -> None:
    _, canaries = served
    db = runs.folder / "state" / "partnerpulse.db"
    surfaces: dict[str, bytes] = {}
    with sqlite3.connect(db) as conn:
        conn.text_factory = bytes
        tables = [
            r[0].decode()
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            if not re.fullmatch(r"\w+", table):
                continue
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            surfaces[f"table {table}"] = b"\n".join(
                b"\t".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
                for row in rows
            )
    assert "runs" in tables
    assert "ledger" in tables
    for path in sorted(db.parent.iterdir()):
        surfaces[f"file {path.name}"] = path.read_bytes()
    assert scan(surfaces, canaries.named()) == []


def test_no_canary_in_any_file_the_runs_wrote(
    served: tuple[SandboxHandle, Canaries], runs: Runs
) -> None:
    """Everything under the runs' HOME, TMPDIR, working folder and state folder (the secret
    files and configs the test itself wrote are left out)."""
    _, canaries = served
    surfaces = {}
    for sub in ("home", "tmp", "cwd", "state"):
        for path in (runs.folder / sub).rglob("*"):
            if path.is_file():
                surfaces[str(path.relative_to(runs.folder))] = path.read_bytes()
    assert any(name.startswith("state") for name in surfaces)
    assert scan(surfaces, canaries.named()) == []
    # ... while the secret files the configs named do hold them: the values in use.
    held = {p.name: p.read_bytes() for p in (runs.folder / "secrets").iterdir()}
    for name in ("sf_client_secret", "sf_security_token", "hs_private_app_token"):
        assert scan(held, {name: canaries.values[name]}), name


@pytest.mark.postgres
def test_a_state_url_password_is_never_shown(
    served: tuple[SandboxHandle, Canaries], tmp_path: Path
) -> None:
    """``[state] url`` carries a PostgreSQL password inline: ``check`` and ``status`` on a
    database that answers, and the error of one that does not, never show it."""
    handle, canaries = served
    password = canaries.values["pg_password"]
    name = f"pp_canary_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    runs = Runs(tmp_path)
    token = {"auth": "private_app", "token_file": str(handle.hubspot.files["private_app_token"])}
    sf = {
        "auth": "client_credentials",
        "client_secret_file": str(handle.salesforce.files["consumer_secret"]),
    }
    try:
        quoted = quote(password, safe="")
        good = config_file(
            tmp_path,
            "pg",
            handle,
            salesforce=sf,
            hubspot=token,
            state_url=f"postgresql+psycopg://postgres:{quoted}@127.0.0.1:5432/{name}",
        )
        down = config_file(
            tmp_path,
            "pg-down",
            handle,
            salesforce=sf,
            hubspot=token,
            state_url=f"postgresql+psycopg://postgres:{quoted}@127.0.0.1:1/{name}",
        )
        runs.cli("check offline", "check", "--offline", "--config", str(good))
        runs.cli("status", "status", "--config", str(good))
        runs.cli("status --json", "status", "--json", "--config", str(good))
        runs.cli("status down", "status", "--config", str(down))
        runs.debug_cli("sync down (debug)", "sync", "--config", str(down))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert runs.exits["status"] == 0, runs.outputs
    assert runs.exits["status down"] == ExitCode.BAD_INPUT, runs.outputs
    assert scan(runs.outputs, {"pg_password": password}) == []
