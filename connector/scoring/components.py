"""The six health components (domain.md), each a pure function of a partner's facts.

Each returns a :class:`Part`: its value (0-100, or ``None`` when there is no data), its
*configured* weight, its inputs and a plain-words reason; ``health.renormalise`` spreads
the weights over the components that have data.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import NamedTuple

from connector.config.scoring import ScoringConfig
from connector.scoring.facts import PartnerFacts, days_since, history_days, whole_days
from connector.scoring.nps import nps_class

COMMUNICATION = "communication"
ENGAGEMENT = "engagement"
MUTUAL_VALUE = "mutual_value"
ISSUE_BACKLOG = "issue_backlog"
SATISFACTION = "satisfaction"
KPI = "kpi"
COMPONENTS = (COMMUNICATION, ENGAGEMENT, MUTUAL_VALUE, ISSUE_BACKLOG, SATISFACTION, KPI)


class Part(NamedTuple):
    """A component: its value (None = no data), weight, inputs and plain-words reason.

    Components return their configured weight; ``health.renormalise`` returns them with
    their share. The snapshot keeps them as :class:`~connector.model.ComponentScore`.
    """

    name: str
    value: float | None
    weight: float
    inputs: dict[str, str | int | float | None]
    reason: str


def round1(value: float) -> float:
    """Round half up to one decimal, the precision every score is shown and kept at."""
    return math.floor(value * 10 + 0.5) / 10


def percent(value: float) -> int:
    """A ratio as a whole percentage, rounded half up."""
    return math.floor(value * 100 + 0.5)


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def communication(facts: PartnerFacts, config: ScoringConfig, as_of: datetime) -> Part:
    """Days since the last meeting, call or email: 100 up to ``communication_full_days``,
    falling linearly to 0 at ``communication_zero_days``.

    A partner not contacted within the activity history (:func:`history_days`) is counted
    from the day it became a partner, if that is within the history (so a new partner is
    not at risk on day one); otherwise it scores 0.
    """
    full, zero = config.communication_full_days, config.communication_zero_days
    history = history_days(config)
    since = facts.partner_since
    days: int | None = None
    if facts.last_contact_at is not None:
        days = whole_days(as_of, facts.last_contact_at)
        reason = f"no meeting, call or email for {days} days"
        if days <= full:
            reason = f"last meeting, call or email {days} days ago"
    elif since is not None and days_since(as_of, since) <= history:
        days = max(0, days_since(as_of, since))
        reason = f"no meeting, call or email since becoming a partner {days} days ago"
    else:
        reason = f"no meeting, call or email in the last {history} days"
    if days is None:
        value = 0.0
    elif days <= full:
        value = 100.0
    elif days >= zero:
        value = 0.0
    else:
        value = 100.0 * (zero - days) / (zero - full)
    inputs: dict[str, str | int | float | None] = {
        "last_contact_at": _iso(facts.last_contact_at),
        "days": days,
    }
    return _component(COMMUNICATION, value, config.weights.communication, inputs, reason)


def engagement(facts: PartnerFacts, config: ScoringConfig) -> Part:
    """Activities in the last window ÷ the window before: min(100, 100·ratio); none before
    but some now → 100; both zero → 0."""
    recent, before = facts.activities_recent, facts.activities_before
    window = config.engagement_window_days
    if before == 0:
        value = 100.0 if recent > 0 else 0.0
        reason = (
            f"{_plural(recent, 'activity', 'activities')} in the last "
            f"{window} days, none in the {window} before"
            if recent
            else f"no activity in the last {2 * window} days"
        )
    elif recent == 0:
        value = 0.0
        reason = f"no activity in the last {window} days ({before} in the {window} before)"
    else:
        ratio = recent / before
        value = min(100.0, 100.0 * ratio)
        change = percent(abs(ratio - 1))
        trend = "flat" if recent == before else ("down" if recent < before else "up")
        amount = "" if trend == "flat" else f" {change}%"
        reason = f"activity {trend}{amount} on the previous {window} days ({recent} vs {before})"
    inputs: dict[str, str | int | float | None] = {"recent": recent, "before": before}
    return _component(ENGAGEMENT, value, config.weights.engagement, inputs, reason)


def mutual_value(facts: PartnerFacts, config: ScoringConfig) -> Part:
    """Won revenue growth g (this window ÷ the one before): clamp(100·g − offset, 0, 100);
    no prior revenue but new revenue → 100; no revenue at all → no data."""
    recent, before = facts.won_cents_recent, facts.won_cents_before
    months = config.revenue_window_months
    inputs: dict[str, str | int | float | None] = {
        "won_cents_recent": recent,
        "won_cents_before": before,
    }
    if recent <= 0 and before <= 0:
        reason = f"no won revenue in the last {2 * months} months"
        return _component(MUTUAL_VALUE, None, config.weights.mutual_value, inputs, reason)
    if before <= 0:
        reason = f"new won revenue in the last {months} months, none the {months} before"
        return _component(MUTUAL_VALUE, 100.0, config.weights.mutual_value, inputs, reason)
    growth = recent / before
    value = _clamp(100.0 * growth - config.mutual_value_offset)
    inputs["growth"] = round(growth, 4)
    if recent == before:
        reason = "won revenue flat year over year"
    else:
        direction = "down" if recent < before else "up"
        reason = f"won revenue {direction} {percent(abs(growth - 1))}% year over year"
    if months != 12:
        reason = reason.replace("year over year", f"on the previous {months} months")
    return _component(MUTUAL_VALUE, value, config.weights.mutual_value, inputs, reason)


def issue_backlog(facts: PartnerFacts, config: ScoringConfig) -> Part:
    """100 − penalty per open issue older than ``issue_old_days`` − a smaller penalty per
    other open issue, floored at 0."""
    old, other = facts.issues_open_old, facts.issues_open_other
    value = max(0.0, 100.0 - config.issue_old_penalty * old - config.issue_other_penalty * other)
    if old:
        reason = f"{_plural(old, 'issue')} open longer than {config.issue_old_days} days"
        if other:
            reason += f", {other} more open"
    elif other:
        reason = _plural(other, "open issue")
    else:
        reason = "no open issues"
    inputs: dict[str, str | int | float | None] = {"open_old": old, "open_other": other}
    return _component(ISSUE_BACKLOG, value, config.weights.issue_backlog, inputs, reason)


def satisfaction(facts: PartnerFacts, config: ScoringConfig, as_of: datetime) -> Part:
    """The latest NPS answer (0-10) × 10, if given within ``nps_window_days``."""
    window = config.nps_window_days
    inputs: dict[str, str | int | float | None] = {
        "nps": facts.nps_score,
        "answered_on": facts.nps_answered_on.isoformat() if facts.nps_answered_on else None,
    }
    answered = facts.nps_answered_on
    if facts.nps_score is None or answered is None or days_since(as_of, answered) > window:
        reason = f"no NPS response in {window} days"
        return _component(SATISFACTION, None, config.weights.satisfaction, inputs, reason)
    score = facts.nps_score
    reason = f"NPS {score} ({nps_class(score).value})"
    return _component(SATISFACTION, 10.0 * score, config.weights.satisfaction, inputs, reason)


def kpi(facts: PartnerFacts, config: ScoringConfig) -> Part:
    """KPI actual ÷ target × 100, capped at 100. Weight ``weights.kpi``; when that is 0 and
    the partner has KPI data, ``kpi_weight_when_mapped`` ("on when mapped")."""
    attainment = facts.kpi_attainment
    inputs: dict[str, str | int | float | None] = {
        "attainment": attainment,
        "readings": facts.kpi_readings,
    }
    if attainment is None:
        return _component(KPI, None, config.weights.kpi, inputs, "no KPI data")
    weight = config.weights.kpi or config.kpi_weight_when_mapped
    value = _clamp(100.0 * attainment)
    reason = f"KPI attainment {percent(max(0.0, attainment))}%"
    return _component(KPI, value, weight, inputs, reason)


def all_components(facts: PartnerFacts, config: ScoringConfig, as_of: datetime) -> tuple[Part, ...]:
    """Every component, in domain.md's order, with configured (not yet normalised) weights."""
    return (
        communication(facts, config, as_of),
        engagement(facts, config),
        mutual_value(facts, config),
        issue_backlog(facts, config),
        satisfaction(facts, config, as_of),
        kpi(facts, config),
    )


def _component(
    name: str,
    value: float | None,
    weight: float,
    inputs: dict[str, str | int | float | None],
    reason: str,
) -> Part:
    inputs["configured_weight"] = weight
    return Part(name, None if value is None else round1(value), weight, inputs, reason)


def _iso(stamp: datetime | None) -> str | None:
    return stamp.isoformat() if stamp else None
