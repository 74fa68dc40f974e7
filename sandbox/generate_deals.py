"""Opportunities (Salesforce) and deals (HubSpot), won revenue heavy-tailed by partner.

Each profile aims at a won-revenue level per year (last 12 months, the 12 before,
the 12 before that), cut to the time it was actually a partner; the level is split
over one or more won deals, with lost and open deals around them. For a partner
in both CRMs most deals live in Salesforce and, when HubSpot's Salesforce
integration is on for it, reappear in HubSpot with ``hs_salesforceopportunityid``,
the same amount and the same close date: one sale, two records.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox.generate_ids import HubSpotIds
from sandbox.generate_names import PRODUCTS
from sandbox.generate_partners import HISTORY_DAYS, Profile
from sandbox.generate_people import Person
from sandbox.generate_time import BUSINESS_SLOTS, Timeline

SF_OPEN_STAGES = (
    ("Prospecting", 10, "appointmentscheduled"),
    ("Qualification", 10, "appointmentscheduled"),
    ("Needs Analysis", 20, "qualifiedtobuy"),
    ("Value Proposition", 50, "presentationscheduled"),
    ("Id. Decision Makers", 60, "decisionmakerboughtin"),
    ("Proposal/Price Quote", 75, "decisionmakerboughtin"),
    ("Negotiation/Review", 90, "contractsent"),
)
_WINDOWS = ((1, 365), (366, 730), (731, HISTORY_DAYS))


@dataclass
class DealRecords:
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    mirrored: dict[str, str] = field(default_factory=dict)  # HubSpot deal id -> Opportunity Id
    # per profile key: won revenue in the last 12 months, the 12 before, and in all
    won: dict[str, tuple[float, float, float]] = field(default_factory=dict)


@dataclass(slots=True)
class _Deal:
    close_day: int
    created_day: int
    amount: float | None
    stage: str  # "won", "lost" or an index into SF_OPEN_STAGES as text
    slot: int


def poisson(lam: float, rng: random.Random) -> int:
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def make_deals(
    profiles: list[Profile],
    people: list[Person],
    rng: random.Random,
    timeline: Timeline,
    sf_ids: dict[str, Iterator[str]],
    hs_ids: HubSpotIds,
) -> DealRecords:
    out = DealRecords()
    writer = _Writer(people, rng, timeline, sf_ids["Opportunity"], hs_ids, out)
    for p in profiles:
        deals = _deals(p, rng)
        won = [0.0, 0.0, 0.0]
        for deal in deals:
            if deal.stage == "won" and deal.close_day > 0:
                amount = deal.amount or 0.0
                won[2] += amount
                if deal.close_day <= 365:
                    won[0] += amount
                elif deal.close_day <= 730:
                    won[1] += amount
            writer.write(p, deal)
        out.won[p.key] = (round(won[0], 2), round(won[1], 2), round(won[2], 2))
    return out


def _active_span(p: Profile) -> tuple[int, int]:
    """The newest and the oldest day the account could close deals on."""
    newest = p.churn_day if p.churn_day is not None and p.churn_day > 0 else 1
    return newest, min(p.since_day if p.is_partner else p.created_day, HISTORY_DAYS)


def _deals(p: Profile, rng: random.Random) -> list[_Deal]:
    newest, oldest = _active_span(p)
    deals: list[_Deal] = []
    slots = BUSINESS_SLOTS
    for (lo, hi), level in zip(_WINDOWS, (p.revenue, p.revenue_prior, p.revenue_old), strict=True):
        lo, hi = max(lo, newest), min(hi, oldest)
        revenue = level * (hi - lo + 1) / 365 if hi >= lo else 0.0
        if revenue < 500:
            continue
        count = 1 + poisson(min(10.0, max(0.2, 0.4 + 1.3 * math.log10(revenue / 10_000))), rng)
        shares = [rng.lognormvariate(0.0, 0.7) for _ in range(count)]
        total = sum(shares)
        for share in shares:
            amount = round(revenue * share / total, -1)
            close = rng.randint(lo, hi)
            deals.append(
                _Deal(
                    close_day=close,
                    created_day=close + rng.randint(10, 150),
                    amount=None if rng.random() < 0.003 else amount,
                    stage="won",
                    slot=rng.choice(slots),
                )
            )
    typical = [d.amount for d in deals if d.amount] or [rng.lognormvariate(9.5, 0.8)]
    median = sorted(typical)[len(typical) // 2]
    win_rate = 0.35 + 0.4 * p.base_health
    won_count = max(len(deals), 1)
    if oldest >= newest:
        for _ in range(poisson(won_count * (1 - win_rate) / win_rate, rng)):
            close = rng.randint(newest, oldest)
            deals.append(
                _Deal(
                    close_day=close,
                    created_day=close + rng.randint(10, 150),
                    amount=None if rng.random() < 0.02 else _near(median, rng),
                    stage="lost",
                    slot=rng.choice(slots),
                )
            )
    if p.churn_day is None or p.churn_day < 0:
        for _ in range(poisson(0.4 + 1.6 * p.health_at(1), rng)):
            close = rng.randint(1, 60) if rng.random() < 0.08 else -rng.randint(5, 150)
            deals.append(
                _Deal(
                    close_day=close,
                    created_day=max(close, 0) + rng.randint(5, 120),
                    amount=None if rng.random() < 0.05 else _near(median, rng),
                    stage=str(rng.randrange(len(SF_OPEN_STAGES))),
                    slot=rng.choice(slots),
                )
            )
    return deals


def _near(amount: float, rng: random.Random) -> float:
    """A lost or open deal's size: the same order as the account's won deals."""
    return round(amount * rng.uniform(0.3, 2.0), -1)


class _Writer:
    """Writes one deal as an Opportunity, a HubSpot deal, or both (mirrored)."""

    def __init__(
        self,
        people: list[Person],
        rng: random.Random,
        timeline: Timeline,
        sf_ids: Iterator[str],
        hs_ids: HubSpotIds,
        out: DealRecords,
    ) -> None:
        self.people, self.rng, self.tl, self.out = people, rng, timeline, out
        self.sf_ids, self.hs_ids = sf_ids, hs_ids
        self._links: tuple[str | None, dict[str, list[str]]] = (None, {})

    def write(self, p: Profile, deal: _Deal) -> None:
        rng = self.rng
        in_sf = p.sf_id is not None and (p.hs_id is None or rng.random() < 0.8)
        title = f"{p.name} - {rng.choice(PRODUCTS)}"
        opportunity_id = None
        if in_sf:
            opportunity_id = self._opportunity(p, deal, title)
        if p.hs_id is not None and (not in_sf or p.mirrors):
            deal_id = self._deal(p, deal, title, opportunity_id)
            if opportunity_id:
                self.out.mirrored[deal_id] = opportunity_id

    def _opportunity(self, p: Profile, deal: _Deal, title: str) -> str:
        tl = self.tl
        if deal.stage == "won":
            stage, probability = "Closed Won", 100
        elif deal.stage == "lost":
            stage, probability = "Closed Lost", 0
        else:
            stage, probability, _ = SF_OPEN_STAGES[int(deal.stage)]
        closed = deal.stage in ("won", "lost")
        record_id = next(self.sf_ids)
        self.out.opportunities.append(
            {
                "Id": record_id,
                "Name": title,
                "AccountId": p.sf_id,
                "Amount": deal.amount,
                "CloseDate": tl.ymd(deal.close_day),
                "StageName": stage,
                "IsWon": deal.stage == "won",
                "IsClosed": closed,
                "Probability": probability,
                "Type": "Existing Business" if self.rng.random() < 0.6 else "New Business",
                "OwnerId": self.people[p.owner].sf_id,
                "CreatedDate": tl.sf_datetime(deal.created_day, deal.slot),
            }
        )
        return record_id

    def _deal(self, p: Profile, deal: _Deal, title: str, opportunity_id: str | None) -> str:
        tl, rng = self.tl, self.rng
        if deal.stage == "won":
            stage = "closedwon"
        elif deal.stage == "lost":
            stage = "closedlost"
        else:
            stage = SF_OPEN_STAGES[int(deal.stage)][2]
        as_ms = rng.random() < 0.5
        props: dict[str, Any] = {
            "dealname": title,
            "closedate": tl.hs_datetime(deal.close_day, 0 if opportunity_id else deal.slot, as_ms),
            "dealstage": stage,
            "pipeline": "default",
            "hubspot_owner_id": self.people[p.hs_owner].hs_owner_id,
            "createdate": tl.hs_datetime(deal.created_day, deal.slot, as_ms),
        }
        if deal.amount is not None:
            props["amount"] = _money(deal.amount)
        if opportunity_id:
            props["hs_salesforceopportunityid"] = opportunity_id
        if self._links[0] != p.hs_id:
            self._links = (p.hs_id, {"companies": [p.hs_id or ""]})
        deal_id = self.hs_ids.next(imported=deal.created_day > 1000)
        self.out.deals.append({"id": deal_id, "properties": props, "associations": self._links[1]})
        return deal_id


def _money(amount: float) -> str:
    return str(int(amount)) if amount == int(amount) else f"{amount:.2f}"
