"""The portfolio report over the hand-made portfolio, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connector.config.scoring import ScoringSettings
from connector.model import PartnerRecord
from connector.reporting import PeriodKind, build_report, report_document
from connector.scoring import score_portfolio
from connector.store import SqlStore
from tests.reporting.portfolio_data import LABS_SF, NOW, STAMP


def test_report_numbers(any_store: SqlStore) -> None:
    doc = report_document(build_report(any_store, as_of=NOW, count=4))
    json.dumps(doc)
    assert doc["partners_now"] == 4
    rows = {r["period"]: r for r in doc["retention"]["periods"]}
    assert list(rows) == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
    q1 = rows["2026 Q1"]
    # Globex left (end 2026-03-15), Initech joined (2026-02-01)
    assert (q1["at_start"], q1["at_end"], q1["new"], q1["lost"]) == (4, 4, 1, 1)
    assert (q1["start"], q1["end"]) == ("2026-01-01", "2026-03-31")
    assert (q1["seed_rate"], q1["cohort_rate"]) == (100.0, 75.0)
    assert rows["2026 Q2"]["complete"] is False
    assert "can exceed 100%" in doc["retention"]["formulas"]["seed_rate"]
    assert doc["lifetime_value"] == {
        "partners": 5,
        "total": 2_080_000.0,
        "mean": 416_000.0,
        "median": 40_000.0,
    }
    nps = {n["period"]: n for n in doc["nps"]}
    assert nps["2025 Q3"]["nps"] is None
    assert (nps["2025 Q4"]["nps"], nps["2025 Q4"]["responses"]) == (-33.33, 3)
    assert (nps["2026 Q2"]["promoters"], nps["2026 Q2"]["passives"]) == (1, 1)
    assert nps["2026 Q2"]["nps"] == 0.0


def test_mixes_history_and_at_risk(any_store: SqlStore) -> None:
    doc = report_document(build_report(any_store, as_of=NOW, count=4))
    now = doc["mix"]["now"]
    assert now["grades"] == {"healthy": 3, "watch": 0, "at_risk": 1}
    assert now["segments"] == {"strategic": 1, "prospective": 1, "transactional": 2}
    assert now["tiers"] == {"gold": 1, "silver": 0, "bronze": 3}
    assert now["segment_by_grade"]["transactional"] == {"healthy": 1, "watch": 0, "at_risk": 1}
    assert doc["mix"]["previous_period_run_at"].startswith("2026-03-28")
    assert doc["mix"]["change_since_last_period"]["grades"] == {
        "at_risk": 0,
        "healthy": 0,
        "watch": 0,
    }
    history = doc["score_history"]
    assert [h["as_of"][:10] for h in history] == [
        "2026-01-28",
        "2026-02-28",
        "2026-03-28",
        "2026-04-28",
        "2026-05-28",
        "2026-06-30",
    ]
    assert history[0]["grades"] == {"healthy": 2, "watch": 1, "at_risk": 1}
    assert (history[1]["partners"], history[1]["median"]) == (5, 100.0)  # odd: the middle one
    assert history[1]["mean"] == pytest.approx((26.0 + 39.6 + 3 * 100.0) / 5, abs=0.01)
    assert history[-1]["partners"] == 4
    assert history[-1]["median"] == pytest.approx((85.0 + 93.0) / 2)
    at_risk = doc["at_risk"]
    assert at_risk["total"] == 1
    (umbrella,) = at_risk["top"]
    assert (umbrella["name"], umbrella["score"], umbrella["lifetime_value"]) == (
        "Umbrella",
        27.5,
        20_000.0,
    )
    assert "2 issues open longer than 30 days" in umbrella["reasons"]


def test_monthly_periods_and_a_report_before_any_run(loaded: SqlStore) -> None:
    early = build_report(loaded, as_of=NOW.replace(year=2025), kind=PeriodKind.MONTH, count=3)
    assert [p.label for p in early.periods] == ["2025-04", "2025-05", "2025-06"]
    assert early.current.mix is None
    assert early.history == ()
    assert early.at_risk == ()
    assert report_document(early)["mix"]["now"] is None


def test_a_partner_that_left_the_filter_counts_as_churned_from_the_run_that_saw_it(
    fresh: SqlStore,
) -> None:
    labs = next(r for r in fresh.records(PartnerRecord) if r.ref == LABS_SF)
    fresh.upsert_records(
        [labs.model_copy(update={"is_partner": False, "modified_at": STAMP + timedelta(days=1)})],
        stream="Account",
    )
    seen_at = datetime(2026, 7, 15, 12, tzinfo=UTC)
    scored = score_portfolio(
        fresh.engine, fresh.workspace, ScoringSettings(), seen_at, fresh.latest_snapshots()
    )
    fresh.save_snapshots([s.snapshot for s in scored])
    report = build_report(fresh, as_of=datetime(2026, 7, 31, tzinfo=UTC), count=2)
    assert report.partners_now == 3  # Acme Ltd, Initech, Umbrella
    running = report.retention[-1]
    assert (running.start, running.end, running.lost) == (4, 3, 1)
