"""A sandbox HubSpot over a real socket, its back door, and adapters pointed at it."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.hubspot import HubSpotAdapter
from connector.config.crm import HubSpotConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from connector.ports import Cursor, Page
from sandbox.common.faults import FaultPlan
from sandbox.common.server import ServerThread
from sandbox.common.stats import CallStats
from sandbox.hubspot import HubSpotOptions, HubSpotStore, create_app

PARTNERS = 12


def no_sleep(seconds: float) -> None:
    """Tests run with rate limits off in the sandbox, so pacing need not wait."""


class Sandbox:
    """One sandbox portal with fresh credentials; ``adapter()`` builds adapters for it."""

    def __init__(
        self,
        objects: Mapping[str, Sequence[Mapping[str, Any]]],
        owners: Sequence[Mapping[str, Any]],
        directory: Path,
        **options: Any,
    ) -> None:
        self.token = "pat-na1-" + secrets.token_hex(16)
        self.client_id = secrets.token_hex(8)
        self.client_secret = secrets.token_urlsafe(24)
        self.refresh_token = secrets.token_urlsafe(24)
        self.options = HubSpotOptions(
            access_tokens=(self.token,),
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_tokens=(self.refresh_token,),
            **{"rate_limits": False, **options},
        )
        self.store = HubSpotStore.from_records(objects, owners=owners)
        self.stats = CallStats()
        self.app = create_app(
            self.store, options=self.options, stats=self.stats, faults=FaultPlan(seed=1)
        )
        self.server = ServerThread(self.app).start()
        self.url = self.server.url
        self.admin = httpx.Client(base_url=self.url, trust_env=False, timeout=60)
        self.directory = directory
        self._files: dict[str, Path] = {}
        self.adapters: list[HubSpotAdapter] = []

    # -- back door ----------------------------------------------------------------------
    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        response = self.admin.post(f"/__sandbox/{path}", json=dict(body))
        response.raise_for_status()
        return response.json()

    def sandbox_stats(self) -> dict[str, Any]:
        response = self.admin.get("/__sandbox/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def records(self, obj: str) -> list[dict[str, Any]]:
        response = self.admin.get(f"/__sandbox/records/{obj}")
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def live_ids(self, obj: str) -> set[str]:
        return {r["id"] for r in self.records(obj) if not r.get("archived")}

    def create(self, obj: str, records: Sequence[Mapping[str, Any]]) -> list[str]:
        ids: list[str] = self._post("create", {"object": obj, "records": list(records)})["ids"]
        return ids

    def mutate(
        self, obj: str, ids: Sequence[str], values: Mapping[str, Any], modstamp: str | None = None
    ) -> None:
        body = {"object": obj, "ids": list(ids), "set": dict(values), "modstamp": modstamp}
        self._post("mutate", body)

    def delete(self, obj: str, ids: Sequence[str]) -> None:
        self._post("delete", {"object": obj, "ids": list(ids)})

    def faults(self, spec: str, seed: int = 1) -> None:
        self._post("faults", {"spec": spec, "seed": seed})

    def reset_stats(self) -> None:
        self._post("stats/reset", {})

    def drop_field(self, obj: str, field: str) -> None:
        self._post("schema/drop-field", {"object": obj, "field": field})

    def limits(self, **values: int) -> None:
        self._post("limits", values)

    # -- adapters -----------------------------------------------------------------------
    def _secret_file(self, name: str, value: str) -> Path:
        if name not in self._files:
            path = self.directory / f"{name}-{secrets.token_hex(4)}"
            path.write_text(value, encoding="utf-8")
            self._files[name] = path
        return self._files[name]

    def config(self, *, oauth: bool = False, **fields: Any) -> HubSpotConfig:
        if oauth:
            credentials: dict[str, Any] = {
                "auth": "oauth",
                "client_id": self.client_id,
                "client_secret_file": self._secret_file("client-secret", self.client_secret),
                "refresh_token_file": self._secret_file("refresh-token", self.refresh_token),
            }
        else:
            credentials = {"token_file": self._secret_file("token", self.token)}
        return HubSpotConfig.model_validate(
            {"enabled": True, "base_url": self.url, "max_retries": 8, **credentials, **fields}
        )

    def adapter(
        self,
        *,
        oauth: bool = False,
        run_started_at: datetime | None = None,
        sleep: Callable[[float], None] = no_sleep,
        mapping: MappingOverride | None = None,
        **fields: Any,
    ) -> HubSpotAdapter:
        adapter = HubSpotAdapter(
            self.config(oauth=oauth, **fields),
            mapping=mapping or MappingOverride(),
            writeback=WritebackConfig(),
            run_started_at=run_started_at or datetime.now(UTC),
            sleep=sleep,
        )
        self.adapters.append(adapter)
        return adapter

    def close(self) -> None:
        for adapter in self.adapters:
            adapter.close()
        self.admin.close()
        self.server.stop()


def drain(pages: Any) -> tuple[list[Page], Cursor | None]:
    """Every page of a pull, and the last cursor."""
    collected = list(pages)
    return collected, (collected[-1].cursor if collected else None)


def ids_of(pages: Sequence[Page], kind: type | None = None) -> list[str]:
    return [r.ref.id for p in pages for r in p.records if kind is None or isinstance(r, kind)]


def deleted_of(pages: Sequence[Page]) -> list[str]:
    return [ref.id for p in pages for ref in p.deleted]
