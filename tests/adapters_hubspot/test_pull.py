"""Pulling a sandbox portal with the real hubspot-api-client over a real socket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import adapters.hubspot.streams as streams_module
from adapters.hubspot import HubSpotAdapter
from adapters.hubspot.cursors import floor_ms
from connector.config.load import load_config
from connector.model import Activity, Deal, Issue, Owner, PartnerRecord, SurveyAnswer
from connector.ports import Cursor
from sandbox.serve import start_sandbox, write_config
from sandbox.world import World
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox, deleted_of, drain, ids_of

KIND = {
    "owners": Owner,
    "companies": PartnerRecord,
    "calls": Activity,
    "emails": Activity,
    "meetings": Activity,
    "notes": Activity,
    "tasks": Activity,
    "deals": Deal,
    "tickets": Issue,
}


def full_pull(sandbox: Sandbox, **kw: object) -> dict[str, Cursor | None]:
    adapter = sandbox.adapter(**kw)  # type: ignore[arg-type]
    cursors: dict[str, Cursor | None] = {}
    for stream in adapter.streams:
        _, cursors[stream] = drain(adapter.pull(stream, None, full=True))
    return cursors


def test_a_full_pull_lands_every_record_and_counts_every_call(
    sandbox: Sandbox, world: World
) -> None:
    adapter = sandbox.adapter()
    for stream in adapter.streams:
        pages, cursor = drain(adapter.pull(stream, None, full=True))
        assert all(not p.quarantined for p in pages), stream
        pulled = ids_of(pages, KIND[stream])
        assert len(pulled) == len(set(pulled)), stream
        if stream == "owners":
            assert set(pulled) == {str(o["id"]) for o in world.hubspot_owners}
            continue
        assert set(pulled) == sandbox.live_ids(stream), stream
        assert cursor is not None
        assert cursor.last_id is None
        assert cursor.modified_at == floor_ms(adapter.run_started_at)
        assert adapter.count(stream) == len(pulled)
    surveys = [r for p in drain(adapter.pull("companies", None, full=True))[0] for r in p.records]
    assert any(isinstance(r, SurveyAnswer) for r in surveys)
    partners = [r for r in surveys if isinstance(r, PartnerRecord)]
    expected = [c for c in world.hubspot["companies"] if c["properties"].get("type") == "PARTNER"]
    assert sum(p.is_partner for p in partners) == len(expected) > 0
    activities = drain(adapter.pull("calls", None, full=True))[0]
    assert all(a.partner is not None for p in activities for a in p.records)  # type: ignore[attr-defined]
    assert adapter.calls.total == sandbox.sandbox_stats()["total_calls"]
    snapshot = adapter.calls.snapshot()
    assert snapshot["GET /crm/v3/pipelines/deals"] == 1  # once per run
    assert "POST /crm/v4/associations/calls/companies/batch/read" in snapshot


def test_nothing_changed_costs_at_most_one_call_per_stream(sandbox: Sandbox) -> None:
    cursors = full_pull(sandbox)
    sandbox.reset_stats()
    later = sandbox.adapter(run_started_at=datetime.now(UTC) + timedelta(seconds=1))
    for stream in later.streams:
        pages, cursor = drain(later.pull(stream, cursors[stream], full=False))
        assert [r for p in pages for r in p.records] == [], stream
        assert cursor is not None
        assert cursor.modified_at is not None
        assert cursor.modified_at > cursors[stream].modified_at  # type: ignore[union-attr,operator]
    calls = later.calls.snapshot()
    assert max(calls.values()) == 1, calls
    assert later.calls.total <= len(later.streams)
    assert later.calls.total == sandbox.sandbox_stats()["total_calls"]


def test_changes_are_pulled_incrementally_with_the_lookback_deduplicated(sandbox: Sandbox) -> None:
    cursors = full_pull(sandbox)
    companies = sorted(sandbox.live_ids("companies"))[:3]
    calls = sorted(sandbox.live_ids("calls"))[:2]
    sandbox.mutate("companies", companies, {"description": "changed"})
    sandbox.mutate("calls", calls, {"hs_call_title": "Changed title"})
    second = sandbox.adapter(run_started_at=datetime.now(UTC) + timedelta(milliseconds=5))
    company_pages, company_cursor = drain(
        second.pull("companies", cursors["companies"], full=False)
    )
    assert sorted(ids_of(company_pages, PartnerRecord)) == companies
    call_pages, _call_cursor = drain(second.pull("calls", cursors["calls"], full=False))
    assert sorted(ids_of(call_pages, Activity)) == calls
    assert {a.subject for p in call_pages for a in p.records} == {"Changed title"}  # type: ignore[attr-defined]
    # the next run re-reads the lookback window but emits nothing it already has
    third = sandbox.adapter(run_started_at=datetime.now(UTC) + timedelta(milliseconds=10))
    again, _ = drain(third.pull("companies", company_cursor, full=False))
    assert ids_of(again) == []
    assert third.calls.total == 1


def test_ties_on_the_stamp_across_page_boundaries_and_a_crash(
    make_sandbox: SandboxFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(objects={}, owners=[])
    start = sandbox.adapter()
    _, cursor = drain(start.pull("companies", None, full=True))
    ids = sandbox.create("companies", [{"properties": {"name": f"Tie {i}"}} for i in range(450)])
    sandbox.mutate("companies", ids, {"description": "bulk"}, modstamp="2030-01-01T00:00:00.123Z")
    monkeypatch.setattr(streams_module, "BUFFER", 200)  # a page per search call
    later = datetime(2030, 1, 1, 0, 5, tzinfo=UTC)
    pages = list(sandbox.adapter(run_started_at=later).pull("companies", cursor, full=False))
    # three search pages, then the archived check (due: the clock jumped to 2030)
    assert [len(p.records) for p in pages] == [200, 200, 50, 0]
    assert sorted(ids_of(pages)) == sorted(ids)
    # a crash after the first page: the next run resumes that window where it stopped
    crashed = pages[0].cursor
    assert crashed.last_id is not None
    assert "window_to" in crashed.state
    resumed = list(sandbox.adapter(run_started_at=later).pull("companies", crashed, full=False))
    assert set(ids_of(pages[:1]) + ids_of(resumed)) == set(ids)
    assert not set(ids_of(pages[:1])) & set(ids_of(resumed))
    assert resumed[-1].cursor.last_id is None
    assert "window_to" not in resumed[-1].cursor.state


def test_archived_records_show_up_as_deleted(sandbox: Sandbox) -> None:
    cursors = full_pull(sandbox)
    companies = sorted(sandbox.live_ids("companies"))[:2]
    calls = sorted(sandbox.live_ids("calls"))[:3]
    sandbox.delete("companies", companies)
    sandbox.delete("calls", calls)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    early = sandbox.adapter(run_started_at=soon)
    pages, _ = drain(early.pull("companies", cursors["companies"], full=False))
    assert deleted_of(pages) == []  # the archived check is not due yet: one call
    assert early.calls.total == 1
    due = sandbox.adapter(run_started_at=datetime.now(UTC) + timedelta(hours=1, minutes=1))
    pages, cursor = drain(due.pull("companies", cursors["companies"], full=False))
    assert sorted(deleted_of(pages)) == companies
    assert cursor is not None
    assert cursor.state["archived_checked_at"] == floor_ms(due.run_started_at).isoformat()
    call_pages, _ = drain(due.pull("calls", cursors["calls"], full=False))
    assert sorted(deleted_of(call_pages)) == calls
    assert due.deletion_window == timedelta(days=90)


def test_twelve_thousand_companies_modified_in_one_window_are_all_pulled(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = make_sandbox(objects={}, owners=[])
    _, cursor = drain(sandbox.adapter().pull("companies", None, full=True))
    created: list[str] = []
    for batch in range(6):
        records = [{"properties": {"name": f"C{batch}-{i}"}} for i in range(2_000)]
        created += sandbox.create("companies", records)
    adapter = sandbox.adapter(run_started_at=datetime.now(UTC) + timedelta(seconds=1))
    pages, last = drain(adapter.pull("companies", cursor, full=False))
    pulled = ids_of(pages, PartnerRecord)
    assert len(pulled) == 12_000 == len(set(pulled))
    assert set(pulled) == set(created)
    assert adapter.calls.snapshot() == {"POST /crm/v3/objects/companies/search": 61}
    assert last is not None
    assert last.last_id is None


def test_the_config_sandbox_serve_writes_drives_the_adapter(world: World, tmp_path: Path) -> None:
    """`partnerpulse sandbox serve --write-config`'s config, loaded as the CLI loads it."""
    with start_sandbox(world, workdir=tmp_path / "sandbox") as handle:
        config = load_config(write_config(handle, tmp_path / "partnerpulse.toml"))
        adapter = HubSpotAdapter(
            config.hubspot,
            mapping=config.mappings.hubspot,
            writeback=config.writeback,
            run_started_at=datetime.now(UTC),
        )
        try:
            pages, _ = drain(adapter.pull("companies", None, full=True))
            assert len(ids_of(pages, PartnerRecord)) == len(world.hubspot["companies"])
            assert adapter.check_schema() == []
            assert adapter.calls.total == handle.hubspot_stats.snapshot()["total_calls"]
            assert adapter.budget()["limit"] == 625_000
        finally:
            adapter.close()


def test_owners_re_read_in_the_lookback_or_the_archived_check_are_not_emitted_again(
    make_sandbox: SandboxFactory,
) -> None:
    old = "2024-01-02T03:04:05.678Z"
    owners = [
        {"id": "101", "email": "fresh@example.com"},  # stamped now: inside every lookback
        {"id": "102", "email": "old@example.com", "updatedAt": old, "createdAt": old},
        {"id": "103", "email": "gone@example.com", "archived": True, "updatedAt": old},
    ]
    sandbox = make_sandbox(objects={}, owners=owners)
    _, cursor = drain(sandbox.adapter().pull("owners", None, full=True))
    assert cursor is not None
    for step in (1, 2):  # the archived check is due on every run (archived_check_s=0)
        later = sandbox.adapter(
            run_started_at=datetime.now(UTC) + timedelta(milliseconds=5 * step), archived_check_s=0
        )
        pages, cursor = drain(later.pull("owners", cursor, full=False))
        assert ids_of(pages) == [], step
        assert later.calls.snapshot() == {"GET /crm/v3/owners": 2}  # active + archived listing
    full, _ = drain(sandbox.adapter().pull("owners", cursor, full=True))
    assert sorted(ids_of(full, Owner)) == ["101", "102", "103"]  # a full pull emits everything
