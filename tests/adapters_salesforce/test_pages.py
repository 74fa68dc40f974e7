"""Rows into pages: cursors that only move forward, lookback de-duplication, deletes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.salesforce.pages import SEEN_KEY, PageBuilder
from connector.ports import Cursor
from mappings.salesforce import SalesforceMapping

T0 = datetime(2024, 5, 1, 10, tzinfo=UTC)
MAPPING = SalesforceMapping()


def case(n: int, at: datetime, *, deleted: bool = False) -> dict[str, Any]:
    return {
        "Id": f"500SB00000000{n:02d}AAA",
        "SystemModstamp": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "IsDeleted": deleted,
        "CreatedDate": "2024-01-01T00:00:00.000+0000",
    }


def builder(prior: Cursor | None, **options: Any) -> PageBuilder:
    settings: dict[str, Any] = {"lookback": timedelta(minutes=5), "ordered": True, "dedupe": True}
    settings.update(options)
    return PageBuilder("Case", MAPPING, prior, **settings)


def test_each_page_carries_the_cursor_after_it() -> None:
    pages = builder(None, dedupe=False)
    first = pages.page([case(1, T0), case(2, T0)])
    assert first is not None
    assert (first.cursor.modified_at, first.cursor.last_id) == (T0, "500SB0000000002AAA")
    second = pages.page([case(3, T0 + timedelta(seconds=1), deleted=True)])
    assert second is not None
    assert [r.id for r in second.deleted] == ["500SB0000000003AAA"]
    assert second.records == ()
    final = pages.finish(T0 + timedelta(hours=1))
    assert final is not None
    assert (final.cursor.modified_at, final.cursor.last_id) == (T0 + timedelta(hours=1), None)


def test_a_lookback_re_read_is_dropped_but_a_late_commit_is_kept() -> None:
    first = builder(None, dedupe=False)
    page = first.page([case(1, T0), case(2, T0 + timedelta(seconds=30))])
    assert page is not None
    prior = page.cursor
    assert set(json.loads(prior.state[SEEN_KEY])) == {
        "500SB0000000001AAA",
        "500SB0000000002AAA",
    }
    again = builder(prior)
    late = case(7, T0 + timedelta(seconds=10))  # committed late, stamped inside the lookback
    page = again.page([case(1, T0), late, case(2, T0 + timedelta(seconds=30))])
    assert page is not None
    assert [r.ref.id for r in page.records] == ["500SB0000000007AAA"]
    assert page.cursor.modified_at == prior.modified_at  # a late row never moves it back


def test_a_record_changed_again_comes_back() -> None:
    prior = builder(None, dedupe=False).page([case(1, T0)])
    assert prior is not None
    page = builder(prior.cursor).page([case(1, T0 + timedelta(seconds=5))])
    assert page is not None
    assert [r.ref.id for r in page.records] == ["500SB0000000001AAA"]


def test_the_cursor_never_goes_back() -> None:
    prior = Cursor(system="salesforce", stream="Case", modified_at=T0, last_id="500SB0000000009AAA")
    pages = builder(prior, lookback=timedelta(0))
    assert pages.page([]) is None
    final = pages.finish(T0 - timedelta(days=1))  # a run that started "before" the cursor
    assert final is None or final.cursor.modified_at == T0


def test_unordered_pages_keep_the_old_cursor_until_the_end() -> None:
    prior = Cursor(system="salesforce", stream="Case", modified_at=T0)
    pages = builder(prior, ordered=False, dedupe=False)
    page = pages.page([case(5, T0 + timedelta(seconds=9)), case(4, T0 + timedelta(seconds=3))])
    assert page is not None
    assert page.cursor.modified_at == T0
    assert len(page.records) == 2
    final = pages.finish(None)
    assert final is not None
    assert (final.cursor.modified_at, final.cursor.last_id) == (
        T0 + timedelta(seconds=9),
        "500SB0000000005AAA",
    )


def test_a_row_without_a_stamp_is_quarantined() -> None:
    row = case(1, T0)
    row["SystemModstamp"] = "soon"
    page = builder(None, dedupe=False).page([row])
    assert page is not None
    (bad,) = page.quarantined
    assert "no readable SystemModstamp" in bad.reason
