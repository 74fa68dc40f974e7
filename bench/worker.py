"""One measured sync: ``python -m bench.worker --config C --out R.json [--dry-run] [--approve]``.

The real composition, as ``partnerpulse sync`` and ``tests/e2e/harness.py`` run it:
``load_config`` + ``open_store`` (migrated) + ``build_adapters`` + ``run_sync``. Three
instruments are added at the ports, none of which changes what is sent:

- a :class:`Progress` that stamps when each stream starts and each later step begins
  (``link``, ``score``, ``write``/``plan``);
- the store's ``ledger_begin``, stamped: planning ends and applying begins there;
- a proxy in front of each adapter that times its ``apply`` / ``find_tasks``.

At each boundary the adapters' own call counters (``ApiCalls``) are read, so calls are
split by phase. The parent (:mod:`bench.efficiency`) runs this in a subprocess and takes
its peak RSS from ``os.wait4``; the worker also reports its own ``getrusage``.

``--no-pacing``: the HubSpot governor computes its waits but does not sleep — for the
local-throughput pass, against a sandbox with no latency and its rate limits off.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from connector.cli.compose import WallClock, build_adapters, close_adapters
from connector.config import load_config
from connector.model import System
from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate
from connector.store import SqlStore, make_engine, migrate
from connector.sync.engine import SyncOptions, SyncReport, run_sync
from connector.sync.pull import PullAdapter


class Stamps:
    """Monotonic times of the run's moments, and the adapters' call counts at each."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.moments: dict[str, float] = {}
        self.calls: dict[str, dict[str, dict[str, int]]] = {}
        self.adapters: dict[System, PullAdapter] = {}

    def mark(self, name: str) -> None:
        """The first time ``name`` happens (later ones are ignored)."""
        if name not in self.moments:
            self.moments[name] = time.monotonic() - self.t0
            self.calls[name] = {s: a.calls.snapshot() for s, a in self.adapters.items()}


class StampingProgress:
    """``Progress`` that only stamps: when each CRM's first stream starts, each step."""

    def __init__(self, stamps: Stamps) -> None:
        self.stamps = stamps

    def stream_started(self, system: str, stream: str, expected: int | None) -> None:
        self.stamps.mark(f"pull:{system}")

    def advanced(self, system: str, stream: str, records: int) -> None:
        return None

    def step(self, name: str, detail: str = "") -> None:
        self.stamps.mark("plan" if name == "write" else name)


class StampingStore(SqlStore):
    """The store, with the moment the ledger is written (planning ends, applying starts)."""

    stamps: Stamps | None = None

    def ledger_begin(
        self, operations: Sequence[Operation], run_id: str | None = None
    ) -> list[Operation]:
        if self.stamps is not None:
            self.stamps.mark("apply")
        return super().ledger_begin(operations, run_id)


class TimedAdapter:
    """An adapter whose ``apply`` and ``find_tasks`` are timed; the real one does the work."""

    def __init__(self, inner: PullAdapter, spent: dict[str, float]) -> None:
        self.inner = inner
        self.system = inner.system
        self.spent = spent

    def _timed(self, what: str, fn: Callable[[], Any]) -> Any:
        started = time.monotonic()
        try:
            return fn()
        finally:
            self.spent[f"{what}:{self.system}"] += time.monotonic() - started

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        result: list[OperationResult] = self._timed("apply", lambda: self.inner.apply(operations))
        return result

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        result: dict[str, str] = self._timed(
            "find_tasks",
            lambda: self.inner.find_tasks(task_keys),  # type: ignore[attr-defined]
        )
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def no_pacing() -> None:
    """The HubSpot governor keeps its books but never sleeps (local-throughput pass)."""
    from adapters.hubspot import governor

    original = governor.Governor.__init__

    def init(self: governor.Governor, limits: governor.Limits, **kwargs: Any) -> None:
        kwargs["sleep"] = lambda _s: None
        original(self, limits, **kwargs)

    governor.Governor.__init__ = init  # type: ignore[method-assign]


def operation_json(op: Operation) -> dict[str, Any]:
    return op.model_dump(mode="json")


def plan_summary(report: SyncReport) -> dict[str, Any]:
    """Planned writes per CRM: records whose tags change, tasks to create and to close."""
    if report.writeback is None:
        return {}
    out: dict[str, Any] = {}
    for system, ops in report.writeback.plan.by_system().items():
        out[system] = {
            "tag_records": len({op.record_id for op in ops if isinstance(op, TagUpdate)}),
            "tag_updates": sum(isinstance(op, TagUpdate) for op in ops),
            "task_creates": len({op.task_key for op in ops if isinstance(op, TaskCreate)}),
            "task_closes": sum(isinstance(op, TaskClose) for op in ops),
        }
    return out


def measure(
    config_path: Path, options: SyncOptions, *, ops_out: Path | None = None
) -> dict[str, Any]:
    """One sync through the real composition, stamped; what :func:`main` writes."""
    config = load_config(config_path)
    engine = make_engine(config.state.url)
    migrate(engine)
    store = StampingStore(engine, config.workspace.name)
    stamps = Stamps()
    store.stamps = stamps
    clock = WallClock()
    adapters = build_adapters(config, clock.now())
    stamps.adapters = adapters
    spent: dict[str, float] = defaultdict(float)
    timed: dict[System, PullAdapter] = {s: TimedAdapter(a, spent) for s, a in adapters.items()}
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started_at: datetime = clock.now()
    try:
        report = run_sync(
            config,
            adapters=timed,
            store=store,
            clock=clock,
            options=options,
            progress=StampingProgress(stamps),
        )
        stamps.mark("end")
        budgets = {s: a.budget() for s, a in adapters.items()}
    finally:
        close_adapters(adapters)
        engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if ops_out is not None and report.writeback is not None:
        ops = [operation_json(op) for op in report.writeback.plan.operations]
        ops_out.write_text(json.dumps(ops), encoding="utf-8")
    return {
        "started_at": started_at.isoformat(),
        "options": {"full": options.full, "dry_run": options.dry_run},
        "outcome": report.outcome,
        "exit_code": int(report.exit_code),
        "moments": stamps.moments,
        "calls_at": stamps.calls,
        "calls": {s: a.calls.snapshot() for s, a in adapters.items()},
        "rate_limited": {s: int(getattr(a.calls, "rate_limited", 0)) for s, a in adapters.items()},
        "retries": {s: int(getattr(a.calls, "retries", 0)) for s, a in adapters.items()},
        "paced_s": {s: b.get("paced_s", 0.0) for s, b in budgets.items()},
        "pulled": dict(report.pull.pulled),
        "deleted": dict(report.pull.deleted),
        "quarantined": dict(report.pull.quarantined),
        "full_streams": report.pull.full_streams,
        "scored": len(report.scored),
        "plan": plan_summary(report),
        "writeback": report.writeback.summary() if report.writeback else None,
        "spent": dict(spent),
        "cpu_s": round(
            usage.ru_utime - cpu0.ru_utime + usage.ru_stime - cpu0.ru_stime,
            3,
        ),
        "max_rss_kib": usage.ru_maxrss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--ops-out", type=Path)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--approve", action="store_true")
    parser.add_argument("--no-pacing", action="store_true")
    args = parser.parse_args(argv)
    if args.no_pacing:
        no_pacing()
    options = SyncOptions(full=args.full, dry_run=args.dry_run, approve=args.approve, kind="bench")
    result = measure(args.config, options, ops_out=args.ops_out)
    args.out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
