"""The run log: one row per sync, plan or check, for ``status`` and for tagging records."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import insert, select, update

from connector.store.engine import writing
from connector.store.entries import RunInfo
from connector.store.scope import Scoped
from connector.store.tables import runs

RUNNING = "running"
ABANDONED = "abandoned"


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class RunStore(Scoped):
    """Runs of this workspace."""

    def start_run(self, kind: str, host: str = "", pid: int | None = None) -> str:
        """Record a run as started ("running") and return its id; ``pid`` (kept in
        ``detail`` until the run finishes) lets a later run on ``host`` tell a run that was
        killed from one still going."""
        run_id = str(uuid.uuid4())
        row = {
            "id": run_id,
            "workspace": self.workspace,
            "kind": kind,
            "started_at": self._now(),
            "outcome": RUNNING,
            "records_pulled": 0,
            "records_written": 0,
            "rejects": 0,
            "api_calls": {},
            "detail": {} if pid is None else {"pid": pid},
            "host": host,
        }
        with writing(self.engine) as conn:
            conn.execute(insert(runs), row)
        return run_id

    def finish_run(
        self,
        run_id: str,
        outcome: str,
        records_pulled: int = 0,
        records_written: int = 0,
        rejects: int = 0,
        api_calls: Mapping[str, int] | None = None,
        detail: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Record how run ``run_id`` ended; an id of another workspace (or none) raises KeyError."""
        stmt = (
            update(runs)
            .where(runs.c.id == run_id, runs.c.workspace == self.workspace)
            .values(
                finished_at=self._now(),
                outcome=outcome,
                records_pulled=records_pulled,
                records_written=records_written,
                rejects=rejects,
                api_calls=dict(api_calls or {}),
                detail=dict(detail or {}),
                error=error,
            )
        )
        with writing(self.engine) as conn:
            if conn.execute(stmt).rowcount != 1:
                raise KeyError(f"no run {run_id} in workspace {self.workspace}")

    def abandon_dead_runs(
        self, host: str, alive: Callable[[int], bool] = process_alive
    ) -> list[str]:
        """Close the runs of ``host`` still marked running whose process is gone (killed,
        or the machine went down), so ``status`` does not show them running for ever.
        Runs of other hosts, and runs without a recorded pid, are left as they are."""
        query = select(runs.c.id, runs.c.detail).where(
            runs.c.workspace == self.workspace, runs.c.outcome == RUNNING, runs.c.host == host
        )
        with writing(self.engine) as conn:
            dead = [
                row.id
                for row in conn.execute(query)
                if isinstance((row.detail or {}).get("pid"), int) and not alive(row.detail["pid"])
            ]
            if dead:
                conn.execute(
                    update(runs)
                    .where(runs.c.workspace == self.workspace, runs.c.id.in_(dead))
                    .values(
                        finished_at=self._now(),
                        outcome=ABANDONED,
                        error="the process ended before the run finished (killed or crashed)",
                    )
                )
        return dead

    def runs(self, limit: int = 20) -> list[RunInfo]:
        """The latest ``limit`` runs, newest first."""
        query = (
            select(runs)
            .where(runs.c.workspace == self.workspace)
            .order_by(runs.c.started_at.desc(), runs.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            RunInfo.model_validate({k: v for k, v in row.items() if k != "workspace"})
            for row in rows
        ]
