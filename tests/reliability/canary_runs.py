"""Running PartnerPulse as a user would, for the secrets scan: configs for the sandbox with
any auth keys, the CLI in subprocesses (HOME, TMPDIR and working folder inside the test's
folder, so every file they write can be scanned), and the daemon with its HTTP answers."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from sandbox.generate_credentials import write_secret
from sandbox.serve import SandboxHandle

BIN = Path(sys.executable).parent / "partnerpulse"
# The one-off commands log at warning; the scan wants everything structlog would say.
DEBUG_CLI = (
    "import sys; from connector import logs; from connector.cli.app import app; "
    "logs.configure('json', 'debug'); sys.argv[0] = 'partnerpulse'; app()"
)
DAEMON_TIMEOUT_S = 120.0


def _toml(value: str) -> str:
    return json.dumps(value)  # a TOML basic string for these paths and URLs


def config_file(
    folder: Path,
    name: str,
    handle: SandboxHandle,
    *,
    salesforce: Mapping[str, str],
    hubspot: Mapping[str, str],
    state_url: str | None = None,
) -> Path:
    """A config for ``handle`` with the given auth keys; state in ``folder/state.db``."""
    state = state_url or "sqlite:///" + str(folder / "state" / "partnerpulse.db")
    lines = [
        "[workspace]",
        'name = "canary"',
        "[state]",
        f"url = {_toml(state)}",
        "[salesforce]",
        "enabled = true",
        f"login_url = {_toml(handle.salesforce_url)}",
        f"instance_url = {_toml(handle.salesforce_url)}",
        f"client_id = {_toml(handle.salesforce.consumer_key)}",
        f"ca_bundle = {_toml(str(handle.ca_file))}",
        *(f"{k} = {_toml(v)}" for k, v in salesforce.items()),
        "[hubspot]",
        "enabled = true",
        f"base_url = {_toml(handle.hubspot_url)}",
        *(f"{k} = {_toml(v)}" for k, v in hubspot.items()),
    ]
    path = folder / "configs" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def secret_file(folder: Path, name: str, value: str) -> str:
    return str(write_secret(folder / "secrets" / name, value))


@dataclasses.dataclass
class Runs:
    """What the commands produced, for the scan and for the sanity checks."""

    folder: Path
    outputs: dict[str, bytes] = dataclasses.field(default_factory=dict)
    exits: dict[str, int] = dataclasses.field(default_factory=dict)
    http: dict[str, bytes] = dataclasses.field(default_factory=dict)
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def env(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
        for sub in ("home", "tmp"):
            (self.folder / sub).mkdir(exist_ok=True)
        env.update({"HOME": str(self.folder / "home"), "TMPDIR": str(self.folder / "tmp"), **extra})
        return env

    def run(self, label: str, args: list[str], extra: Mapping[str, str] = {}) -> int:
        """One command to completion, its stdout and stderr kept apart."""
        cwd = self.folder / "cwd"
        cwd.mkdir(exist_ok=True)
        started = time.monotonic()
        done = subprocess.run(
            args, cwd=cwd, env=self.env(extra), capture_output=True, timeout=300, check=False
        )
        self.outputs[f"{label} stdout"] = done.stdout
        self.outputs[f"{label} stderr"] = done.stderr
        self.exits[label] = done.returncode
        self.seconds[label] = round(time.monotonic() - started, 1)
        return done.returncode

    def cli(self, label: str, *args: str, extra: Mapping[str, str] = {}) -> int:
        return self.run(label, [str(BIN), *args], extra)

    def debug_cli(self, label: str, *args: str, extra: Mapping[str, str] = {}) -> int:
        return self.run(label, [sys.executable, "-c", DEBUG_CLI, *args], extra)


def run_daemon(runs: Runs, config: Path, db: Path) -> None:
    """The daemon until its start-up sync has finished, its HTTP answers fetched, then
    SIGTERM; its log at debug level."""
    log = runs.folder / "daemon.log"
    env = runs.env(
        {
            "PARTNERPULSE_SCHEDULE__INCREMENTAL__EVERY": "1h",
            "PARTNERPULSE_SCHEDULE__RECONCILE__ENABLED": "false",
            "PARTNERPULSE_DAEMON__HTTP_PORT": "0",
            "PARTNERPULSE_DAEMON__LOG_LEVEL": "debug",
            "PARTNERPULSE_DAEMON__LOG_FORMAT": "json",
        }
    )
    before = _finished_runs(db)
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN), "run", "--config", str(config)],
            cwd=runs.folder / "cwd",
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + DAEMON_TIMEOUT_S
        url = None
        while proc.poll() is None and time.monotonic() < deadline:
            url = url or _daemon_url(log)
            if url and _finished_runs(db) > before:
                break
            time.sleep(0.1)
        assert url is not None, log.read_text(encoding="utf-8", errors="replace")
        assert _finished_runs(db) > before, "the daemon's start-up sync did not finish"
        with httpx.Client(trust_env=False, timeout=30) as client:
            for path in ("metrics", "status", "healthz", ""):
                runs.http[f"daemon /{path}"] = client.get(url + path).content
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        runs.exits["daemon"] = proc.wait(timeout=60)
        runs.seconds["daemon"] = round(time.monotonic() - started, 1)
        runs.outputs["daemon log"] = log.read_bytes()


def _daemon_url(log: Path) -> str | None:
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"daemon started"' in line:
            return str(json.loads(line)["http"])
    return None


def _finished_runs(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(
                conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[
                    0
                ]
            )
    except sqlite3.Error:
        return 0


def session_token(handle: SandboxHandle, client_secret: str) -> str:
    """An access token the sandbox org issues (client credentials), for ``auth = session``."""
    trust = ssl.create_default_context(cafile=str(handle.ca_file))
    with httpx.Client(verify=trust, trust_env=False, timeout=30) as client:
        for _ in range(20):  # the token endpoint draws faults too
            try:
                response = client.post(
                    f"{handle.salesforce_url}/services/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(handle.salesforce.consumer_key, client_secret),
                )
                if response.status_code == 200:
                    return str(response.json()["access_token"])
            except (httpx.HTTPError, ValueError, KeyError):
                continue
    raise AssertionError("no session from the sandbox")
