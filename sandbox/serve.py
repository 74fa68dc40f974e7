"""Serving a world: both sandbox CRMs on loopback, fresh credentials, a config that points at them.

``start_sandbox`` builds the two stores from a :class:`World`, wraps them in their
apps (faults, latency, call accounting), and serves Salesforce over TLS (with a
CA written to ``workdir``) and HubSpot over plain HTTP. The returned handle
knows the URLs, the CA file and the credentials; ``ready_line()`` is what
``partnerpulse sandbox serve`` prints, and ``write_config`` writes a PartnerPulse
config whose secrets live in 0600 files beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.common.faults import FaultPlan, parse_fault_spec
from sandbox.common.server import ServerThread, make_tls
from sandbox.common.stats import CallStats
from sandbox.generate_credentials import (
    HubSpotCredentials,
    SalesforceCredentials,
    hubspot_credentials,
    salesforce_credentials,
    write_secret,
)
from sandbox.hubspot import HubSpotOptions, HubSpotStore
from sandbox.hubspot import create_app as create_hubspot_app
from sandbox.salesforce import SalesforceOptions, SalesforceStore
from sandbox.salesforce import create_app as create_salesforce_app
from sandbox.world import World

HUBSPOT_TIERS = {
    "free": "free",
    "starter": "starter",
    "pro": "professional",
    "professional": "professional",
    "enterprise": "enterprise",
}
API_VERSION = "59.0"


class RecordsRejected(ValueError):
    """A store refused the world's records (a hand-made fixture, usually); names the CRM."""

    def __init__(self, system: str, reason: str) -> None:
        super().__init__(f"{system}: {reason}")
        self.system = system
        self.reason = reason


def canonical_tier(name: str) -> str:
    """The tier's canonical name; ``pro`` is short for ``professional``."""
    try:
        return HUBSPOT_TIERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"HubSpot tier {name!r} is not one of {', '.join(sorted(HUBSPOT_TIERS))}"
        ) from None


@dataclass
class SandboxHandle:
    """Both running sandbox CRMs. Stop it (or leave its ``with`` block) to free the ports."""

    salesforce_url: str
    hubspot_url: str
    ca_file: Path
    workdir: Path
    salesforce: SalesforceCredentials
    hubspot: HubSpotCredentials
    hubspot_tier: str
    partners: int
    seed: int
    salesforce_store: SalesforceStore
    hubspot_store: HubSpotStore
    salesforce_stats: CallStats
    hubspot_stats: CallStats
    salesforce_faults: FaultPlan
    hubspot_faults: FaultPlan
    _servers: list[ServerThread] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        """Stop both servers; safe to call twice."""
        while self._servers:
            self._servers.pop().stop()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def ready_line(self) -> dict[str, Any]:
        """The JSON object ``serve`` prints when ready: URLs, identifiers, and secret *files*."""
        sf, hs = self.salesforce, self.hubspot
        return {
            "ready": True,
            "partners": self.partners,
            "seed": self.seed,
            "ca_file": str(self.ca_file),
            "workdir": str(self.workdir),
            "salesforce": {
                "url": self.salesforce_url,
                "api_version": API_VERSION,
                "username": sf.username,
                "consumer_key": sf.consumer_key,
                **{f"{name}_file": str(path) for name, path in sf.files.items()},
            },
            "hubspot": {
                "url": self.hubspot_url,
                "tier": self.hubspot_tier,
                "client_id": hs.client_id,
                **{f"{name}_file": str(path) for name, path in hs.files.items()},
            },
        }


def start_sandbox(
    world: World,
    *,
    latency_ms: float = 0,
    faults: str = "",
    seed: int = 0,
    hubspot_tier: str = "professional",
    port_salesforce: int = 0,
    port_hubspot: int = 0,
    workdir: Path,
    now: datetime | None = None,
) -> SandboxHandle:
    """Build both stores from ``world`` and serve them; ports 0 let the OS choose.

    ``seed`` seeds the fault draws (HubSpot's plan uses ``seed + 1``). ``now`` goes to both
    stores' ``from_records`` as the fixture's present (default: the real clock). Raises
    ``FaultSpecError`` for a bad ``faults`` spec, :class:`RecordsRejected` for records a store
    refuses, ``OSError`` for a busy port.
    """
    rates = parse_fault_spec(faults)
    tier = canonical_tier(hubspot_tier)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sf_creds = salesforce_credentials(workdir)
    hs_creds = hubspot_credentials(workdir)
    try:
        sf_store = SalesforceStore.from_records(world.salesforce, now=now)
    except ValueError as exc:
        raise RecordsRejected("salesforce", str(exc)) from exc
    try:
        hs_store = HubSpotStore.from_records(world.hubspot, world.hubspot_owners, now=now)
    except ValueError as exc:
        raise RecordsRejected("hubspot", str(exc)) from exc
    sf_stats, hs_stats = CallStats(), CallStats()
    sf_faults = FaultPlan(rates["salesforce"], seed=seed)
    hs_faults = FaultPlan(rates["hubspot"], seed=seed + 1)
    sf_app = create_salesforce_app(
        sf_store,
        options=SalesforceOptions(
            username=sf_creds.username,
            password=sf_creds.password,
            security_token=sf_creds.security_token,
            consumer_key=sf_creds.consumer_key,
            consumer_secret=sf_creds.consumer_secret,
            jwt_public_key=sf_creds.public_key_pem,
            refresh_tokens=(sf_creds.refresh_token,),
        ),
        stats=sf_stats,
        faults=sf_faults,
        latency_ms=latency_ms,
    )
    hs_app = create_hubspot_app(
        hs_store,
        options=HubSpotOptions(
            access_tokens=(hs_creds.private_app_token,),
            client_id=hs_creds.client_id,
            client_secret=hs_creds.client_secret,
            refresh_tokens=(hs_creds.refresh_token,),
            tier=tier,
        ),
        stats=hs_stats,
        faults=hs_faults,
        latency_ms=latency_ms,
    )
    tls = make_tls(workdir / "tls")
    servers: list[ServerThread] = []
    try:
        servers.append(ServerThread(sf_app, port=port_salesforce, tls=tls).start())
        servers.append(ServerThread(hs_app, port=port_hubspot).start())
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return SandboxHandle(
        salesforce_url=servers[0].url,
        hubspot_url=servers[1].url,
        ca_file=tls.ca_file,
        workdir=workdir,
        salesforce=sf_creds,
        hubspot=hs_creds,
        hubspot_tier=tier,
        partners=world.partners,
        seed=int(world.truth.get("generator", {}).get("seed", seed)),
        salesforce_store=sf_store,
        hubspot_store=hs_store,
        salesforce_stats=sf_stats,
        hubspot_stats=hs_stats,
        salesforce_faults=sf_faults,
        hubspot_faults=hs_faults,
        _servers=servers,
    )


def write_config(handle: SandboxHandle, path: Path | str) -> Path:
    """Write a PartnerPulse config for the sandbox; its secrets go to 0600 files beside it."""
    config = Path(path).resolve()
    folder = config.parent
    folder.mkdir(parents=True, exist_ok=True)
    sf_secret = write_secret(folder / "salesforce-client-secret", handle.salesforce.consumer_secret)
    hs_token = write_secret(folder / "hubspot-token", handle.hubspot.private_app_token)
    lines = [
        "# Written by `partnerpulse sandbox serve`: valid while that sandbox runs.",
        "[workspace]",
        'name = "sandbox"',
        "",
        "[state]",
        f"url = {_toml('sqlite:///' + str(folder / 'partnerpulse.db'))}",
        "",
        "[salesforce]",
        "enabled = true",
        'auth = "client_credentials"',
        f"login_url = {_toml(handle.salesforce_url)}",
        f"instance_url = {_toml(handle.salesforce_url)}",
        f"client_id = {_toml(handle.salesforce.consumer_key)}",
        f"client_secret_file = {_toml(str(sf_secret))}",
        f"ca_bundle = {_toml(str(handle.ca_file))}",
        f'api_version = "{API_VERSION}"',
        "",
        "[hubspot]",
        "enabled = true",
        f"base_url = {_toml(handle.hubspot_url)}",
        'auth = "private_app"',
        f"token_file = {_toml(str(hs_token))}",
        f"tier = {_toml(handle.hubspot_tier)}",
        "",
    ]
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def _toml(text: str) -> str:
    """A TOML basic string (paths may hold backslashes or quotes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
