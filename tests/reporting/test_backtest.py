"""The back-test: AUC by ranks (known small cases), precision and recall, the replay dates,
and a replay over a store where the churners went quiet first."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connector.config.scoring import ScoringSettings
from connector.linking import link_partners
from connector.model import PartnerRecord, SourceRef
from connector.reporting import churn_auc, replay_dates, run_backtest
from connector.reporting.backtest import Outcome, measure
from connector.store import SqlStore, make_engine, migrate
from tests.reporting.portfolio_data import calls, partner


@pytest.mark.parametrize(
    ("scores", "churned", "expected"),
    [
        pytest.param([10, 20, 80, 90], [True, True, False, False], 1.0, id="perfect"),
        pytest.param([80, 90, 10, 20], [True, True, False, False], 0.0, id="reversed"),
        pytest.param([50, 50, 50, 50], [True, False, True, False], 0.5, id="all tied"),
        pytest.param([1, 2, 2, 3], [True, True, False, False], 0.875, id="one tie counts half"),
        pytest.param([30, 70, 50], [True, False, False], 1.0, id="one churner"),
        pytest.param([40, 60, 50, 55], [False, True, True, False], 0.25, id="mostly wrong"),
        pytest.param([5.5, 5.5, 9.0], [False, True, False], 0.75, id="float tie"),
    ],
)
def test_auc_known_cases(scores: list[float], churned: list[bool], expected: float) -> None:
    assert churn_auc(scores, churned) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "churned"), [([], []), ([1, 2], [False, False]), ([1, 2], [True, True])]
)
def test_auc_needs_both_classes(scores: list[float], churned: list[bool]) -> None:
    assert churn_auc(scores, churned) is None


def test_auc_refuses_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="same length"):
        churn_auc([1.0], [True, False])


def test_auc_by_ranks_equals_counting_every_pair() -> None:
    rng = random.Random(7)
    for _ in range(50):
        scores = [float(rng.randint(0, 10)) for _ in range(rng.randint(2, 30))]
        churned = [rng.random() < 0.3 for _ in scores]
        pairs = [
            (c, s)
            for (c, cc), (s, sc) in itertools.product(zip(scores, churned, strict=True), repeat=2)
            if cc and not sc
        ]
        expected = (
            sum(1.0 if c < s else 0.5 if c == s else 0.0 for c, s in pairs) / len(pairs)
            if pairs
            else None
        )
        assert churn_auc(scores, churned) == (
            pytest.approx(expected) if expected is not None else None
        )


def test_precision_and_recall_of_at_risk() -> None:
    outcomes = [
        Outcome(20, at_risk=True, churned=True),
        Outcome(30, at_risk=True, churned=False),
        Outcome(35, at_risk=True, churned=False),
        Outcome(60, at_risk=False, churned=True),
        Outcome(90, at_risk=False, churned=False),
    ]
    m = measure(outcomes)
    assert (m.partners, m.churned, m.at_risk, m.at_risk_churned) == (5, 2, 3, 1)
    assert m.precision == pytest.approx(1 / 3)
    assert m.recall == pytest.approx(1 / 2)
    assert m.auc == pytest.approx(4 / 6)
    empty = measure([Outcome(80, at_risk=False, churned=False)])
    assert (empty.precision, empty.recall, empty.auc) == (None, None, None)


def test_replay_dates_are_monthly_and_leave_the_horizon_observed() -> None:
    last = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    dates = replay_dates(last, 180, 3)
    assert [d.date() for d in dates] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    assert dates[-1] + timedelta(days=180) == last


def _ref(n: int) -> SourceRef:
    return SourceRef(system="salesforce", id=f"001{n:015d}")


def test_a_replay_ranks_partners_that_went_quiet_before_churning_lowest(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pp.db'}")
    migrate(engine)
    store = SqlStore(engine, "test")
    since = date(2024, 1, 1)
    records: list[object] = []
    for n in range(6):  # stayers: a call a week
        records.append(partner(_ref(n), f"Stayer {n}", f"stay{n}.com", since))
        records += calls(_ref(n), date(2024, 6, 1), date(2026, 6, 1), 7)
    for n, (quiet, end) in enumerate([("2025-09-01", "2026-01-20"), ("2025-10-15", "2026-03-01")]):
        ref = _ref(10 + n)
        records.append(
            partner(ref, f"Leaver {n}", f"leave{n}.com", since, partner_end=date.fromisoformat(end))
        )
        records += calls(ref, date(2024, 6, 1), date.fromisoformat(quiet), 7)
    store.upsert_records(records, stream="test")  # type: ignore[arg-type]
    store.save_links(link_partners(store.records(PartnerRecord), existing={}, overrides={}))

    dates = [datetime(2025, m, 15, 12, tzinfo=UTC) for m in (10, 11, 12)]
    result = run_backtest(engine, "test", ScoringSettings(), dates, horizon_days=120)

    assert [p.as_of for p in result.points] == dates
    first = result.points[0].measure
    assert (first.partners, first.churned) == (8, 1)  # Leaver 1 churns 137 days later: not yet
    assert [p.measure.churned for p in result.points] == [1, 2, 2]
    assert result.overall.auc == 1.0
    assert result.overall.partners == 24
    assert result.points[-1].measure.at_risk_churned == result.points[-1].measure.at_risk
    assert store.latest_snapshots() == {}  # a replay writes nothing
    engine.dispose()
