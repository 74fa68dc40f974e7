"""Issue 8's fault matrix: every fault the sandbox injects, during the pull and during the
write-back, through the real composition (``partnerpulse sync``'s path).

One small world (``PARTNERS``, seed ``SEED``) is generated once. Every cell — a fault kind
and a stage — gets its own sandbox serving that world with the same present, and a fresh
state database, so each cell starts from the very state of the fault-free references:

- **pull**: write-back off; the fault is on from the start of the sync;
- **write**: write-back on; the pull is clean and the fault is switched on by a hook at the
  adapter port just before the first ``apply`` (the sandbox's back door, as
  ``tests/e2e/harness.BeforeApply`` does it).

The faulted sync must complete or stop with its documented exit code (``ExitCode``: 1 a
record refused, 2 bad config or input, 3 the CRM refused — budget, auth, retries spent).
The fault is then switched off (for schema drift: the field is given back, as an admin or
``partnerpulse setup`` would; for a spent allocation: a fresh day), requests the client
abandoned are left to land, and one rerun must complete with exit 0 — after a write-back,
one more run two seconds later must write nothing. Then the store and both CRMs must equal
the fault-free reference's: store rows ``(system, id, modified_at, deleted)``, nothing
lost, nothing in flight or in quarantine; CRM tags and task keys, no key twice; every call
the client recorded is one the CRM counted. Each cell also asserts its fault fired in each
CRM it was set for (``/__sandbox/stats`` ``faults_injected``), except where the stage sends
no request the fault applies to (``Fault.idle``); a stop must say why, on one line.

Fault draws are seeded (the spec and seed are posted per cell), so which requests fail is
fixed up to the few calls timing adds (HubSpot's own rate limiter, which answers 429 when
search runs ahead). Cells run side by side in threads (``PP_FAULT_WORKERS``, default 6):
a sync mostly waits on HubSpot's search pacing, so the file takes 1.5–2 minutes where
the cells' own times add up to eight. ``PP_FAULT_ONLY=429,reset`` runs only those rows.
``PP_FAULT_MATRIX_JSON=path`` writes the measured matrix (docs/reliability.md's table).
"""

from __future__ import annotations

import json
import os
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest

from bench.crash_checks import (
    PARTNER_OBJECT,
    duplicate_tasks,
    fields,
    lost_records,
    record_id,
    task_keys,
    wrong_tags,
)
from connector.cli.compose import WallClock, build_adapters, close_adapters, open_store
from connector.config import Config, load_config
from connector.errors import ConnectorError, ExitCode
from connector.model import System
from connector.store import SqlStore
from connector.sync.engine import SyncOptions, run_sync
from sandbox.generate_time import default_now
from sandbox.salesforce.schema import Field
from sandbox.world import World, generate_world
from tests.e2e.harness import SYSTEMS, Adapters, BeforeApply, Crm, record_rows, serve

PARTNERS = 30
SEED = 17
# The fault draws' seed: with it, Salesforce (whose calls come in a fixed order) meets a
# fault early in both stages, so every kind fires in every cell that can have it.
FAULT_SEED = 7
WORKERS = int(os.environ.get("PP_FAULT_WORKERS", "6"))
DRAIN_S = 30.0  # the longest an abandoned request may take to land (timeout-ms is 1.5 s)

Stage = Literal["pull", "write"]
STAGES: tuple[Stage, ...] = ("pull", "write")
Rows = dict[str, set[tuple[Any, ...]]]

# Client timeouts short enough that the sandbox's ``timeout`` fault (1.5 s) outlasts them.
SHORT_TIMEOUT = {"salesforce": {"timeout_s": 1.0}, "hubspot": {"timeout_s": 1.0}}
# Expired tokens are an OAuth matter: a private-app token is never refreshed.
OAUTH = {"hubspot": {"auth": "oauth"}}
BULK_MIX = (
    "salesforce.503=0.1,salesforce.reset=0.05,salesforce.malformed-json=0.1,"
    "salesforce.token-expiry=4"
)


@dataclass(frozen=True)
class Fault:
    """One row of the matrix: the spec posted per stage and the faulted run's exit code."""

    name: str
    pull: str
    write: str
    exit: Mapping[Stage, ExitCode] = field(
        default_factory=lambda: {"pull": ExitCode.OK, "write": ExitCode.OK}
    )
    settings: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # Stages that send no request the fault applies to (it cannot fire there).
    idle: tuple[Stage, ...] = ()
    # Schema drift: (system, object, field) deleted in the CRM, per stage.
    drift: Mapping[Stage, tuple[System, str, str]] = field(default_factory=dict)
    # Daily allocation set through /__sandbox/limits: (limit, used) per CRM, per stage.
    limits: Mapping[Stage, Mapping[System, tuple[int, int]]] = field(default_factory=dict)
    # What the message of a stopped run must say, per stage.
    says: Mapping[Stage, str] = field(default_factory=dict)
    # The stages the row has (Bulk API reads only: no write row).
    stages: tuple[Stage, ...] = STAGES
    # A fault that must cost no retry (a slow answer is still an answer; a 429 from the
    # CRM's own rate limiter, which slow answers bunch up, may be retried).
    calm: bool = False


STOP = {"pull": ExitCode.CRM_REFUSED, "write": ExitCode.CRM_REFUSED}
# 1,000 calls a day, 20 % kept for others: the stop line is 800. The pull makes ~15
# Salesforce and ~30 HubSpot calls, the write-back two or three per CRM.
RESERVE = {"pull": (1000, 790), "write": (1000, 799)}
# Rates: the pull makes ~40 calls a run, the write-back ~4 per CRM, hence the higher
# write rates; each stays low enough that six attempts of one call do not all fail.
FAULTS: tuple[Fault, ...] = (
    Fault("429", "*.429=0.15", "*.429=0.4"),
    Fault("429-no-retry-after", "*.429-no-retry-after=0.15", "*.429-no-retry-after=0.4"),
    Fault("500", "*.500=0.15", "*.500=0.4"),
    Fault("503", "*.503=0.15", "*.503=0.4"),
    Fault("reset", "*.reset=0.15", "*.reset=0.4"),
    Fault(
        "timeout",
        "*.timeout=0.1,*.timeout-ms=1500",
        "*.timeout=0.4,*.timeout-ms=1500",
        settings=SHORT_TIMEOUT,
    ),
    Fault("slow", "*.slow=0.3,*.slow-ms=300", "*.slow=0.6,*.slow-ms=300", calm=True),
    Fault(
        "token-expiry",
        "salesforce.token-expiry=4,hubspot.token-expiry=5",
        "*.token-expiry=2",
        settings=OAUTH,
    ),
    # A private-app token cannot be refreshed: HubSpot refusing it stops the run.
    Fault(
        "token-expiry-private-app",
        "hubspot.token-expiry=5",
        "hubspot.token-expiry=2",
        STOP,
        says={"pull": "check the [hubspot] token", "write": "check the [hubspot] token"},
    ),
    Fault(
        "salesforce-daily-limit",
        "salesforce.daily-limit=0.1",
        "salesforce.daily-limit=1",
        STOP,
        says={"pull": "daily API allocation is spent", "write": "daily API allocation is spent"},
    ),
    # The org near its allocation: our governor stops at the reserve line, before the CRM
    # refuses anything (Sforce-Limit-Info).
    Fault(
        "salesforce-reserve-line",
        "",
        "",
        STOP,
        limits={stage: {"salesforce": RESERVE[stage]} for stage in STAGES},
        says={"pull": "API budget reached before", "write": "API budget reached before"},
    ),
    Fault(
        "salesforce-query-timeout",
        "salesforce.query-timeout=0.3",
        "salesforce.query-timeout=1",
        idle=("write",),  # tasks are upserted by key: the write-back sends no query
    ),
    Fault(
        "hubspot-daily-limit",
        "hubspot.daily-limit=0.1",
        "hubspot.daily-limit=1",
        STOP,
        says={"pull": "the daily API limit is spent", "write": "the daily API limit is spent"},
    ),
    # The same for HubSpot (X-HubSpot-RateLimit-Daily-Remaining; search calls are counted).
    Fault(
        "hubspot-reserve-line",
        "",
        "",
        STOP,
        limits={stage: {"hubspot": RESERVE[stage]} for stage in STAGES},
        says={"pull": "daily API budget reached", "write": "daily API budget reached"},
    ),
    Fault("malformed-json", "*.malformed-json=0.15", "*.malformed-json=0.4"),
    # Every attempt of a call fails: retries are bounded, the run stops and says why.
    Fault(
        "retries-spent",
        "hubspot.503=1",
        "hubspot.503=1",
        STOP,
        says={"pull": "SERVICE_UNAVAILABLE", "write": "SERVICE_UNAVAILABLE"},
    ),
    # Salesforce read through Bulk API 2.0 (every stream above the threshold) while its
    # calls fail, answer garbage and lose their session (simple-salesforce's own Bulk
    # helpers never re-login: pitfall 11).
    Fault(
        "salesforce-bulk-mix",
        BULK_MIX,
        "",
        settings={"salesforce": {"bulk_threshold": 0}},
        stages=("pull",),
    ),
    Fault(
        "partial-batch",
        "*.partial-batch=0.3",
        "*.partial-batch=0.3",
        {"pull": ExitCode.OK, "write": ExitCode.REJECTED},
        idle=("pull",),  # a pull sends no batch write
    ),
    # Schema drift: a mapped field the pull reads, then a tag field the write sets.
    Fault(
        "salesforce-schema-drift",
        "",
        "",
        {"pull": ExitCode.BAD_INPUT, "write": ExitCode.REJECTED},
        drift={
            "pull": ("salesforce", "Account", "NPS_Score__c"),
            "write": ("salesforce", "Account", "Partner_Health_Score__c"),
        },
        says={
            "pull": "No such column 'NPS_Score__c' on entity 'Account'",
            "write": "No such column 'Partner_Health_Score__c'",
        },
    ),
    Fault(
        "hubspot-schema-drift",
        "",
        "",
        {"pull": ExitCode.BAD_INPUT, "write": ExitCode.REJECTED},
        drift={
            "pull": ("hubspot", "companies", "domain"),
            "write": ("hubspot", "companies", "pp_health_score"),
        },
        says={
            "pull": "HubSpot has no companies property 'domain'",
            "write": "property 'pp_health_score' does not exist — run `partnerpulse setup`",
        },
    ),
)


# -- running syncs ------------------------------------------------------------------------


@dataclass
class Attempt:
    """One sync: how it ended and what it cost."""

    exit: int
    outcome: str
    error: str | None
    records: int
    written: int
    unanswered: int  # write-back operations left in flight, to settle next run
    calls: dict[str, int]
    retries: dict[str, int]
    rate_limited: dict[str, int]
    finished: float  # time.monotonic() when it ended


def cell_config(crm: Crm, name: str, settings: Mapping[str, Mapping[str, object]]) -> Path:
    """The sandbox's config with ``settings`` merged in and a state database of its own.

    Written to a file rather than set through ``PARTNERPULSE_*`` variables: cells run in
    threads, and the environment is one for the process.
    """
    data: dict[str, dict[str, object]] = tomllib.loads(crm.config.read_text(encoding="utf-8"))
    folder = crm.config.parent
    creds = crm.handle.hubspot
    oauth = {
        "client_id": creds.client_id,
        "client_secret_file": str(creds.files["client_secret"]),
        "refresh_token_file": str(creds.files["refresh_token"]),
    }
    data["state"]["url"] = f"sqlite:///{folder / (name + '.db')}"
    for section, values in settings.items():
        data.setdefault(section, {}).update(values)
        if values.get("auth") == "oauth":
            data[section].update(oauth)
            data[section].pop("token_file", None)
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        lines.append("")
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# Alembic's migration context is one per process: stores are opened one at a time.
_OPENING = threading.Lock()


def store_of(config: Config) -> SqlStore:
    with _OPENING:
        return open_store(config)


def attempt(path: Path, wrap: Callable[[Adapters], Adapters] | None = None) -> Attempt:
    """One sync of the config at ``path``; a run the connector stops is an Attempt too."""
    config: Config = load_config(path)
    store = store_of(config)
    clock = WallClock()
    adapters = build_adapters(config, clock.now())
    exit_code, error = ExitCode.OK, None
    try:
        driven = wrap(adapters) if wrap else adapters
        report = run_sync(config, adapters=driven, store=store, clock=clock, options=SyncOptions())
        exit_code = report.exit_code
    except ConnectorError as exc:
        exit_code, error = exc.exit_code, str(exc)
    finally:
        close_adapters(adapters)
    try:
        last = store.runs(limit=1)[0]
    finally:
        store.engine.dispose()
    return Attempt(
        exit=int(exit_code),
        outcome=last.outcome,
        error=error or last.error,
        records=last.records_pulled,
        written=last.records_written,
        unanswered=int((last.detail.get("writeback") or {}).get("unanswered", 0)),
        calls={s: a.calls.total for s, a in adapters.items()},
        retries={s: a.calls.retries for s, a in adapters.items()},
        rate_limited={s: a.calls.rate_limited for s, a in adapters.items()},
        finished=time.monotonic(),
    )


def after_settling(previous: Attempt) -> None:
    """Wait until a run's last writes are readable by the next run: Salesforce stamps are
    whole seconds and a run reads up to the last fully passed second (see
    ``tests/e2e/harness.settle``)."""
    left = previous.finished + 2.0 - time.monotonic()
    if left > 0:
        time.sleep(left)


def drain(crm: Crm, attempts: list[Attempt], extra: Mapping[str, int]) -> dict[str, int]:
    """Wait until the CRMs have answered every call the client sent (a request the client
    gave up on still lands); the CRMs' counts per system."""
    sent = {s: sum(a.calls.get(s, 0) for a in attempts) + extra.get(s, 0) for s in SYSTEMS}
    deadline = time.monotonic() + DRAIN_S
    while True:
        counted = {s: int(crm.back_door.stats(s)["total_calls"]) for s in SYSTEMS}
        if counted == sent or time.monotonic() > deadline:
            return counted
        time.sleep(0.1)


# -- switching faults ---------------------------------------------------------------------


class Switch:
    """Turns one fault on and off in one sandbox, through its back door."""

    def __init__(self, crm: Crm, fault: Fault, stage: Stage) -> None:
        self.crm, self.fault, self.stage = crm, fault, stage
        self._kept: Callable[[], None] | None = None  # gives a dropped field back
        self._lock = threading.Lock()
        self.on_at: float | None = None
        self.setup_calls: dict[str, int] = {}  # calls ``partnerpulse setup`` made

    def on(self) -> None:
        with self._lock:
            if self.on_at is not None:
                return
            self.on_at = time.monotonic()
            for system, (limit, used) in self.fault.limits.get(self.stage, {}).items():
                body = {"daily_limit": limit, "daily_used": used}
                self.crm.back_door.post(system, "limits", body)
            if self.stage in self.fault.drift:
                system, obj, name = self.fault.drift[self.stage]
                self._kept = self._backup(system, obj, name)
                body = {"object": obj, "field": name}
                self.crm.back_door.post(system, "schema/drop-field", body)
                return
            spec = self.fault.pull if self.stage == "pull" else self.fault.write
            for system in SYSTEMS:
                self.crm.back_door.post(system, "faults", {"spec": spec, "seed": FAULT_SEED})

    def _backup(self, system: System, obj: str, name: str) -> Callable[[], None] | None:
        """How to give the field back as the admin would: Salesforce keeps a deleted field's
        data for a while (undelete); a HubSpot property the portal owns comes back with its
        values (re-created and re-imported, stamps untouched); the tool's own properties are
        re-created by ``partnerpulse setup`` (None here), empty as they were."""
        if system == "salesforce":
            sf = self.crm.handle.salesforce_store
            schema = sf.schemas[obj]
            kept: Field = schema.fields[name]

            def undelete() -> None:
                with sf.lock:
                    schema.fields[name] = kept
                    schema._reindex()

            return undelete
        if name.startswith("pp_"):
            return None
        hs = self.crm.handle.hubspot_store
        definition = hs.properties[obj][name]
        table = hs.tables[obj]
        values = {rid: r.props[name] for rid, r in table.records.items() if name in r.props}

        def reimport() -> None:
            with hs.lock:
                for rid, value in values.items():
                    table.records[rid].props[name] = value
                table.version += 1
                hs.add_property(obj, definition)

        return reimport

    def off(self, config: Path) -> None:
        """Faults off; a dropped field given back (see :meth:`_backup`)."""
        for system in SYSTEMS:
            self.crm.back_door.post(system, "faults", {"spec": "", "seed": FAULT_SEED})
        for system in self.fault.limits.get(self.stage, {}):  # a fresh day's allocation
            body = {"daily_limit": 1_000_000, "daily_used": 0}
            self.crm.back_door.post(system, "limits", body)
        if self.stage not in self.fault.drift:
            return
        if self._kept is not None:
            self._kept()
        else:
            from adapters.hubspot.setup import setup

            cfg = load_config(config)
            adapters = build_adapters(cfg, WallClock().now(), "hubspot")
            try:
                report = setup(adapters["hubspot"], cfg.writeback)  # type: ignore[arg-type]
            finally:
                close_adapters(adapters)
                self.setup_calls = {"hubspot": adapters["hubspot"].calls.total}
            assert report.created, "setup created nothing: the drift did not happen"


# -- one cell -----------------------------------------------------------------------------


@dataclass
class Cell:
    """What a cell did and what it left, for the assertions and the matrix."""

    fault: str
    stage: Stage
    faulted: Attempt | None = None
    recovery: Attempt | None = None
    verify: Attempt | None = None  # write stage: the run after recovery, which must write nothing
    injected: dict[str, dict[str, int]] = field(default_factory=dict)
    crm_calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    crash: str | None = None
    stored: int = 0  # store rows right after the faulted run
    reasons: list[str] = field(default_factory=list)  # quarantined by the faulted run
    crm_written: int = 0  # records the CRMs wrote during the faulted run
    setup_calls: dict[str, int] = field(default_factory=dict)
    rows: Rows = field(default_factory=dict, repr=False)
    lost: list[str] = field(default_factory=list)
    in_flight: int = 0
    open_quarantine: int = 0
    tags: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False)
    keys: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    wrong: list[str] = field(default_factory=list)


def injected(crm: Crm) -> dict[str, dict[str, int]]:
    return {s: dict(crm.back_door.stats(s)["faults_injected"]) for s in SYSTEMS}


def crm_written(crm: Crm) -> int:
    return sum(int(crm.back_door.stats(s)["records_written"]) for s in SYSTEMS)


def stored_rows(path: Path) -> tuple[int, list[str]]:
    """Record rows in the store, and the reasons of what it quarantined."""
    store = store_of(load_config(path))
    try:
        rows = sum(len(table) for table in record_rows(store).values())
        return rows, sorted({q.reason for q in store.quarantined()})
    finally:
        store.engine.dispose()


def crm_tags(crm: Crm, config: Config) -> dict[str, tuple[Any, ...]]:
    """Every partner record's tag values as the CRM holds them, but the update stamp (the
    run's instant): what a person sees on the record."""
    names: dict[System, dict[str, str]] = {
        "salesforce": config.writeback.salesforce_fields,
        "hubspot": config.writeback.hubspot_properties,
    }
    found = {}
    for system, obj in PARTNER_OBJECT.items():
        wanted = [v for k, v in sorted(names[system].items()) if k != "health_updated_at"]
        for row in crm.back_door.live(system, obj):
            values = fields(system, row)
            found[f"{system}:{record_id(system, row)}"] = tuple(values.get(n) for n in wanted)
    return found


def collect(cell: Cell, crm: Crm, path: Path, *, writeback: bool) -> None:
    config = load_config(path)
    store = store_of(config)
    try:
        cell.rows = record_rows(store)
        cell.lost = [str(x) for x in lost_records(store, crm.back_door)]
        cell.in_flight = len(store.ledger_in_flight())
        cell.open_quarantine = len(store.quarantined())
        if writeback:
            cell.tags = crm_tags(crm, config)
            cell.keys = {s: dict(c) for s, c in task_keys(crm.back_door, config.writeback).items()}
            cell.wrong = wrong_tags(store, crm.back_door, config.writeback)
    finally:
        store.engine.dispose()


def run_cell(world: World, present: datetime, workdir: Path, fault: Fault, stage: Stage) -> Cell:
    cell = Cell(fault.name, stage)
    started = time.monotonic()
    try:
        with serve(world, workdir, now=present, seed=SEED) as crm:
            settings = {
                **fault.settings,
                "writeback": {"enabled": stage == "write"},
            }
            path = cell_config(crm, "cell", settings)
            switch = Switch(crm, fault, stage)
            before = injected(crm)
            written = crm_written(crm)
            if stage == "pull":
                switch.on()
                cell.faulted = attempt(path)
            else:

                def wrap(adapters: Adapters) -> Adapters:
                    return {s: BeforeApply(a, switch.on) for s, a in adapters.items()}

                cell.faulted = attempt(path, wrap)
                assert switch.on_at is not None, "the write stage was never reached"
            cell.crm_written = crm_written(crm) - written
            switch.off(path)
            cell.stored, cell.reasons = stored_rows(path)
            after = injected(crm)
            cell.injected = {
                s: {
                    k: n - before[s].get(k, 0)
                    for k, n in after[s].items()
                    if n > before[s].get(k, 0)
                }
                for s in SYSTEMS
            }
            drain(crm, [cell.faulted], switch.setup_calls)
            cell.recovery = attempt(path)
            runs = [cell.faulted, cell.recovery]
            if stage == "write":
                after_settling(cell.recovery)
                cell.verify = attempt(path)
                runs.append(cell.verify)
            cell.crm_calls = drain(crm, runs, switch.setup_calls)
            cell.setup_calls = switch.setup_calls
            collect(cell, crm, path, writeback=stage == "write")
    except Exception as exc:  # recorded, then failed by the cell's test
        cell.crash = f"{type(exc).__name__}: {exc}"
    cell.seconds = round(time.monotonic() - started, 1)
    return cell


@dataclass
class Reference:
    """The fault-free runs: a pull (write-back off), and a sync with write-back plus the
    sync after it (which pulls the tool's own writes back and writes nothing)."""

    pull: Rows
    write: Cell


def reference_pull(world: World, present: datetime, workdir: Path) -> Rows:
    with serve(world, workdir, now=present, seed=SEED) as crm:
        path = cell_config(crm, "reference", {"writeback": {"enabled": False}})
        done = attempt(path)
        assert done.exit == 0, done.error
        store = store_of(load_config(path))
        try:
            return record_rows(store)
        finally:
            store.engine.dispose()


def reference_write(world: World, present: datetime, workdir: Path) -> Cell:
    cell = Cell("none", "write")
    with serve(world, workdir, now=present, seed=SEED) as crm:
        path = cell_config(crm, "reference", {"writeback": {"enabled": True}})
        cell.faulted = attempt(path)
        after_settling(cell.faulted)
        cell.recovery = attempt(path)
        assert (cell.faulted.exit, cell.recovery.exit) == (0, 0), cell.faulted.error
        assert cell.recovery.written == 0
        collect(cell, crm, path, writeback=True)
    return cell


# -- fixtures -----------------------------------------------------------------------------

# PP_FAULT_ONLY=429,reset runs those rows only (the references always run).
ONLY = {n for n in os.environ.get("PP_FAULT_ONLY", "").split(",") if n}
# Started first, so that no long cell is left running alone at the end.
LONGEST = ("retries-spent", "timeout", "salesforce-bulk-mix", "malformed-json")
CELLS = [(f, s) for f in FAULTS for s in f.stages if not ONLY or f.name in ONLY]


@dataclass
class Matrix:
    reference: Reference
    cells: dict[tuple[str, Stage], Cell]
    seconds: float


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    """Every cell and both references, run side by side once for the module."""
    started = time.monotonic()
    world = generate_world(PARTNERS, SEED, default_now())
    # The CRMs' clock at start and the stamp of every record the world leaves unstamped:
    # the same for every sandbox, so every store can be equal.
    present = datetime.now(UTC).replace(microsecond=0)
    root = tmp_path_factory.mktemp("faults")
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="cell") as pool:
        pull_ref = pool.submit(reference_pull, world, present, root / "reference-pull")
        write_ref = pool.submit(reference_write, world, present, root / "reference-write")
        futures: dict[tuple[str, Stage], Future[Cell]] = {
            (f.name, s): pool.submit(run_cell, world, present, root / f"{f.name}-{s}", f, s)
            for f, s in sorted(CELLS, key=lambda cell: cell[0].name not in LONGEST)
        }
        reference = Reference(pull_ref.result(), write_ref.result())
        cells = {key: future.result() for key, future in futures.items()}
    built = Matrix(reference, cells, round(time.monotonic() - started, 1))
    out = os.environ.get("PP_FAULT_MATRIX_JSON")
    if out:
        Path(out).write_text(json.dumps(summary(built), indent=2), encoding="utf-8")
    return built


def summary(matrix: Matrix) -> dict[str, Any]:
    skip = {"rows", "tags", "keys"}
    return {
        "partners": PARTNERS,
        "seed": SEED,
        "workers": WORKERS,
        "seconds": matrix.seconds,
        "records": sum(len(table) for table in matrix.reference.pull.values()),
        "reference_write": {
            k: v for k, v in asdict(matrix.reference.write).items() if k not in skip
        },
        "cells": [
            {k: v for k, v in asdict(cell).items() if k not in skip}
            for cell in matrix.cells.values()
        ],
    }


# Tables whose rows are read from partner records and carry the record's stamp.
FROM_PARTNER_RECORDS = ("partners", "surveys", "kpis")


def comparable(rows: Rows, known: Rows, *, writeback: bool) -> Rows:
    """Store rows of the records the world holds; after a write-back, those read from
    partner records without their stamp (the tool's own writes moved it, at the moment
    they were made)."""
    ids = {(name, r[0], r[1]) for name, table in known.items() for r in table}
    kept: Rows = {}
    for name, table in rows.items():
        chosen = {r for r in table if (name, r[0], r[1]) in ids}
        if writeback and name in FROM_PARTNER_RECORDS:
            chosen = {(r[0], r[1], r[3]) for r in chosen}
        kept[name] = chosen
    return kept


# -- the matrix ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "stage"), CELLS, ids=[f"{f.name}-{s}" for f, s in CELLS])
def test_fault_is_survived_and_recovered_identically(
    matrix: Matrix, fault: Fault, stage: Stage
) -> None:
    cell = matrix.cells[(fault.name, stage)]
    assert cell.crash is None, cell.crash
    assert cell.faulted is not None
    assert cell.recovery is not None
    # The fault fired in the stage under test, in each CRM it was set for (unless the stage
    # sends no request it applies to).
    spec = fault.pull if stage == "pull" else fault.write
    fired = {s: sum(cell.injected[s].values()) for s in SYSTEMS}
    if stage in fault.idle:
        assert sum(fired.values()) == 0, cell.injected
    elif stage not in fault.drift:
        for system in SYSTEMS:
            if "*." in spec or f"{system}." in spec:
                assert fired[system] > 0, f"{fault.name} never fired in {system} ({stage})"
    if fault.calm:  # retried only what HubSpot's own rate limiter refused, if anything
        throttled = cell.faulted.rate_limited
        assert cell.faulted.retries == throttled, (cell.faulted.retries, throttled)
    # The faulted run completed, or stopped cleanly with its documented exit code.
    want = fault.exit[stage]
    assert cell.faulted.exit == want, (cell.faulted.outcome, cell.faulted.error)
    if want == ExitCode.OK:
        assert cell.faulted.outcome == "ok", cell.faulted.error
    elif want == ExitCode.REJECTED:
        assert cell.faulted.outcome == "rejected", cell.faulted.error
    else:
        assert cell.faulted.outcome in ("stopped", "failed"), cell.faulted.outcome
        assert cell.faulted.error, "a stop must say why"
        assert "\n" not in cell.faulted.error, "one line"
    if want == ExitCode.REJECTED:  # each refusal quarantined, saying why
        assert cell.reasons, "a refused record must be quarantined"
    if stage in fault.says:
        said = [cell.faulted.error or ""] if want != ExitCode.REJECTED else cell.reasons
        assert all(fault.says[stage] in text for text in said), said
    # A run that stopped says what it had stored or written (the runs table, `partnerpulse
    # status`): what the CRMs wrote is what it counts as written, or left in flight (the
    # stopped CRM's earlier batches: its ``apply`` raised, so their answers are dropped and
    # the next run settles them from the live values).
    if stage == "pull":
        assert (cell.faulted.records > 0) == (cell.stored > 0), (cell.faulted, cell.stored)
    elif want == ExitCode.CRM_REFUSED:
        f = cell.faulted
        assert f.written <= cell.crm_written <= f.written + f.unanswered, (f, cell.crm_written)
    # Recovery: one rerun with the fault gone completes; after a write-back, the run after
    # it has nothing left to write.
    assert cell.recovery.exit == 0, (cell.recovery.outcome, cell.recovery.error)
    assert cell.recovery.outcome == "ok"
    runs = [cell.faulted, cell.recovery]
    if stage == "write":
        assert cell.verify is not None
        assert (cell.verify.exit, cell.verify.written) == (0, 0), cell.verify.error
        runs.append(cell.verify)
    # Every call the client recorded is one the CRMs counted (and none went unrecorded).
    sent = {s: sum(run.calls.get(s, 0) for run in runs) for s in SYSTEMS}
    assert cell.crm_calls == {s: sent[s] + cell.setup_calls.get(s, 0) for s in SYSTEMS}
    # Nothing lost, nothing left in flight or in quarantine.
    assert cell.lost == []
    assert cell.in_flight == 0
    assert cell.open_quarantine == 0
    reference = matrix.reference
    if stage == "pull":
        assert cell.rows == reference.pull
        # The rerun resumed where the stop left off: every record pulled exactly once.
        total = sum(len(table) for table in reference.pull.values())
        assert cell.faulted.records + cell.recovery.records == total
        return
    ref = reference.write
    assert comparable(cell.rows, reference.pull, writeback=True) == comparable(
        ref.rows, reference.pull, writeback=True
    )
    assert cell.wrong == []
    assert cell.tags == ref.tags
    assert duplicate_tasks({s: Counter(k) for s, k in cell.keys.items()}) == []  # type: ignore[misc]
    assert cell.keys == ref.keys


def test_the_references_wrote_tags_and_tasks(matrix: Matrix) -> None:
    """Precondition: the fault-free write-back had something to write in both CRMs."""
    ref = matrix.reference.write
    assert ref.faulted is not None
    assert all(ref.keys[s] for s in SYSTEMS), ref.keys
    assert any(v != (None,) * len(v) for v in ref.tags.values())
    assert ref.wrong == []
