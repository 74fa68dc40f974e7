"""Two years of activities: Salesforce Tasks and Events, HubSpot calls/emails/meetings/notes/tasks.

Each account's activities fall week by week in proportion to its latent intensity
(health, partnership phase, churn), so partners going quiet or about to churn
show it in the communication and engagement-trend signals. Counts are scaled so
partners average ``per_partner`` activities in each CRM they live in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sandbox.generate_ids import HubSpotIds
from sandbox.generate_names import (
    CALL_SUBJECTS,
    EMAIL_SUBJECTS,
    MEETING_SUBJECTS,
    NOTE_BODIES,
    TODO_SUBJECTS,
)
from sandbox.generate_partners import WINDOW_DAYS, Profile
from sandbox.generate_people import Person
from sandbox.generate_time import BUSINESS_SLOTS, Timeline

WEEKS = WINDOW_DAYS // 7
_WEEK_INDEX = range(WEEKS)
_WEEK_DAYS = [7 * week + 4 for week in _WEEK_INDEX]
_SF_KINDS = ("call", "email", "todo", "meeting")
_HS_KINDS = ("calls", "emails", "meetings", "notes", "tasks")
_SF_MIX = (0.3, 0.35, 0.15, 0.2)
_HS_MIX = (0.25, 0.35, 0.15, 0.1, 0.15)
_DURATIONS = tuple(str(s * 1000) for s in (45, 120, 300, 600, 900, 1800, 2700))
_MINUTES = (30, 30, 45, 60, 60, 90)
_OPEN_TASK = ("Not Started", "In Progress")
_TASK_TYPES = ("TODO", "TODO", "CALL", "EMAIL")
_SF_SUBJECTS = {"call": CALL_SUBJECTS, "email": EMAIL_SUBJECTS, "todo": TODO_SUBJECTS}
_FIRST_SLOT, _SLOT_COUNT = BUSINESS_SLOTS.start, len(BUSINESS_SLOTS)
_SF_SUBTYPE = {"call": "Call", "email": "Email", "todo": "Task"}


@dataclass
class ActivityRecords:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    engagements: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {kind: [] for kind in _HS_KINDS}
    )


def weekly(p: Profile) -> list[float]:
    """Contact intensity per week back from now (index 0 = the last seven days)."""
    if p.trajectory != "stable" or p.churn_day is not None:
        return [p.intensity(day) for day in _WEEK_DAYS]
    rate = p.intensity(min(p.since_day, 4))  # constant health: only the partnership phase varies
    created, since, early = p.created_day, p.since_day, rate * 0.3
    return [0.0 if day > created else early if day > since else rate for day in _WEEK_DAYS]


def make_activity(
    profiles: list[Profile],
    people: list[Person],
    rng: random.Random,
    timeline: Timeline,
    sf_ids: dict[str, Iterator[str]],
    hs_ids: HubSpotIds,
    per_partner: float = 60.0,
    per_other: float = 8.0,
) -> ActivityRecords:
    out = ActivityRecords()
    weights = [weekly(p) for p in profiles]
    totals = [sum(w) for w in weights]
    # HubSpot users log a little more or less than their Salesforce colleagues, per account
    hs_totals = [t * rng.lognormvariate(0.0, 0.35) for t in totals]
    sf_expected = [t if p.in_salesforce else 0.0 for p, t in zip(profiles, totals, strict=True)]
    hs_expected = [t if p.in_hubspot else 0.0 for p, t in zip(profiles, hs_totals, strict=True)]
    sf_counts = _counts(profiles, sf_expected, per_partner, per_other, rng)
    hs_counts = _counts(profiles, hs_expected, per_partner, per_other, rng)
    sf_writer = _SalesforceWriter(people, rng, timeline, sf_ids, out)
    hs_writer = _HubSpotWriter(people, rng, timeline, hs_ids, out)
    for p, week_weights, sf_n, hs_n in zip(profiles, weights, sf_counts, hs_counts, strict=True):
        cum = list(accumulate(week_weights))
        if sf_n:
            sf_writer.write(p, _days(cum, sf_n, rng), _mix(_SF_MIX, rng))
        if hs_n:
            hs_writer.write(p, _days(cum, hs_n, rng), _mix(_HS_MIX, rng))
        if p.churn_day is None and rng.random() < 0.3:
            upcoming = [-rng.randint(1, 21)]
            if p.sf_id:
                sf_writer.write(p, upcoming, (0.0, 0.0, 0.4, 0.6))
            if p.hs_id:
                hs_writer.write(p, upcoming, (0.0, 0.0, 0.6, 0.0, 0.4))
    return out


def _counts(
    profiles: list[Profile],
    expected: list[float],
    per_partner: float,
    per_other: float,
    rng: random.Random,
) -> list[int]:
    """Activities per profile in one CRM: proportional to ``expected``, averaging the targets."""
    counts = [0] * len(profiles)
    for is_partner, target in ((True, per_partner), (False, per_other)):
        group = [i for i, p in enumerate(profiles) if p.is_partner is is_partner and expected[i]]
        total = sum(expected[i] for i in group)
        if not total:
            continue
        factor = target * len(group) / total
        for i in group:
            counts[i] = int(expected[i] * factor + rng.random())
    return counts


def _days(cum: list[float], count: int, rng: random.Random) -> list[int]:
    if not cum[-1]:
        return []
    weeks = rng.choices(_WEEK_INDEX, cum_weights=cum, k=count)
    return [7 * week + 1 + int(7 * rng.random()) for week in weeks]


def _mix(base: tuple[float, ...], rng: random.Random) -> tuple[float, ...]:
    """Each account's own habit: some are met, some only emailed."""
    return tuple(w * rng.lognormvariate(0.0, 0.5) for w in base)


class _SalesforceWriter:
    def __init__(
        self,
        people: list[Person],
        rng: random.Random,
        timeline: Timeline,
        ids: dict[str, Iterator[str]],
        out: ActivityRecords,
    ) -> None:
        self.people, self.rng, self.tl, self.out = people, rng, timeline, out
        self.task_ids, self.event_ids = ids["Task"], ids["Event"]

    def write(self, p: Profile, days: list[int], mix: tuple[float, ...]) -> None:
        rng, tl, people = self.rng, self.tl, self.people
        random_, sf_datetime, ymd = rng.random, tl.sf_datetime, tl.ymd
        task_ids, event_ids = self.task_ids, self.event_ids
        account, contacts, n_contacts = p.sf_id, p.sf_contacts, len(p.sf_contacts)
        owner, n_people = people[p.owner].sf_id, len(people)
        tasks, events = self.out.tasks, self.out.events
        kinds = rng.choices(_SF_KINDS, weights=mix, k=len(days))
        for day, kind in zip(days, kinds, strict=True):
            slot = _FIRST_SLOT + int(_SLOT_COUNT * random_())
            roll = random_()
            # a quarter of the activities are logged by someone other than the owner
            who = owner if roll < 0.75 else people[int(n_people * (roll - 0.75) * 4)].sf_id
            when = sf_datetime(day, slot)
            roll = random_()
            if kind == "meeting":
                # Salesforce derives ActivityDateTime, ActivityDate and DurationInMinutes
                record: dict[str, Any] = {
                    "Id": next(event_ids),
                    "Subject": MEETING_SUBJECTS[int(len(MEETING_SUBJECTS) * random_())],
                    "StartDateTime": when,
                    "EndDateTime": sf_datetime(day, slot + _MINUTES[int(6 * roll)] // 5),
                    "WhatId": account,
                    "OwnerId": who,
                    "CreatedDate": sf_datetime(max(day + int(10 * roll), 1), slot),
                }
                if n_contacts and roll < 0.6:
                    record["WhoId"] = contacts[int(n_contacts * roll / 0.6)]
                events.append(record)
                continue
            done = day > 0 and (kind != "todo" or roll < 0.7)
            subjects = _SF_SUBJECTS[kind]
            record = {
                "Id": next(task_ids),
                "Subject": subjects[int(len(subjects) * random_())],
                "TaskSubtype": _SF_SUBTYPE[kind],
                "Status": "Completed" if done else _OPEN_TASK[int(2 * roll)],
                "ActivityDate": ymd(day),
                "WhatId": account,
                "OwnerId": who,
                "CreatedDate": when if done else sf_datetime(max(day + 7, 1), slot),
            }
            roll = random_()
            if done:
                # Tasks closed before Salesforce tracked completion times have none; an explicit
                # null keeps the store from stamping them with the load time.
                record["CompletedDateTime"] = when if roll < 0.9 else None
            if roll > 0.85:
                record["Priority"] = "High"  # Normal is the default
            if n_contacts and roll < 0.5:
                record["WhoId"] = contacts[int(n_contacts * roll * 2)]
            tasks.append(record)


class _HubSpotWriter:
    def __init__(
        self,
        people: list[Person],
        rng: random.Random,
        timeline: Timeline,
        ids: HubSpotIds,
        out: ActivityRecords,
    ) -> None:
        self.people, self.rng, self.tl, self.ids = people, rng, timeline, ids
        self.out = out.engagements

    def write(self, p: Profile, days: list[int], mix: tuple[float, ...]) -> None:
        rng, tl, people, out = self.rng, self.tl, self.people, self.out
        random_, next_id, hs_datetime, hs_iso = rng.random, self.ids.next, tl.hs_datetime, tl.hs_iso
        owner, n_people = people[p.hs_owner].hs_owner_id, len(people)
        # One association object per company, shared read-only by all its engagements.
        links = {"companies": [p.hs_id]}
        kinds = rng.choices(_HS_KINDS, weights=mix, k=len(days))
        for day, kind in zip(days, kinds, strict=True):
            slot = _FIRST_SLOT + int(_SLOT_COUNT * random_())
            roll = random_()
            as_ms = roll < 0.6  # both timestamp notations occur in real portals
            when = hs_datetime(day, slot, as_ms)
            roll = random_()
            props: dict[str, Any] = {
                "hs_timestamp": when,
                "hubspot_owner_id": owner
                if roll < 0.75
                else people[int(n_people * (roll - 0.75) * 4)].hs_owner_id,
                "createdate": when if day > 0 else hs_iso(1, slot),
            }
            roll, text = random_(), random_()
            if kind == "calls":
                props["hs_call_title"] = CALL_SUBJECTS[int(len(CALL_SUBJECTS) * text)]
                props["hs_call_direction"] = "OUTBOUND" if roll < 0.7 else "INBOUND"
                props["hs_call_status"] = "COMPLETED" if roll < 0.85 else "NO_ANSWER"
                props["hs_call_duration"] = _DURATIONS[int(len(_DURATIONS) * roll)]
            elif kind == "emails":
                props["hs_email_subject"] = EMAIL_SUBJECTS[int(len(EMAIL_SUBJECTS) * text)]
                props["hs_email_direction"] = "EMAIL" if roll < 0.6 else "INCOMING_EMAIL"
                props["hs_email_status"] = "SENT"
            elif kind == "meetings":
                props["hs_meeting_title"] = MEETING_SUBJECTS[int(len(MEETING_SUBJECTS) * text)]
                if roll < 0.9:
                    props["hs_meeting_start_time"] = when
                    props["hs_meeting_end_time"] = hs_datetime(day, slot + 12, as_ms)
                props["hs_meeting_outcome"] = "SCHEDULED" if day <= 0 else "COMPLETED"
            elif kind == "notes":
                props["hs_note_body"] = NOTE_BODIES[int(len(NOTE_BODIES) * text)]
            else:
                done = day > 0 and roll < 0.75
                props["hs_task_subject"] = TODO_SUBJECTS[int(len(TODO_SUBJECTS) * text)]
                props["hs_task_status"] = "COMPLETED" if done else "NOT_STARTED"
                props["hs_task_priority"] = "HIGH" if roll > 0.8 else "MEDIUM"
                props["hs_task_type"] = _TASK_TYPES[int(len(_TASK_TYPES) * roll)]
            out[kind].append({"id": next_id(), "properties": props, "associations": links})
