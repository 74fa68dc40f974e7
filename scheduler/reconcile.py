"""Drift after a full reconcile: what each CRM holds now against what the store holds.

A full pull re-reads every stream and marks what it did not see as deleted, so the two
should agree; a difference means records the mapping quarantined, records created while
the pull ran, or a pull that missed something — worth a log line and a metric.

The store counts per record kind (``SqlStore.count``), so streams that share a kind
(Salesforce Task and Event; HubSpot's five engagement streams) are compared as one group,
keyed ``system/Task+Event``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import structlog

from connector.errors import ConnectorError
from connector.model import Activity, Deal, Issue, Owner, PartnerRecord, Record, System
from connector.store import SqlStore

log = structlog.get_logger("partnerpulse.reconcile")

KIND_OF_STREAM: dict[str, type[Record]] = {
    "User": Owner,
    "owners": Owner,
    "Account": PartnerRecord,
    "companies": PartnerRecord,
    "Task": Activity,
    "Event": Activity,
    "calls": Activity,
    "emails": Activity,
    "meetings": Activity,
    "notes": Activity,
    "tasks": Activity,
    "Opportunity": Deal,
    "deals": Deal,
    "Case": Issue,
    "tickets": Issue,
}


@runtime_checkable
class CountingAdapter(Protocol):
    """An adapter that can count what its CRM holds (both adapters do; the pull port
    does not ask for it)."""

    @property
    def streams(self) -> tuple[str, ...]: ...

    def count(self, stream: str) -> int: ...


def count_drift(adapters: Mapping[System, object], store: SqlStore) -> dict[str, int]:
    """``{"system/streams": CRM count − store count}`` per stream group; a group whose
    count the CRM refused is left out (and logged), as is an adapter that cannot count."""
    drift: dict[str, int] = {}
    for system, adapter in adapters.items():
        if not isinstance(adapter, CountingAdapter):
            continue
        groups: dict[type[Record], list[str]] = {}
        for stream in adapter.streams:
            kind = KIND_OF_STREAM.get(stream)
            if kind is not None:
                groups.setdefault(kind, []).append(stream)
        for kind, streams in groups.items():
            key = f"{system}/{'+'.join(streams)}"
            try:
                in_crm = sum(adapter.count(stream) for stream in streams)
            except ConnectorError as exc:
                log.warning("drift not counted", streams=key, error=str(exc))
                continue
            drift[key] = in_crm - store.count(kind, system)
            if drift[key]:
                log.warning("reconcile drift", streams=key, crm=in_crm, store=in_crm - drift[key])
    return drift


def record_drift(
    store: SqlStore, run_id: str, drift: Mapping[str, int], *, api_calls: Mapping[str, int]
) -> None:
    """Add ``drift`` to the finished run's detail, and the count calls to its API calls
    (``api_calls``: the adapters' totals for the run, counts included).

    Counting happens after ``run_sync`` has finished the run, so this rewrites the row
    with the same outcome and counts plus ``detail["drift"]``; its ``finished_at`` moves
    to now, when the job (still holding its lock) is done.
    """
    run = next((r for r in store.runs(limit=50) if r.id == run_id), None)
    if run is None:
        log.warning("run to annotate not found", run=run_id)
        return
    store.finish_run(
        run_id,
        run.outcome,
        records_pulled=run.records_pulled,
        records_written=run.records_written,
        rejects=run.rejects,
        api_calls=api_calls,
        detail={**run.detail, "drift": dict(drift)},
        error=run.error,
    )
