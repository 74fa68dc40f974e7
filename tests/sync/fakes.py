"""A fake CRM adapter at the port: streams of canonical records held in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from connector.errors import BudgetExhausted
from connector.model import AnyRecord, Quarantined, System
from connector.operations import Operation, OperationResult
from connector.ports import Cursor, Page

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class FakeCalls:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def snapshot(self) -> dict[str, int]:
        return dict(self.counts)

    def count(self, endpoint: str) -> None:
        self.counts[endpoint] = self.counts.get(endpoint, 0) + 1


class FakeAdapter:
    """Serves ``data[stream]`` in (modified_at, id) order, ``page_size`` records a page."""

    def __init__(
        self,
        system: System,
        data: dict[str, list[AnyRecord]],
        *,
        page_size: int = 2,
        quarantine: dict[str, list[Quarantined]] | None = None,
        budget_after_pages: int | None = None,
    ) -> None:
        self.system = system
        self.streams = tuple(data)
        self.deletion_window = timedelta(days=15)
        self.data = data
        self.page_size = page_size
        self.quarantine = quarantine or {}
        self.calls = FakeCalls()
        self.budget_after_pages = budget_after_pages
        self.pages_served = 0
        self.fulls: list[str] = []
        self.closed = False
        self.applied: list[Operation] = []

    def pull(self, stream: str, cursor: Cursor | None, *, full: bool) -> Iterator[Page]:
        if full:
            self.fulls.append(stream)
        records = sorted(self.data[stream], key=lambda r: (r.modified_at, r.ref.id))
        if cursor is not None and not full and cursor.modified_at is not None:
            mark = (cursor.modified_at, cursor.last_id or "")
            records = [r for r in records if (r.modified_at, r.ref.id) > mark]
        last = cursor or Cursor(system=self.system, stream=stream)
        bad = list(self.quarantine.get(stream, ()))
        chunks = [records[i : i + self.page_size] for i in range(0, len(records), self.page_size)]
        for chunk in chunks or [[]]:
            if self.budget_after_pages is not None and self.pages_served >= self.budget_after_pages:
                raise BudgetExhausted("fake allocation spent", resets_at=T0 + timedelta(days=1))
            self.calls.count(f"{stream}:page")
            self.pages_served += 1
            if chunk:
                last = Cursor(
                    system=self.system,
                    stream=stream,
                    modified_at=chunk[-1].modified_at,
                    last_id=chunk[-1].ref.id,
                )
            yield Page(stream=stream, records=tuple(chunk), quarantined=tuple(bad), cursor=last)
            bad = []

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        self.applied.extend(operations)
        self.calls.count("apply")
        return [
            OperationResult(key=op.key, ok=True, crm_id=f"w{i}") for i, op in enumerate(operations)
        ]

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        return {}

    def check_schema(self) -> list[str]:
        return []

    def count(self, stream: str) -> int:
        return len([r for r in self.data[stream] if not r.deleted])

    def budget(self) -> dict[str, object]:
        return {"used": self.calls.total, "limit": 1000}

    def close(self) -> None:
        self.closed = True


class StepClock:
    """A clock that moves one second each time it is read."""

    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current
