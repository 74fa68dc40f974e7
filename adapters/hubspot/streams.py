"""Pulling one HubSpot object stream as pages (the cursor rules are in ``cursors.py``).

Per run and stream: (1) finish a window a crashed run left open, (2) read the window
[cursor − lookback, run start] by search, 200 records a call, keyset-paged by
``hs_object_id``, (3) every ``archived_check_s`` list ``archived=true`` records as deletes.
Engagements, deals and tickets buffer ``BUFFER`` records (five search pages) and read
their company associations in one v4 batch call before the page is emitted. A run with
nothing changed costs one search call per stream. ``full=True`` reads everything (no
stamp filter, so a record modified during the pull is still seen) and emits every record,
so the engine can mark what it did not see as deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.hubspot.associations import companies_of
from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.cursors import (
    Window,
    checked_at,
    dump_recent,
    floor_ms,
    load_recent,
    open_window,
    to_ms,
    window_state,
)
from adapters.hubspot.search import MAX_LIMIT, Search, window
from adapters.prefetch import prefetched
from connector.errors import ConfigError, CrmRefused
from connector.model import AnyRecord, Quarantined, SourceRef
from connector.ports import Cursor, Page
from mappings import hubspot_values
from mappings.hubspot import ASSOCIATED, HubSpotMapping, Stages, map_record

BUFFER = 1_000  # records per page: five search pages, one association read
LIST_PAGE = 100  # the objects list endpoint's maximum


def as_dict(obj: dict[str, Any]) -> dict[str, Any]:
    """A record of a search/list answer as the mapping's CRM-native dict."""
    return {
        "id": str(obj["id"]),
        "properties": dict(obj.get("properties") or {}),
        "archived": bool(obj.get("archived", False)),
        "createdAt": obj.get("createdAt"),
        "updatedAt": obj.get("updatedAt"),
    }


def mapped_properties(mapping: HubSpotMapping, stream: str) -> tuple[str, ...]:
    """The portal's own properties a pull of ``stream`` reads through [mappings.hubspot]
    (not the system ones, nor the tool's tags and task key, which ``setup`` creates)."""
    wanted = list(mapping.fields.get(stream, {}).values())
    if stream == "companies":
        wanted.append(mapping.partner_field)
    return tuple(dict.fromkeys(name for name in wanted if name))


def stamp_ms(record: dict[str, Any]) -> int | None:
    try:
        moment = hubspot_values.instant(record["properties"].get("hs_lastmodifieddate"))
    except hubspot_values.BadValue:
        return None
    return to_ms(moment) if moment else None


class ObjectStream:
    """One pull of one object stream; :meth:`pages` yields its pages in order."""

    def __init__(
        self,
        client: HubSpotClient,
        mapping: HubSpotMapping,
        stream: str,
        *,
        run_started_at: datetime,
        lookback: timedelta,
        archived_every: timedelta,
        stages: Callable[[str], Stages],
    ) -> None:
        self.client = client
        self.mapping = mapping
        self.stream = stream
        self.cap = floor_ms(run_started_at)
        self.lookback = lookback
        self.archived_every = archived_every
        self.stages = stages
        self.properties = mapping.properties(stream)
        self.mapped = mapped_properties(mapping, stream)
        self.seen: dict[str, int | None] = {}
        self.tail: dict[str, int] = {}
        self.recent: dict[str, int] = {}
        self.endpoint = f"POST /crm/v3/objects/{stream}/search"

    # -- the plan -----------------------------------------------------------------------
    def pages(self, cursor: Cursor | None, *, full: bool) -> Iterator[Page]:
        checked = checked_at(cursor)
        first = cursor is None or cursor.modified_at is None
        if full or first:
            # Nothing stored can have been archived unseen: the listing clock starts now.
            checked = None
            common = {"archived_checked_at": self.cap.isoformat()}
        else:
            common = {"archived_checked_at": checked.isoformat()} if checked else {}
        if full:
            yield from self._window(Window(None, None), base=cursor, common=common, emit_all=True)
            return
        self.recent = load_recent(cursor)
        base = cursor
        start = cursor.modified_at if cursor else None
        resumed = open_window(cursor)
        if resumed is not None:
            base = yield from self._window(resumed, base=cursor, common=common)
            start = resumed.until
        if resumed is None or start is None or start < self.cap:
            since = start - self.lookback if start is not None else None
            base = yield from self._window(Window(since, self.cap), base=base, common=common)
        if not first and (checked is None or self.cap - checked >= self.archived_every):
            yield from self._archived(base, checked)

    # -- one window, keyset-paged by id -------------------------------------------------
    def _window(
        self, win: Window, *, base: Cursor | None, common: dict[str, str], emit_all: bool = False
    ) -> Generator[Page, None, Cursor]:
        buffer: list[dict[str, Any]] = []
        after = win.after_id
        open_state = {**common, **window_state(Window(win.since, win.until or self.cap))}
        searches = prefetched(self._searches(win), name=f"hubspot-{self.stream}")
        for results in searches:
            done = len(results) < MAX_LIMIT
            if results:
                self._check_mapped(results[0])
                after = str(results[-1]["id"])
                buffer.extend(as_dict(r) for r in results)
            if len(buffer) >= BUFFER or done:
                records, quarantined = self._map(buffer, emit_all)
                if done:
                    state = dict(common)
                    recent = dump_recent(self.tail)
                    if recent:
                        state["recent"] = recent
                    cursor = self._cursor(base, modified_at=win.until or self.cap, state=state)
                else:
                    cursor = self._cursor(base, last_id=after, state=open_state)
                yield Page(
                    stream=self.stream, records=records, quarantined=quarantined, cursor=cursor
                )
                if done:
                    return cursor
                buffer = []
        raise CrmRefused(f"HubSpot search on {self.stream} ended without a last page")

    def _searches(self, win: Window) -> Iterator[Sequence[dict[str, Any]]]:
        """The window's search pages, keyset by id from ``win.after_id``, up to the first
        short page (read ahead by :func:`prefetched` while the pages before are stored)."""
        after = win.after_id
        while True:
            results = self._search(win, after)
            last = str(results[-1]["id"]) if results else after
            if results and after is not None and int(str(last)) <= int(after):
                raise CrmRefused(f"HubSpot search on {self.stream} did not advance past id {after}")
            yield results
            if len(results) < MAX_LIMIT:
                return
            after = last

    def _search(self, win: Window, after: str | None) -> Sequence[dict[str, Any]]:
        query = Search(filters=window(win.since, win.until, after), properties=self.properties)
        request = query.request()

        def run() -> Any:
            return self.client.search_api.do_search(self.stream, request, _preload_content=False)

        return list(self.client.call_json(self.endpoint, run).get("results") or [])

    def _check_mapped(self, record: dict[str, Any]) -> None:
        """Stop when a mapped property is missing from an answer. HubSpot answers every
        requested property that exists (``null`` when unset) and silently leaves out one that
        does not: a property deleted or renamed in the portal would otherwise be read as
        empty on every record (a lost ``domain`` unlinks partners without a word)."""
        props = record.get("properties") or {}
        gone = [name for name in self.mapped if name not in props]
        if gone:
            names = ", ".join(repr(name) for name in gone)
            what = "property" if len(gone) == 1 else "properties"
            raise ConfigError(
                f"HubSpot has no {self.stream} {what} {names}, which [mappings.hubspot] reads "
                "(deleted or renamed in HubSpot?) — recreate it, or map another in "
                f"[mappings.hubspot.fields.{self.stream}]; `partnerpulse check` lists what is "
                "missing"
            )

    # -- turning search results into canonical records ---------------------------------
    def _map(
        self, raw: list[dict[str, Any]], emit_all: bool
    ) -> tuple[tuple[AnyRecord, ...], tuple[Quarantined, ...]]:
        """Map a buffer (dropping unchanged re-reads unless ``emit_all``), reading its
        company associations in one batch first; remembers the stamps for de-duplication."""
        fresh: list[dict[str, Any]] = []
        horizon = to_ms(self.cap - self.lookback)
        for record in raw:
            rid, ms = record["id"], stamp_ms(record)
            if ms is not None and ms >= horizon:
                self.tail[rid] = ms
            repeat = rid in self.seen and self.seen[rid] == ms
            unchanged = ms is not None and self.recent.get(rid) == ms
            self.seen[rid] = ms
            if emit_all or not (repeat or unchanged):
                fresh.append(record)
        records: list[AnyRecord] = []
        quarantined: list[Quarantined] = []
        if fresh and self.stream in ASSOCIATED:
            links = companies_of(self.client, self.stream, [r["id"] for r in fresh])
            for record in fresh:
                record["associations"] = {"companies": links.get(record["id"], [])}
        stages = self.stages(self.stream) if fresh and self.stream in ("deals", "tickets") else None
        for record in fresh:
            mapped = map_record(self.mapping, self.stream, record, stages=stages)
            records.extend(mapped.records)
            quarantined.extend(mapped.quarantined)
        return tuple(records), tuple(quarantined)

    def _cursor(
        self,
        base: Cursor | None,
        *,
        modified_at: datetime | None = None,
        last_id: str | None = None,
        state: dict[str, str] | None = None,
    ) -> Cursor:
        return Cursor(
            system="hubspot",
            stream=self.stream,
            modified_at=modified_at or (base.modified_at if base else None),
            last_id=last_id,
            state=state if state is not None else dict(base.state if base else {}),
        )

    # -- archived records ---------------------------------------------------------------
    def _archived(self, base: Cursor | None, checked: datetime | None) -> Iterator[Page]:
        """List ``archived=true`` (HubSpot keeps them 90 days): archived since the last check
        (less the lookback) become deletes. Archiving does not touch hs_lastmodifieddate."""
        since = checked - self.lookback if checked else None
        endpoint = f"GET /crm/v3/objects/{self.stream}"
        after: str | None = None
        state = dict(base.state if base else {})
        while True:

            def run(after: str | None = after) -> Any:
                return self.client.objects_api.get_page(
                    self.stream,
                    limit=LIST_PAGE,
                    after=after,
                    properties=["hs_object_id"],
                    archived=True,
                    _preload_content=False,
                )

            answer = self.client.call_json(endpoint, run)
            deleted = [
                SourceRef(system="hubspot", id=str(r["id"]))
                for r in answer.get("results") or []
                if since is None or _archived_since(r, since)
            ]
            following = (answer.get("paging") or {}).get("next") or {}
            after_next = str(following["after"]) if following.get("after") else None
            if after_next is None:
                state["archived_checked_at"] = self.cap.isoformat()
            cursor = self._cursor(base, state=dict(state))
            yield Page(stream=self.stream, deleted=tuple(deleted), cursor=cursor)
            if after_next is None:
                return
            if after_next == after:
                raise CrmRefused(f"HubSpot repeated the paging token on {endpoint}")
            after = after_next


def _archived_since(record: dict[str, Any], since: datetime) -> bool:
    """Archived at or after ``since``; a missing or unreadable stamp counts as recent."""
    try:
        moment = hubspot_values.instant(record.get("archivedAt"))
    except hubspot_values.BadValue:
        return True
    return moment is None or moment >= since
