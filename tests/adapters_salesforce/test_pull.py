"""Pulling from the sandbox org over TLS: every record lands, increments are cheap and tie-safe."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.salesforce import SalesforceAdapter
from adapters.salesforce.pages import SEEN_KEY
from connector.model import PartnerRecord, SurveyAnswer
from connector.ports import Cursor, Page
from tests.adapters_salesforce.harness import STREAM_OBJECTS, Sandbox

Cursors = dict[str, Cursor]


def pull(
    adapter: SalesforceAdapter, stream: str, cursor: Cursor | None = None, *, full: bool = False
) -> list[Page]:
    return list(adapter.pull(stream, cursor, full=full))


def pull_all(
    adapter: SalesforceAdapter, cursors: Cursors | None = None, *, full: bool = False
) -> tuple[dict[str, list[Page]], Cursors]:
    pages, after = {}, {}
    for stream in adapter.streams:
        pages[stream] = pull(adapter, stream, (cursors or {}).get(stream), full=full)
        after[stream] = pages[stream][-1].cursor if pages[stream] else (cursors or {})[stream]
    return pages, after


def ids(pages: Iterable[Page]) -> list[str]:
    """Ids of the stream's own records (not the survey/KPI records an Account yields)."""
    return [r.ref.id for p in pages for r in p.records if ":" not in r.ref.id]


def deleted(pages: Iterable[Page]) -> set[str]:
    return {ref.id for p in pages for ref in p.deleted}


def stored(sandbox: Sandbox, obj: str) -> tuple[set[str], set[str]]:
    rows = sandbox.records(obj)
    live = {r["Id"] for r in rows if not r.get("IsDeleted")}
    return live, {r["Id"] for r in rows if r.get("IsDeleted")}


def later(sandbox: Sandbox, seconds: float = 2) -> datetime:
    return sandbox.now() + timedelta(seconds=seconds)


def mutate(sandbox: Sandbox, obj: str, record_ids: list[str], stamp: datetime | None) -> None:
    body: dict[str, Any] = {"object": obj, "ids": record_ids, "set": {}}
    body["modstamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.000+0000") if stamp else None
    sandbox.post("mutate", body)


def test_a_full_pull_lands_every_record(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter(page_size=500)
    pages, cursors = pull_all(adapter)
    for obj in STREAM_OBJECTS:
        live, gone = stored(sandbox, obj)
        got = ids(pages[obj])
        assert len(got) == len(set(got)), f"{obj}: duplicates"
        assert set(got) == live, obj
        assert deleted(pages[obj]) == gone
        assert not [q for p in pages[obj] for q in p.quarantined], obj
        assert cursors[obj].modified_at is not None
    accounts = [r for p in pages["Account"] for r in p.records]
    partners = [r for r in accounts if isinstance(r, PartnerRecord)]
    assert any(r.is_partner for r in partners)
    assert any(not r.is_partner for r in partners)
    with_nps = [a for a in sandbox.records("Account") if a.get("NPS_Score__c") is not None]
    assert len([r for r in accounts if isinstance(r, SurveyAnswer)]) == len(with_nps)
    assert adapter.calls.total == sandbox.stats()["total_calls"]
    # A first pull counts each stream, then reads it page by page; one login.
    rows = {obj: len(sandbox.records(obj)) for obj in STREAM_OBJECTS}
    next_pages = sum((n - 1) // 500 for n in rows.values())
    assert adapter.calls.snapshot() == {
        "query": 6,
        "queryAll": 6,
        "query-next": next_pages,
        "token": 1,
    }


def test_counts_match_the_org(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    for obj in ("Account", "Task"):
        assert adapter.count(obj) == len(stored(sandbox, obj)[0])


@pytest.mark.parametrize("lookback_s", [0, 300])
def test_nothing_changed_costs_one_call_per_stream(sandbox: Sandbox, lookback_s: int) -> None:
    _, cursors = pull_all(sandbox.adapter(lookback_s=lookback_s))
    sandbox.post("stats/reset", {})
    second = sandbox.adapter(lookback_s=lookback_s, run_started_at=later(sandbox))
    pages, after = pull_all(second, cursors)
    assert second.calls.snapshot() == {"queryAll": 6, "token": 1}
    assert sandbox.stats()["total_calls"] == 7
    assert [r for ps in pages.values() for p in ps for r in p.records] == []
    for stream, cursor in after.items():
        assert cursor.modified_at is not None
        assert cursor.modified_at >= cursors[stream].modified_at  # type: ignore[operator]


def test_changes_come_back_once_even_with_a_lookback(sandbox: Sandbox) -> None:
    _, cursors = pull_all(sandbox.adapter(lookback_s=600))
    cases = sorted(stored(sandbox, "Case")[0])[:3]
    mutate(sandbox, "Case", cases, None)
    second = sandbox.adapter(lookback_s=600, run_started_at=later(sandbox))
    pages = pull(second, "Case", cursors["Case"])
    assert sorted(ids(pages)) == cases
    assert SEEN_KEY in pages[-1].cursor.state
    third = sandbox.adapter(lookback_s=600, run_started_at=later(sandbox, 3))
    assert ids(pull(third, "Case", pages[-1].cursor)) == []  # re-read, de-duplicated by id


def test_a_late_commit_inside_the_lookback_is_caught(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter(lookback_s=600)
    cursor = pull(adapter, "Opportunity")[-1].cursor
    assert cursor.modified_at is not None
    late = sorted(stored(sandbox, "Opportunity")[0])[:2]
    # Committed now, stamped a minute before the cursor (a long transaction).
    mutate(sandbox, "Opportunity", late, cursor.modified_at - timedelta(minutes=1))
    second = sandbox.adapter(lookback_s=600, run_started_at=later(sandbox))
    assert sorted(ids(pull(second, "Opportunity", cursor))) == late


def test_ties_on_one_stamp_survive_a_page_boundary(sandbox: Sandbox) -> None:
    _, cursors = pull_all(sandbox.adapter())
    tasks = sorted(stored(sandbox, "Task")[0])
    before, tied = tasks[:195], tasks[195:205]
    stamp = (sandbox.now() + timedelta(seconds=5)).replace(microsecond=0)
    mutate(sandbox, "Task", before, stamp - timedelta(seconds=1))
    mutate(sandbox, "Task", tied, stamp)
    second = sandbox.adapter(page_size=200, run_started_at=stamp + timedelta(seconds=1))
    pages = pull(second, "Task", cursors["Task"])
    got = ids(pages)
    assert sorted(got) == sorted(before + tied)
    assert len(got) == len(set(got))
    first_page = pages[0]
    assert len(first_page.records) == 200
    assert first_page.cursor.modified_at == stamp
    assert first_page.cursor.last_id == tied[4]  # the boundary falls inside the tie
    # Resuming from that page's cursor (a crash after it committed) reads exactly the rest.
    resumed = sandbox.adapter(page_size=200, run_started_at=stamp + timedelta(seconds=1))
    assert ids(pull(resumed, "Task", first_page.cursor)) == tied[5:]


def test_deletes_show_up(sandbox: Sandbox) -> None:
    _, cursors = pull_all(sandbox.adapter())
    gone = {
        "Opportunity": sorted(stored(sandbox, "Opportunity")[0])[:3],
        "Account": sorted(stored(sandbox, "Account")[0])[-1:],
    }
    for obj, record_ids in gone.items():
        sandbox.post("delete", {"object": obj, "ids": record_ids})
    second = sandbox.adapter(run_started_at=later(sandbox))
    pages, _ = pull_all(second, cursors)
    assert deleted(pages["Opportunity"]) == set(gone["Opportunity"])
    assert set(gone["Account"]) <= deleted(pages["Account"])
    assert not set(ids(pages["Opportunity"])) & set(gone["Opportunity"])
    assert second.deletion_window == timedelta(days=15)


def test_a_full_pull_rereads_everything(sandbox: Sandbox) -> None:
    _, cursors = pull_all(sandbox.adapter())
    again = sandbox.adapter(run_started_at=later(sandbox))
    pages = pull(again, "Case", cursors["Case"], full=True)
    assert set(ids(pages)) == stored(sandbox, "Case")[0]
    assert again.calls.snapshot() == {"query": 1, "queryAll": 1, "token": 1}


def test_bulk_above_the_threshold_gives_what_rest_gives(sandbox: Sandbox) -> None:
    rest = sandbox.adapter(bulk_threshold=1_000_000)
    bulk = sandbox.adapter(bulk_threshold=5)
    for stream in ("Task", "Opportunity", "Account"):
        via_rest = sorted(
            (r for p in pull(rest, stream) for r in p.records), key=lambda r: r.ref.id
        )
        bulk_pages = pull(bulk, stream)
        assert bulk.reader.last_plan is not None
        assert bulk.reader.last_plan.bulk
        via_bulk = sorted((r for p in bulk_pages for r in p.records), key=lambda r: r.ref.id)
        assert via_bulk == via_rest, stream
        assert bulk_pages[-1].cursor.modified_at is not None
    calls = bulk.calls.snapshot()
    assert calls["jobs/query"] == 3
    assert calls["jobs/query/{id}/results"] >= 3
    assert "queryAll" not in calls
    assert bulk.calls.total + rest.calls.total == sandbox.stats()["total_calls"]


def test_query_timeouts_shrink_the_window(sandbox: Sandbox) -> None:
    baseline = ids(pull(sandbox.adapter(), "Task"))
    sandbox.faults("salesforce.query-timeout=0.35", seed=2)
    adapter = sandbox.adapter()
    old = Cursor(system="salesforce", stream="Task", modified_at=datetime(2001, 1, 1, tzinfo=UTC))
    pages = pull(adapter, "Task", old)
    assert sorted(ids(pages)) == sorted(baseline)
    injected = sandbox.stats()["faults_injected"]["query-timeout"]
    assert injected > 0
    # Each timeout cost one call and split the window; every window was read in order.
    assert adapter.calls.snapshot()["queryAll"] > injected
    stamps = [p.cursor.modified_at for p in pages]
    assert stamps == sorted(stamps)  # type: ignore[type-var]


def test_a_count_that_times_out_means_bulk(sandbox: Sandbox) -> None:
    sandbox.faults("salesforce.query-timeout=1.0")
    adapter = sandbox.adapter(bulk_threshold=1_000_000)
    plan = adapter.reader.plan("Case", None, full=True)
    assert plan.bulk


def test_stream_names_are_checked(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    with pytest.raises(Exception, match="no stream 'Lead'"):
        adapter.pull("Lead", None, full=False)
    assert adapter.calls.total == 0


def test_the_cap_holds_back_changes_made_during_the_run(sandbox: Sandbox) -> None:
    start = sandbox.now() - timedelta(seconds=1)
    adapter = sandbox.adapter(run_started_at=start)
    cases = sorted(stored(sandbox, "Case")[0])
    mutate(sandbox, "Case", cases[:2], None)  # after the run started
    got = set(ids(pull(adapter, "Case")))
    assert got == set(cases) - set(cases[:2])
    # The cap is the last whole second before the run: that second can get no more records.
    assert pull(adapter, "Case")[-1].cursor.modified_at == start.replace(microsecond=0) - timedelta(
        seconds=1
    )


def test_cursors_are_utc(sandbox: Sandbox) -> None:
    pages = pull(sandbox.adapter(), "User")
    stamp = pages[-1].cursor.modified_at
    assert stamp is not None
    assert stamp.tzinfo is not None
    assert stamp.utcoffset() == timedelta(0)
    assert stamp <= datetime.now(UTC) + timedelta(minutes=1)
