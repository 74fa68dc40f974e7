"""NPS classes (promoter 9-10, passive 7-8, detractor 0-6) and the portfolio NPS.

Kept here so the health score's reasons and the portfolio report classify alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

PROMOTER_MIN = 9
PASSIVE_MIN = 7


class NpsClass(StrEnum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


def nps_class(score: int) -> NpsClass:
    """The class of one 0-10 answer."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS answer is 0-10, got {score}")
    if score >= PROMOTER_MIN:
        return NpsClass.PROMOTER
    if score >= PASSIVE_MIN:
        return NpsClass.PASSIVE
    return NpsClass.DETRACTOR


def net_promoter_score(scores: Iterable[int]) -> float | None:
    """% promoters − % detractors over the given answers (one per partner); None if none."""
    counts = dict.fromkeys(NpsClass, 0)
    for score in scores:
        counts[nps_class(score)] += 1
    total = sum(counts.values())
    if total == 0:
        return None
    return 100.0 * (counts[NpsClass.PROMOTER] - counts[NpsClass.DETRACTOR]) / total
