"""A sandbox Salesforce org served over TLS, its back door, and adapters pointed at it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.salesforce import SalesforceAdapter
from connector.config.crm import SalesforceConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from sandbox.common.server import ServerThread, TlsFiles
from sandbox.salesforce import SalesforceStore

PARTNERS = 15
STREAM_OBJECTS = ("User", "Account", "Task", "Event", "Opportunity", "Case")


@dataclass
class Sleeps:
    """A sleep that records instead of waiting, so retries and polls cost no wall time."""

    slept: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


@dataclass
class Sandbox:
    """One sandbox org served over TLS, with its back door and a factory of adapters."""

    server: ServerThread
    tls: TlsFiles
    store: SalesforceStore
    secrets_dir: Path
    consumer_key: str
    admin: httpx.Client
    sleeps: Sleeps = field(default_factory=Sleeps)
    adapters: list[SalesforceAdapter] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def config(self, **overrides: Any) -> SalesforceConfig:
        values: dict[str, Any] = {
            "enabled": True,
            "auth": "client_credentials",
            "login_url": self.url,
            "client_id": self.consumer_key,
            "client_secret_file": self.secrets_dir / "client_secret",
            "ca_bundle": self.tls.ca_file,
            "lookback_s": 0,
            "max_retries": 8,
        }
        values.update(overrides)
        return SalesforceConfig.model_validate(values)

    def adapter(
        self,
        *,
        run_started_at: datetime | None = None,
        mapping: MappingOverride | None = None,
        **overrides: Any,
    ) -> SalesforceAdapter:
        adapter = SalesforceAdapter(
            self.config(**overrides),
            mapping=mapping or MappingOverride(),
            writeback=WritebackConfig(),
            run_started_at=run_started_at or self.now(),
            sleep=self.sleeps,
        )
        self.adapters.append(adapter)
        return adapter

    def now(self) -> datetime:
        return self.store.now().astimezone(UTC)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.admin.post(f"/__sandbox/{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str) -> Any:
        response = self.admin.get(f"/__sandbox/{path}")
        assert response.status_code == 200, response.text
        return response.json()

    def records(self, obj: str) -> list[dict[str, Any]]:
        return list(self.get(f"records/{obj}"))

    def stats(self) -> dict[str, Any]:
        return settled(lambda: dict(self.get("stats")))

    def faults(self, spec: str, seed: int = 1) -> None:
        self.post("faults", {"spec": spec, "seed": seed})


SandboxFactory = Callable[..., Sandbox]


def settled(snapshot: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Call stats once they stop moving: the sandbox records a call just after answering it."""
    last = snapshot()
    for _ in range(50):
        time.sleep(0.02)
        now = snapshot()
        if now["total_calls"] == last["total_calls"]:
            return now
        last = now
    return last
