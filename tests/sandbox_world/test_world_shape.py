"""The generated world is well-formed: deterministic, valid ids, every reference resolves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sandbox.generate_ids import KEY_PREFIX, checksum, salesforce_ids
from sandbox.world import HUBSPOT_OBJECTS, SALESFORCE_OBJECTS, World, generate_world
from tests.sandbox_world.conftest import NOW

SF_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000\Z")
SF_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
HS_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\Z")


def test_same_arguments_give_the_same_world() -> None:
    assert generate_world(60, 3, NOW) == generate_world(60, 3, NOW)


def test_another_seed_or_date_gives_another_world() -> None:
    base = generate_world(60, 3, NOW)
    assert generate_world(60, 4, NOW) != base
    shifted = generate_world(60, 3, NOW + timedelta(days=1))
    assert shifted != base
    assert shifted.counts() == base.counts()  # same draws, one day later


def test_now_defaults_to_today_at_midnight_utc() -> None:
    stamp = datetime.fromisoformat(generate_world(2, 1).truth["generator"]["now"])
    today = datetime.now(UTC).date()
    assert stamp in (
        datetime(today.year, today.month, today.day, tzinfo=UTC),
        datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=1),
    )


def test_world_has_every_object_of_both_crms(world: World) -> None:
    assert tuple(world.salesforce) == SALESFORCE_OBJECTS
    assert set(world.hubspot) == set(HUBSPOT_OBJECTS)
    assert all(world.counts().values())


def test_salesforce_ids_are_18_characters_with_prefix_and_checksum(world: World) -> None:
    seen: set[str] = set()
    for obj, rows in world.salesforce.items():
        for row in rows:
            record_id = row["Id"]
            assert len(record_id) == 18
            assert record_id.startswith(KEY_PREFIX[obj])
            assert record_id[15:] == checksum(record_id[:15]), record_id
            seen.add(record_id.lower())  # unique even case-insensitively
    assert len(seen) == sum(len(rows) for rows in world.salesforce.values())


def test_id_stream_checksums_match_salesforce_rule() -> None:
    # the pair quoted wherever the 15-to-18 conversion is explained
    assert checksum("001A0000006Vm9r") == "IAC"
    stream = salesforce_ids("Task", 3)
    ids = [next(stream) for _ in range(5000)]
    assert len(set(ids)) == 5000
    assert all(i[15:] == checksum(i[:15]) for i in ids)


def test_hubspot_ids_are_unique_numeric_strings(world: World) -> None:
    ids = [row["id"] for rows in world.hubspot.values() for row in rows]
    assert all(isinstance(i, str) and i.isdigit() for i in ids)
    assert len(set(ids)) == len(ids)
    lengths = {len(i) for i in ids}
    assert min(lengths) < max(lengths)  # imported short ids beside long ones


def test_salesforce_references_resolve(world: World) -> None:
    sf = world.salesforce
    accounts = {a["Id"] for a in sf["Account"]}
    users = {u["Id"] for u in sf["User"]}
    contacts = {c["Id"]: c["AccountId"] for c in sf["Contact"]}
    for activity in (*sf["Task"], *sf["Event"]):
        assert activity["WhatId"] in accounts
        assert activity["OwnerId"] in users
        if "WhoId" in activity:
            assert contacts[activity["WhoId"]] == activity["WhatId"]
    for row in (*sf["Opportunity"], *sf["Case"], *sf["Contact"]):
        assert row["AccountId"] in accounts
        assert row["OwnerId"] in users
    assert {a["OwnerId"] for a in sf["Account"]} <= users


def test_every_hubspot_record_is_associated_with_an_existing_company(world: World) -> None:
    companies = {c["id"] for c in world.hubspot["companies"]}
    owners = {o["id"] for o in world.hubspot_owners}
    for name, rows in world.hubspot.items():
        for row in rows:
            owner = row["properties"].get("hubspot_owner_id")
            assert owner is None or owner in owners
            if name == "companies":
                continue
            linked = row["associations"]["companies"]
            assert len(linked) == 1
            assert linked[0] in companies


def test_datetimes_use_each_crms_notation(world: World) -> None:
    for task in world.salesforce["Task"]:
        assert SF_DATE.match(task["ActivityDate"])
        assert SF_DATETIME.match(task["CreatedDate"])
        done = task.get("CompletedDateTime")
        assert done is None or SF_DATETIME.match(done)
    for event in world.salesforce["Event"]:
        assert SF_DATETIME.match(event["StartDateTime"])
        assert event["EndDateTime"] > event["StartDateTime"]
    for case in world.salesforce["Case"]:
        assert case["IsClosed"] == ("ClosedDate" in case) == (case["Status"] == "Closed")
        if case["IsClosed"]:
            assert case["ClosedDate"] > case["CreatedDate"]
    notations = {"iso": 0, "ms": 0}
    for kind in ("calls", "emails", "meetings", "notes", "tasks"):
        for row in world.hubspot[kind]:
            stamp = row["properties"]["hs_timestamp"]
            notations["ms" if stamp.isdigit() else "iso"] += 1
            assert (stamp.isdigit() and len(stamp) == 13) or HS_ISO.match(stamp)
    assert notations["iso"]
    assert notations["ms"]


def test_hubspot_date_properties_are_midnight(world: World) -> None:
    day_ms = 86_400_000
    for company in world.hubspot["companies"]:
        for name in ("partner_since", "partner_end_date", "nps_response_date"):
            value = company["properties"].get(name)
            if value is None:
                continue
            assert SF_DATE.match(value) or int(value) % day_ms == 0, (name, value)


def test_system_stamps_are_left_to_the_stores(world: World) -> None:
    for rows in world.salesforce.values():
        assert not any("SystemModstamp" in r or "LastModifiedDate" in r for r in rows)
    for rows in world.hubspot.values():
        assert not any("hs_lastmodifieddate" in r["properties"] for r in rows)


def test_opportunity_flags_match_their_stage(world: World) -> None:
    for opp in world.salesforce["Opportunity"]:
        assert opp["IsWon"] == (opp["StageName"] == "Closed Won")
        assert opp["IsClosed"] == opp["StageName"].startswith("Closed")
