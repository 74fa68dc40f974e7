"""Bad records in a served CRM: ``partnerpulse sync`` quarantines each with its reason, syncs
the rest and exits 1 — never a traceback. ``partnerpulse check`` names a mapped field the
CRM does not have and exits 2.

One small world (four partners) is served for the module; the bad records are added with
the sandbox's back door as a person or another integration would have left them (the
sandbox refuses what its CRM would refuse: a text in a Salesforce date field, say).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.model import Activity, Deal, PartnerRecord, System
from sandbox.generate_time import default_now
from sandbox.world import generate_world
from tests.e2e.harness import Crm, serve, settle

NUL = "\u0000"
# Records the CRMs hold although the tool cannot use them, by the reason it must give.
BAD: dict[System, list[tuple[str, dict[str, Any], str]]] = {
    "salesforce": [
        ("Account", {"Name": None, "Type": "Partner"}, "Account has no Name"),
        (
            "Opportunity",
            {
                "Name": "Too big",
                "Amount": 1e30,
                "StageName": "Prospecting",
                "CloseDate": "2024-01-01",
            },
            "more digits than a Salesforce number",
        ),
        (
            "Opportunity",
            {
                "Name": "Cents overflow",
                "Amount": 5e16,
                "StageName": "Prospecting",
                "CloseDate": "2024-01-01",
            },
            "larger than a Salesforce currency field",
        ),
    ],
    "hubspot": [
        (
            "deals",
            {"properties": {"dealname": "Too big", "amount": "1e30"}},
            "is too large for a number",
        ),
        (
            "tasks",
            {
                "properties": {
                    "hs_task_subject": "key with spaces",
                    "pp_task_key": "pp key x' OR 1=1",
                }
            },
            "task_key (pp_task_key)",
        ),
    ],
}
# Odd but usable: these must sync.
ODD: dict[System, list[tuple[str, dict[str, Any]]]] = {
    "salesforce": [
        (
            "Account",
            {
                "Name": "Ærøskøbing x' OR Name != '",
                "Type": "Partner",
                "Website": "https://www.aeroe.dk/",
            },
        ),
        ("Task", {"Subject": "S" * 30_000 + NUL, "Status": "Completed"}),
    ],
    "hubspot": [
        ("calls", {"properties": {"hs_timestamp": "1714557600", "hs_call_title": "epoch seconds"}}),
        ("notes", {"properties": {"hs_timestamp": "1714557600000", "hs_note_body": f"a{NUL}b"}}),
    ],
}


@dataclass
class World:
    crm: Crm
    bad_ids: dict[System, dict[str, str]]  # id -> expected reason fragment
    odd_ids: dict[System, list[str]]
    account: str
    company: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    generated = generate_world(4, 5, now=default_now())
    account = generated.salesforce["Account"][0]["Id"]
    company = generated.hubspot["companies"][0]["id"]
    with serve(generated, tmp_path_factory.mktemp("badinput"), now=None) as crm:
        bad_ids: dict[System, dict[str, str]] = {"salesforce": {}, "hubspot": {}}
        odd_ids: dict[System, list[str]] = {"salesforce": [], "hubspot": []}
        for system, items in BAD.items():
            for obj, record, reason in items:
                bad_ids[system][_create(crm, system, obj, record, account, company)] = reason
        for system, odd in ODD.items():
            for obj, record in odd:
                odd_ids[system].append(_create(crm, system, obj, record, account, company))
        # Duplicate ids, as the CRMs allow them: two companies claiming one Salesforce
        # account, two tasks carrying one task key.
        for _ in range(2):
            _create(
                crm,
                "hubspot",
                "companies",
                {"properties": {"name": "Twin", "type": "PARTNER", "salesforceaccountid": account}},
                account,
                company,
            )
            _create(
                crm,
                "hubspot",
                "tasks",
                {"properties": {"hs_task_subject": "twin", "pp_task_key": "pp-twin-key"}},
                account,
                company,
            )
        settle()  # a Salesforce pull reads up to the last whole second before it started
        yield World(crm, bad_ids, odd_ids, account, company)


def _create(
    crm: Crm, system: System, obj: str, record: dict[str, Any], account: str, company: str
) -> str:
    record = dict(record)
    if system == "salesforce" and obj in ("Opportunity", "Task"):
        record["AccountId" if obj == "Opportunity" else "WhatId"] = account
    if system == "hubspot" and obj != "companies":
        record["associations"] = {"companies": [company]}
    (created,) = crm.back_door.post(system, "create", {"object": obj, "records": [record]})["ids"]
    return str(created)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}


def test_sync_quarantines_the_bad_and_syncs_the_rest(world: World) -> None:
    result = CliRunner(env=_env()).invoke(app, ["sync", "--config", str(world.crm.config)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert "records quarantined" in result.stdout

    store = world.crm.store()
    try:
        entries = {(e.system, e.record_id.split(":")[0]): e for e in store.quarantined()}
        for system, expected in world.bad_ids.items():
            for record_id, reason in expected.items():
                entry = entries.get((system, record_id))
                assert entry is not None, (system, record_id, sorted(entries))
                assert reason in entry.reason
        odd = world.odd_ids
        partners = {p.ref.id: p for p in store.records(PartnerRecord)}
        assert partners[odd["salesforce"][0]].name == "Ærøskøbing x' OR Name != '"
        assert partners[odd["salesforce"][0]].domain == "aeroe.dk"
        activities = {a.ref.id: a for a in store.records(Activity)}
        assert activities[odd["salesforce"][1]].subject == "S" * 30_000
        assert activities[odd["hubspot"][0]].occurred_at is not None
        assert activities[odd["hubspot"][0]].occurred_at.isoformat() == "2024-05-01T10:00:00+00:00"
        assert activities[odd["hubspot"][1]].subject == "ab"
        twins = [p for p in partners.values() if p.name == "Twin"]
        assert len(twins) == 2
        # Nothing else was lost: every deal the CRMs hold is stored or quarantined.
        crm_deals = {
            *(
                ("salesforce", r["Id"])
                for r in world.crm.back_door.live("salesforce", "Opportunity")
            ),
            *(("hubspot", r["id"]) for r in world.crm.back_door.live("hubspot", "deals")),
        }
        stored = {(d.ref.system, d.ref.id) for d in store.records(Deal)}
        assert (
            crm_deals - stored
            == {(s, i) for s in ("salesforce", "hubspot") for i in world.bad_ids[s]} & crm_deals
        )
    finally:
        store.engine.dispose()


def test_check_names_a_mapped_field_the_crm_lacks(world: World, tmp_path: Path) -> None:
    config = tmp_path / "missing-field.toml"
    config.write_text(
        world.crm.config.read_text(encoding="utf-8")
        + '\n[mappings.salesforce.fields.Account]\nnps_score = "No_Such_Score__c"\n'
        + '\n[mappings.hubspot.fields.companies]\nnps_score = "no_such_score"\n',
        encoding="utf-8",
    )
    result = CliRunner(env=_env()).invoke(app, ["check", "--config", str(config)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert any("salesforce" in line and "No_Such_Score__c" in line for line in lines), result.stdout
    assert any("hubspot" in line and "no_such_score" in line for line in lines), result.stdout
