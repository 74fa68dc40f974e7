"""``partnerpulse plan``: the table and the JSON, over fake CRMs at the port and a real
SQLite store; a plan sends nothing and stores no ledger entry and no snapshot."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
import structlog
import typer
from rich.console import Console
from typer.testing import CliRunner

from connector.cli import compose, plan_cmd
from connector.config import Config
from connector.model import AnyRecord, PartnerRecord, SourceRef, System
from connector.planning import WritebackReport, build_plan
from connector.store import SqlStore, make_engine
from tests.planning.builders import AS_OF, hs, inputs, playbook, record, scored, sf, snapshot
from tests.sync.fakes import T0, FakeAdapter


class PlanAdapter(FakeAdapter):
    """A pulling fake that can also answer ``find_tasks``; ``apply`` raises (see base)."""

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        return {}


def account(ref: SourceRef, **kw: object) -> PartnerRecord:
    return PartnerRecord(
        ref=ref,
        modified_at=T0,
        name="Acme",
        domain="acme.com",
        partner_since=date(2024, 1, 1),
        owner=SourceRef(system=ref.system, id="005X" if ref.system == "salesforce" else "77"),
        **kw,
    )


@pytest.fixture
def logs_on_stderr() -> Iterator[None]:
    """As the CLI's entry point sets it up: stdout carries the JSON plan alone."""
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    yield
    structlog.reset_defaults()


@pytest.mark.usefixtures("logs_on_stderr")
def test_plan_prints_every_write_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "pp.db"
    config = tmp_path / "pp.toml"
    config.write_text(f"[state]\nurl = 'sqlite:///{db}'\n", encoding="utf-8")
    data: dict[System, dict[str, list[AnyRecord]]] = {
        "salesforce": {"Account": [account(sf("001A"))], "Task": []},
        "hubspot": {"companies": [account(hs("11"), tags={"health_grade": "healthy"})]},
    }
    fakes = {system: PlanAdapter(system, streams) for system, streams in data.items()}

    def build(cfg: Config, run_started_at: object, only: object = None) -> dict[str, PlanAdapter]:
        return fakes  # type: ignore[return-value]

    monkeypatch.setattr(compose, "build_adapters", build)
    app = typer.Typer()
    app.command()(plan_cmd.plan)
    done = CliRunner().invoke(app, ["--config", str(config), "--json", "--as-of", "2026-03-02"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["partners_total"] == 1
    assert document["counts"]["tag_update"] == 2
    rows = {(r["system"], r["field"]): r for r in document["rows"]}
    assert rows[("hubspot", "pp_health_grade")]["old"] == "healthy"
    assert rows[("salesforce", "Partner_Health_Score__c")]["old"] == "∅"
    tasks = [r for r in document["rows"] if r["kind"] == "task_create"]
    assert {r["system"] for r in tasks} == {"salesforce", "hubspot"}
    assert all(r["key"].endswith(f":2026-03-02@{r['system']}") for r in tasks)
    store = SqlStore(make_engine(f"sqlite:///{db}"), "default")
    assert store.latest_snapshots() == {}
    assert store.ledger_get([op["key"] for op in document["operations"]]) == {}
    assert store.ledger_in_flight() == []
    store.engine.dispose()


def test_the_table_shows_crm_record_field_old_new_and_reason() -> None:
    partner = scored(snapshot(score=48.5), playbook("resolve_backlog", task="Review 3 issues"))
    records = [record(sf("001A"), tags={"health_score": "61"}), record(hs("11"), owner=None)]
    plan = build_plan(inputs([partner], records), Config().writeback, Config().playbooks)
    console = Console(record=True, width=250)
    plan_cmd.print_plan(console, WritebackReport(plan, guard="this run would write to 1 of 1"))
    text = console.export_text()
    assert "plan as of 2026-03-02 06:00 UTC — 2 tag updates, 2 new tasks, 0 closes" in text
    assert "score 61 → 48.5 (no meeting for 94 days)" in text
    assert "Review 3 issues" in text
    assert f"due {(AS_OF.date() + timedelta(days=7)).isoformat()}, high, owner 005OWNER" in text
    assert "no owner" in text
    assert "sync would refuse: this run would write to 1 of 1" in text
