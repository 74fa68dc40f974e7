"""``[scoring]``, ``[segments]``, ``[tiers]`` and ``[playbooks.<name>]``: every number of the
health score, the segment and tier rules and the follow-up playbooks (domain.md).

All defaults are domain.md's. Money is in currency units as ``Decimal`` (compared against
integer cents exactly); days are whole days.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import Field, field_validator, model_validator

from connector.config.base import Section

Priority = Literal["low", "normal", "high"]

TASK_PLACEHOLDERS = frozenset({"score", "reasons", "n", "tier"})
"""What a playbook's task text may name: ``{score}``, ``{reasons}``, ``{n}``, ``{tier}``."""


class ComponentWeights(Section):
    """``[scoring.weights]``: the relative weight of each health component (renormalised
    over the components that have data, so they need not sum to 100)."""

    communication: float = Field(default=25, ge=0)
    engagement: float = Field(default=15, ge=0)
    mutual_value: float = Field(default=20, ge=0)
    issue_backlog: float = Field(default=20, ge=0)
    satisfaction: float = Field(default=20, ge=0)
    kpi: float = Field(default=0, ge=0)


class ScoringConfig(Section):
    """How the health score (0-100), its grade, trend and reasons are computed."""

    weights: ComponentWeights = ComponentWeights()
    # KPI attainment is "on when mapped": a partner with KPI data gets this weight for
    # the KPI component while `weights.kpi` is 0. Set it to 0 to keep KPIs out entirely.
    kpi_weight_when_mapped: float = Field(default=10, ge=0)

    communication_full_days: int = Field(default=30, ge=0)
    communication_zero_days: int = Field(default=120, ge=1)
    engagement_window_days: int = Field(default=90, ge=1)
    revenue_window_months: int = Field(default=12, ge=1)
    mutual_value_offset: float = Field(default=20, ge=0, le=100)
    issue_old_days: int = Field(default=30, ge=0)
    issue_old_penalty: float = Field(default=25, ge=0)
    issue_other_penalty: float = Field(default=10, ge=0)
    nps_window_days: int = Field(default=365, ge=1)

    healthy_min: float = Field(default=70, ge=0, le=100)
    watch_min: float = Field(default=40, ge=0, le=100)
    trend_lookback_days: int = Field(default=28, ge=1)
    trend_flat_band: float = Field(default=5, ge=0)

    max_reasons: int = Field(default=3, ge=1)
    # A component that costs fewer points than this is not worth naming as a reason.
    reason_min_points: float = Field(default=1, ge=0)
    reasons_max_chars: int = Field(default=255, ge=20)

    @model_validator(mode="after")
    def _ordered(self) -> ScoringConfig:
        if self.communication_full_days >= self.communication_zero_days:
            raise ValueError(
                f"communication_full_days ({self.communication_full_days}) must be less than "
                f"communication_zero_days ({self.communication_zero_days})"
            )
        if self.watch_min > self.healthy_min:
            raise ValueError(
                f"watch_min ({self.watch_min}) must not be above healthy_min ({self.healthy_min})"
            )
        w = self.weights
        if w.communication + w.engagement + w.issue_backlog <= 0:
            # These three always have data; without them a partner with no revenue, NPS
            # or KPI would have nothing to be scored on.
            raise ValueError(
                "at least one of weights.communication, weights.engagement and "
                "weights.issue_backlog must be above 0"
            )
        return self


class SegmentsConfig(Section):
    """Segment rules, evaluated in order: strategic, prospective, else transactional."""

    # Strategic when the partner's share of all partners' won revenue in the revenue
    # window is strictly above this percentage ...
    strategic_revenue_share_pct: Decimal = Field(default=Decimal(20), ge=0, le=100)
    # ... or when it is flagged as holding unique resources.
    strategic_if_unique_resources: bool = True
    # Prospective when a partner for fewer days than this ...
    prospective_partner_days: int = Field(default=365, ge=0)
    # ... or when won revenue grew by at least this percentage year over year (from a
    # non-zero base: a first deal after a year without any is not growth).
    prospective_growth_pct: Decimal = Field(default=Decimal(50), ge=0)


class TiersConfig(Section):
    """Tier by won revenue in the revenue window, in currency units, with hysteresis."""

    gold: Decimal = Field(default=Decimal(1_000_000), gt=0, decimal_places=2)
    silver: Decimal = Field(default=Decimal(250_000), gt=0, decimal_places=2)
    # A partner keeps its previous tier until its revenue falls more than this
    # percentage below that tier's threshold; upgrades are immediate.
    hysteresis_pct: Decimal = Field(default=Decimal(10), ge=0, lt=100)

    @model_validator(mode="after")
    def _ordered(self) -> TiersConfig:
        if self.silver >= self.gold:
            raise ValueError(f"silver ({self.silver}) must be below gold ({self.gold})")
        return self


class PlaybookConfig(Section):
    """One follow-up playbook: whether it runs, its task text, due date, priority, cooldown.

    ``task`` may name ``{score}``, ``{reasons}``, ``{n}`` and ``{tier}``. ``cooldown_days``
    is how long a fired task keeps the playbook from firing again for the same partner.
    """

    enabled: bool = True
    task: str = Field(min_length=1, max_length=255)
    due_days: int = Field(ge=0)
    priority: Priority
    cooldown_days: int = Field(ge=0)

    @field_validator("task")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            names = {
                field for _, field, _, _ in string.Formatter().parse(value) if field is not None
            }
        except ValueError as exc:
            raise ValueError(f"task text {value!r} is not a valid template: {exc}") from None
        unknown = sorted(names - TASK_PLACEHOLDERS)
        if unknown:
            named = ", ".join("{" + name + "}" for name in unknown)
            allowed = ", ".join("{" + name + "}" for name in sorted(TASK_PLACEHOLDERS))
            raise ValueError(f"task text uses {named}; it may only use {allowed}")
        return value


class QuarterlyReviewPlaybook(PlaybookConfig):
    """Strategic partner without a meeting for ``no_meeting_days``."""

    task: str = "Schedule the quarterly business review"
    due_days: int = 14
    priority: Priority = "normal"
    cooldown_days: int = 90
    no_meeting_days: int = Field(default=90, ge=1)


class AtRiskCallPlaybook(PlaybookConfig):
    """The grade became ``at_risk`` (it was not at the previous snapshot, or there was none)."""

    task: str = "Call the partner: health fell to {score} ({reasons})"
    due_days: int = 3
    priority: Priority = "high"
    cooldown_days: int = 30


class ResolveBacklogPlaybook(PlaybookConfig):
    """At least ``min_old_issues`` issues open longer than ``scoring.issue_old_days``."""

    task: str = "Review {n} unresolved issues with the partner"
    due_days: int = 7
    priority: Priority = "high"
    cooldown_days: int = 30
    min_old_issues: int = Field(default=2, ge=1)


class NpsSurveyPlaybook(PlaybookConfig):
    """No NPS answer for ``no_answer_days``."""

    task: str = "Send the annual NPS survey"
    due_days: int = 30
    priority: Priority = "low"
    cooldown_days: int = 365
    no_answer_days: int = Field(default=365, ge=1)


class DetractorFollowupPlaybook(PlaybookConfig):
    """Latest NPS answer at most ``max_score``, given within ``within_days``."""

    task: str = "Acknowledge the feedback, propose a fix, record the outcome"
    due_days: int = 5
    priority: Priority = "high"
    cooldown_days: int = 90
    max_score: int = Field(default=6, ge=0, le=10)
    within_days: int = Field(default=90, ge=0)


class EnablementPlaybook(PlaybookConfig):
    """Prospective partner for fewer than ``partner_days`` days."""

    task: str = "Offer product and sales training"
    due_days: int = 14
    priority: Priority = "normal"
    cooldown_days: int = 365
    partner_days: int = Field(default=90, ge=1)


class TierChangePlaybook(PlaybookConfig):
    """The tier differs from the previous snapshot's."""

    task: str = "Tell the partner about the new {tier} status"
    due_days: int = 7
    priority: Priority = "low"
    cooldown_days: int = 30


class PlaybooksConfig(Section):
    """``[playbooks.<name>]``: the seven playbooks of domain.md; unknown names are refused."""

    quarterly_review: QuarterlyReviewPlaybook = QuarterlyReviewPlaybook()
    at_risk_call: AtRiskCallPlaybook = AtRiskCallPlaybook()
    resolve_backlog: ResolveBacklogPlaybook = ResolveBacklogPlaybook()
    nps_survey: NpsSurveyPlaybook = NpsSurveyPlaybook()
    detractor_followup: DetractorFollowupPlaybook = DetractorFollowupPlaybook()
    enablement: EnablementPlaybook = EnablementPlaybook()
    tier_change: TierChangePlaybook = TierChangePlaybook()

    def by_name(self) -> dict[str, PlaybookConfig]:
        """Every playbook keyed by its name, in the order of domain.md."""
        return {name: getattr(self, name) for name in PLAYBOOK_NAMES}


PLAYBOOK_NAMES: tuple[str, ...] = tuple(PlaybooksConfig.model_fields)


class ScoringSections(Protocol):
    """What scoring reads from the root config; the root ``Config`` satisfies it."""

    @property
    def scoring(self) -> ScoringConfig: ...

    @property
    def segments(self) -> SegmentsConfig: ...

    @property
    def tiers(self) -> TiersConfig: ...

    @property
    def playbooks(self) -> PlaybooksConfig: ...


class ScoringSettings(Section):
    """The four scoring sections on their own, for tests, benchmarks and back-tests."""

    scoring: ScoringConfig = ScoringConfig()
    segments: SegmentsConfig = SegmentsConfig()
    tiers: TiersConfig = TiersConfig()
    playbooks: PlaybooksConfig = PlaybooksConfig()
