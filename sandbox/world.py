"""A generated world: both CRMs' records plus the hidden truth they were drawn from.

``generate_world(partners, seed, now)`` is deterministic for its three arguments.
Each phase (people, partners, accounts, activity, deals, issues) draws from its
own random stream, so changing one phase does not reshuffle the others.

Records are plain dicts in each CRM's native shape (see ``docs/sandbox.md``).
They are meant to be read, not changed: HubSpot records of one company share a
single ``associations`` object to keep a million-record world small. Copy a
record before mutating it.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.generate_accounts import make_accounts
from sandbox.generate_activity import make_activity
from sandbox.generate_deals import make_deals
from sandbox.generate_ids import KEY_PREFIX, HubSpotIds, salesforce_ids
from sandbox.generate_issues import make_issues
from sandbox.generate_partners import GOLD, SILVER, Profile, sample_profiles
from sandbox.generate_people import make_people, people_count
from sandbox.generate_time import Timeline, default_now

SALESFORCE_OBJECTS = ("Account", "Contact", "User", "Task", "Event", "Opportunity", "Case")
HUBSPOT_OBJECTS = (
    "companies",
    "contacts",
    "deals",
    "tickets",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
)
TRUTH_VERSION = 1


@dataclass
class World:
    """Records per object for each CRM, HubSpot owners, and the truth (never served)."""

    salesforce: dict[str, list[dict[str, Any]]]
    hubspot: dict[str, list[dict[str, Any]]]
    hubspot_owners: list[dict[str, Any]]
    truth: dict[str, Any]

    def counts(self) -> dict[str, int]:
        """Records per object, keyed ``salesforce.Task``, ``hubspot.calls``, ``hubspot.owners``."""
        counts = {f"salesforce.{name}": len(rows) for name, rows in self.salesforce.items()}
        counts.update({f"hubspot.{name}": len(rows) for name, rows in self.hubspot.items()})
        counts["hubspot.owners"] = len(self.hubspot_owners)
        return counts

    @property
    def partners(self) -> int:
        """Partners in the truth file, else partner records in either CRM (a hand-made fixture)."""
        if "partners" in self.truth:
            return len(self.truth["partners"])
        sf = sum(1 for a in self.salesforce.get("Account", ()) if a.get("Type") == "Partner")
        hs = sum(
            1
            for c in self.hubspot.get("companies", ())
            if str(c.get("properties", {}).get("type", "")).upper() == "PARTNER"
        )
        return max(sf, hs)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Building a million small acyclic dicts: the cycle collector would only slow it down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate_world(partners: int, seed: int, now: datetime | None = None) -> World:
    """A world of ``partners`` partners (plus a quarter as many customers and prospects)."""
    if partners < 1:
        raise ValueError("partners must be at least 1")
    with paused_gc():
        return _generate(partners, seed, now)


def _generate(partners: int, seed: int, now: datetime | None) -> World:
    timeline = Timeline(now or default_now())

    def stream(phase: str) -> random.Random:
        return random.Random(f"{seed}/{phase}")

    starts = stream("ids")
    sf_ids = {obj: salesforce_ids(obj, starts.randrange(1, 62)) for obj in KEY_PREFIX}
    hs_ids = HubSpotIds()
    people, users, owners = make_people(
        people_count(partners), stream("people"), timeline, sf_ids["User"]
    )
    profiles = sample_profiles(partners, partners // 4, len(people), stream("partners"))
    accounts = make_accounts(profiles, people, stream("accounts"), timeline, sf_ids, hs_ids)
    activity = make_activity(profiles, people, stream("activity"), timeline, sf_ids, hs_ids)
    deals = make_deals(profiles, people, stream("deals"), timeline, sf_ids, hs_ids)
    issues = make_issues(profiles, people, stream("issues"), timeline, sf_ids, hs_ids)
    truth = {
        "generator": {
            "partners": partners,
            "seed": seed,
            "now": timeline.now.isoformat(),
            "version": TRUTH_VERSION,
        },
        "partners": [
            _partner_truth(p, timeline, deals.won[p.key], accounts.nps.get(p.key))
            for p in profiles
            if p.is_partner
        ],
        "mirrored_deals": deals.mirrored,
        "mirrored_tickets": issues.mirrored,
    }
    return World(
        salesforce={
            "Account": accounts.accounts,
            "Contact": accounts.sf_contacts,
            "User": users,
            "Task": activity.tasks,
            "Event": activity.events,
            "Opportunity": deals.opportunities,
            "Case": issues.cases,
        },
        hubspot={
            "companies": accounts.companies,
            "contacts": accounts.hs_contacts,
            "deals": deals.deals,
            "tickets": issues.tickets,
            **activity.engagements,
        },
        hubspot_owners=owners,
        truth=truth,
    )


def tier_of(won_last_12m: float) -> str:
    """The tier without hysteresis: what a first scoring run should assign."""
    if won_last_12m >= GOLD:
        return "gold"
    return "silver" if won_last_12m >= SILVER else "bronze"


def _partner_truth(
    p: Profile,
    timeline: Timeline,
    won: tuple[float, float, float],
    nps: tuple[int, str] | None,
) -> dict[str, Any]:
    churned = p.churn_day is not None and p.churn_day > 0
    return {
        "key": p.key,
        "name": p.name,
        "domain": p.domain,
        "salesforce_id": p.sf_id,
        "hubspot_id": p.hs_id,
        "presence": p.presence,
        "link": p.link,
        "health": round(p.health_at(0), 4),
        "base_health": p.base_health,
        "trajectory": p.trajectory,
        "churned": churned,
        "churn_date": timeline.ymd(p.churn_day) if p.churn_day is not None else None,
        "churn_recorded": churned,
        "partner_since": timeline.ymd(p.since_day),
        "unique_resources": p.unique_resources,
        "mirrors": p.mirrors,
        "near_threshold": p.near_threshold,
        "won_last_12m": won[0],
        "won_prev_12m": won[1],
        "won_total": won[2],
        "tier": tier_of(won[0]),
        "nps": {"score": nps[0], "date": nps[1]} if nps else None,
    }
