"""Operations for the write-back tests, and faults aimed at one endpoint.

The sandbox draws its transport faults per request at random; a write test needs the fault
on one request (the create, not the lookup before it). :class:`FaultOn` stands in for the
urllib3 pool under the adapter's ``GovernedPool`` and arms a sandbox fault, through the
back door, just for the requests it aims at: the request still crosses the real socket and
the sandbox applies its own fault. :class:`LoseAnswer` lets the request reach the sandbox
(which commits it) and then drops the answer, as a connection reset after the CRM acted
would; the sandbox has no fault of that kind (its faults strike before the app runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import urllib3

from adapters.hubspot import HubSpotAdapter
from connector.operations import FieldChange, TagUpdate, TagValue, TaskClose, TaskCreate
from tests.adapters_hubspot.harness import Sandbox

TAGS = {
    "health_score": "pp_health_score",
    "health_grade": "pp_health_grade",
    "segment": "pp_segment",
    "tier": "pp_tier",
    "health_reasons": "pp_health_reasons",
    "health_updated_at": "pp_health_updated_at",
}
DESIRED: dict[str, TagValue] = {
    "health_score": "48.5",
    "health_grade": "at_risk",
    "segment": "strategic",
    "tier": "gold",
    "health_reasons": "no meeting for 94 days; 3 issues open longer than 30 days",
    "health_updated_at": "2026-03-02T06:00:00+00:00",
}


def tag_update(record_id: str, values: dict[str, TagValue], key: str | None = None) -> TagUpdate:
    changes = tuple(
        FieldChange(tag=tag, crm_field=TAGS[tag], old=None, new=new, reason="test")
        for tag, new in values.items()
    )
    return TagUpdate(
        key=key or f"tags:{record_id}",
        system="hubspot",
        record_id=record_id,
        partner_id=f"P-{record_id}",
        changes=changes,
        written=dict(values),
    )


def task_create(
    n: int,
    company_id: str,
    *,
    owner_id: str | None = None,
    priority: str = "normal",
    due: date = date(2026, 3, 5),
    sent_before: bool = False,
) -> TaskCreate:
    task_key = f"at_risk_call:P-{n:012x}:2026-03-02"
    return TaskCreate(
        key=f"{task_key}@hubspot",
        task_key=task_key,
        system="hubspot",
        record_id=company_id,
        partner_id=f"P-{n:012x}",
        playbook="at_risk_call",
        owner_id=owner_id,
        subject=f"Call the partner {n}: health fell to 38.0",
        body="no meeting for 94 days",
        due=due,
        priority=priority,
        reason="test",
        sent_before=sent_before,
    )


def task_close(task_id: str, note: str = "Closed by PartnerPulse: cleared.") -> TaskClose:
    return TaskClose(
        key=f"close:{task_id}",
        task_key=f"at_risk_call:P-{task_id}:2026-03-02",
        system="hubspot",
        task_id=task_id,
        partner_id="P-1",
        playbook="at_risk_call",
        note=note,
        reason="test",
    )


class FaultOn(urllib3.PoolManager):
    """Arms ``spec`` in the sandbox for the next ``times`` requests whose path ends with
    ``suffix``; every other request goes out untouched."""

    def __init__(self, sandbox: Sandbox, suffix: str, spec: str, times: int = 1) -> None:
        super().__init__(num_pools=2, maxsize=4)
        self.sandbox, self.suffix, self.spec, self.left = sandbox, suffix, spec, times

    def request(self, method: str, url: str, *args: Any, **kw: Any) -> Any:
        armed = self.left > 0 and url.split("?")[0].endswith(self.suffix)
        if armed:
            self.left -= 1
            self.sandbox.faults(self.spec)
        try:
            return super().request(method, url, *args, **kw)
        finally:
            if armed:
                self.sandbox.faults("")


class LoseAnswer(urllib3.PoolManager):
    """Sends the next request ending with ``suffix`` for real, then drops its answer."""

    def __init__(self, suffix: str) -> None:
        super().__init__(num_pools=2, maxsize=4)
        self.suffix, self.left = suffix, 1

    def request(self, method: str, url: str, *args: Any, **kw: Any) -> Any:
        response = super().request(method, url, *args, **kw)
        if self.left and url.split("?")[0].endswith(self.suffix):
            self.left -= 1
            raise urllib3.exceptions.ProtocolError(
                "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
            )
        return response


def use_pool(adapter: HubSpotAdapter, pool: urllib3.PoolManager) -> None:
    adapter.client.pool.pool.clear()
    adapter.client.pool.pool = pool


def calls_settle(sandbox: Sandbox, timeout_s: float = 3.0) -> None:
    """Assert the sandbox counted what this sandbox's adapters counted. The sandbox records
    a call once its response is sent, so the last may land a moment after the client has it."""
    counted = sum(a.calls.total for a in sandbox.adapters)
    deadline = time.monotonic() + timeout_s
    while True:
        total = sandbox.sandbox_stats()["total_calls"]
        if total == counted or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert counted == total


def wait_for(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def by_key(records: list[dict[str, Any]], key: str = "pp_task_key") -> dict[str, list[str]]:
    """Live task ids per task key, as the sandbox holds them."""
    found: dict[str, list[str]] = {}
    for record in records:
        value = record["properties"].get(key)
        if value and not record.get("archived"):
            found.setdefault(value, []).append(record["id"])
    return found
