"""The daemon against the sandbox over real sockets, SQLite files and the real PostgreSQL.

The sandbox (a small world) is served in the test process; daemons and one-off
commands run as subprocesses of the installed ``partnerpulse`` script, configured by
the sandbox's ``write_config`` plus ``PARTNERPULSE_*`` environment overrides.
PostgreSQL (127.0.0.1:5432, user postgres) gets a throwaway database per test that
needs one; if it is down those tests error, never skip.
"""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from connector.store import RunInfo, SqlStore, make_engine, migrate
from sandbox.serve import SandboxHandle, start_sandbox, write_config
from sandbox.world import generate_world

BIN = Path(sys.executable).parent / "partnerpulse"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PARTNERS = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    """Both sandbox CRMs serving a 40-partner world, for the whole session."""
    workdir = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(generate_world(PARTNERS, seed=7), seed=7, workdir=workdir) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _sandbox_latency_reset(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" in request.fixturenames:
        handle: SandboxHandle = request.getfixturevalue("sandbox")
        set_latency(handle, 0)


def set_latency(handle: SandboxHandle, ms: float) -> None:
    trust = ssl.create_default_context(cafile=str(handle.ca_file))
    for url in (handle.salesforce_url, handle.hubspot_url):
        with httpx.Client(verify=trust, timeout=10) as client:
            client.post(f"{url}/__sandbox/latency", json={"ms": ms}).raise_for_status()


@pytest.fixture
def config_path(sandbox: SandboxHandle, tmp_path: Path) -> Path:
    """A config for the sandbox; its state is a SQLite file beside it."""
    return write_config(sandbox, tmp_path / "config.toml")


class PgDatabases:
    """Creates throwaway databases and drops them (forcefully) at the end."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        name = f"pp_daemon_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        return url

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    databases = PgDatabases()
    try:
        yield databases.create()
    finally:
        databases.drop_all()


def daemon_env(port: int, *, every: str = "2s", **extra: str) -> dict[str, str]:
    """The environment of a daemon subprocess: a fast schedule, no reconcile, JSON logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}
    env.update(
        {
            "PARTNERPULSE_SCHEDULE__INCREMENTAL__EVERY": every,
            "PARTNERPULSE_SCHEDULE__INCREMENTAL__JITTER_S": "0",
            "PARTNERPULSE_SCHEDULE__RECONCILE__ENABLED": "false",
            "PARTNERPULSE_DAEMON__HTTP_PORT": str(port),
            "PARTNERPULSE_DAEMON__LOG_FORMAT": "json",
            "PARTNERPULSE_DAEMON__LOG_LEVEL": "info",
            **extra,
        }
    )
    return env


class DaemonProcess:
    """``partnerpulse run`` as a subprocess; logs go to a file the test can read."""

    def __init__(self, config: Path, env: dict[str, str], log: Path) -> None:
        self.port = int(env["PARTNERPULSE_DAEMON__HTTP_PORT"])
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [str(BIN), "run", "--config", str(config)],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> httpx.Response:
        with httpx.Client(timeout=10) as client:
            return client.get(self.url + path)

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited {self.proc.returncode}:\n{self.output()}")
            try:
                if self.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"daemon not healthy in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; kills (and fails) if it overstays."""
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"daemon ignored SIGTERM for {timeout}s:\n{self.output()}"
            ) from None
        finally:
            self._log_file.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._log_file.closed:
            self._log_file.close()


@pytest.fixture
def daemons() -> Iterator[list[DaemonProcess]]:
    """Daemons a test starts; any left running at the end are killed."""
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.kill()


def store_at(url: str, workspace: str = "sandbox") -> SqlStore:
    """The store at ``url`` (the sandbox config's workspace), for assertions."""
    return SqlStore(make_engine(url), workspace)


def sqlite_url(config: Path) -> str:
    """The state URL ``write_config`` gives a config: a SQLite file beside it."""
    return f"sqlite:///{config.parent / 'partnerpulse.db'}"


def finished_runs(store: SqlStore, limit: int = 500) -> list[RunInfo]:
    return [run for run in store.runs(limit=limit) if run.outcome != "running"]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
