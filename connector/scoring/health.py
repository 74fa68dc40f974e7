"""From components to the health score: renormalised weights, the 0-100 score, its grade,
its trend against an earlier snapshot, and the reasons that cost the most points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from connector.config.scoring import ScoringConfig
from connector.model import Grade, Trend
from connector.scoring.components import Part, round1

REASON_SEPARATOR = "; "


class ComponentLike(Protocol):
    """A component as ``components.py`` makes it, or as a snapshot keeps it."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> float | None: ...

    @property
    def weight(self) -> float: ...

    @property
    def inputs(self) -> dict[str, str | int | float | None]: ...

    @property
    def reason(self) -> str: ...


def renormalise(components: Sequence[ComponentLike]) -> tuple[Part, ...]:
    """Spread the weight of components without data over the others.

    Each returned weight is the component's share (the weights of components with data
    sum to 1); a component without data gets 0 and keeps its reason ("no NPS response in
    365 days"); the configured weight stays in ``inputs["configured_weight"]``.
    """
    total = sum(c.weight for c in components if c.value is not None)
    return tuple(
        Part(
            c.name,
            c.value,
            c.weight / total if c.value is not None and total > 0 else 0.0,
            c.inputs,
            c.reason,
        )
        for c in components
    )


def weighted_score(components: Sequence[ComponentLike]) -> float:
    """The weighted mean of renormalised components, 0-100, to one decimal."""
    total = sum(c.value * c.weight for c in components if c.value is not None)
    return round1(min(100.0, max(0.0, total)))


def grade(score: float, config: ScoringConfig) -> Grade:
    """``healthy`` at or above ``healthy_min``, ``watch`` at or above ``watch_min``, else
    ``at_risk``."""
    if score >= config.healthy_min:
        return Grade.HEALTHY
    if score >= config.watch_min:
        return Grade.WATCH
    return Grade.AT_RISK


def trend(score: float, base: float | None, config: ScoringConfig) -> Trend:
    """``up``/``down`` when the score moved more than ``trend_flat_band`` from the base
    snapshot's score, ``flat`` within it, ``new`` without a base."""
    if base is None:
        return Trend.NEW
    change = round1(score - base)
    if change > config.trend_flat_band:
        return Trend.UP
    if change < -config.trend_flat_band:
        return Trend.DOWN
    return Trend.FLAT


def points_lost(component: ComponentLike) -> float:
    """What a (renormalised) component costs the score: (100 − value) × weight."""
    if component.value is None:
        return 0.0
    return (100.0 - component.value) * component.weight


def reasons(components: Sequence[ComponentLike], config: ScoringConfig) -> tuple[str, ...]:
    """The reasons of the (up to ``max_reasons``) components that cost the most points,
    costliest first, ignoring those under ``reason_min_points``; they fit in
    ``reasons_max_chars`` when joined with ``"; "``."""
    ranked = sorted(
        (
            c
            for c in components
            if points_lost(c) > 0 and points_lost(c) >= config.reason_min_points
        ),
        key=points_lost,
        reverse=True,
    )
    chosen = [c.reason for c in ranked[: config.max_reasons]]
    return fit(chosen, config.reasons_max_chars)


def fit(parts: Sequence[str], limit: int) -> tuple[str, ...]:
    """As many whole parts as fit in ``limit`` characters joined by ``"; "``; a first part
    that alone is too long is cut with an ellipsis."""
    kept: list[str] = []
    for part in parts:
        if len(join_reasons([*kept, part])) <= limit:
            kept.append(part)
        elif not kept:
            kept.append(part[: limit - 1] + "…")
            break
        else:
            break
    return tuple(kept)


def join_reasons(parts: Sequence[str]) -> str:
    """Reasons as one line, the form written into the CRM's reasons field."""
    return REASON_SEPARATOR.join(parts)


def missing_data(components: Sequence[ComponentLike]) -> tuple[str, ...]:
    """What the score was computed without, in words ("no NPS response in 365 days")."""
    return tuple(c.reason for c in components if c.value is None)
