"""Guards for the properties that make the sandbox usable for a 10,000-partner world."""

from __future__ import annotations

import statistics
import time
import tracemalloc

from sandbox.hubspot import HubSpotOptions, HubSpotStore
from sandbox.hubspot.search import SearchEngine
from sandbox.hubspot.search_query import compile_query


def test_no_delayed_ack_stall_on_sequential_small_calls(readonly_sandbox):
    client = readonly_sandbox.client()
    client.crm.companies.basic_api.get_by_id("1001")  # connection and imports warm
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        client.crm.companies.basic_api.get_by_id("1001")
        timings.append(time.perf_counter() - started)
    # A Nagle / delayed-ACK stall costs ~40 ms on every call; a healthy call takes a few ms.
    assert statistics.median(timings) < 0.030, [round(t * 1000, 1) for t in timings]


def test_a_page_of_100_rows_round_trips_quickly(readonly_sandbox):
    client = readonly_sandbox.client()
    props = ["name", "domain", "type", "hubspot_owner_id", "partner_since", "nps_score"]
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        page = client.crm.companies.basic_api.get_page(limit=100, properties=props)
        timings.append(time.perf_counter() - started)
        assert len(page.results) == 100
    assert min(timings) < 0.5


def test_store_memory_per_record_stays_small():
    calls = [
        {
            "id": str(10_000 + i),
            "properties": {
                "hs_timestamp": 1_700_000_000_000 + i * 1000,
                "hubspot_owner_id": str(i % 40),
                "hs_call_title": f"Call {i}",
                "hs_call_direction": "OUTBOUND",
                "hs_call_status": "COMPLETED",
                "hs_lastmodifieddate": 1_700_000_000_000 + i,
            },
            "associations": {"companies": ["1"]},
        }
        for i in range(20_000)
    ]
    world = {"companies": [{"id": "1", "properties": {"name": "Hub"}}], "calls": calls}
    tracemalloc.start()
    try:
        store = HubSpotStore.from_records(world)
        used, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store.tables["calls"]) == 20_000
    # ~600 bytes per record (values, indexes, association edges): 600,000 records < 0.5 GB.
    assert used / 20_000 < 800


def test_window_search_result_is_cached_until_a_write(company_rows):
    store = HubSpotStore.from_records({"companies": company_rows(5_000)})
    options = HubSpotOptions()
    engine = SearchEngine(store, options)
    body = {
        "filterGroups": [
            {
                "filters": [
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "GTE",
                        "value": "1704067200000",
                    },
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "LTE",
                        "value": "1704367200000",
                    },
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
    }
    query = compile_query(store, options, "companies", body)
    first = engine.ids("companies", query, store.now_ms())
    assert len(first) == 5_000
    again = engine.ids(
        "companies", compile_query(store, options, "companies", body), store.now_ms()
    )
    assert again is first  # the next page is served from the cache
    record = store.tables["companies"].records[1001]
    store.update("companies", record, {"name": "Moved"})
    assert engine.ids("companies", query, store.now_ms()) is not first  # a write invalidates it
