"""Several writers on one database at once (PostgreSQL: how replicas share it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from connector.model import Activity
from connector.store import SqlStore
from tests.store.factories import T0, activity, page


def _run_together(*jobs: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def wrap(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:  # collected and asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _pages(prefix: str, stream: str, count: int, *, shift: int = 0) -> list[object]:
    return [
        page(
            *(
                activity(f"{prefix}{(n + shift) % 200:04d}", modified_at=T0 + timedelta(seconds=n))
                for n in range(i * 50, (i + 1) * 50)
            ),
            stream=stream,
        )
        for i in range(count)
    ]


def test_two_stores_saving_pages_at_once(engine: Engine) -> None:
    a = SqlStore(engine, "conc_a")
    b = SqlStore(engine, "conc_b")

    def save(store: SqlStore, stream: str) -> Callable[[], None]:
        def job() -> None:
            for p in _pages("t", stream, 8):
                store.save_page("sf", p, run_id="r")  # type: ignore[arg-type]

        return job

    errors = _run_together(save(a, "Task"), save(b, "Task"), save(a, "Event"))
    assert errors == []
    assert a.count(Activity) == b.count(Activity) == 200  # 400 ids over 200 refs per store
    assert set(a.cursors()) == {("sf", "Task"), ("sf", "Event")}
    assert set(b.cursors()) == {("sf", "Task")}


def test_overlapping_upserts_of_the_same_records_do_not_deadlock(engine: Engine) -> None:
    store = SqlStore(engine, "conc_overlap")

    def save(shift: int) -> Callable[[], None]:
        def job() -> None:
            for p in _pages("x", "Task", 6, shift=shift):
                store.save_page("sf", p, run_id="r")  # type: ignore[arg-type]

        return job

    assert _run_together(save(0), save(25), save(100)) == []
    assert store.count(Activity) == 200
