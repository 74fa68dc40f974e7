"""Fixtures for the Salesforce adapter tests: a fresh sandbox org over real TLS per test."""

from __future__ import annotations

import secrets
import ssl
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

# adapters/retry.py passes tenacity's deprecated ``initial=`` (tenacity 9.2 warns at import);
# reported to the lead. Import it once quietly so `filterwarnings = error` judges our code.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import adapters.retry  # noqa: F401

from sandbox.common.faults import FaultPlan
from sandbox.common.server import ServerThread, TlsFiles, make_tls
from sandbox.common.stats import CallStats
from sandbox.salesforce import SalesforceOptions, SalesforceStore, create_app
from sandbox.world import World, generate_world
from tests.adapters_salesforce.harness import PARTNERS, Sandbox, SandboxFactory


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(PARTNERS, seed=7)


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def make_sandbox(world: World, tls: TlsFiles, tmp_path: Path) -> Iterator[SandboxFactory]:
    """Fresh orgs holding ``world``'s Salesforce records, clocks on the wall clock.

    Credentials are generated here, per test, and handed to the adapter as files.
    """
    made: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        directory = tmp_path / f"org{len(made)}"
        directory.mkdir()
        consumer_key, consumer_secret = secrets.token_hex(8), secrets.token_urlsafe(24)
        (directory / "client_secret").write_text(consumer_secret, encoding="utf-8")
        store = SalesforceStore.from_records(world.salesforce, now=datetime.now(UTC))
        settings = SalesforceOptions(
            consumer_key=consumer_key, consumer_secret=consumer_secret, **options
        )
        app = create_app(store, options=settings, stats=CallStats(), faults=FaultPlan(seed=1))
        server = ServerThread(app, tls=tls).start()
        context = ssl.create_default_context(cafile=str(tls.ca_file))
        admin = httpx.Client(base_url=server.url, verify=context, trust_env=False)
        box = Sandbox(server, tls, store, directory, consumer_key, admin)
        made.append(box)
        return box

    try:
        yield make
    finally:
        for box in made:
            for adapter in box.adapters:
                adapter.close()
            box.admin.close()
            box.server.stop()


@pytest.fixture
def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    return make_sandbox()
