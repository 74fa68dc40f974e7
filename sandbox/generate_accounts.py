"""Accounts (Salesforce) and companies (HubSpot), with their contacts, from the profiles.

This is where a partner gets its identity in each CRM and the two are tied — by
``salesforceaccountid``, by the same web domain typed differently, or only by a
similar name — and where the partner fields live: partner since/end dates, NPS
answers, the unique-resources flag and KPI targets.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox.generate_ids import HubSpotIds
from sandbox.generate_names import (
    COUNTRIES,
    HUBSPOT_INDUSTRIES,
    INDUSTRIES,
    TITLES,
    hubspot_domain,
    person_name,
    website,
)
from sandbox.generate_partners import Profile
from sandbox.generate_people import Person
from sandbox.generate_time import BUSINESS_SLOTS, Timeline

IMPORTED_BEFORE_DAY = 1000  # HubSpot records older than this came in by import: short ids


@dataclass
class AccountRecords:
    accounts: list[dict[str, Any]] = field(default_factory=list)
    sf_contacts: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    hs_contacts: list[dict[str, Any]] = field(default_factory=list)
    nps: dict[str, tuple[int, str]] = field(default_factory=dict)  # latest answer per partner key


@dataclass(frozen=True, slots=True)
class _Answer:
    day: int
    score: int


def make_accounts(
    profiles: list[Profile],
    people: list[Person],
    rng: random.Random,
    timeline: Timeline,
    sf_ids: dict[str, Iterator[str]],
    hs_ids: HubSpotIds,
) -> AccountRecords:
    """Build every account/company and contact; sets ``sf_id``/``hs_id`` on the profiles."""
    out = AccountRecords()
    slots = BUSINESS_SLOTS
    for p in profiles:
        since_recorded = not p.is_partner or rng.random() > 0.08
        if not since_recorded:
            p.created_day = p.since_day  # CreatedDate is then the partner-since fallback
        if p.in_salesforce:
            p.sf_id = next(sf_ids["Account"])
        if p.in_hubspot:
            p.hs_id = hs_ids.next(imported=p.created_day > IMPORTED_BEFORE_DAY)
        answers = _nps_answers(p, rng)
        sf_answer, hs_answer = _split_answers(p, answers, rng)
        if answers:
            last = min(answers, key=lambda a: a.day)
            out.nps[p.key] = (last.score, timeline.ymd(last.day))
        kpi = _kpi(p, rng)
        created_slot = rng.choice(slots)
        industry = rng.randrange(len(INDUSTRIES))
        country = rng.choice(COUNTRIES)
        if p.sf_id is not None:
            account: dict[str, Any] = {
                "Id": p.sf_id,
                "Name": p.name,
                "Type": p.sf_type,
                "Industry": INDUSTRIES[industry],
                "BillingCountry": country,
                "OwnerId": people[p.owner].sf_id,
                "CreatedDate": timeline.sf_datetime(p.created_day, created_slot),
                "Unique_Resources__c": p.unique_resources,
            }
            if p.domain:
                account["Website"] = website(p.domain, rng)
            if p.is_partner:
                if since_recorded:
                    account["Partner_Since__c"] = timeline.ymd(p.since_day)
                if p.churn_day is not None and p.churn_day > 0:
                    account["Partner_End_Date__c"] = timeline.ymd(p.churn_day)
                if sf_answer:
                    account["NPS_Score__c"] = sf_answer.score
                    account["NPS_Response_Date__c"] = timeline.ymd(sf_answer.day)
                if kpi:
                    account["KPI_Target__c"], account["KPI_Actual__c"] = kpi
            out.accounts.append(account)
        if p.hs_id is not None:
            props: dict[str, Any] = {
                "name": _hubspot_name(p, rng),
                "industry": HUBSPOT_INDUSTRIES[industry],
                "country": country,
                "hubspot_owner_id": people[p.hs_owner].hs_owner_id,
                "createdate": timeline.hs_datetime(p.created_day, created_slot, rng.random() < 0.5),
            }
            if p.hs_type:
                props["type"] = p.hs_type
            domain = _hubspot_domain(p, rng)
            if domain:
                props["domain"] = domain
            if p.link == "salesforceaccountid" and p.sf_id:
                props["salesforceaccountid"] = p.sf_id
            if p.is_partner:
                as_ms = rng.random() < 0.4
                if since_recorded:
                    props["partner_since"] = timeline.hs_date(p.since_day, as_ms)
                churned = p.churn_day is not None and p.churn_day > 0
                if churned and (p.presence != "both" or rng.random() > 0.15):
                    props["partner_end_date"] = timeline.hs_date(p.churn_day or 0, as_ms)
                if hs_answer:
                    props["nps_score"] = str(hs_answer.score)
                    props["nps_response_date"] = timeline.hs_date(hs_answer.day, as_ms)
                if p.unique_resources:
                    props["unique_resources"] = "true"
                elif rng.random() < 0.3:
                    props["unique_resources"] = "false"
                if kpi:
                    props["kpi_target"], props["kpi_actual"] = str(kpi[0]), str(kpi[1])
            out.companies.append({"id": p.hs_id, "properties": props, "associations": {}})
        _contacts(p, people, rng, timeline, sf_ids["Contact"], hs_ids, out)
    return out


def _hubspot_name(p: Profile, rng: random.Random) -> str:
    if p.link == "name":
        return p.name.split(" Inc.")[0].split(" LLC")[0] + rng.choice(("", " Group", " (EU)"))
    return p.name


def _hubspot_domain(p: Profile, rng: random.Random) -> str | None:
    """The company's domain; only domain-linked partners surely share it with Salesforce."""
    if p.domain is None:
        return None
    if p.link == "name" or (p.link == "salesforceaccountid" and rng.random() < 0.3):
        return f"get{p.domain}"  # a marketing or post-rebrand domain: no domain match
    return hubspot_domain(p.domain, rng, varied=p.link == "domain" and rng.random() < 0.6)


def _nps_answers(p: Profile, rng: random.Random) -> list[_Answer]:
    """Zero, one or two survey answers; scores follow the latent health on the answer's day."""
    if not p.is_partner or rng.random() > 0.72:
        return []
    answers = []
    for _ in range(1 if p.presence != "both" or rng.random() > 0.2 else 2):
        day = rng.randint(366, 700) if rng.random() < 0.25 else rng.randint(1, 365)
        if p.churn_day is not None and p.churn_day > 0:
            day = max(day, p.churn_day + rng.randint(1, 60))
        if day > p.since_day - 14:
            continue
        score = round(4.0 + 7.0 * p.health_at(day) + rng.gauss(0.0, 1.3))
        answers.append(_Answer(day, min(10, max(0, score))))
    return answers


def _split_answers(
    p: Profile, answers: list[_Answer], rng: random.Random
) -> tuple[_Answer | None, _Answer | None]:
    """Which CRM recorded which answer; for a partner in both the later one wins downstream."""
    if not answers:
        return None, None
    if len(answers) == 2:
        return answers[0], answers[1]
    if p.presence == "salesforce":
        return answers[0], None
    if p.presence == "hubspot":
        return None, answers[0]
    return (answers[0], None) if rng.random() < 0.7 else (None, answers[0])


def _kpi(p: Profile, rng: random.Random) -> tuple[int, int] | None:
    if not p.is_partner or rng.random() > 0.25:
        return None
    target = rng.choice((4, 6, 10, 12, 20, 24, 50, 100))
    attained = max(0.0, p.health_at(1) * 1.3 + rng.gauss(0.0, 0.15))
    return target, round(target * min(attained, 1.5))


def _contacts(
    p: Profile,
    people: list[Person],
    rng: random.Random,
    timeline: Timeline,
    sf_ids: Iterator[str],
    hs_ids: HubSpotIds,
    out: AccountRecords,
) -> None:
    count = 1 + (rng.random() < 0.6) + (rng.random() < 0.3) if p.is_partner else 1
    for _ in range(count):
        first, last = person_name(rng)
        email = f"{first}.{last}@{p.domain}".lower() if p.domain else None
        title = rng.choice(TITLES)
        day = max(1, p.created_day - rng.randint(0, 200))
        slot = rng.choice(BUSINESS_SLOTS)
        if p.sf_id is not None:
            contact_id = next(sf_ids)
            p.sf_contacts.append(contact_id)
            out.sf_contacts.append(
                {
                    "Id": contact_id,
                    "FirstName": first,
                    "LastName": last,
                    "Email": email,
                    "Title": title,
                    "AccountId": p.sf_id,
                    "OwnerId": people[p.owner].sf_id,
                    "CreatedDate": timeline.sf_datetime(day, slot),
                }
            )
        if p.hs_id is not None:
            hs_contact = hs_ids.next(imported=day > IMPORTED_BEFORE_DAY)
            p.hs_contacts.append(hs_contact)
            out.hs_contacts.append(
                {
                    "id": hs_contact,
                    "properties": {
                        "firstname": first,
                        "lastname": last,
                        "email": email,
                        "jobtitle": title,
                        "hubspot_owner_id": people[p.hs_owner].hs_owner_id,
                        "createdate": timeline.hs_iso(day, slot),
                    },
                    "associations": {"companies": [p.hs_id]},
                }
            )
