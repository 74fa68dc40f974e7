"""The daemon in process: its status page in headless Chromium, /healthz, /status."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from connector.cli.compose import open_store
from connector.config import Config, load_config
from connector.config.runtime import DaemonConfig, JobSchedule, ScheduleConfig
from connector.model import Quarantined
from connector.store import SqlStore
from sandbox.serve import SandboxHandle, write_config
from scheduler.daemon import Daemon
from tests.daemon.conftest import finished_runs, wait_for

CHROMIUM = "/usr/bin/chromium"


def daemon_config(config_path: Path) -> Config:
    """The sandbox config with an ephemeral port, one run at start, no reconcile."""
    cfg = load_config(config_path)
    update: dict[str, object] = {
        "daemon": DaemonConfig(http_port=0, log_format="console", log_level="warning"),
        "schedule": ScheduleConfig(
            incremental=JobSchedule(every="1h"), reconcile=JobSchedule(enabled=False)
        ),
    }
    return cfg.model_copy(update=update)


@pytest.fixture(scope="module")
def running(
    sandbox: SandboxHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Daemon, SqlStore, str]]:
    """One daemon for this module's tests (each leaves it as it found it)."""
    cfg = daemon_config(write_config(sandbox, tmp_path_factory.mktemp("page") / "config.toml"))
    store = open_store(cfg)
    daemon = Daemon(cfg, store)
    try:
        daemon.start()
        assert daemon.http is not None
        wait_for(lambda: finished_runs(store), 60, "the first run")
        yield daemon, store, f"http://127.0.0.1:{daemon.http.port}"
    finally:
        daemon.shutdown()
        store.engine.dispose()


def dump_dom(url: str, profile: Path) -> str:
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.browser
def test_the_status_page_shows_the_facts_of_status(
    running: tuple[Daemon, SqlStore, str], tmp_path: Path
) -> None:
    daemon, store, url = running
    store.quarantine(
        [Quarantined(system="hubspot", stream="companies", record_id="987", reason="<b>bad</b>")]
    )
    budget_run = store.start_run("sync", "elsewhere")
    store.finish_run(
        budget_run,
        "ok",
        detail={"budget": {"salesforce": {"remaining": 14321, "limit": 15000}}},
    )
    facts = daemon.status()

    dom = dump_dom(url + "/", tmp_path / "profile")
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)

    assert "<title>PartnerPulse — sandbox</title>" in dom
    assert 'id="health" class="ok">health: ok<' in dom
    first = finished_runs(store)[-1]
    assert first.kind == "incremental"
    assert f">{first.outcome}<" in dom
    assert f">{first.records_pulled}<" in dom
    for connection, stream in facts.cursors:
        assert f">{connection}/{stream}<" in dom
    assert f'<span id="quarantine-open">{facts.quarantine_open}</span>' in dom
    assert ">987<" in dom
    assert "&lt;b&gt;bad&lt;/b&gt;" in dom  # escaped, not markup
    assert ">14321<" in dom
    assert ">15000<" in dom
    assert ">every 1h<" in dom
    for bad in ("Internal Server Error", "Traceback", "Error"):
        assert bad not in dom


def test_health_metrics_and_status_endpoints(running: tuple[Daemon, SqlStore, str]) -> None:
    daemon, store, url = running
    with httpx.Client(timeout=10) as client:
        health = client.get(url + "/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert health.json()["jobs"]["incremental"] is not None
        status = client.get(url + "/status").json()
        assert status["runs"][0]["id"] == store.runs(limit=1)[0].id
        metrics = client.get(url + "/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        assert 'partnerpulse_runs_total{job="incremental",outcome=' in metrics.text
        assert "partnerpulse_records_pulled_total" in metrics.text

        daemon.stop.set()  # what SIGTERM does first: unhealthy from then on
        try:
            health = client.get(url + "/healthz")
        finally:
            daemon.stop.clear()
        assert health.status_code == 503
        assert health.json()["scheduler"] == "stopped"


def test_an_unreachable_store_is_unhealthy(
    running: tuple[Daemon, SqlStore, str], tmp_path: Path
) -> None:
    daemon, store, url = running
    gone = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'state.db'}")
    daemon.store = SqlStore(gone, "sandbox")
    try:
        health = httpx.get(url + "/healthz", timeout=10)
    finally:
        daemon.store = store
        gone.dispose()
    assert health.status_code == 503
    assert health.json()["store"].startswith("unreachable: unable to open database file")
    assert health.json()["scheduler"] == "running"
