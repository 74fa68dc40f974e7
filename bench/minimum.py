"""The fewest API calls the CRMs' page and batch limits allow, and the least time their rate
limits and latency allow: the physical limits :mod:`bench.efficiency` measures against.

Everything here is arithmetic on counts; nothing talks to a CRM. The limits are the ones
``/work/shared/crm-api.md`` documents and ``docs/pull.md`` / ``docs/writeback.md`` use.

**Reading.** ``pages(n, size) = max(1, ⌈n / size⌉)``: a read of ``n`` records ``size`` at a
time; even an empty answer costs the one call that says so.

- Salesforce, per object, the cheaper of
  - REST ``query``/``queryAll``: ``pages(n, 2,000)`` (2,000 rows is the maximum batch);
  - Bulk API 2.0 ``queryAll``: 1 create + 1 status poll (a job cannot be known complete
    without asking; the create answers ``UploadComplete``) + ``pages(n, 50,000)`` result
    pages (``maxRecords`` 50,000).
  Bulk is the cheaper one above 6,000 rows. Plus **1** token request per run (client
  credentials; a run must sign in once).
- HubSpot, per object stream, the cheaper of
  - search, 200 records a call, keyset-paged by ``hs_object_id`` (no 10,000 cap):
    ``pages(n, 200)``, plus, for the streams whose company is an association (engagements,
    deals, tickets; search does not return associations), ``⌈n / 1,000⌉`` v4 batch
    association reads (1,000 ids a call);
  - the objects list with ``associations=companies`` inline: ``pages(n, 100)``.
  Search + associations costs 0.6 of the list, so search is the minimum for any ``n`` above
  a few hundred. Owners: ``pages(active, 500)`` from the owners API, plus
  ``pages(archived, 500)`` with ``archived=true`` when archived owners must be read (a full
  pull: they still own records). Pipelines: **1** call each for deals and tickets when
  records of that stream are mapped in the run (closed/won stages are pipeline metadata).
  A private-app token needs no token request.

**Writing** (``n`` = distinct records or tasks):

- Salesforce, sObject Collections, 200 records a call: tags ``⌈n/200⌉`` (``PATCH
  composite/sobjects``), task creates ``⌈n/200⌉`` (upsert on the key field), task closes
  ``⌈n/2,000⌉`` reads of the current description (collection retrieve, 2,000 ids) +
  ``⌈n/200⌉`` updates.
- HubSpot, batch endpoints, 100 inputs a call: tags ``⌈n/100⌉`` (``companies/batch/update``),
  task creates ``⌈n/100⌉`` (``tasks/batch/create`` with the association inline), task closes
  ``⌈n/100⌉`` reads + ``⌈n/100⌉`` updates.
  Nothing to write costs nothing.

**Time.** :func:`rate_bound` — the least wall time in which a client may make a set of
calls, given a per-call latency and the CRM's rolling-window limits. Each term is a
necessary condition, so the bound is their maximum:

- latency: ``calls × latency / concurrency`` (every call waits its round trip; the
  connector and the baseline both send one call at a time, ``concurrency = 1``);
- a rolling window of ``W`` seconds admitting ``M`` calls: call ``j`` (from 0) cannot start
  before ``⌊j / M⌋ × W``, so ``N`` calls take at least ``(⌈N / M⌉ − 1) × W + latency``.
  HubSpot Professional: 190 per 10 s for every call except search; search 5 per 1 s on its
  own (the sandbox's ``ratelimit.py``, HubSpot's usage guidelines). Salesforce has no
  per-second limit (only the daily allocation), so its bound is the latency term.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

SF_REST_PAGE = 2_000
SF_BULK_RESULTS_PAGE = 50_000
SF_BULK_JOB_CALLS = 2  # create + one status poll
SF_COLLECTION = 200
SF_RETRIEVE = 2_000
SF_AUTH_CALLS = 1

HS_SEARCH_PAGE = 200
HS_LIST_PAGE = 100
HS_ASSOCIATION_BATCH = 1_000
HS_BATCH = 100
HS_OWNERS_PAGE = 500
HS_ASSOCIATED = ("calls", "emails", "meetings", "notes", "tasks", "deals", "tickets")
HS_STAGED = ("deals", "tickets")

# HubSpot Professional (sandbox --hubspot-tier professional; adapters/hubspot/governor.py).
HS_WINDOW_MAX = 190
HS_WINDOW_S = 10.0
HS_SEARCH_MAX = 5
HS_SEARCH_WINDOW_S = 1.0


def pages(n: int, size: int) -> int:
    """Calls to read ``n`` records ``size`` at a time; an empty read still costs one."""
    if n < 0 or size < 1:
        raise ValueError(f"pages({n}, {size})")
    return max(1, math.ceil(n / size))


def batches(n: int, size: int) -> int:
    """Calls to write ``n`` records ``size`` at a time; nothing to write costs nothing."""
    if n < 0 or size < 1:
        raise ValueError(f"batches({n}, {size})")
    return math.ceil(n / size)


@dataclass(frozen=True)
class Choice:
    """The fewest calls for one object, and which way of reading gives them."""

    calls: int
    how: str


def salesforce_read(n: int) -> Choice:
    rest = pages(n, SF_REST_PAGE)
    bulk = SF_BULK_JOB_CALLS + pages(n, SF_BULK_RESULTS_PAGE)
    return Choice(rest, "rest") if rest <= bulk else Choice(bulk, "bulk")


def hubspot_read(stream: str, n: int, *, everything: bool = True) -> Choice:
    """``everything``: the read is of every record (a full pull), so the list endpoint,
    which cannot filter by modification date, is a way to do it too."""
    search = pages(n, HS_SEARCH_PAGE)
    if stream in HS_ASSOCIATED and n:
        search += math.ceil(n / HS_ASSOCIATION_BATCH)
    listed = pages(n, HS_LIST_PAGE)
    if everything and listed < search:
        return Choice(listed, "list")
    return Choice(search, "search")


@dataclass
class Minimum:
    """The fewest calls per ``system`` and stream (or write kind), with how and the total."""

    calls: dict[str, dict[str, int]] = field(default_factory=dict)
    how: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, system: str, name: str, calls: int, how: str) -> None:
        self.calls.setdefault(system, {})[name] = calls
        self.how.setdefault(system, {})[name] = how

    def system_total(self, system: str) -> int:
        return sum(self.calls.get(system, {}).values())

    @property
    def total(self) -> int:
        return sum(self.system_total(s) for s in self.calls)


def read_minimum(counts: Mapping[str, Mapping[str, int]], *, full: bool) -> Minimum:
    """Fewest calls to read ``counts`` (per system, per stream: records to read).

    ``full``: a full pull (every record; the archived owners too, and HubSpot's list
    endpoint is an option). Otherwise an incremental one: ``counts`` are the records
    changed since the last run, read by modification date (search); a stream with none
    still costs its one call. ``counts["hubspot"]`` holds ``owners`` (active) and
    ``owners_archived``. Salesforce adds its token request.
    """
    minimum = Minimum()
    if "salesforce" in counts:
        minimum.add("salesforce", "token", SF_AUTH_CALLS, "client credentials")
        for obj, n in counts["salesforce"].items():
            choice = salesforce_read(n)
            minimum.add("salesforce", obj, choice.calls, choice.how)
    if "hubspot" in counts:
        hs = counts["hubspot"]
        owners = pages(hs.get("owners", 0), HS_OWNERS_PAGE)
        how = "owners API"
        if full:
            owners += pages(hs.get("owners_archived", 0), HS_OWNERS_PAGE)
            how = "owners API, active and archived"
        minimum.add("hubspot", "owners", owners, how)
        for stream, n in hs.items():
            if stream.startswith("owners"):
                continue
            choice = hubspot_read(stream, n, everything=full)
            minimum.add("hubspot", stream, choice.calls, choice.how)
            if stream in HS_STAGED and n:
                minimum.add("hubspot", f"pipelines/{stream}", 1, "pipelines API")
    return minimum


def write_minimum(plan: Mapping[str, Mapping[str, int]]) -> Minimum:
    """Fewest calls to apply ``plan`` (per system: ``tag_records``, ``task_creates``,
    ``task_closes``), per the collection/batch limits in the module docstring."""
    minimum = Minimum()
    sf = plan.get("salesforce")
    if sf is not None:
        minimum.add("salesforce", "tags", batches(sf.get("tag_records", 0), SF_COLLECTION), "")
        creates = batches(sf.get("task_creates", 0), SF_COLLECTION)
        minimum.add("salesforce", "task_creates", creates, "upsert collection")
        closes = sf.get("task_closes", 0)
        close_calls = batches(closes, SF_RETRIEVE) + batches(closes, SF_COLLECTION)
        minimum.add("salesforce", "task_closes", close_calls, "retrieve + update")
    hs = plan.get("hubspot")
    if hs is not None:
        minimum.add("hubspot", "tags", batches(hs.get("tag_records", 0), HS_BATCH), "")
        creates = batches(hs.get("task_creates", 0), HS_BATCH)
        minimum.add("hubspot", "task_creates", creates, "batch create")
        closes = 2 * batches(hs.get("task_closes", 0), HS_BATCH)
        minimum.add("hubspot", "task_closes", closes, "batch read + update")
    return minimum


def window_bound(calls: int, per_window: int, window_s: float, latency_s: float) -> float:
    """Least time for ``calls`` under a rolling window admitting ``per_window`` calls."""
    if calls <= 0:
        return 0.0
    return (math.ceil(calls / per_window) - 1) * window_s + latency_s


def rate_bound(
    calls: int,
    *,
    latency_s: float,
    search_calls: int = 0,
    concurrency: int = 1,
    hubspot: bool = False,
) -> float:
    """Least wall time for ``calls`` (``search_calls`` of them HubSpot searches).

    ``hubspot``: apply HubSpot Professional's limits (190 per 10 s for non-search calls,
    5 per second for search); otherwise only latency bounds it (Salesforce).
    """
    if search_calls > calls or calls < 0 or concurrency < 1:
        raise ValueError(f"rate_bound({calls}, search_calls={search_calls})")
    terms = [calls * latency_s / concurrency]
    if hubspot:
        terms.append(window_bound(calls - search_calls, HS_WINDOW_MAX, HS_WINDOW_S, latency_s))
        terms.append(window_bound(search_calls, HS_SEARCH_MAX, HS_SEARCH_WINDOW_S, latency_s))
    return max(terms)
