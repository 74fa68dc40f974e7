"""The vendor's own staff: Salesforce Users and HubSpot owners, the same people in both CRMs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.generate_names import person_name
from sandbox.generate_time import Timeline

STAFF_DOMAIN = "vendor.example.com"


@dataclass(frozen=True, slots=True)
class Person:
    sf_id: str
    hs_owner_id: str
    active: bool


def people_count(partners: int) -> int:
    """About one partner manager per 40 partners, never fewer than six people."""
    return max(6, partners // 40)


def make_people(
    count: int,
    rng: random.Random,
    timeline: Timeline,
    sf_ids: Iterator[str],
) -> tuple[list[Person], list[dict[str, Any]], list[dict[str, Any]]]:
    """People, their Salesforce User records and their HubSpot owner objects.

    A few people have left: their User is inactive and their owner archived, yet
    they still own partners — as in every real org.
    """
    people: list[Person] = []
    users: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    seen: set[str] = set()
    owner_numbers = rng.sample(range(10_000_000, 100_000_000), count)
    user_numbers = rng.sample(range(1_000_000, 10_000_000), count)
    for number in range(count):
        first, last = person_name(rng)
        handle = f"{first}.{last}".lower()
        if handle in seen:
            handle = f"{handle}{number}"
        seen.add(handle)
        email = f"{handle}@{STAFF_DOMAIN}"
        active = number < 3 or rng.random() > 0.05
        joined = rng.randint(60, 2500)
        user_id = next(sf_ids)
        owner_id = str(owner_numbers[number])
        users.append(
            {
                "Id": user_id,
                "Username": f"{handle}@{STAFF_DOMAIN}.sandbox",
                "FirstName": first,
                "LastName": last,
                "Name": f"{first} {last}",
                "Email": email,
                "Title": "Partner Manager" if number % 7 else "Partner Operations",
                "IsActive": active,
                "CreatedDate": timeline.sf_datetime(joined, rng.choice(range(100, 200))),
            }
        )
        owners.append(
            {
                "id": owner_id,
                "email": email,
                "firstName": first,
                "lastName": last,
                "userId": user_numbers[number],
                "createdAt": timeline.hs_iso(joined, rng.choice(range(100, 200))),
                "updatedAt": timeline.hs_iso(rng.randint(1, joined), rng.choice(range(100, 200))),
                "archived": not active,
            }
        )
        people.append(Person(user_id, owner_id, active))
    return people, users, owners
