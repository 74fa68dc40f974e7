"""The whole chain: `sandbox serve`'s world and config file → the adapter → every record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.salesforce import SalesforceAdapter
from connector.config import load_config
from connector.config.crm import SalesforceConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from sandbox.salesforce.fixtures import export_records
from sandbox.serve import SandboxHandle, start_sandbox, write_config
from sandbox.world import World
from tests.adapters_salesforce.harness import STREAM_OBJECTS, settled


@pytest.fixture
def served(world: World, tmp_path: Path) -> Iterator[SandboxHandle]:
    with start_sandbox(world, workdir=tmp_path / "sandbox") as handle:
        yield handle


def test_the_written_config_pulls_every_record(served: SandboxHandle, tmp_path: Path) -> None:
    config = load_config(write_config(served, tmp_path / "partnerpulse.toml"))
    adapter = SalesforceAdapter(
        config.salesforce,
        mapping=config.mappings.salesforce,
        writeback=config.writeback,
        run_started_at=datetime.now(UTC),
    )
    try:
        assert adapter.check_schema() == []
        for stream in STREAM_OBJECTS:
            got = {
                r.ref.id
                for p in adapter.pull(stream, None, full=True)
                for r in p.records
                if ":" not in r.ref.id
            }
            rows = export_records(served.salesforce_store, stream)
            assert got == {r["Id"] for r in rows if not r.get("IsDeleted")}, stream
    finally:
        adapter.close()
    assert adapter.calls.total == settled(served.salesforce_stats.snapshot)["total_calls"]


def test_jwt_with_the_served_key(served: SandboxHandle) -> None:
    config = SalesforceConfig(
        enabled=True,
        auth="jwt",
        login_url=served.salesforce_url,
        client_id=served.salesforce.consumer_key,
        username=served.salesforce.username,
        private_key_file=served.salesforce.private_key_file,
        ca_bundle=served.ca_file,
    )
    adapter = SalesforceAdapter(
        config,
        mapping=MappingOverride(),
        writeback=WritebackConfig(),
        run_started_at=datetime.now(UTC),
    )
    try:
        assert adapter.count("Account") == len(
            [r for r in export_records(served.salesforce_store, "Account") if not r["IsDeleted"]]
        )
    finally:
        adapter.close()
