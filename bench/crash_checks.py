"""What a converged sync looks like, checked through the sandbox CRMs' back door.

``bench/crash_trials.py`` runs these after every trial and ``tests/e2e`` after its syncs:

- :func:`lost_records`: per CRM object, the live records the CRM holds that the store
  lacks (or holds as deleted), and live store records the CRM no longer has;
- :func:`duplicate_tasks`: task keys (``PartnerPulse_Key__c`` / ``pp_task_key``) carried by
  more than one live task in one CRM;
- :func:`wrong_tags`: partner records whose tag fields, read from the CRM in its own form,
  are not what their partner's latest snapshot says.

The back door (``/__sandbox/records/<object>``, ``/__sandbox/stats``) is never counted or
faulted, so checking does not disturb what it checks.
"""

from __future__ import annotations

import ssl
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from connector.config.writeback import WritebackConfig
from connector.model import PartnerRecord, Snapshot, System
from connector.store import SqlStore
from connector.store.tables import RECORD_TABLES

# CRM object (= stream) -> the store table its main records land in.
STREAM_TABLES: dict[System, dict[str, str]] = {
    "salesforce": {
        "User": "owners",
        "Account": "partners",
        "Task": "activities",
        "Event": "activities",
        "Opportunity": "deals",
        "Case": "issues",
    },
    "hubspot": {
        "owners": "owners",
        "companies": "partners",
        "calls": "activities",
        "emails": "activities",
        "meetings": "activities",
        "notes": "activities",
        "tasks": "activities",
        "deals": "deals",
        "tickets": "issues",
    },
}
# Objects the back door serves (HubSpot owners live in the owners API, not the store).
SERVED: dict[System, tuple[str, ...]] = {
    "salesforce": tuple(STREAM_TABLES["salesforce"]),
    "hubspot": tuple(s for s in STREAM_TABLES["hubspot"] if s != "owners"),
}
TASK_OBJECT: dict[System, str] = {"salesforce": "Task", "hubspot": "tasks"}
PARTNER_OBJECT: dict[System, str] = {"salesforce": "Account", "hubspot": "companies"}
REASONS_MAX = 255


class BackDoor:
    """``/__sandbox/`` of both CRMs (Salesforce over TLS with the sandbox's CA)."""

    def __init__(self, salesforce_url: str, hubspot_url: str, ca_file: Path | str) -> None:
        self.urls: dict[System, str] = {"salesforce": salesforce_url, "hubspot": hubspot_url}
        self._client = httpx.Client(
            verify=ssl.create_default_context(cafile=str(ca_file)), timeout=120, trust_env=False
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> BackDoor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, system: System, path: str) -> Any:
        response = self._client.get(f"{self.urls[system]}/__sandbox/{path}")
        response.raise_for_status()
        return response.json()

    def post(self, system: System, path: str, body: Mapping[str, Any]) -> Any:
        response = self._client.post(f"{self.urls[system]}/__sandbox/{path}", json=dict(body))
        if response.is_error:
            raise AssertionError(f"{system} /__sandbox/{path}: {response.text}")
        return response.json()

    def records(self, system: System, obj: str) -> list[dict[str, Any]]:
        """Every record of ``obj``, deleted/archived ones included, in fixture form."""
        rows = self.get(system, f"records/{obj}")
        assert isinstance(rows, list)
        return rows

    def live(self, system: System, obj: str) -> list[dict[str, Any]]:
        """The records of ``obj`` a person in the CRM would see (not deleted/archived)."""
        return [r for r in self.records(system, obj) if is_live(system, r)]

    def stats(self, system: System) -> dict[str, Any]:
        stats = self.get(system, "stats")
        assert isinstance(stats, dict)
        return stats


def is_live(system: System, row: Mapping[str, Any]) -> bool:
    if system == "salesforce":
        return not row.get("IsDeleted")
    return not row.get("archived")


def record_id(system: System, row: Mapping[str, Any]) -> str:
    return str(row["Id"] if system == "salesforce" else row["id"])


def fields(system: System, row: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record's field values: Salesforce rows are flat, HubSpot's under ``properties``."""
    if system == "salesforce":
        return row
    props = row.get("properties", {})
    assert isinstance(props, dict)
    return props


def store_ids(store: SqlStore, system: System, stream: str) -> set[str]:
    """Live ids the store holds for one CRM stream (its main table only)."""
    table = RECORD_TABLES[STREAM_TABLES[system][stream]]
    c = table.c
    query = select(c.source_id).where(
        c.workspace == store.workspace,
        c.system == system,
        c.stream == stream,
        c.deleted.is_(False),
    )
    with store.engine.connect() as conn:
        return {str(row[0]) for row in conn.execute(query)}


def store_counts(store: SqlStore) -> dict[str, int]:
    """Live records per ``system/stream`` over every record table."""
    counts: Counter[str] = Counter()
    with store.engine.connect() as conn:
        for table in RECORD_TABLES.values():
            c = table.c
            query = (
                select(c.system, c.stream, func.count())
                .where(c.workspace == store.workspace, c.deleted.is_(False))
                .group_by(c.system, c.stream)
            )
            for system, stream, n in conn.execute(query):
                counts[f"{system}/{stream}/{table.name}"] += int(n)
    return dict(counts)


@dataclass
class Lost:
    """One CRM object's disagreement between the CRM and the store."""

    key: str
    missing: int  # live in the CRM, absent (or deleted) in the store
    phantom: int  # live in the store, absent (or deleted) in the CRM

    def __str__(self) -> str:
        return f"{self.key}: {self.missing} missing, {self.phantom} phantom"


def lost_records(store: SqlStore, back_door: BackDoor) -> list[Lost]:
    """Every served CRM object whose live ids differ from the store's."""
    found = []
    for system, objects in SERVED.items():
        for obj in objects:
            crm = {record_id(system, r) for r in back_door.live(system, obj)}
            held = store_ids(store, system, obj)
            if crm != held:
                found.append(Lost(f"{system}/{obj}", len(crm - held), len(held - crm)))
    return found


def task_keys(back_door: BackDoor, writeback: WritebackConfig) -> dict[System, Counter[str]]:
    """Per CRM, how many live tasks carry each PartnerPulse task key."""
    key_field: dict[System, str] = {
        "salesforce": writeback.salesforce_task_key_field,
        "hubspot": writeback.hubspot_task_key_property,
    }
    keys: dict[System, Counter[str]] = {}
    for system, obj in TASK_OBJECT.items():
        counter: Counter[str] = Counter()
        for row in back_door.live(system, obj):
            key = fields(system, row).get(key_field[system])
            if key:
                counter[str(key)] += 1
        keys[system] = counter
    return keys


def duplicate_tasks(keys: Mapping[System, Counter[str]]) -> list[str]:
    """``system:key`` of every key more than one live task carries."""
    return sorted(f"{s}:{k}" for s, counter in keys.items() for k, n in counter.items() if n > 1)


def expected_reasons(reasons: Iterable[str]) -> str | None:
    """The reasons as docs/writeback.md says the field holds them."""
    text = "; ".join(r.strip() for r in reasons if r.strip()).strip()
    if not text:
        return None
    return text if len(text) <= REASONS_MAX else text[: REASONS_MAX - 1].rstrip() + "…"


def _instant(value: object) -> datetime | None:
    """A CRM datetime value (ISO-8601 with any offset form, or epoch ms) to the second."""
    if value is None or value == "":
        return None
    text = str(value)
    if text.isdigit():
        moment = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    else:
        if text[-5] in "+-" and text[-3] != ":":  # Salesforce's +0000
            text = f"{text[:-2]}:{text[-2:]}"
        moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(microsecond=0)


def _number(system: System, value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if system == "salesforce" and not isinstance(value, int | float):
        raise TypeError(f"Salesforce number field holds {value!r}")
    if system == "hubspot" and not isinstance(value, str):
        raise TypeError(f"HubSpot property holds {value!r}, not a string")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def tag_problems(
    system: System,
    row: Mapping[str, Any],
    snapshot: Snapshot,
    names: Mapping[str, str],
    stamps: set[datetime],
) -> list[str]:
    """How the CRM's tag fields on ``row`` differ from ``snapshot`` (empty: they agree).

    ``stamps`` are the ``as_of`` of every snapshot of the partner: ``health_updated_at``
    moves only with another tag, so it holds the instant of the run that last changed one.
    """
    values = fields(system, row)
    problems = []
    score = _number(system, values.get(names["health_score"]))
    if score != Decimal(f"{snapshot.score:.1f}"):
        problems.append(f"score {score} != {snapshot.score:.1f}")
    for tag, want in (
        ("health_grade", snapshot.grade.value),
        ("segment", snapshot.segment.value),
        ("tier", snapshot.tier.value),
        ("health_reasons", expected_reasons(snapshot.reasons)),
    ):
        have = values.get(names[tag]) or None
        if have != want:
            problems.append(f"{tag} {have!r} != {want!r}")
    stamp = _instant(values.get(names["health_updated_at"]))
    if stamp is None or stamp not in stamps or stamp > snapshot.as_of:
        problems.append(f"health_updated_at {stamp} is not the instant of a scoring run")
    return problems


def wrong_tags(store: SqlStore, back_door: BackDoor, writeback: WritebackConfig) -> list[str]:
    """``system:id: problems`` for every written-to partner record whose tags are wrong.

    Written to (docs/writeback.md): each linked, live, partner-filter-matching record of an
    active (not churned) partner with a latest snapshot.
    """
    names: dict[System, Mapping[str, str]] = {
        "salesforce": writeback.salesforce_fields,
        "hubspot": writeback.hubspot_properties,
    }
    latest = store.latest_snapshots()
    records = {(r.ref.system, r.ref.id): r for r in store.records(PartnerRecord)}
    crm: dict[System, dict[str, dict[str, Any]]] = {
        system: {record_id(system, r): r for r in back_door.live(system, obj)}
        for system, obj in PARTNER_OBJECT.items()
    }
    stamps: dict[str, set[datetime]] = defaultdict(set)
    wrong = []
    for link in store.links():
        snapshot = latest.get(link.partner_id)
        record = records.get((link.ref.system, link.ref.id))
        if snapshot is None or snapshot.churned or record is None or not record.is_partner:
            continue
        if link.partner_id not in stamps:
            stamps[link.partner_id] = {
                s.as_of.replace(microsecond=0)
                for s in store.snapshot_history(link.partner_id, limit=1000)
            }
        row = crm[link.ref.system].get(link.ref.id)
        if row is None:
            wrong.append(f"{link.ref.system}:{link.ref.id}: not in the CRM")
            continue
        problems = tag_problems(
            link.ref.system, row, snapshot, names[link.ref.system], stamps[link.partner_id]
        )
        if problems:
            wrong.append(f"{link.ref.system}:{link.ref.id}: {'; '.join(problems)}")
    return wrong
