"""The world exercises every rule of domain.md, and its signals follow the latent health."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sandbox.world import World
from tests.sandbox_world.conftest import NOW

TODAY = NOW.date()


def _day(value: str) -> date:
    """A CRM date or datetime (Salesforce, HubSpot ISO or epoch ms) as a UTC calendar date."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC).date()
    return date.fromisoformat(value[:10])


def _age(value: str) -> int:
    return (TODAY - _day(value)).days


def _domain(value: str) -> str:
    text = value.strip().lower().removeprefix("https://").removeprefix("http://")
    return text.removeprefix("www.").split("/")[0]


def _partners(world: World) -> list[dict[str, Any]]:
    partners: list[dict[str, Any]] = world.truth["partners"]
    return partners


def _by_key(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_partners_and_other_accounts_live_in_both_crms(world: World) -> None:
    partners = _partners(world)
    sf_types = Counter(a["Type"] for a in world.salesforce["Account"])
    hs_types = Counter(c["properties"].get("type") for c in world.hubspot["companies"])
    assert sf_types["Partner"] == sum(1 for p in partners if p["salesforce_id"])
    assert hs_types["PARTNER"] == sum(1 for p in partners if p["hubspot_id"])
    assert {"Customer - Direct", "Prospect", "Technology Partner"} <= set(sf_types)
    assert {"PROSPECT", "RESELLER"} <= set(hs_types)


def test_about_sixty_percent_of_partners_live_in_both(world: World) -> None:
    presence = Counter(p["presence"] for p in _partners(world))
    assert 0.52 <= presence["both"] / len(_partners(world)) <= 0.68
    assert presence["salesforce"] > 40
    assert presence["hubspot"] > 40


def test_partners_in_both_are_linked_by_id_by_domain_or_only_by_name(world: World) -> None:
    accounts = _by_key(world.salesforce["Account"], "Id")
    companies = _by_key(world.hubspot["companies"], "id")
    links: Counter[str] = Counter()
    notations = set()
    for p in _partners(world):
        links[p["link"]] += 1
        if p["presence"] != "both":
            assert p["link"] == "none"
            if p["hubspot_id"]:
                assert "salesforceaccountid" not in companies[p["hubspot_id"]]["properties"]
            continue
        account, company = accounts[p["salesforce_id"]], companies[p["hubspot_id"]]["properties"]
        sf_domain = _domain(account.get("Website", ""))
        hs_domain = _domain(company.get("domain", ""))
        if p["link"] == "salesforceaccountid":
            assert company["salesforceaccountid"] == p["salesforce_id"]
        elif p["link"] == "domain":
            assert "salesforceaccountid" not in company
            assert sf_domain == hs_domain == p["domain"]
            notations.add(company["domain"] == p["domain"])
        else:
            assert p["link"] == "name"
            assert "salesforceaccountid" not in company
            assert sf_domain != hs_domain
    assert links["salesforceaccountid"] > 60
    assert links["domain"] > 60
    assert links["name"] > 0
    assert notations == {True, False}  # bare and messy notations of the same domain


def test_all_tiers_occur_with_a_heavy_tail_and_partners_near_the_lines(world: World) -> None:
    partners = _partners(world)
    assert {p["tier"] for p in partners} == {"gold", "silver", "bronze"}
    revenue = sorted((p["won_last_12m"] for p in partners), reverse=True)
    assert sum(revenue[: len(revenue) // 10]) > 0.5 * sum(revenue)
    assert any(p["won_total"] == 0 for p in partners)
    near = [p for p in partners if p["near_threshold"]]
    assert len(near) >= 5
    for p in near:
        line = 1_000_000 if p["won_last_12m"] > 600_000 else 250_000
        assert abs(p["won_last_12m"] - line) <= 0.1 * line
    assert {p["tier"] for p in near} >= {"silver", "bronze"}  # on both sides of a line


def test_truth_revenue_is_what_the_records_say(world: World) -> None:
    account_key = {p["salesforce_id"]: p["key"] for p in _partners(world) if p["salesforce_id"]}
    company_key = {p["hubspot_id"]: p["key"] for p in _partners(world) if p["hubspot_id"]}
    won: dict[str, float] = defaultdict(float)
    for opp in world.salesforce["Opportunity"]:
        key = account_key.get(opp["AccountId"])
        if key and opp["IsWon"] and 1 <= _age(opp["CloseDate"]) <= 365:
            won[key] += opp["Amount"] or 0.0
    for deal in world.hubspot["deals"]:
        props = deal["properties"]
        key = company_key.get(deal["associations"]["companies"][0])
        mirrored = "hs_salesforceopportunityid" in props
        closed_won = props["dealstage"] == "closedwon"
        if key and not mirrored and closed_won and 1 <= _age(props["closedate"]) <= 365:
            won[key] += float(props.get("amount", 0))
    for p in _partners(world):
        assert abs(won[p["key"]] - p["won_last_12m"]) < 0.01, p["key"]


def test_mirrored_deals_and_tickets_name_existing_salesforce_records(world: World) -> None:
    opportunities = _by_key(world.salesforce["Opportunity"], "Id")
    cases = _by_key(world.salesforce["Case"], "Id")
    mirrored = {}
    for deal in world.hubspot["deals"]:
        props = deal["properties"]
        if "hs_salesforceopportunityid" not in props:
            continue
        opp = opportunities[props["hs_salesforceopportunityid"]]
        mirrored[deal["id"]] = opp["Id"]
        assert _day(props["closedate"]) == date.fromisoformat(opp["CloseDate"])
        assert float(props.get("amount", "nan")) == opp["Amount"] or opp["Amount"] is None
        assert (props["dealstage"] == "closedwon") == opp["IsWon"]
    assert mirrored == world.truth["mirrored_deals"]
    assert mirrored
    tickets = {}
    for ticket in world.hubspot["tickets"]:
        props = ticket["properties"]
        if "salesforcecaseid" in props:
            case = cases[props["salesforcecaseid"]]
            tickets[ticket["id"]] = case["Id"]
            assert (props["hs_pipeline_stage"] == "4") == case["IsClosed"]
    assert tickets == world.truth["mirrored_tickets"]
    assert tickets


def test_churned_partners_carry_their_end_date_and_future_churns_do_not(world: World) -> None:
    accounts = _by_key(world.salesforce["Account"], "Id")
    companies = _by_key(world.hubspot["companies"], "id")
    churned = future = 0
    for p in _partners(world):
        recorded = set()
        if p["salesforce_id"]:
            recorded.add(accounts[p["salesforce_id"]].get("Partner_End_Date__c"))
        if p["hubspot_id"]:
            end = companies[p["hubspot_id"]]["properties"].get("partner_end_date")
            recorded.add(_day(end).isoformat() if end else None)
        if p["churned"]:
            churned += 1
            assert p["churn_date"] in recorded
            assert p["churn_date"] > p["partner_since"]
        else:
            assert recorded == {None}
            future += p["churn_date"] is not None
    assert churned >= 15
    assert future >= 5


def test_signals_fade_in_the_months_before_churn(world: World) -> None:
    account_of = {p["salesforce_id"]: p for p in _partners(world) if p["salesforce_id"]}
    before: Counter[str] = Counter()
    for task in world.salesforce["Task"]:
        p = account_of.get(task["WhatId"])
        if p is None or not p["churned"] or _age(p["churn_date"]) > 500:
            continue
        lead = (date.fromisoformat(p["churn_date"]) - _day(task["ActivityDate"])).days
        if 0 <= lead < 90:
            before["last 90 days"] += 1
        elif 180 <= lead < 270:
            before["6 to 9 months before"] += 1
    assert before["last 90 days"] < 0.6 * before["6 to 9 months before"]


def test_latent_health_drives_activity_issues_and_nps(world: World) -> None:
    partners = [
        p
        for p in _partners(world)
        if p["salesforce_id"] and not p["churned"] and _age(p["partner_since"]) > 365
    ]
    partners.sort(key=lambda p: p["health"])
    quarter = len(partners) // 4
    groups = {"low": partners[:quarter], "high": partners[-quarter:]}
    recent = Counter(
        t["WhatId"] for t in world.salesforce["Task"] if 1 <= _age(t["ActivityDate"]) <= 90
    )
    old_open = Counter(
        c["AccountId"]
        for c in world.salesforce["Case"]
        if not c["IsClosed"] and _age(c["CreatedDate"]) > 30
    )

    def mean(group: str, counts: Counter[str]) -> float:
        return statistics.mean(counts[p["salesforce_id"]] for p in groups[group])

    assert mean("high", recent) > 1.5 * mean("low", recent)
    assert mean("low", old_open) > 2 * mean("high", old_open)
    nps = {g: [p["nps"]["score"] for p in ps if p["nps"]] for g, ps in groups.items()}
    assert statistics.mean(nps["high"]) > statistics.mean(nps["low"]) + 1


def test_nps_answers_are_missing_stale_detractor_and_promoter(world: World) -> None:
    answers = [p["nps"] for p in _partners(world)]
    given = [a for a in answers if a]
    assert len(given) < len(answers)
    assert any(_age(a["date"]) > 365 for a in given)
    assert any(a["score"] <= 6 and _age(a["date"]) <= 90 for a in given)
    assert any(a["score"] >= 9 for a in given)
    in_both = [
        c
        for c in world.hubspot["companies"]
        if "nps_score" in c["properties"] and c["properties"].get("salesforceaccountid")
    ]
    accounts = _by_key(world.salesforce["Account"], "Id")
    assert any("NPS_Score__c" in accounts[c["properties"]["salesforceaccountid"]] for c in in_both)


def test_partner_since_flags_and_kpis_vary(world: World) -> None:
    partners = _partners(world)
    ages = [_age(p["partner_since"]) for p in partners]
    assert any(a < 90 for a in ages)
    assert any(90 <= a < 365 for a in ages)
    accounts = [a for a in world.salesforce["Account"] if a["Type"] == "Partner"]
    assert any("Partner_Since__c" not in a for a in accounts)
    assert any(a["Unique_Resources__c"] for a in accounts)
    assert any("KPI_Target__c" in a and "KPI_Actual__c" in a for a in accounts)
    companies = [c["properties"] for c in world.hubspot["companies"]]
    assert any(c.get("unique_resources") == "true" for c in companies)
    assert any("kpi_target" in c for c in companies)


def test_volumes_per_partner_match_the_bench_scale(world: World) -> None:
    partners = _partners(world)
    sf_partners = sum(1 for p in partners if p["salesforce_id"])
    hs_partners = sum(1 for p in partners if p["hubspot_id"])
    account_ids = {p["salesforce_id"] for p in partners}
    company_ids = {p["hubspot_id"] for p in partners}
    sf = sum(
        1
        for r in (*world.salesforce["Task"], *world.salesforce["Event"])
        if r["WhatId"] in account_ids
    )
    hs = sum(
        1
        for kind in ("calls", "emails", "meetings", "notes", "tasks")
        for r in world.hubspot[kind]
        if r["associations"]["companies"][0] in company_ids
    )
    assert 45 <= sf / sf_partners <= 80
    assert 45 <= hs / hs_partners <= 80
    deals = len(world.salesforce["Opportunity"]) + len(world.hubspot["deals"])
    deals -= len(world.truth["mirrored_deals"])
    issues = len(world.salesforce["Case"]) + len(world.hubspot["tickets"])
    issues -= len(world.truth["mirrored_tickets"])
    assert 7 <= deals / len(partners) <= 14
    assert 3 <= issues / len(partners) <= 8


def test_activities_come_in_every_kind_and_state(world: World) -> None:
    tasks = world.salesforce["Task"]
    assert {t["TaskSubtype"] for t in tasks} == {"Call", "Email", "Task"}
    completed = [t for t in tasks if t["Status"] == "Completed"]
    assert len(completed) > 0.8 * len(tasks)
    assert any(t["CompletedDateTime"] is None for t in completed)  # ActivityDate fallback
    assert any(_age(e["StartDateTime"]) < 0 for e in world.salesforce["Event"])  # scheduled
    meetings = [m["properties"] for m in world.hubspot["meetings"]]
    assert any("hs_meeting_start_time" not in m for m in meetings)
    assert any(m["hs_meeting_outcome"] == "SCHEDULED" for m in meetings)
    open_cases = [c for c in world.salesforce["Case"] if not c["IsClosed"]]
    assert any(_age(c["CreatedDate"]) > 30 for c in open_cases)
    assert any(_age(c["CreatedDate"]) <= 30 for c in open_cases)
    stages = Counter(t["properties"]["hs_pipeline_stage"] for t in world.hubspot["tickets"])
    assert set(stages) == {"1", "2", "3", "4"}
