"""The latent life of every account in the world, before any CRM record exists.

A :class:`Profile` holds what the CRMs never show directly: the partner's latent
health over time, whether (and when) it churns, how much it buys, where it lives
(Salesforce, HubSpot or both) and how the two records are linked. Every record
generator reads these profiles, so the signals a health score sees — fading
activity, falling revenue, piling issues, detractor answers — follow the latent
health, and churned partners degrade in the months before their end date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.generate_names import CompanyNamer

WINDOW_DAYS = 730  # two years of activity
HISTORY_DAYS = 1095  # deals reach back three years, for lifetime value
GOLD, SILVER = 1_000_000.0, 250_000.0

NON_PARTNER_TYPES = (
    ("Customer - Direct", "PROSPECT", 0.35),
    ("Customer - Channel", "OTHER", 0.15),
    ("Prospect", "PROSPECT", 0.25),
    ("Technology Partner", "VENDOR", 0.07),
    ("Channel Partner / Reseller", "RESELLER", 0.08),
    ("Other", "OTHER", 0.05),
    (None, None, 0.05),
)


@dataclass(slots=True)
class Profile:
    """One account's hidden state. Days count back from ``now`` (negative = future)."""

    key: str
    is_partner: bool
    name: str
    domain: str | None
    presence: str  # "both", "salesforce" or "hubspot"
    link: str  # "salesforceaccountid", "domain", "name" (fuzzy only) or "none"
    sf_type: str | None
    hs_type: str | None
    base_health: float
    trajectory: str  # "stable", "declining", "recovering", "churning"
    change_from: int
    change_to: int
    end_health: float
    churn_day: int | None
    since_day: int
    created_day: int
    revenue: float  # won revenue aimed at for the last 12 months
    revenue_prior: float  # ... for the 12 months before
    revenue_old: float  # ... for the 12 months before that
    activity_scale: float
    owner: int
    hs_owner: int
    unique_resources: bool = False
    near_threshold: bool = False
    mirrors: bool = False  # HubSpot's Salesforce integration syncs this partner's deals/cases
    sf_id: str | None = None
    hs_id: str | None = None
    sf_contacts: list[str] = field(default_factory=list)
    hs_contacts: list[str] = field(default_factory=list)

    @property
    def in_salesforce(self) -> bool:
        return self.presence != "hubspot"

    @property
    def in_hubspot(self) -> bool:
        return self.presence != "salesforce"

    def churned_by(self, day: int) -> bool:
        return self.churn_day is not None and self.churn_day >= day

    def health_at(self, day: int) -> float:
        """Latent health (0..1) on ``day``: flat, then a linear slide toward ``end_health``."""
        if self.trajectory == "stable" or day >= self.change_from:
            return self.base_health
        if day <= self.change_to:
            return self.end_health
        done = (self.change_from - day) / (self.change_from - self.change_to)
        return self.base_health + (self.end_health - self.base_health) * done

    def intensity(self, day: int) -> float:
        """Relative rate of contact on ``day``: follows health; low outside the partnership."""
        if day > self.created_day:
            return 0.0
        rate: float = 0.08 + self.health_at(day) ** 1.4
        if day > self.since_day:
            rate *= 0.3
        if self.churn_day is not None and day < self.churn_day:
            rate *= 0.04
        return rate * self.activity_scale


def sample_profiles(partners: int, others: int, people: int, rng: random.Random) -> list[Profile]:
    """Partners first (keys P00001...), then customers and prospects (keys A00001...)."""
    namer = CompanyNamer(rng)
    profiles = [_partner(i, namer, people, rng) for i in range(partners)]
    _shape_tiers(profiles, rng)
    profiles += [_other(i, namer, people, rng) for i in range(others)]
    return profiles


def _presence(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.6:
        link = rng.random()
        if link < 0.52:
            return "both", "salesforceaccountid"
        return "both", "domain" if link < 0.97 else "name"
    return ("salesforce", "none") if roll < 0.8 else ("hubspot", "none")


def _partner(number: int, namer: CompanyNamer, people: int, rng: random.Random) -> Profile:
    name, domain = namer.next()
    presence, link = _presence(rng)
    health = rng.betavariate(2.6, 1.7)
    since = _since_day(rng)
    trajectory, change_from, change_to, end_health, churn = "stable", 0, 0, health, None
    roll, risk = rng.random(), (1.0 - health) ** 2
    if roll < 0.55 * risk:
        trajectory, churn = "churning", rng.randint(3, 700)
        since = max(since, churn + rng.randint(120, 900))
        change_from, change_to = churn + rng.randint(90, 240), churn
        end_health = rng.uniform(0.02, 0.15)
    elif roll < 0.80 * risk:
        trajectory, churn = "churning", -rng.randint(14, 150)
        change_from, change_to = rng.randint(60, 200), churn
        end_health = 0.05
    elif roll < 0.80 * risk + 0.08:
        trajectory, change_from, change_to = "declining", rng.randint(45, 200), rng.randint(0, 30)
        end_health = health * rng.uniform(0.2, 0.5)
    elif roll < 0.80 * risk + 0.13:
        trajectory, change_from, change_to = "recovering", rng.randint(60, 200), rng.randint(0, 40)
        health = min(health, 0.45)
        end_health = min(0.95, health + rng.uniform(0.25, 0.45))
    if change_from:
        since = max(since, change_from + 30)
    level = 0.0 if rng.random() < 0.07 else min(15_000.0 / (1.0 - rng.random()) ** (1 / 1.15), 3e7)
    growth = rng.lognormvariate(0.08, 0.3)
    if trajectory in ("churning", "declining"):
        growth *= rng.uniform(0.3, 0.7)
    elif trajectory == "recovering":
        growth *= rng.uniform(1.3, 1.8)
    owner = rng.randrange(people)
    return Profile(
        key=f"P{number + 1:05d}",
        is_partner=True,
        name=name,
        domain=domain if rng.random() > 0.03 or presence == "both" else None,
        presence=presence,
        link=link,
        sf_type="Partner",
        hs_type="PARTNER",
        base_health=round(health, 4),
        trajectory=trajectory,
        change_from=change_from,
        change_to=change_to,
        end_health=round(end_health, 4),
        churn_day=churn,
        since_day=since,
        created_day=since + rng.choice((0, 0, rng.randint(1, 60), rng.randint(30, 600))),
        revenue=level,
        revenue_prior=level / growth,
        revenue_old=level / growth / rng.lognormvariate(0.05, 0.3),
        activity_scale=rng.lognormvariate(0.0, 0.55),
        owner=owner,
        hs_owner=owner if rng.random() < 0.85 else rng.randrange(people),
        unique_resources=rng.random() < 0.03,
        mirrors=presence == "both" and rng.random() < 0.6,
    )


def _since_day(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return rng.randint(5, 89)
    if roll < 0.13:
        return rng.randint(90, 364)
    if roll < 0.35:
        return rng.randint(365, WINDOW_DAYS)
    return rng.randint(WINDOW_DAYS + 1, 3000)


def _shape_tiers(profiles: list[Profile], rng: random.Random) -> None:
    """Make every tier occur and put a few partners on the gold and silver lines.

    Pareto draws give gold and silver partners at scale; small worlds get the top
    earners lifted so that tests at a few dozen partners still see all three
    tiers. About 3% of partners sit within ±8% of a threshold in both recent
    years, so tier hysteresis has cases to work on.
    """
    steady = [
        p
        for p in profiles
        if p.churn_day is None and p.since_day > WINDOW_DAYS and p.trajectory == "stable"
    ]
    ranked = sorted(steady, key=lambda p: -p.revenue)
    want_gold, want_silver = max(2, len(profiles) // 100), max(3, len(profiles) // 25)
    for rank, profile in enumerate(ranked[: want_gold + want_silver]):
        floor = GOLD if rank < want_gold else SILVER
        if profile.revenue < floor * 1.1:
            lifted = floor * rng.uniform(1.15, 2.5)
            profile.revenue_prior *= lifted / max(profile.revenue, 1.0)
            profile.revenue_old *= lifted / max(profile.revenue, 1.0)
            profile.revenue = lifted
    rest = ranked[want_gold + want_silver :]
    near = rng.sample(rest, min(len(rest), max(2, len(profiles) * 3 // 100)))
    for count, profile in enumerate(near):
        line = GOLD if count % 3 == 0 else SILVER
        profile.near_threshold = True
        profile.revenue = line * rng.uniform(0.92, 1.08)
        profile.revenue_prior = line * rng.uniform(0.92, 1.08)
        profile.revenue_old = line * rng.uniform(0.85, 1.1)


def _other(number: int, namer: CompanyNamer, people: int, rng: random.Random) -> Profile:
    name, domain = namer.next()
    weights = [w for _, _, w in NON_PARTNER_TYPES]
    sf_type, hs_type, _ = rng.choices(NON_PARTNER_TYPES, weights)[0]
    roll = rng.random()
    presence = "both" if roll < 0.4 else ("salesforce" if roll < 0.7 else "hubspot")
    created = rng.randint(30, 2500)
    owner = rng.randrange(people)
    level = 0.0 if sf_type == "Prospect" else 20_000.0 / (1.0 - rng.random()) ** 0.7
    return Profile(
        key=f"A{number + 1:05d}",
        is_partner=False,
        name=name,
        domain=domain if rng.random() > 0.1 else None,
        presence=presence,
        link="salesforceaccountid" if presence == "both" else "none",
        sf_type=sf_type,
        hs_type=hs_type,
        base_health=0.6,
        trajectory="stable",
        change_from=0,
        change_to=0,
        end_health=0.6,
        churn_day=None,
        since_day=created,
        created_day=created,
        revenue=level,
        revenue_prior=level,
        revenue_old=0.0,
        activity_scale=rng.lognormvariate(0.0, 0.55),  # relative to other non-partners
        owner=owner,
        hs_owner=owner,
    )
