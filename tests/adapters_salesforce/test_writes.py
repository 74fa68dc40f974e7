"""Write-back tags against the sandbox org over TLS: batched, typed, read back unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.salesforce import SalesforceAdapter
from connector.model import PartnerRecord
from connector.operations import FieldChange, TagUpdate
from connector.planning.values import same
from tests.adapters_salesforce.harness import Sandbox

FIELDS = {
    "health_score": "Partner_Health_Score__c",
    "health_grade": "Partner_Health_Grade__c",
    "segment": "Partner_Segment__c",
    "tier": "Partner_Tier__c",
    "health_reasons": "Partner_Health_Reasons__c",
    "health_updated_at": "Partner_Health_Updated__c",
}
GRADES = ("healthy", "watch", "at_risk")
SEGMENTS = ("strategic", "prospective", "transactional")
TIERS = ("gold", "silver", "bronze")
UPDATE = "PATCH /services/data/vXX.X/composite/sobjects"
STAMP = "2026-03-02T06:00:00+00:00"


def accounts(sandbox: Sandbox, n: int) -> list[str]:
    """``n`` live Account ids, creating what the world lacks."""
    have = [r["Id"] for r in sandbox.records("Account") if not r.get("IsDeleted")]
    if len(have) < n:
        extra = [{"Name": f"Extra {i}", "Type": "Partner"} for i in range(n - len(have))]
        have += sandbox.post("create", {"object": "Account", "records": extra})["ids"]
    return sorted(have)[:n]


def desired(n: int) -> dict[str, str | None]:
    reasons = "no meeting for 94 days; " * 20 if n % 7 == 0 else f"reason {n}"
    return {
        "health_score": f"{n % 100}.{n % 10}" if n % 3 else f"{n % 100}.0",
        "health_grade": GRADES[n % 3],
        "segment": SEGMENTS[n % 3],
        "tier": TIERS[n % 3],
        "health_reasons": None if n % 11 == 0 else reasons,
        "health_updated_at": STAMP,
    }


def update(record_id: str, values: dict[str, str | None], key: str | None = None) -> TagUpdate:
    changes = tuple(
        FieldChange(tag=tag, crm_field=FIELDS[tag], old=None, new=new, reason="test")
        for tag, new in values.items()
    )
    return TagUpdate(
        key=key or f"tags:{record_id}@salesforce",
        system="salesforce",
        record_id=record_id,
        partner_id="P-1",
        changes=changes,
        written=dict(values),
    )


def stored(sandbox: Sandbox, obj: str) -> dict[str, dict[str, Any]]:
    return {r["Id"]: r for r in sandbox.records(obj)}


def tags_pulled(adapter: SalesforceAdapter) -> dict[str, dict[str, str | None]]:
    return {
        r.ref.id: r.tags
        for page in adapter.pull("Account", None, full=True)
        for r in page.records
        if isinstance(r, PartnerRecord)
    }


def test_450_tag_updates_cost_3_calls_and_read_back_unchanged(sandbox: Sandbox) -> None:
    ids = accounts(sandbox, 450)
    want = {rid: desired(n) for n, rid in enumerate(ids)}
    adapter = sandbox.adapter()
    operations = [update(rid, values) for rid, values in want.items()]

    results = adapter.apply(operations)

    assert [r.key for r in results] == [op.key for op in operations]
    assert all(r.ok and r.crm_id == op.record_id for r, op in zip(results, operations, strict=True))
    assert adapter.calls.snapshot()["PATCH composite"] == 3
    stats = sandbox.stats()
    assert stats["calls"][UPDATE] == 3
    assert adapter.calls.total == stats["total_calls"]

    rows = stored(sandbox, "Account")
    first = rows[ids[1]]
    assert first["Partner_Health_Score__c"] == 1.1
    assert first["Partner_Tier__c"] == "silver"
    assert first["Partner_Health_Updated__c"] == "2026-03-02T06:00:00.000+0000"
    assert len(rows[ids[7]]["Partner_Health_Reasons__c"]) == 255
    assert rows[ids[11]]["Partner_Health_Reasons__c"] is None

    # A run that starts after the writes (the cap is whole seconds, the writes this second).
    pulled = tags_pulled(sandbox.adapter(run_started_at=sandbox.now() + timedelta(seconds=2)))
    for rid, values in want.items():
        for tag, value in values.items():
            expected = value if tag != "health_reasons" or value is None else value.strip()
            if expected is not None and len(expected) > 255:
                expected = expected[:254].rstrip() + "…"
            assert same(tag, pulled[rid][tag], expected), (rid, tag, pulled[rid][tag], value)


def test_a_bad_picklist_value_refuses_only_its_record(sandbox: Sandbox) -> None:
    ids = accounts(sandbox, 5)
    adapter = sandbox.adapter()
    bad = ids[2]
    operations = [
        update(rid, {"tier": "platinum" if rid == bad else "gold", "health_score": "50.5"})
        for rid in ids
    ]

    results = {r.key: r for r in adapter.apply(operations)}

    refused = results[f"tags:{bad}@salesforce"]
    assert not refused.ok
    assert not refused.retryable
    assert refused.error is not None
    assert refused.error.startswith(
        f"Salesforce rejected Account {bad}: INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    )
    assert "platinum" in refused.error
    assert refused.error.endswith("run `partnerpulse setup`")
    rows = stored(sandbox, "Account")
    assert all(results[f"tags:{rid}@salesforce"].ok for rid in ids if rid != bad)
    assert [rows[rid]["Partner_Tier__c"] for rid in ids if rid != bad] == ["gold"] * 4
    assert rows[bad]["Partner_Health_Score__c"] != 50.5  # nothing of that record was written
    assert adapter.calls.snapshot()["PATCH composite"] == 1


def test_a_locked_row_is_refused_as_retryable_and_the_rest_written(sandbox: Sandbox) -> None:
    ids = accounts(sandbox, 200)
    adapter = sandbox.adapter()
    adapter.find_tasks(["warm-up"])  # log in before faults start
    sandbox.faults("salesforce.partial-batch=0.05", seed=3)

    results = adapter.apply([update(rid, {"tier": "bronze"}) for rid in ids])

    refused = [r for r in results if not r.ok]
    injected = sandbox.stats()["faults_injected"]["partial-batch"]
    assert len(results) == 200
    assert len(refused) == injected > 0
    assert all(r.retryable and "UNABLE_TO_LOCK_ROW" in (r.error or "") for r in refused)
    rows = stored(sandbox, "Account")
    written = {r.key.split(":")[1].split("@")[0] for r in results if r.ok}
    assert all(rows[rid]["Partner_Tier__c"] == "bronze" for rid in written)


def test_a_missing_field_refuses_only_the_records_setting_it(sandbox: Sandbox) -> None:
    ids = accounts(sandbox, 6)
    sandbox.post("schema/drop-field", {"object": "Account", "field": "Partner_Segment__c"})
    adapter = sandbox.adapter()
    operations = [
        update(rid, {"segment": "strategic"} if n % 2 else {"tier": "gold"})
        for n, rid in enumerate(ids)
    ]

    results = adapter.apply(operations)

    for n, result in enumerate(results):
        if n % 2:
            assert not result.ok
            assert "Partner_Segment__c" in (result.error or "")
            assert (result.error or "").endswith("run `partnerpulse setup`")
        else:
            assert result.ok
    assert adapter.calls.snapshot()["PATCH composite"] == 2  # refused whole once, rest resent


def test_values_without_a_salesforce_form_are_not_sent(sandbox: Sandbox) -> None:
    [rid] = accounts(sandbox, 1)
    adapter = sandbox.adapter()
    [result] = adapter.apply([update(rid, {"health_score": "high"})])
    assert not result.ok
    assert (
        result.error
        == f"PartnerPulse cannot write Account {rid}: health_score 'high' is not a number"
    )
    assert adapter.calls.total == 0


def test_two_updates_of_one_record_travel_together(sandbox: Sandbox) -> None:
    [rid] = accounts(sandbox, 1)
    adapter = sandbox.adapter()
    results = adapter.apply(
        [update(rid, {"tier": "gold"}, key="a"), update(rid, {"segment": "strategic"}, key="b")]
    )
    assert [(r.key, r.ok) for r in results] == [("a", True), ("b", True)]
    row = stored(sandbox, "Account")[rid]
    assert (row["Partner_Tier__c"], row["Partner_Segment__c"]) == ("gold", "strategic")
    assert adapter.calls.snapshot()["PATCH composite"] == 1


def test_clearing_a_tag_writes_null(sandbox: Sandbox) -> None:
    [rid] = accounts(sandbox, 1)
    adapter = sandbox.adapter()
    adapter.apply([update(rid, {"tier": "gold", "health_updated_at": STAMP})])
    adapter.apply([update(rid, {"tier": None, "health_updated_at": ""})])
    row = stored(sandbox, "Account")[rid]
    assert row["Partner_Tier__c"] is None
    assert row["Partner_Health_Updated__c"] is None
