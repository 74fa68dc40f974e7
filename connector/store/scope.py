"""What every role of the store shares: the engine, the one workspace it sees, a clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from connector.ports import Clock
from connector.store.tables import WS


class _WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Scoped:
    """Bound to one ``workspace``: every query this object runs filters by it."""

    def __init__(self, engine: Engine, workspace: str, *, clock: Clock | None = None) -> None:
        if not workspace or len(workspace) > WS:
            raise ValueError(f"workspace must be 1-{WS} characters, got {workspace!r}")
        self.engine = engine
        self.workspace = workspace
        self._clock: Clock = clock or _WallClock()

    def _now(self) -> datetime:
        return self._clock.now()
