"""Two workspaces on one database never see each other's rows."""

from __future__ import annotations

import pytest

from connector.model import Deal, Link, LinkReason, PartnerRecord, Quarantined
from connector.operations import OperationResult, TagUpdate
from connector.store import SqlStore
from tests.store.factories import T0, deal, page, partner, ref, snapshot


def _fill(store: SqlStore, name: str) -> str:
    """The same refs and keys in every workspace, with values naming the workspace."""
    store.save_page(
        "sf",
        page(
            partner("001A", name=name),
            deal("006A", name=name),
            quarantined=(
                Quarantined(system="salesforce", stream="Account", record_id="x", reason=name),
            ),
        ),
        run_id="r",
    )
    store.save_links([Link(partner_id=name, ref=ref("001A"), reason=LinkReason.ONLY_SOURCE)])
    store.set_link_override(ref("001A"), name)
    store.save_snapshots([snapshot("P1", segment_rule=name)], run_id="r")
    op = TagUpdate(key="k1", system="salesforce", record_id="001A", partner_id=name, changes=())
    store.ledger_begin([op])
    run_id = store.start_run("sync", host=name)
    store.finish_run(run_id, "ok")
    return run_id


def test_workspaces_share_a_database_but_nothing_else(
    store: SqlStore, other_store: SqlStore
) -> None:
    mine = _fill(store, "mine")
    theirs = _fill(other_store, "theirs")

    for s, name, run_id in ((store, "mine", mine), (other_store, "theirs", theirs)):
        assert [p.name for p in s.records(PartnerRecord)] == [name]
        assert [d.name for d in s.records(Deal)] == [name]
        assert s.count(PartnerRecord) == 1
        assert list(s.cursors()) == [("sf", "Account")]
        assert [q.reason for q in s.quarantined()] == [name]
        assert [link.partner_id for link in s.links()] == [name]
        assert [o.partner_id for o in s.link_overrides()] == [name]
        assert [x.segment_rule for x in s.latest_snapshots().values()] == [name]
        assert [x.segment_rule for x in s.snapshot_history("P1")] == [name]
        assert [x.segment_rule for x in s.snapshots_near(T0).values()] == [name]
        assert [e.operation.partner_id for e in s.ledger_in_flight()] == [name]
        assert [e.operation.partner_id for e in s.ledger_get(["k1"]).values()] == [name]
        assert [(r.id, r.host) for r in s.runs()] == [(run_id, name)]


def test_one_workspace_cannot_touch_anothers_rows(store: SqlStore, other_store: SqlStore) -> None:
    _fill(store, "mine")
    theirs = _fill(other_store, "theirs")

    store.save_page("sf", page(stamp=T0, deleted=(ref("001A"), ref("006A"))), run_id="r")
    store.mark_missing_deleted(Deal, "salesforce", [], stream="Account")
    store.ledger_finish([OperationResult(key="k1", ok=True, crm_id="c")])
    store.resolve_quarantine("salesforce", "Account", ["x"])
    store.save_links([])
    store.set_link_override(ref("001A"), None)
    with pytest.raises(KeyError):
        store.finish_run(theirs, "failed")

    assert other_store.count(PartnerRecord) == other_store.count(Deal) == 1
    assert [e.state for e in other_store.ledger_get(["k1"]).values()] == ["pending"]
    assert len(other_store.quarantined()) == len(other_store.links()) == 1
    assert len(other_store.link_overrides()) == 1
    assert [r.outcome for r in other_store.runs()] == ["ok"]
