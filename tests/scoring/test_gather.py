"""The SQL aggregation over hand-built store rows, on SQLite and PostgreSQL.

One partner ``P1`` lives in both CRMs (Salesforce account ``A1`` + HubSpot company ``H1``,
linked); ``P2`` only in HubSpot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from connector.config.scoring import ScoringConfig
from connector.scoring import PartnerFacts, Windows, gather_facts
from connector.scoring.queries import activity_query

SF, HS = "salesforce", "hubspot"


@pytest.fixture
def two_partners(rows: Any) -> Any:
    rows.partner(SF, "A1", "P1", partner_since=date(2021, 5, 1))
    rows.partner(HS, "H1", "P1", partner_since=date(2020, 3, 1), unique_resources=True)
    rows.partner(HS, "H2", "P2", created_at=datetime(2024, 9, 9, 23, 30, tzinfo=UTC))
    return rows


def gather(
    rows: Any, as_of: datetime, config: ScoringConfig | None = None
) -> dict[str, PartnerFacts]:
    windows = Windows.of(as_of, config or ScoringConfig())
    with rows.engine.connect() as conn:
        return gather_facts(conn, rows.workspace, windows)


def test_partner_identity_merges_linked_records(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.partner(SF, "A3", "P3", is_partner=False, partner_end=date(2025, 1, 31))
    rows.partner(SF, "A4", "P4", deleted=True)
    found = gather(rows, as_of)
    assert set(found) == {"P1", "P2", "P3"}  # deleted records do not count
    p1, p2, p3 = found["P1"], found["P2"], found["P3"]
    assert p1.partner_since == date(2020, 3, 1)  # the earliest of the linked records
    assert p1.unique_resources  # any linked record
    assert p1.is_partner
    assert p2.partner_since == date(2024, 9, 9)  # no partner-since date: created
    assert (p3.is_partner, p3.partner_end) == (False, date(2025, 1, 31))


def test_activities_across_both_crms(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.activity(SF, "A1", "meeting", as_of - timedelta(days=40))
    rows.activity(HS, "H1", "call", as_of - timedelta(days=12))
    rows.activity(HS, "H1", "note", as_of - timedelta(days=2))  # not communication
    rows.activity(SF, "A1", "email", as_of - timedelta(days=100))  # the 90 days before
    rows.activity(SF, "A1", "todo", as_of - timedelta(days=179))
    rows.activity(SF, "A1", "email", as_of - timedelta(days=181))  # outside both windows
    p1 = gather(rows, as_of)["P1"]
    assert p1.last_contact_at == as_of - timedelta(days=12)
    assert p1.last_meeting_at == as_of - timedelta(days=40)
    assert (p1.activities_recent, p1.activities_before) == (3, 2)


def test_the_tools_own_tasks_open_and_deleted_activities_are_excluded(
    two_partners: Any, as_of: datetime
) -> None:
    rows = two_partners
    rows.activity(SF, "A1", "call", as_of - timedelta(days=50))
    rows.activity(SF, "A1", "call", as_of - timedelta(days=1), task_key="at_risk_call:P1:2025-06")
    rows.activity(HS, "H1", "meeting", as_of - timedelta(days=2), is_open=True)
    rows.activity(HS, "H1", "email", as_of - timedelta(days=3), deleted=True)
    p1 = gather(rows, as_of)["P1"]
    assert p1.last_contact_at == as_of - timedelta(days=50)
    assert p1.last_meeting_at is None
    assert p1.activities_recent == 1


def test_nothing_after_as_of_counts(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.activity(SF, "A1", "meeting", as_of - timedelta(days=20))
    rows.activity(SF, "A1", "meeting", as_of + timedelta(seconds=1))
    rows.deal(SF, "A1", 500_00, as_of.date() + timedelta(days=1))
    rows.issue(SF, "A1", as_of + timedelta(hours=1))
    rows.survey(HS, "H1", 3, as_of.date() + timedelta(days=1))
    rows.survey(HS, "H1", 8, as_of.date() - timedelta(days=5))
    rows.kpi(SF, "A1", 100.0, 50.0, modified_at=as_of + timedelta(days=1))
    p1 = gather(rows, as_of)["P1"]
    assert p1.last_meeting_at == as_of - timedelta(days=20)
    assert p1.activities_recent == 1
    assert p1.won_cents_recent == 0
    assert p1.issues_open_old + p1.issues_open_other == 0
    assert p1.nps_score == 8
    assert p1.kpi_attainment is None
    # Replaying a later date sees them.
    later = gather(rows, as_of + timedelta(days=2))["P1"]
    assert (later.won_cents_recent, later.issues_open_other, later.nps_score) == (500_00, 1, 3)


def test_won_revenue_windows_by_close_date(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners  # as_of is 2025-06-01: the last 12 months are 2024-06-02 .. 2025-06-01
    rows.deal(SF, "A1", 100_00, date(2025, 6, 1))
    rows.deal(HS, "H1", 200_00, date(2024, 6, 2))
    rows.deal(SF, "A1", 400_00, date(2024, 6, 1))  # the 12 months before
    rows.deal(SF, "A1", 800_00, date(2023, 6, 2))
    rows.deal(SF, "A1", 1600_00, date(2023, 6, 1))  # older than 24 months
    rows.deal(SF, "A1", 3200_00, date(2025, 1, 1), won=False)
    rows.deal(SF, "A1", 6400_00, date(2025, 1, 1), deleted=True)
    rows.deal(SF, "A1", None, date(2025, 1, 1))
    rows.deal(HS, "H2", 50_00, date(2025, 2, 1))
    found = gather(rows, as_of)
    assert (found["P1"].won_cents_recent, found["P1"].won_cents_before) == (300_00, 1200_00)
    assert found["P2"].won_cents_recent == 50_00


def test_a_mirrored_deal_counts_once(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    opp = rows.deal(SF, "A1", 1000_00, date(2025, 3, 1))
    rows.deal(HS, "H1", 1000_00, date(2025, 3, 1), mirror_system=SF, mirror_id=opp)
    # A mirror of a record the store does not hold (or holds as deleted) counts.
    gone = rows.deal(SF, "A1", 10_00, date(2025, 3, 1), deleted=True)
    rows.deal(HS, "H1", 10_00, date(2025, 3, 1), mirror_system=SF, mirror_id=gone)
    rows.deal(HS, "H1", 1_00, date(2025, 3, 1), mirror_system=SF, mirror_id="006UNKNOWN")
    assert gather(rows, as_of)["P1"].won_cents_recent == 1000_00 + 10_00 + 1_00


def test_a_pair_of_deals_naming_each_other_counts_once(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.deal(SF, "A1", 700_00, date(2025, 3, 1), source_id="O9", mirror_system=HS, mirror_id="D9")
    rows.deal(HS, "H1", 700_00, date(2025, 3, 1), source_id="D9", mirror_system=SF, mirror_id="O9")
    assert gather(rows, as_of)["P1"].won_cents_recent == 700_00


def test_open_issues_as_of_the_date(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.issue(SF, "A1", as_of - timedelta(days=45))  # old
    midnight = datetime.combine(as_of.date(), datetime.min.time(), tzinfo=UTC)
    # Ages are counted in whole days back from the start of as_of's day.
    rows.issue(HS, "H1", midnight - timedelta(days=30, seconds=1))  # old: before day -30
    rows.issue(HS, "H1", midnight - timedelta(days=30))  # opened on day -30: not older
    rows.issue(SF, "A1", as_of - timedelta(days=5))
    rows.issue(
        SF, "A1", as_of - timedelta(days=60), closed=True, closed_at=as_of - timedelta(days=1)
    )
    rows.issue(
        SF, "A1", as_of - timedelta(days=60), closed=True, closed_at=as_of + timedelta(days=1)
    )
    rows.issue(SF, "A1", as_of - timedelta(days=60), closed=True)  # closed, date unknown
    rows.issue(SF, "A1", as_of - timedelta(days=60), deleted=True)
    case = rows.issue(SF, "A1", as_of - timedelta(days=70))
    rows.issue(HS, "H1", as_of - timedelta(days=70), mirror_system=SF, mirror_id=case)  # mirror
    p1 = gather(rows, as_of)["P1"]
    assert (p1.issues_open_old, p1.issues_open_other) == (4, 2)


def test_the_latest_nps_answer_across_both_crms_wins(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.survey(SF, "A1", 9, date(2025, 1, 10))
    rows.survey(HS, "H1", 4, date(2025, 2, 10))
    rows.survey(SF, "A1", 10, date(2024, 2, 10))
    rows.survey(SF, "A1", 0, date(2025, 5, 1), deleted=True)
    rows.survey(HS, "H2", 7, date(2023, 1, 1))  # older than the window: still the latest
    found = gather(rows, as_of)
    assert (found["P1"].nps_score, found["P1"].nps_answered_on) == (4, date(2025, 2, 10))
    assert (found["P2"].nps_score, found["P2"].nps_answered_on) == (7, date(2023, 1, 1))


def test_kpi_attainment_is_the_mean_of_capped_readings(two_partners: Any, as_of: datetime) -> None:
    rows = two_partners
    rows.kpi(SF, "A1", 100.0, 50.0)
    rows.kpi(HS, "H1", 10.0, 30.0)  # 300% counts as 100%
    rows.kpi(HS, "H1", 0.0, 5.0)  # no target: not a reading
    found = gather(rows, as_of)
    assert found["P1"].kpi_attainment == pytest.approx(0.75)
    assert found["P1"].kpi_readings == 2
    assert found["P2"].kpi_attainment is None


def test_records_of_other_workspaces_and_unlinked_records_are_ignored(
    two_partners: Any, as_of: datetime
) -> None:
    rows = two_partners
    rows.activity(SF, "A-unlinked", "meeting", as_of - timedelta(days=1))
    other = type(rows)(rows.engine, "other")
    other.partner(SF, "A1", "P1")
    other.activity(SF, "A1", "meeting", as_of - timedelta(days=1))
    other.deal(SF, "A1", 999_00, date(2025, 5, 1))
    found = gather(rows, as_of)
    assert found["P1"].last_meeting_at is None
    assert found["P1"].won_cents_recent == 0


def test_on_sqlite_the_activity_pass_reads_only_the_covering_index(
    sqlite_engine: Engine, as_of: datetime
) -> None:
    # 1M activities: a plan that looks up each row in the table (or picks the task_key
    # index for "no task key") is ten times slower; see bench/scoring_bench.py.
    query = activity_query("ws", Windows.of(as_of, ScoringConfig()))
    with sqlite_engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "COVERING INDEX ix_activities_by_partner" in plan
    assert "task_key" not in plan


def test_facts_do_not_move_within_a_day(two_partners: Any) -> None:
    """Two runs seconds apart must score alike, or the second would write tags again:
    every window edge is a UTC midnight, so an activity crosses it only when the day turns.
    """
    rows = two_partners
    morning = datetime(2025, 6, 1, 0, 0, 1, tzinfo=UTC)
    evening = datetime(2025, 6, 1, 23, 59, 59, tzinfo=UTC)
    for hour in (0, 6, 12, 18, 23):  # activities at every edge, at several times of day
        for days in (90, 180, 30):
            edge = morning.replace(hour=hour) - timedelta(days=days)
            rows.activity(SF, "A1", "meeting", edge)
            rows.issue(HS, "H1", edge)
    assert gather(rows, morning) == gather(rows, evening)
    next_day = gather(rows, evening + timedelta(seconds=2))["P1"]
    assert next_day != gather(rows, evening)["P1"]  # the day turned: the edges moved


def test_windows_are_midnights_counted_back_from_the_day() -> None:
    config = ScoringConfig()
    windows = Windows.of(datetime(2025, 6, 1, 15, 42, 7, tzinfo=UTC), config)
    midnight = datetime(2025, 6, 1, tzinfo=UTC)
    span = timedelta(days=config.engagement_window_days)
    assert windows.recent_start == midnight - span
    assert windows.before_start == midnight - 2 * span
    assert windows.issue_old_before == midnight - timedelta(days=config.issue_old_days)
    assert windows.as_of == datetime(2025, 6, 1, 15, 42, 7, tzinfo=UTC)  # the upper edge is now
