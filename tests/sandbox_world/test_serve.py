"""start_sandbox end to end: both CRMs answer over real sockets with the credentials it minted."""

from __future__ import annotations

import json
import ssl
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.common.faults import FaultSpecError
from sandbox.serve import RecordsRejected, SandboxHandle, start_sandbox, write_config
from sandbox.world import World, generate_world
from tests.sandbox_world.conftest import NOW


@pytest.fixture(scope="module")
def served_world() -> World:
    return generate_world(30, 5, NOW)


@pytest.fixture(scope="module")
def sandbox(
    served_world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SandboxHandle]:
    workdir = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(served_world, workdir=workdir, seed=2, hubspot_tier="pro") as handle:
        yield handle


def _salesforce(handle: SandboxHandle) -> httpx.Client:
    tls = ssl.create_default_context(cafile=str(handle.ca_file))
    return httpx.Client(base_url=handle.salesforce_url, verify=tls, trust_env=False)


def _hubspot(handle: SandboxHandle) -> httpx.Client:
    return httpx.Client(base_url=handle.hubspot_url, trust_env=False)


def _secrets(handle: SandboxHandle) -> list[str]:
    sf, hs = handle.salesforce, handle.hubspot
    return [
        sf.password,
        sf.security_token,
        sf.consumer_secret,
        sf.refresh_token,
        hs.private_app_token,
        hs.client_secret,
        hs.refresh_token,
    ]


def test_both_back_doors_answer_with_stats(sandbox: SandboxHandle) -> None:
    with _salesforce(sandbox) as sf, _hubspot(sandbox) as hs:
        for client in (sf, hs):
            stats = client.get("/__sandbox/stats").json()
            assert stats["total_calls"] == 0
            assert stats["faults_injected"] == {}
            assert "daily_limit" in stats
        assert hs.get("/__sandbox/stats").json()["daily_limit"] == 625_000  # professional


def test_the_minted_credentials_open_both_crms(sandbox: SandboxHandle, served_world: World) -> None:
    creds = sandbox.salesforce
    with _salesforce(sandbox) as sf:
        token = sf.post(
            "/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(creds.consumer_key, creds.consumer_secret),
        )
        assert token.status_code == 200
        query = sf.get(
            "/services/data/v59.0/query/",
            params={"q": "SELECT Id FROM Account WHERE Type = 'Partner'"},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
    partners = [p for p in served_world.truth["partners"] if p["salesforce_id"]]
    assert query.json()["totalSize"] == len(partners) > 0
    with _hubspot(sandbox) as hs:
        bearer = {"Authorization": f"Bearer {sandbox.hubspot.private_app_token}"}
        assert hs.get("/crm/v3/objects/companies", headers=bearer).status_code == 200
        wrong = {"Authorization": "Bearer pat-na1-not-the-token"}
        assert hs.get("/crm/v3/objects/companies", headers=wrong).status_code == 401


def test_the_ready_line_points_at_secret_files_and_holds_no_secret(
    sandbox: SandboxHandle,
) -> None:
    line = sandbox.ready_line()
    text = json.dumps(line)
    assert not [s for s in _secrets(sandbox) if s in text]
    assert line["ready"] is True
    assert (line["partners"], line["seed"]) == (30, 5)
    assert line["salesforce"]["url"].startswith("https://127.0.0.1:")
    assert line["hubspot"]["url"].startswith("http://127.0.0.1:")
    assert line["hubspot"]["tier"] == "professional"
    assert Path(line["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    files = {k: v for system in ("salesforce", "hubspot") for k, v in line[system].items()}
    secret_files = {k: Path(v) for k, v in files.items() if k.endswith("_file")}
    assert set(secret_files) >= {
        "password_file",
        "consumer_secret_file",
        "private_key_file",
        "private_app_token_file",
        "refresh_token_file",
    }
    for path in secret_files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Path(line["hubspot"]["private_app_token_file"]).read_text() == (
        sandbox.hubspot.private_app_token
    )
    assert "PRIVATE KEY" in sandbox.salesforce.private_key_file.read_text()
    assert not [s for s in _secrets(sandbox) if s in repr(sandbox)]


def test_write_config_keeps_secrets_in_files_beside_it(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    path = write_config(sandbox, tmp_path / "conf" / "partnerpulse.toml")
    text = path.read_text()
    assert not [s for s in _secrets(sandbox) if s in text]
    config = tomllib.loads(text)
    assert set(config) == {"workspace", "state", "salesforce", "hubspot"}
    assert config["workspace"] == {"name": "sandbox"}
    assert config["state"]["url"] == f"sqlite:///{path.parent / 'partnerpulse.db'}"
    sf, hs = config["salesforce"], config["hubspot"]
    assert sf == {
        "enabled": True,
        "auth": "client_credentials",
        "login_url": sandbox.salesforce_url,
        "instance_url": sandbox.salesforce_url,
        "client_id": sandbox.salesforce.consumer_key,
        "client_secret_file": str(path.parent / "salesforce-client-secret"),
        "ca_bundle": str(sandbox.ca_file),
        "api_version": "59.0",
    }
    assert hs == {
        "enabled": True,
        "base_url": sandbox.hubspot_url,
        "auth": "private_app",
        "token_file": str(path.parent / "hubspot-token"),
        "tier": "professional",
    }
    secret = Path(sf["client_secret_file"])
    assert secret.read_text() == sandbox.salesforce.consumer_secret
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert Path(hs["token_file"]).read_text() == sandbox.hubspot.private_app_token


def test_faults_apply_per_system_and_a_bad_spec_starts_nothing(tmp_path: Path) -> None:
    world = generate_world(5, 1, NOW)
    with pytest.raises(FaultSpecError, match="unknown kind"):
        start_sandbox(world, workdir=tmp_path, faults="hubspot.boom=1")
    assert not (tmp_path / "tls").exists()
    with start_sandbox(world, workdir=tmp_path, faults="hubspot.503=1") as handle:
        bearer = {"Authorization": f"Bearer {handle.hubspot.private_app_token}"}
        with _hubspot(handle) as hs:
            assert hs.get("/crm/v3/objects/companies", headers=bearer).status_code == 503
            assert hs.get("/__sandbox/stats").json()["faults_injected"] == {"503": 1}
        with _salesforce(handle) as sf:
            assert sf.get("/__sandbox/stats").json()["faults_injected"] == {}
        url = handle.hubspot_url
    handle.stop()  # twice is fine
    with httpx.Client(trust_env=False) as client, pytest.raises(httpx.ConnectError):
        client.get(f"{url}/__sandbox/stats")


def test_records_a_store_refuses_are_reported_with_their_crm(tmp_path: Path) -> None:
    world = World(
        salesforce={"Account": [{"Id": "0015g00000AbCdEAAV", "Name": "X", "Bogus__c": 1}]},
        hubspot={},
        hubspot_owners=[],
        truth={},
    )
    with pytest.raises(RecordsRejected, match="Bogus__c") as caught:
        start_sandbox(world, workdir=tmp_path)
    assert caught.value.system == "salesforce"
