"""Cases (Salesforce) and tickets (HubSpot): the unresolved-problem backlog.

Unhealthy periods raise more issues and resolve them slowly, so open issues
older than 30 days gather around partners whose health is low or falling —
the "accumulated, unresolved problems" that end most partnerships. Some cases
reappear in HubSpot through its Salesforce integration (``salesforcecaseid``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox.generate_deals import poisson
from sandbox.generate_ids import HubSpotIds
from sandbox.generate_names import CASE_SUBJECTS
from sandbox.generate_partners import WINDOW_DAYS, Profile
from sandbox.generate_people import Person
from sandbox.generate_time import BUSINESS_SLOTS, Timeline

_SF_OPEN = ("New", "Working", "Escalated")
_HS_OPEN = ("1", "2", "3")  # new, waiting on contact, waiting on us
_PRIORITIES = (("High", "HIGH"), ("Medium", "MEDIUM"), ("Low", "LOW"))


@dataclass
class IssueRecords:
    cases: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    mirrored: dict[str, str] = field(default_factory=dict)  # ticket id -> Case Id


@dataclass(slots=True)
class _Issue:
    created_day: int
    closed_day: int | None
    slot: int
    closed_slot: int
    priority: int
    subject: str


def make_issues(
    profiles: list[Profile],
    people: list[Person],
    rng: random.Random,
    timeline: Timeline,
    sf_ids: dict[str, Iterator[str]],
    hs_ids: HubSpotIds,
    per_partner: float = 6.0,
) -> IssueRecords:
    out = IssueRecords()
    case_ids, tl = sf_ids["Case"], timeline
    case_number = 1000 + rng.randrange(50_000)
    for p in profiles:
        links = {"companies": [p.hs_id or ""]}
        for issue in _issues(p, rng, per_partner):
            in_sf = p.sf_id is not None and (p.hs_id is None or rng.random() < 0.6)
            case_id = None
            if in_sf:
                case_id = next(case_ids)
                case_number += 1
                case: dict[str, Any] = {
                    "Id": case_id,
                    "CaseNumber": f"{case_number:08d}",
                    "Subject": issue.subject,
                    "Status": "Closed" if issue.closed_day is not None else rng.choice(_SF_OPEN),
                    "IsClosed": issue.closed_day is not None,
                    "Priority": _PRIORITIES[issue.priority][0],
                    "Origin": rng.choice(("Email", "Phone", "Web")),
                    "AccountId": p.sf_id,
                    "OwnerId": people[p.owner].sf_id,
                    "CreatedDate": tl.sf_datetime(issue.created_day, issue.slot),
                }
                if issue.closed_day is not None:
                    case["ClosedDate"] = tl.sf_datetime(issue.closed_day, issue.closed_slot)
                if p.sf_contacts and rng.random() < 0.7:
                    case["ContactId"] = rng.choice(p.sf_contacts)
                out.cases.append(case)
            if p.hs_id is None or (in_sf and not (p.mirrors and rng.random() < 0.8)):
                continue
            as_ms = rng.random() < 0.5
            props: dict[str, Any] = {
                "subject": issue.subject,
                "hs_pipeline": "0",
                "hs_pipeline_stage": "4" if issue.closed_day is not None else rng.choice(_HS_OPEN),
                "hs_ticket_priority": _PRIORITIES[issue.priority][1],
                "hubspot_owner_id": people[p.hs_owner].hs_owner_id,
                "createdate": tl.hs_datetime(issue.created_day, issue.slot, as_ms),
            }
            if issue.closed_day is not None:
                props["closed_date"] = tl.hs_datetime(issue.closed_day, issue.closed_slot, as_ms)
            if case_id:
                props["salesforcecaseid"] = case_id
            ticket_id = hs_ids.next()
            out.tickets.append({"id": ticket_id, "properties": props, "associations": links})
            if case_id:
                out.mirrored[ticket_id] = case_id
    return out


def _issues(p: Profile, rng: random.Random, per_partner: float) -> list[_Issue]:
    """Issues raised over the last two years; more, and slower to close, when health is low."""
    oldest = min(p.since_day if p.is_partner else p.created_day, WINDOW_DAYS)
    newest = p.churn_day if p.churn_day is not None and p.churn_day > 0 else 1
    if oldest < newest:
        return []
    mean = per_partner * (0.4 + 1.4 * (1 - p.base_health)) if p.is_partner else 1.0
    count = poisson(mean * (oldest - newest + 1) / WINDOW_DAYS, rng)
    issues: list[_Issue] = []
    slots = BUSINESS_SLOTS
    while len(issues) < count:
        day = rng.randint(newest, oldest)
        health = p.health_at(day)
        if rng.random() * 1.15 > 1.15 - health:
            continue  # fewer issues in healthy weeks
        days_open = rng.expovariate(1.0 / (3.0 + 120.0 * (1.0 - health) ** 2))
        if rng.random() < 0.08 * (1.0 - health):
            days_open = float(WINDOW_DAYS)  # forgotten: nobody closes it
        closed = day - int(days_open)
        slot, closed_slot = rng.choice(slots), rng.choice(slots)
        if closed == day:
            closed_slot = slot + 1 + int(40 * rng.random())  # closed later the same day
        issues.append(
            _Issue(
                created_day=day,
                closed_day=closed if closed >= 1 else None,
                slot=slot,
                closed_slot=closed_slot,
                priority=0 if rng.random() < 0.15 + 0.3 * (1 - health) else rng.choice((1, 1, 2)),
                subject=rng.choice(CASE_SUBJECTS),
            )
        )
    return issues
