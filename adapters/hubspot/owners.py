"""The owners stream (owners API, 500 a page) and the pipelines the deal/ticket mapping needs.

Owners are few and carry no search index, so every run lists them (one call for up to 500)
and emits those updated since the cursor less the lookback; archived owners are listed with
the archived check (or on a full pull) and emitted as inactive, not deleted: activities
still name them.

Both re-reads are de-duplicated by id as the search streams are (``cursors.py``): the
cursor's ``recent`` holds the stamps of active owners inside the next run's lookback, and
``archived`` those of the archived owners already emitted, so an owner that did not change
is not stored again (a full pull emits everything).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.cursors import checked_at, dump_recent, floor_ms, load_recent, to_ms
from connector.errors import CrmRefused
from connector.model import AnyRecord, Quarantined
from connector.ports import Cursor, Page
from mappings.hubspot import HubSpotMapping, Stages, map_record

OWNERS_PAGE = 500
ENDPOINT = "GET /crm/v3/owners"


def owner_dict(owner: Any) -> dict[str, Any]:
    return {
        "id": str(owner.id),
        "email": owner.email,
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": owner.user_id,
        "archived": bool(owner.archived),
        "createdAt": owner.created_at,
        "updatedAt": owner.updated_at,
    }


def list_owners(client: HubSpotClient, *, archived: bool) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:

        def run(after: str | None = after) -> Any:
            return client.owners_api.get_page(limit=OWNERS_PAGE, after=after, archived=archived)

        answer = client.call(ENDPOINT, run)
        for owner in answer.results or []:
            yield owner_dict(owner)
        following = answer.paging.next if answer.paging is not None else None
        if following is None or not following.after:
            return
        if str(following.after) == after:
            raise CrmRefused(f"HubSpot repeated the paging token on {ENDPOINT}")
        after = str(following.after)


def pull_owners(
    client: HubSpotClient,
    mapping: HubSpotMapping,
    cursor: Cursor | None,
    *,
    full: bool,
    run_started_at: datetime,
    lookback: timedelta,
    archived_every: timedelta,
) -> Iterator[Page]:
    cap = floor_ms(run_started_at)
    since = None if full or cursor is None or cursor.modified_at is None else cursor.modified_at
    if since is not None:
        since -= lookback
    checked = checked_at(cursor)
    with_archived = full or since is None or checked is None or cap - checked >= archived_every
    known = {False: load_recent(cursor), True: load_recent(cursor, "archived")}
    kept: dict[bool, dict[str, int]] = {False: {}, True: {} if with_archived else known[True]}
    horizon = to_ms(cap - lookback)
    records: list[AnyRecord] = []
    quarantined: list[Quarantined] = []
    sources = [False, True] if with_archived else [False]
    for archived in sources:
        for raw in list_owners(client, archived=archived):
            stamp = raw["updatedAt"] or raw["createdAt"]
            if not archived and since is not None and stamp is not None and stamp < since:
                continue
            ms = to_ms(stamp) if stamp is not None else None
            if ms is not None and (archived or ms >= horizon):
                kept[archived][raw["id"]] = ms
            if not full and ms is not None and known[archived].get(raw["id"]) == ms:
                continue  # read before with this very stamp: unchanged
            mapped = map_record(mapping, "owners", raw)
            records.extend(mapped.records)
            quarantined.extend(mapped.quarantined)
    state = {"archived_checked_at": (cap if with_archived else checked or cap).isoformat()}
    for key, values in (("recent", kept[False]), ("archived", kept[True])):
        dumped = dump_recent(values)
        if dumped:
            state[key] = dumped
    yield Page(
        stream="owners",
        records=tuple(records),
        quarantined=tuple(quarantined),
        cursor=Cursor(system="hubspot", stream="owners", modified_at=cap, state=state),
    )


def load_stages(client: HubSpotClient, object_type: str) -> Stages:
    """Closed and won stage ids of every pipeline of ``deals`` / ``tickets`` (one call)."""

    def run() -> Any:
        return client.pipelines_api.get_all(object_type)

    answer = client.call(f"GET /crm/v3/pipelines/{object_type}", run)
    closed: set[str] = set()
    won: set[str] = set()
    for pipeline in answer.results or []:
        for stage in pipeline.stages or []:
            meta = {str(k): str(v) for k, v in (stage.metadata or {}).items()}
            is_closed = meta.get("isClosed", "").lower() == "true" or (
                meta.get("ticketState", "").upper() == "CLOSED"
            )
            if is_closed:
                closed.add(str(stage.id))
                if object_type == "deals" and _probability(meta.get("probability")) >= 1.0:
                    won.add(str(stage.id))
    return Stages(closed=frozenset(closed), won=frozenset(won))


def _probability(raw: str | None) -> float:
    try:
        return float(raw) if raw is not None else 0.0
    except ValueError:
        return 0.0
