"""Tag write-back against the sandbox, with the real client over a real socket."""

from __future__ import annotations

import math

from connector.model import PartnerRecord
from connector.planning.ports import WritebackAdapter
from connector.planning.values import same
from tests.adapters_hubspot.conftest import SandboxFactory
from tests.adapters_hubspot.harness import Sandbox, drain
from tests.adapters_hubspot.writekit import DESIRED, TAGS, calls_settle, tag_update

UPDATE = "POST /crm/v3/objects/companies/batch/update"


def companies(sandbox: Sandbox) -> dict[str, dict[str, object]]:
    return {r["id"]: r["properties"] for r in sandbox.records("companies")}


def pulled_tags(sandbox: Sandbox) -> dict[str, dict[str, str | None]]:
    pages, _ = drain(sandbox.adapter().pull("companies", None, full=True))
    return {r.ref.id: r.tags for p in pages for r in p.records if isinstance(r, PartnerRecord)}


def test_tags_land_and_a_pull_reads_back_what_the_planner_compares(sandbox: Sandbox) -> None:
    ids = sorted(companies(sandbox))[:4]
    adapter = sandbox.adapter()
    assert isinstance(adapter, WritebackAdapter)
    results = adapter.apply([tag_update(i, DESIRED) for i in ids])
    assert [(r.key, r.ok, r.crm_id) for r in results] == [(f"tags:{i}", True, i) for i in ids]
    stored = companies(sandbox)[ids[0]]
    assert stored["pp_health_score"] == "48.5"
    assert stored["pp_health_grade"] == "at_risk"
    assert stored["pp_health_updated_at"] == "2026-03-02T06:00:00Z"
    assert stored["pp_health_reasons"] == DESIRED["health_reasons"]
    tags = pulled_tags(sandbox)
    for rid in ids:
        assert set(tags[rid]) == set(TAGS)
        for tag, want in DESIRED.items():
            assert same(tag, tags[rid][tag], want), (tag, tags[rid][tag], want)
    assert adapter.calls.snapshot() == {UPDATE: 1}
    calls_settle(sandbox)


def test_none_clears_a_tag_and_whole_numbers_still_compare_equal(sandbox: Sandbox) -> None:
    rid = sorted(companies(sandbox))[0]
    adapter = sandbox.adapter()
    assert adapter.apply([tag_update(rid, DESIRED)])[0].ok
    changed = {"health_score": "61.0", "health_reasons": None}
    assert adapter.apply([tag_update(rid, changed, key="second")])[0].ok
    tags = pulled_tags(sandbox)[rid]
    assert tags["health_reasons"] is None
    assert tags["health_score"] == "61"  # HubSpot's form of the number
    assert same("health_score", tags["health_score"], "61.0")
    assert same("tier", tags["tier"], "gold")  # untouched


def test_250_updates_cost_three_write_calls(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox()
    ids = sandbox.create("companies", [{"properties": {"name": f"C{i}"}} for i in range(250)])
    adapter = sandbox.adapter()
    results = adapter.apply([tag_update(i, {"tier": "silver", "health_score": "7"}) for i in ids])
    assert len(results) == 250
    assert all(r.ok for r in results)
    assert adapter.calls.snapshot() == {UPDATE: math.ceil(250 / 100)}
    stored = companies(sandbox)
    assert all(stored[i]["pp_tier"] == "silver" for i in ids)
    calls_settle(sandbox)


def test_a_missing_company_is_refused_alone(sandbox: Sandbox) -> None:
    ids = sorted(companies(sandbox))[:3]
    adapter = sandbox.adapter()
    results = adapter.apply([tag_update(i, {"tier": "bronze"}) for i in [*ids, "999999999"]])
    by_key = {r.key: r for r in results}
    assert all(by_key[f"tags:{i}"].ok for i in ids)
    refused = by_key["tags:999999999"]
    assert not refused.ok
    assert not refused.retryable
    assert refused.error is not None
    assert refused.error.startswith("HubSpot rejected company 999999999: OBJECT_NOT_FOUND: ")
    assert all(companies(sandbox)[i]["pp_tier"] == "bronze" for i in ids)
    assert adapter.calls.snapshot() == {UPDATE: 1}


def test_a_property_that_does_not_exist_refuses_only_the_records_setting_it(
    sandbox: Sandbox,
) -> None:
    sandbox.drop_field("companies", "pp_segment")
    a, b, c = sorted(companies(sandbox))[:3]
    adapter = sandbox.adapter()
    results = adapter.apply(
        [
            tag_update(a, {"segment": "strategic", "tier": "gold"}),
            tag_update(b, {"tier": "silver"}),
            tag_update(c, {"segment": "prospective"}),
        ]
    )
    by_key = {r.key: r for r in results}
    assert by_key[f"tags:{a}"].error == (
        f"HubSpot rejected company {a}: property 'pp_segment' does not exist "
        "— run `partnerpulse setup`"
    )
    assert not by_key[f"tags:{c}"].ok
    assert by_key[f"tags:{b}"].ok
    stored = companies(sandbox)
    assert stored[b]["pp_tier"] == "silver"
    assert stored[a].get("pp_tier") is None  # HubSpot applied nothing of the refused batch
    assert adapter.calls.snapshot() == {UPDATE: 2}  # the batch, then the rest
    calls_settle(sandbox)


def test_a_refused_value_is_found_by_hubspots_message(sandbox: Sandbox) -> None:
    ids = sorted(companies(sandbox))[:5]
    adapter = sandbox.adapter()
    ops = [tag_update(i, {"tier": "gold"}) for i in ids]
    ops[2] = tag_update(ids[2], {"tier": "platinum"})
    by_key = {r.key: r for r in adapter.apply(ops)}
    refused = by_key[f"tags:{ids[2]}"]
    assert not refused.ok
    assert refused.error == (
        f"HubSpot rejected company {ids[2]}: property 'pp_tier': "
        "platinum was not one of the allowed options: [bronze, gold, silver]"
    )
    assert all(by_key[f"tags:{i}"].ok for i in ids if i != ids[2])
    # the batch; the four it does not quote; the suspect alone, whose refusal is its own
    assert adapter.calls.snapshot() == {UPDATE: 3}


def test_an_unreadable_canonical_value_is_not_sent(sandbox: Sandbox) -> None:
    a, b = sorted(companies(sandbox))[:2]
    adapter = sandbox.adapter()
    results = adapter.apply(
        [tag_update(a, {"health_score": "n/a"}), tag_update(b, {"health_score": "12.5"})]
    )
    assert results[0].ok is False
    assert results[0].error == (
        f"PartnerPulse cannot write company {a}: health_score 'n/a' is not a number"
    )
    assert results[1].ok
    assert adapter.calls.snapshot() == {UPDATE: 1}


def test_per_record_failures_of_a_207_are_that_records_alone(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = make_sandbox()
    ids = sandbox.create("companies", [{"properties": {"name": f"C{i}"}} for i in range(40)])
    sandbox.faults("hubspot.partial-batch=0.25", seed=3)
    adapter = sandbox.adapter()
    results = {r.key: r for r in adapter.apply([tag_update(i, {"tier": "gold"}) for i in ids])}
    assert len(results) == 40
    failed = [i for i in ids if not results[f"tags:{i}"].ok]
    assert 0 < len(failed) < 40
    assert all("partial-batch" in (results[f"tags:{i}"].error or "") for i in failed)
    stored = companies(sandbox)
    for i in ids:
        assert (stored[i].get("pp_tier") == "gold") is (i not in failed)
    assert adapter.calls.snapshot() == {UPDATE: 1}
    calls_settle(sandbox)


def test_two_updates_of_one_record_travel_together(sandbox: Sandbox) -> None:
    rid = sorted(companies(sandbox))[0]
    adapter = sandbox.adapter()
    results = adapter.apply(
        [
            tag_update(rid, {"tier": "gold"}, key="k1"),
            tag_update(rid, {"segment": "strategic"}, key="k2"),
        ]
    )
    assert [(r.key, r.ok) for r in results] == [("k1", True), ("k2", True)]
    stored = companies(sandbox)[rid]
    assert (stored["pp_tier"], stored["pp_segment"]) == ("gold", "strategic")
    assert adapter.calls.snapshot() == {UPDATE: 1}


def test_transient_failures_of_an_update_are_retried(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox()
    ids = sorted(companies(sandbox))[:3]
    sandbox.faults("hubspot.503=0.5,hubspot.reset=0.2", seed=4)
    adapter = sandbox.adapter()
    results = adapter.apply([tag_update(i, {"tier": "silver"}) for i in ids])
    assert all(r.ok for r in results)
    assert adapter.calls.retries == sum(sandbox.sandbox_stats()["faults_injected"].values())
    calls_settle(sandbox)
