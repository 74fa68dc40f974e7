"""Fixtures: a sandbox Salesforce over real TLS sockets, and simple-salesforce clients for it."""

from __future__ import annotations

import gc
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce

from sandbox.common.faults import FaultPlan
from sandbox.common.server import ServerThread, TlsFiles, make_tls
from sandbox.common.stats import CallStats
from sandbox.salesforce import SalesforceOptions, SalesforceStore, create_app, make_id

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SESSION = "00DSB0000000001!static-test-session"


def stamp(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def small_world(accounts: int = 20, tasks_per_account: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Two users, ``accounts`` accounts (odd ones partners), tasks on each, one opportunity and
    one case per account, a contact per account; stamps spread over the last ``accounts`` days."""
    users = [
        {
            "Id": make_id("005", 1),
            "Username": "ann@example.com",
            "FirstName": "Ann",
            "LastName": "Owner",
            "Email": "ann@example.com",
        },
        {
            "Id": make_id("005", 2),
            "Username": "bob@example.com",
            "FirstName": "Bob",
            "LastName": "Owner",
            "Email": "bob@example.com",
            "IsActive": False,
        },
    ]
    world: dict[str, list[dict[str, Any]]] = {
        "User": users,
        "Account": [],
        "Task": [],
        "Contact": [],
        "Opportunity": [],
        "Case": [],
    }
    for i in range(1, accounts + 1):
        account_id = make_id("001", i)
        world["Account"].append(
            {
                "Id": account_id,
                "Name": f"Partner {i:03d}",
                "Type": "Partner" if i % 2 else "Customer",
                "IsPartner": bool(i % 2),
                "OwnerId": make_id("005", 1 + i % 2) if i % 5 else None,
                "SystemModstamp": stamp(i),
                "CreatedDate": stamp(400 + i),
                "AnnualRevenue": 1000 * i,
                "BillingCity": "Berlin" if i % 3 else None,
                "Partner_Since__c": "2023-01-15",
                "NPS_Score__c": i % 11,
                "Website": f"https://p{i}.example.com",
            }
        )
        world["Contact"].append(
            {
                "Id": make_id("003", i),
                "LastName": f"Contact {i}",
                "AccountId": account_id,
                "Email": f"c{i}@example.com",
            }
        )
        world["Opportunity"].append(
            {
                "Id": make_id("006", i),
                "Name": f"Deal {i}",
                "AccountId": account_id,
                "StageName": "Closed Won" if i % 2 else "Prospecting",
                "Amount": 500.0 * i,
                "CloseDate": "2025-03-01",
            }
        )
        world["Case"].append(
            {
                "Id": make_id("500", i),
                "AccountId": account_id,
                "Subject": f"Issue {i}",
                "Status": "New",
            }
        )
        for j in range(tasks_per_account):
            n = i * 100 + j
            world["Task"].append(
                {
                    "Id": make_id("00T", n),
                    "Subject": f"Call {n}",
                    "WhatId": account_id,
                    "Status": "Completed" if j % 2 else "Not Started",
                    "TaskSubtype": "Call",
                    "ActivityDate": "2025-05-01",
                    "SystemModstamp": stamp(i + j / 10),
                }
            )
    return world


class RewritingAdapter(HTTPAdapter):
    """Sends https://*.salesforce.com/... to the sandbox (simple-salesforce's login hosts
    are fixed); everything else goes where it was addressed."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        host = url.split("/")[2] if "://" in url else ""
        if host.endswith(".salesforce.com"):
            request.url = self.target + "/" + url.split("/", 3)[3]
        return super().send(request, *args, **kwargs)


@dataclass
class Sandbox:
    server: ServerThread
    store: SalesforceStore
    options: SalesforceOptions
    stats: CallStats
    faults: FaultPlan
    tls: TlsFiles
    sessions: list[requests.Session] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def http(self, *, rewrite_login: bool = False) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.tls.ca_file)
        if rewrite_login:
            session.mount("https://", RewritingAdapter(self.url))
        self.sessions.append(session)
        return session

    def sf(self, session_id: str = SESSION, **kwargs: Any) -> Salesforce:
        return Salesforce(
            session_id=session_id, instance_url=self.url, session=self.http(), **kwargs
        )

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http().request(method, f"{self.url}/__sandbox/{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json()

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        # Let the server see the clients' FINs before it stops: a TLS connection still open at
        # shutdown leaves an unclosed transport behind (a ResourceWarning). See report.
        state = self.server._server.server_state
        deadline = time.monotonic() + 2.0
        collected = False
        while state.connections and time.monotonic() < deadline:
            time.sleep(0.01)
            if not collected and time.monotonic() > deadline - 1.8:
                gc.collect()  # a response kept alive by a traceback holds its socket open
                collected = True
        self.server.stop()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(Path(tmp_path_factory.mktemp("sf-tls")))


MakeSandbox = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox(tls: TlsFiles) -> Iterator[MakeSandbox]:
    started: list[Sandbox] = []

    def make(world: dict[str, list[dict[str, Any]]] | None = None, **options: Any) -> Sandbox:
        store = SalesforceStore.from_records(small_world() if world is None else world, now=NOW)
        opts = SalesforceOptions(**{"static_session_id": SESSION, **options})
        stats, faults = CallStats(), FaultPlan()
        app = create_app(store, options=opts, stats=stats, faults=faults)
        server = ServerThread(app, tls=tls)
        # Accepted sockets inherit TCP_NODELAY from the listener; without it every response
        # (headers and body written separately) waits ~40 ms for a delayed ACK. See report.
        server._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sandbox = Sandbox(server.start(), store, opts, stats, faults, tls)
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox()
