"""A sandbox HubSpot on a real loopback socket, driven by the real hubspot-api-client."""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import urllib3
from hubspot import HubSpot

from sandbox.common.faults import FaultPlan
from sandbox.common.server import ServerThread
from sandbox.common.stats import CallStats
from sandbox.hubspot import HubSpotOptions, HubSpotStore, create_app

PARTNERS = 250


@dataclass
class Sandbox:
    """One running sandbox: its URL, a client, and the parts tests inspect."""

    url: str
    token: str
    store: HubSpotStore
    stats: CallStats
    faults: FaultPlan
    options: HubSpotOptions
    http: urllib3.PoolManager = field(default_factory=lambda: urllib3.PoolManager(retries=False))

    def client(self, token: str | None = None, **config: Any) -> HubSpot:
        return HubSpot(access_token=token or self.token, host=self.url, **config)

    def raw(
        self, method: str, path: str, body: Any = None, *, token: str | None = None
    ) -> urllib3.BaseHTTPResponse:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        return self.http.request(method, self.url + path, body=data, headers=headers)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.raw(method, "/__sandbox/" + path, body)
        assert response.status == 200, response.data
        return json.loads(response.data)

    @staticmethod
    def error(call: Callable[[], Any]) -> Any:
        """The exception a client call raises (each hubspot package has its own ApiException)."""
        with pytest.raises(Exception) as caught:  # noqa: PT011 - one class per API package
            call()
        error = caught.value
        assert hasattr(error, "status"), repr(error)
        return error

    @staticmethod
    def body_of(error: Any) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(error.body)
        return body


def companies(count: int = PARTNERS, first_id: int = 1001) -> list[dict[str, Any]]:
    base = 1_704_067_200_000  # 2024-01-01T00:00:00Z
    return [
        {
            "id": str(first_id + i),
            "properties": {
                "name": f"Partner {i:05d}",
                "domain": f"partner{i}.example.com",
                "type": "PARTNER" if i % 5 else "PROSPECT",
                "hubspot_owner_id": str(1 + i % 3),
                "nps_score": i % 11,
                "partner_since": "2022-03-01",
                "createdate": base,
                "hs_lastmodifieddate": base + i * 60_000,
            },
        }
        for i in range(count)
    ]


OWNERS = [
    {"id": "1", "email": "ada@example.com", "firstName": "Ada", "lastName": "L", "userId": 11},
    {"id": "2", "email": "bob@example.com", "firstName": "Bob", "lastName": "M", "userId": 12},
    {"id": "3", "email": "cy@example.com", "firstName": "Cy", "lastName": "N", "userId": 13},
]


def default_world() -> dict[str, list[dict[str, Any]]]:
    return {
        "companies": companies(),
        "tasks": [
            {
                "id": "50001",
                "properties": {
                    "hs_task_subject": "Existing",
                    "hs_timestamp": 1714554000000,
                    "pp_task_key": "qbr:1001:2024Q2",
                },
                "associations": {"companies": ["1001"]},
            }
        ],
    }


Factory = Callable[..., Sandbox]


class Launcher:
    """Starts sandboxes with a given world and options; :meth:`stop_all` stops them."""

    def __init__(self) -> None:
        self.servers: list[ServerThread] = []

    def __call__(
        self,
        world: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        store: HubSpotStore | None = None,
        **options: Any,
    ) -> Sandbox:
        token = "pat-na1-" + secrets.token_hex(16)
        options.setdefault("rate_limits", False)
        opts = HubSpotOptions(access_tokens=(token,), **options)
        store = store or HubSpotStore.from_records(
            default_world() if world is None else world, owners=OWNERS
        )
        stats, faults = CallStats(), FaultPlan(seed=7)
        app = create_app(store, options=opts, stats=stats, faults=faults)
        server = ServerThread(app)
        # Until sandbox/common/server.py sets it: accepted sockets inherit TCP_NODELAY from the
        # listener; without it every response waits ~40 ms for a delayed ACK (Nagle).
        server._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.start()
        self.servers.append(server)
        return Sandbox(server.url, token, store, stats, faults, opts)

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def sandbox_factory() -> Iterator[Factory]:
    launcher = Launcher()
    yield launcher
    launcher.stop_all()


@pytest.fixture
def sandbox(sandbox_factory: Factory) -> Sandbox:
    return sandbox_factory()


@pytest.fixture(scope="module")
def readonly_sandbox() -> Iterator[Sandbox]:
    """One default sandbox per module, for tests that only read."""
    launcher = Launcher()
    yield launcher()
    launcher.stop_all()


@pytest.fixture
def company_rows() -> Callable[..., list[dict[str, Any]]]:
    return companies
