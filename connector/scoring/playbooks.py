"""Playbook conditions (domain.md): which follow-up tasks a partner's snapshot calls for.

Each condition is evaluated on the new snapshot, the facts behind it and the previous
snapshot. Planning decides what to write (cooldowns, task keys, closing); churned
partners are evaluated like any other and planning skips them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from connector.config.scoring import (
    DetractorFollowupPlaybook,
    EnablementPlaybook,
    NpsSurveyPlaybook,
    PlaybooksConfig,
    QuarterlyReviewPlaybook,
    ResolveBacklogPlaybook,
    ScoringConfig,
)
from connector.model import Grade, Segment, Snapshot
from connector.scoring.facts import PartnerFacts, days_since, history_days, whole_days
from connector.scoring.health import join_reasons


class PlaybookResult(NamedTuple):
    """One playbook for one partner.

    ``fires``: the condition calls for a task now. ``holds``: the situation the task is
    about still stands, so an open task should stay open; when false, planning may close
    it. They differ only for the two event playbooks: ``at_risk_call`` fires when the
    grade *became* at_risk and holds while it stays so; ``tier_change`` fires on a change
    and always holds (telling the partner stays valid). ``task`` is the configured text
    with ``values`` ({score}, {reasons}, {n}, {tier}) filled in.
    """

    name: str
    fires: bool
    holds: bool
    why: str
    values: Mapping[str, str]
    task: str


class _Context(NamedTuple):
    snapshot: Snapshot
    facts: PartnerFacts
    previous: Snapshot | None
    as_of: datetime
    scoring: ScoringConfig


_Outcome = tuple[bool, bool, str]  # fires, holds, why


def evaluate(
    snapshot: Snapshot,
    facts: PartnerFacts,
    previous: Snapshot | None,
    config: PlaybooksConfig,
    scoring: ScoringConfig,
) -> tuple[PlaybookResult, ...]:
    """Every enabled playbook's result, in the order of domain.md."""
    ctx = _Context(snapshot, facts, previous, snapshot.as_of, scoring)
    values = {
        "score": f"{snapshot.score:.1f}",
        "reasons": join_reasons(snapshot.reasons) or "no single cause",
        "n": str(facts.issues_open_old),
        "tier": snapshot.tier.value,
    }
    outcomes = {
        "quarterly_review": _quarterly_review(ctx, config.quarterly_review),
        "at_risk_call": _at_risk_call(ctx),
        "resolve_backlog": _resolve_backlog(ctx, config.resolve_backlog),
        "nps_survey": _nps_survey(ctx, config.nps_survey),
        "detractor_followup": _detractor_followup(ctx, config.detractor_followup),
        "enablement": _enablement(ctx, config.enablement),
        "tier_change": _tier_change(ctx),
    }
    results = []
    for name, playbook in config.by_name().items():
        if not playbook.enabled:
            continue
        fires, holds, why = outcomes[name]
        results.append(
            PlaybookResult(
                name=name,
                fires=fires,
                holds=holds,
                why=why,
                values=values,
                task=playbook.task.format(**values),
            )
        )
    return tuple(results)


def _quarterly_review(ctx: _Context, config: QuarterlyReviewPlaybook) -> _Outcome:
    if ctx.snapshot.segment is not Segment.STRATEGIC:
        return False, False, f"segment is {ctx.snapshot.segment.value}, not strategic"
    last = ctx.facts.last_meeting_at
    if last is None:
        days = history_days(ctx.scoring, config.no_meeting_days)
        return True, True, f"strategic, no meeting in the last {days} days"
    days = whole_days(ctx.as_of, last)
    if days >= config.no_meeting_days:
        return True, True, f"strategic, no meeting for {days} days"
    return False, False, f"strategic, last meeting {days} days ago"


def _at_risk_call(ctx: _Context) -> _Outcome:
    now_at_risk = ctx.snapshot.grade is Grade.AT_RISK
    before = ctx.previous.grade if ctx.previous is not None else None
    if not now_at_risk:
        return False, False, f"grade is {ctx.snapshot.grade.value}"
    if before is None:
        return True, True, "grade is at_risk at the first snapshot"
    if before is not Grade.AT_RISK:
        return True, True, f"grade became at_risk (was {before.value})"
    return False, True, "grade still at_risk since the previous snapshot"


def _resolve_backlog(ctx: _Context, config: ResolveBacklogPlaybook) -> _Outcome:
    old, days = ctx.facts.issues_open_old, ctx.scoring.issue_old_days
    fires = old >= config.min_old_issues
    issues = "1 issue" if old == 1 else f"{old} issues"
    bound = "at least" if fires else "under"
    return fires, fires, f"{issues} open longer than {days} days ({bound} {config.min_old_issues})"


def _nps_survey(ctx: _Context, config: NpsSurveyPlaybook) -> _Outcome:
    answered = ctx.facts.nps_answered_on
    if answered is None:
        return True, True, "no NPS answer on record"
    age = days_since(ctx.as_of, answered)
    if age > config.no_answer_days:
        return True, True, f"last NPS answer {age} days ago (over {config.no_answer_days})"
    return False, False, f"NPS answered {age} days ago"


def _detractor_followup(ctx: _Context, config: DetractorFollowupPlaybook) -> _Outcome:
    score, answered = ctx.facts.nps_score, ctx.facts.nps_answered_on
    if score is None or answered is None:
        return False, False, "no NPS answer on record"
    age = days_since(ctx.as_of, answered)
    fires = score <= config.max_score and 0 <= age <= config.within_days
    return fires, fires, f"latest NPS {score}, {age} days ago"


def _enablement(ctx: _Context, config: EnablementPlaybook) -> _Outcome:
    if ctx.snapshot.segment is not Segment.PROSPECTIVE:
        return False, False, f"segment is {ctx.snapshot.segment.value}, not prospective"
    since = ctx.facts.partner_since
    if since is None:
        return False, False, "prospective, partner-since date unknown"
    age = days_since(ctx.as_of, since)
    fires = age < config.partner_days
    return fires, fires, f"prospective, partner for {max(0, age)} days"


def _tier_change(ctx: _Context) -> _Outcome:
    tier = ctx.snapshot.tier
    if ctx.previous is None:
        return False, True, f"first snapshot, tier {tier.value}"
    before = ctx.previous.tier
    if before is tier:
        return False, True, f"tier still {tier.value}"
    return True, True, f"tier changed from {before.value} to {tier.value}"
