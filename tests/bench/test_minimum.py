"""The fewest-calls and least-time arithmetic of ``bench/minimum.py``, on hand-made counts."""

from __future__ import annotations

import pytest

from bench.minimum import (
    Choice,
    batches,
    hubspot_read,
    pages,
    rate_bound,
    read_minimum,
    salesforce_read,
    window_bound,
    write_minimum,
)

# The 500-partner world docs/pull.md measured (generate_world(500, seed=1) at the time).
HUBSPOT_500 = {
    "companies": 491,
    "calls": 5_804,
    "emails": 8_492,
    "meetings": 4_219,
    "notes": 2_613,
    "tasks": 3_885,
    "deals": 3_178,
    "tickets": 1_517,
    "owners": 11,
    "owners_archived": 1,
}
SALESFORCE_500 = {
    "User": 12,
    "Account": 487,
    "Task": 19_855,
    "Event": 4_676,
    "Opportunity": 3_631,
    "Case": 1_293,
}


def test_pages_cost_one_call_even_when_empty_and_batches_cost_none() -> None:
    assert [pages(n, 200) for n in (0, 1, 200, 201, 400, 401)] == [1, 1, 1, 2, 2, 3]
    assert [batches(n, 100) for n in (0, 1, 100, 101)] == [0, 1, 1, 2]
    with pytest.raises(ValueError, match="pages"):
        pages(-1, 200)


def test_salesforce_bulk_wins_above_six_thousand_rows() -> None:
    # REST ⌈n/2000⌉ against Bulk create + poll + ⌈n/50000⌉ results pages.
    assert salesforce_read(0) == Choice(1, "rest")
    assert salesforce_read(6_000) == Choice(3, "rest")  # a tie stays REST
    assert salesforce_read(6_001) == Choice(3, "bulk")
    assert salesforce_read(19_855) == Choice(3, "bulk")
    assert salesforce_read(100_000) == Choice(4, "bulk")
    assert salesforce_read(100_001) == Choice(5, "bulk")


def test_hubspot_search_plus_associations_against_the_list() -> None:
    # 5,804 calls: 30 searches of 200 + 6 association batches of 1,000 < 59 list pages.
    assert hubspot_read("calls", 5_804) == Choice(36, "search")
    # Companies have no association to read.
    assert hubspot_read("companies", 491) == Choice(3, "search")
    # 50 calls: the list (1 page, associations inline) beats search + association read...
    assert hubspot_read("calls", 50) == Choice(1, "list")
    # ... but an incremental read must filter by date, which only search does.
    assert hubspot_read("calls", 50, everything=False) == Choice(2, "search")
    assert hubspot_read("calls", 0, everything=False) == Choice(1, "search")


def test_full_pull_minimum_of_the_500_partner_world() -> None:
    minimum = read_minimum({"salesforce": SALESFORCE_500, "hubspot": HUBSPOT_500}, full=True)
    hs = minimum.calls["hubspot"]
    # docs/pull.md counted PartnerPulse's calls per stream; each is the minimum here.
    assert hs["owners"] == 2
    assert hs["calls"] == 36
    assert hs["emails"] == 52
    assert hs["meetings"] == 27
    assert hs["notes"] == 17
    assert hs["tasks"] == 24
    assert hs["deals"] + hs["pipelines/deals"] == 21
    assert hs["tickets"] + hs["pipelines/tickets"] == 11
    assert minimum.system_total("hubspot") == 193
    sf = minimum.calls["salesforce"]
    assert sf == {
        "token": 1,
        "User": 1,
        "Account": 1,
        "Task": 3,
        "Event": 3,
        "Opportunity": 2,
        "Case": 1,
    }
    assert minimum.how["salesforce"]["Task"] == "bulk"
    assert minimum.total == 193 + 12


def test_incremental_minimum_is_one_call_per_quiet_stream() -> None:
    quiet = {
        "salesforce": dict.fromkeys(SALESFORCE_500, 0),
        "hubspot": {**dict.fromkeys(HUBSPOT_500, 0)},
    }
    minimum = read_minimum(quiet, full=False)
    assert minimum.system_total("salesforce") == 1 + 6  # the sign-in and one query each
    assert minimum.system_total("hubspot") == 9  # owners + eight searches, no pipelines
    changed = {**quiet, "hubspot": {**quiet["hubspot"], "calls": 58, "deals": 32}}
    minimum = read_minimum(changed, full=False)
    hs = minimum.calls["hubspot"]
    assert hs["calls"] == 2  # one search page and one association read
    assert hs["deals"] == 2
    assert hs["pipelines/deals"] == 1
    assert "pipelines/tickets" not in hs
    assert minimum.system_total("hubspot") == 9 + 1 + 1 + 1


def test_write_minimum_per_kind() -> None:
    plan = {
        "salesforce": {"tag_records": 401, "task_creates": 200, "task_closes": 0},
        "hubspot": {"tag_records": 250, "task_creates": 101, "task_closes": 5},
    }
    minimum = write_minimum(plan)
    assert minimum.calls["salesforce"] == {"tags": 3, "task_creates": 1, "task_closes": 0}
    assert minimum.calls["hubspot"] == {"tags": 3, "task_creates": 2, "task_closes": 2}
    assert minimum.total == 4 + 7
    assert write_minimum({"salesforce": {}}).total == 0


def test_window_bound_is_discrete() -> None:
    # Call j (from 0) starts no earlier than ⌊j / M⌋ windows in.
    assert window_bound(0, 5, 1.0, 0.1) == 0.0
    assert window_bound(5, 5, 1.0, 0.1) == pytest.approx(0.1)
    assert window_bound(6, 5, 1.0, 0.1) == pytest.approx(1.1)
    assert window_bound(191, 190, 10.0, 0.0) == pytest.approx(10.0)


def test_rate_bound_takes_the_binding_limit() -> None:
    # HubSpot full pull of the 500-partner world: 156 of 193 calls are searches.
    assert rate_bound(193, search_calls=156, latency_s=0.1, hubspot=True) == pytest.approx(31.1)
    # Mostly non-search calls at 100 ms: latency binds (one call at a time).
    assert rate_bound(400, search_calls=0, latency_s=0.1, hubspot=True) == pytest.approx(40.0)
    # With no latency, 400 non-search calls need two more 10-s windows.
    assert rate_bound(400, latency_s=0.0, hubspot=True) == pytest.approx(20.0)
    # Salesforce has no per-second limit: latency only.
    assert rate_bound(400, latency_s=0.0) == 0.0
    assert rate_bound(25, latency_s=0.1) == pytest.approx(2.5)
    assert rate_bound(25, latency_s=0.1, concurrency=5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="rate_bound"):
        rate_bound(3, search_calls=4, latency_s=0.1)
