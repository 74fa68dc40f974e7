"""Bad CRM records straight through the mappings: each corpus case is either quarantined with
a reason naming the field and the problem, or maps (nulls, epoch seconds the HubSpot rules
read, huge or odd text) — never an exception. Salesforce rows also go the Bulk way (CSV
strings typed by ``typed_row``), which must quarantine alike.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from connector.model import Activity, Quarantined
from mappings.hubspot import map_record
from mappings.hubspot_map import load
from mappings.salesforce import SalesforceMapping, typed_row
from tests.reliability.inputs import bad_records

SALESFORCE = bad_records("salesforce")
HUBSPOT = bad_records("hubspot")
SF_MAP = SalesforceMapping(tag_fields={"health_score": "Partner_Health_Score__c"})
HS_MAP = load(tags={"health_score": "pp_health_score"})


def test_the_corpus_is_big_enough() -> None:
    cases = SALESFORCE + HUBSPOT
    assert len(cases) >= 50
    kinds = Counter(case["kind"] for case in cases)
    for kind in ("nulls", "wrong type", "date format", "epoch", "huge", "out of range"):
        assert kinds[kind] >= 2, kinds
    assert len({c["case"] for c in SALESFORCE}) == len(SALESFORCE)
    assert len({c["case"] for c in HUBSPOT}) == len(HUBSPOT)


def _check(
    case: dict[str, Any], records: tuple[Any, ...], quarantined: tuple[Quarantined, ...]
) -> None:
    if "quarantined" in case:
        assert quarantined, f"{case['case']} was not quarantined: {records}"
        reasons = " | ".join(q.reason for q in quarantined)
        assert case["quarantined"] in reasons
        if case.get("partial"):  # only the NPS/KPI part: the partner itself still maps
            assert records, case["case"]
        for q in quarantined:
            assert q.stream == case["stream"]
            assert len(q.payload) <= 4_001  # trimmed, however large the record
            assert "\n" not in q.reason
        return
    assert records, f"{case['case']} did not map: {quarantined}"
    assert not quarantined, quarantined
    for record in records:
        for value in record.model_dump().values():
            assert "\x00" not in str(value)  # PostgreSQL text columns refuse NUL
    if isinstance(case["mapped"], str):
        (activity,) = records
        assert isinstance(activity, Activity)
        assert activity.occurred_at == datetime.fromisoformat(case["mapped"])


@pytest.mark.parametrize("case", SALESFORCE, ids=[c["case"] for c in SALESFORCE])
def test_salesforce_rows(case: dict[str, Any]) -> None:
    mapped = SF_MAP.map(case["stream"], case["record"])
    _check(case, mapped.records, mapped.quarantined)


def _as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in SALESFORCE
        if "quarantined" in c
        and c["record"].get("Id")
        and not any(isinstance(v, dict | list) for v in c["record"].values())  # CSV has none
    ],
    ids=lambda c: c["case"],
)
def test_salesforce_bulk_rows_quarantine_alike(case: dict[str, Any]) -> None:
    stream = case["stream"]
    cells = {k: _as_csv(v) for k, v in case["record"].items()}
    mapped = SF_MAP.map(stream, typed_row(SF_MAP.kinds(stream), cells))
    assert mapped.quarantined, case["case"]


@pytest.mark.parametrize("case", HUBSPOT, ids=[c["case"] for c in HUBSPOT])
def test_hubspot_records(case: dict[str, Any]) -> None:
    mapped = map_record(HS_MAP, case["stream"], case["record"])
    _check(case, mapped.records, mapped.quarantined)


def test_duplicate_ids_in_one_page_keep_the_newest(tmp_path: Any) -> None:
    """A re-read (lookback, search-index lag) hands the same id twice in one page."""
    from connector.model import Deal
    from connector.store import SqlStore, make_engine, migrate

    rows = [
        {"id": "18000000009", "properties": {"hs_lastmodifieddate": stamp, "dealname": name}}
        for stamp, name in (("2024-05-01T10:00:00Z", "old"), ("2024-05-01T10:00:01Z", "new"))
    ]
    records = [
        r for row in (rows[1], rows[0], rows[1]) for r in map_record(HS_MAP, "deals", row).records
    ]
    engine = make_engine(f"sqlite:///{tmp_path / 'dup.db'}")
    migrate(engine)
    store = SqlStore(engine, "dup")
    store.upsert_records(records, stream="deals")
    assert [d.name for d in store.records(Deal)] == ["new"]
    engine.dispose()
