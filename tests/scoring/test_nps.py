"""NPS classes (promoters 9-10, passives 7-8, detractors 0-6) and the portfolio NPS."""

from __future__ import annotations

import pytest

from connector.scoring import NpsClass, net_promoter_score, nps_class


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, NpsClass.DETRACTOR),
        (6, NpsClass.DETRACTOR),
        (7, NpsClass.PASSIVE),
        (8, NpsClass.PASSIVE),
        (9, NpsClass.PROMOTER),
        (10, NpsClass.PROMOTER),
    ],
)
def test_nps_classes(score: int, expected: NpsClass) -> None:
    assert nps_class(score) is expected


@pytest.mark.parametrize("score", [-1, 11])
def test_an_answer_outside_0_to_10_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="0-10"):
        nps_class(score)


def test_net_promoter_score_is_promoters_minus_detractors_in_percent() -> None:
    # 2 promoters, 1 passive, 1 detractor: 50% - 25% = 25.
    assert net_promoter_score([10, 9, 7, 3]) == 25.0
    assert net_promoter_score([0, 6]) == -100.0
    assert net_promoter_score([]) is None
