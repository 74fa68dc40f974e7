"""API-call efficiency, rate-limit saturation, throughput and memory (issue 9): the runs.

Two passes over the same generated world, each against its own sandbox process
(:mod:`bench.served`, so the CRMs' CPU is not the sync's) and its own fresh state database:

- **rate** — the sandbox at HubSpot Professional limits with ``latency_ms`` added to every
  call (100 ms by default): calls, wall time against :func:`bench.minimum.rate_bound`,
  429s, and the hand-written baseline (:mod:`bench.baseline`) side by side;
- **local** — no latency, the sandbox's rate limits off and the HubSpot governor not
  sleeping: what PartnerPulse itself costs, in records per second, and its peak RSS.

Each pass runs the same sequence of syncs (each one :mod:`bench.worker` in a subprocess,
its peak RSS from ``os.wait4``):

1. **full** — a first sync, dry run (pull, link, score, plan; nothing written, no snapshot);
2. **unchanged** — the same again, nothing having changed: ideally one call per stream;
3. 1 % of the records of every object changed through the back door, stamped now;
4. **incremental** — a dry run that must read just those;
5. **write** — a real sync: its pull (the 1 % again, inside the lookback), scoring,
   planning and **apply** (tags and tasks written back).

Dry runs first because the tool's own writes are CRM changes: a write-back before step 4
would make the "1 % changed" run read every written record back. The rate pass's baseline
reads everything after step 1 and writes, after step 5, the operations step 5 applied.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.crash_checks import BackDoor
from bench.minimum import rate_bound, read_minimum, write_minimum
from connector.model import System

SYSTEMS: tuple[System, ...] = ("salesforce", "hubspot")
SIZES = {"small": 500, "reference": 10_000}
# Salesforce stamps are whole seconds and a run reads up to the last whole second before
# it started: a change is readable by a run that starts 2 s later.
SETTLE_S = 2.0
MUTATE_CHUNK = 1_000


def clean_env() -> dict[str, str]:
    """The environment without ``PARTNERPULSE_*`` overrides (the config file rules)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PARTNERPULSE_")}


class Served:
    """A :mod:`bench.served` process: the CRMs, their back door, a config, the counts."""

    def __init__(self, partners: int, seed: int, folder: Path, latency_ms: float) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log = (folder / "sandbox.log").open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.served",
                "--partners",
                str(partners),
                "--seed",
                str(seed),
                "--workdir",
                str(folder),
                "--latency-ms",
                str(latency_ms),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=clean_env(),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench.served exited {self.proc.wait()}; see {folder}")
        self.ready: dict[str, Any] = json.loads(line)
        self.config = Path(self.ready["config"])
        self.counts: dict[str, dict[str, int]] = self.ready["counts"]
        self.changes: dict[str, dict[str, list[str]]] = json.loads(
            Path(self.ready["changes_file"]).read_text(encoding="utf-8")
        )
        self.back_door = BackDoor(
            self.ready["salesforce"]["url"], self.ready["hubspot"]["url"], self.ready["ca_file"]
        )

    def stats(self) -> dict[System, dict[str, Any]]:
        return {s: self.back_door.stats(s) for s in SYSTEMS}

    def latency(self, ms: float) -> None:
        for system in SYSTEMS:
            self.back_door.post(system, "latency", {"ms": ms})

    def rate_limits(self, on: bool) -> None:
        """HubSpot's rate limits on or off (Salesforce has none per second)."""
        self.back_door.post("hubspot", "limits", {"rate_limits": on})

    def mutate(self) -> dict[str, dict[str, int]]:
        """Change the drawn 1 % of each object as a person would, stamped now."""
        stamp = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed: dict[str, dict[str, int]] = {}
        for system, objects in self.changes.items():
            for obj, ids in objects.items():
                for start in range(0, len(ids), MUTATE_CHUNK):
                    chunk = ids[start : start + MUTATE_CHUNK]
                    body = {"object": obj, "ids": chunk, "set": {}, "modstamp": stamp}
                    self.back_door.post(system, "mutate", body)  # type: ignore[arg-type]
                changed.setdefault(system, {})[obj] = len(ids)
        return changed

    def stop(self) -> None:
        self.back_door.close()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


@contextmanager
def served(partners: int, seed: int, folder: Path, latency_ms: float) -> Iterator[Served]:
    crm = Served(partners, seed, folder, latency_ms)
    try:
        yield crm
    finally:
        crm.stop()


def stats_delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What one CRM counted between two snapshots: calls (by route), 429s, records."""
    routes = set(before["calls"]) | set(after["calls"])
    calls = {r: after["calls"].get(r, 0) - before["calls"].get(r, 0) for r in sorted(routes)}
    return {
        "total_calls": after["total_calls"] - before["total_calls"],
        "calls": {r: n for r, n in calls.items() if n},
        "rate_limited": after["rate_limited"] - before["rate_limited"],
        "records_returned": after["records_returned"] - before["records_returned"],
        "records_written": after["records_written"] - before["records_written"],
    }


def spawn(args: list[str], log: Path) -> tuple[int, float, int]:
    """Run ``python -m <args>``; (exit code, wall seconds, peak RSS in KiB) from ``wait4``."""
    started = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=clean_env()
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - started, int(usage.ru_maxrss)


def sync(crm: Served, folder: Path, name: str, *, dry_run: bool, no_pacing: bool) -> dict[str, Any]:
    """One measured sync (:mod:`bench.worker`) with what the sandbox counted around it."""
    out = folder / f"{name}.json"
    ops = folder / f"{name}-operations.json"
    args = ["bench.worker", "--config", str(crm.config), "--out", str(out), "--approve"]
    args += ["--ops-out", str(ops)]
    if dry_run:
        args.append("--dry-run")
    if no_pacing:
        args.append("--no-pacing")
    before = crm.stats()
    code, wall, rss = spawn(args, folder / "sync.log")
    after = crm.stats()
    if code != 0 or not out.exists():
        raise RuntimeError(f"sync {name} exited {code}; see {folder / 'sync.log'}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = wall
    result["peak_rss_kib"] = rss
    result["sandbox"] = {s: stats_delta(before[s], after[s]) for s in SYSTEMS}
    result["operations_file"] = str(ops) if ops.exists() else None
    return result


def baseline(crm: Served, folder: Path, name: str, extra: list[str]) -> dict[str, Any]:
    out = folder / f"{name}.json"
    before = crm.stats()
    code, wall, rss = spawn(
        ["bench.baseline", "--config", str(crm.config), "--out", str(out), *extra],
        folder / "baseline.log",
    )
    after = crm.stats()
    if code != 0 or not out.exists():
        raise RuntimeError(f"baseline {name} exited {code}; see {folder / 'baseline.log'}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = wall
    result["peak_rss_kib"] = rss
    result["sandbox"] = {s: stats_delta(before[s], after[s]) for s in SYSTEMS}
    return result


@dataclass(frozen=True)
class PassSpec:
    name: str  # "rate" or "local"
    latency_ms: float
    limits: bool
    with_baseline: bool
    baseline_write_limit: int | None = None
    baseline_read: bool = True


def run_pass(partners: int, seed: int, folder: Path, spec: PassSpec) -> dict[str, Any]:
    """One pass: a sandbox, a fresh store, the five steps (and the baseline)."""
    with served(partners, seed, folder / "crm", spec.latency_ms) as crm:
        crm.rate_limits(spec.limits)
        pacing_off = not spec.limits
        runs: dict[str, Any] = {}
        base: dict[str, Any] = {}
        runs["full"] = sync(crm, folder, "full", dry_run=True, no_pacing=pacing_off)
        if spec.with_baseline and spec.baseline_read:
            base["read"] = baseline(crm, folder, "baseline-read", ["--read"])
        runs["unchanged"] = sync(crm, folder, "unchanged", dry_run=True, no_pacing=pacing_off)
        changed = crm.mutate()
        time.sleep(SETTLE_S)
        runs["incremental"] = sync(crm, folder, "incremental", dry_run=True, no_pacing=pacing_off)
        runs["write"] = sync(crm, folder, "write", dry_run=False, no_pacing=pacing_off)
        ops_file = runs["write"]["operations_file"]
        if spec.with_baseline and ops_file:
            extra = ["--write", ops_file]
            if spec.baseline_write_limit is not None:
                extra += ["--limit", str(spec.baseline_write_limit)]
            base["write"] = baseline(crm, folder, "baseline-write", extra)
        return {
            "spec": spec.__dict__,
            "counts": crm.counts,
            "changed": changed,
            "runs": runs,
            "baseline": base,
        }


# -- figures -------------------------------------------------------------------------------


def _between(run: Mapping[str, Any], start: str, end: str) -> dict[str, dict[str, int]]:
    """Calls per system and endpoint the adapters counted between two moments of a run."""
    at = run["calls_at"]
    first = at.get(start, {})
    last = at.get(end) if end in at else run["calls"]
    out: dict[str, dict[str, int]] = {}
    for system, counts in last.items():
        before = first.get(system, {})
        diff = {k: n - before.get(k, 0) for k, n in counts.items() if n - before.get(k, 0)}
        out[system] = diff
    return out


def _moment(run: Mapping[str, Any], name: str, default: str = "end") -> float:
    moments = run["moments"]
    return float(moments.get(name, moments.get(default, 0.0)))


def pull_phase(run: Mapping[str, Any]) -> dict[str, Any]:
    """The pull of one run: per system calls (search ones apart), records, seconds."""
    first = {s: f"pull:{s}" for s in SYSTEMS}
    ends = {"salesforce": "pull:hubspot", "hubspot": "link"}
    out: dict[str, Any] = {}
    for system in SYSTEMS:
        calls = _between(run, first[system], ends[system]).get(system, {})
        seconds = _moment(run, ends[system], "link") - _moment(run, first[system])
        records = sum(n for k, n in run["pulled"].items() if k.startswith(f"{system}/"))
        out[system] = {
            "calls": sum(calls.values()),
            "search_calls": sum(n for k, n in calls.items() if k.endswith("/search")),
            "by_endpoint": calls,
            "records": records,
            "seconds": round(seconds, 3),
        }
    return out


def apply_phase(run: Mapping[str, Any]) -> dict[str, Any]:
    calls = _between(run, "apply", "end")
    spent = run.get("spent", {})
    out: dict[str, Any] = {}
    for system in SYSTEMS:
        mine = calls.get(system, {})
        out[system] = {
            "calls": sum(mine.values()),
            "search_calls": sum(n for k, n in mine.items() if k.endswith("/search")),
            "by_endpoint": mine,
            "seconds": round(float(spent.get(f"apply:{system}", 0.0)), 3),
        }
    return out


def phase_seconds(run: Mapping[str, Any]) -> dict[str, float]:
    """Seconds of each step of a run, from its stamps."""
    m = run["moments"]
    end = float(m["end"])
    pull_start = min(float(v) for k, v in m.items() if k.startswith("pull:"))
    link = float(m.get("link", end))
    score = float(m.get("score", end))
    plan = float(m.get("plan", end))
    apply = float(m.get("apply", end))
    return {
        "pull": round(link - pull_start, 3),
        "link": round(score - link, 3),
        "score": round(plan - score, 3),
        "plan": round(apply - plan, 3),
        "apply": round(end - apply, 3),
        "total": round(end, 3),
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def figures(result: Mapping[str, Any], latency_ms: float) -> dict[str, Any]:
    """The table's numbers for one size: per phase, PartnerPulse against the minimum, the
    rate-limit bound and the baseline (rate pass), and its local throughput (local pass)."""
    rate = result["passes"].get("rate")
    local = result["passes"].get("local")
    latency_s = latency_ms / 1000
    out: dict[str, Any] = {"phases": {}}
    if rate is not None:
        counts = rate["counts"]
        changed = rate["changed"]
        zero = {
            "salesforce": {o: 0 for o in counts["salesforce"]},
            "hubspot": {**{o: 0 for o in counts["hubspot"]}},
        }
        incremental_counts: dict[str, dict[str, int]] = {
            system: {**zero[system], **changed.get(system, {})} for system in SYSTEMS
        }
        minima = {
            "full": read_minimum(counts, full=True),
            "unchanged": read_minimum(zero, full=False),
            "incremental": read_minimum(incremental_counts, full=False),
        }
        base = rate["baseline"]
        for phase in ("full", "unchanged", "incremental"):
            run = rate["runs"][phase]
            pulled = pull_phase(run)
            minimum = minima[phase]
            rows: dict[str, Any] = {}
            for system in SYSTEMS:
                p = pulled[system]
                bound = rate_bound(
                    p["calls"],
                    latency_s=latency_s,
                    search_calls=p["search_calls"],
                    hubspot=system == "hubspot",
                )
                rows[system] = {
                    **p,
                    "minimum": minimum.system_total(system),
                    "minimum_by_stream": minimum.calls.get(system, {}),
                    "bound_s": round(bound, 3),
                    "rate_limited": run["sandbox"][system]["rate_limited"],
                    "sandbox_calls": run["sandbox"][system]["total_calls"],
                }
                if "read" in base:
                    b = base["read"]
                    rows[system]["baseline_calls"] = b["sandbox"][system]["total_calls"]
                    rows[system]["baseline_seconds"] = round(b["seconds"][system], 3)
                    rows[system]["baseline_rate_limited"] = b["sandbox"][system]["rate_limited"]
            out["phases"][phase] = {
                "systems": rows,
                "streams": len(counts["salesforce"]) + len(counts["hubspot"]) - 1,
                "seconds": phase_seconds(run),
            }
        write = rate["runs"]["write"]
        applied = apply_phase(write)
        wmin = write_minimum(write["plan"])
        rows = {}
        for system in SYSTEMS:
            a = applied[system]
            bound = rate_bound(
                a["calls"],
                latency_s=latency_s,
                search_calls=a["search_calls"],
                hubspot=system == "hubspot",
            )
            rows[system] = {
                **a,
                "planned": write["plan"].get(system, {}),
                "minimum": wmin.system_total(system),
                "minimum_by_kind": wmin.calls.get(system, {}),
                "bound_s": round(bound, 3),
            }
            if "write" in base:
                b = base["write"]
                made = b["made"].get(system, 0)
                planned = b["planned"].get(system, 0)
                seconds = b["seconds"][system]
                rows[system]["baseline_calls"] = b["sandbox"][system]["total_calls"]
                rows[system]["baseline_writes_planned"] = planned
                rows[system]["baseline_writes_made"] = made
                rows[system]["baseline_seconds"] = round(seconds, 3)
                # A capped run (reference size): time per write call, scaled to all of them.
                scale = planned / made if made else 1.0
                rows[system]["baseline_seconds_all"] = round(seconds * scale, 3)
                rows[system]["baseline_calls_all"] = round(
                    b["sandbox"][system]["total_calls"] + (planned - made)
                )
                rows[system]["baseline_rate_limited"] = b["sandbox"][system]["rate_limited"]
        out["phases"]["apply"] = {"systems": rows, "seconds": phase_seconds(write)}
        out["phases"]["scoring"] = {"seconds": phase_seconds(rate["runs"]["full"])}
        out["scored"] = rate["runs"]["full"]["scored"]
    if local is not None:
        full = local["runs"]["full"]
        write = local["runs"]["write"]
        seconds = phase_seconds(full)
        records = sum(full["pulled"].values())
        apply_s = phase_seconds(write)["apply"]
        out["local"] = {
            "records": records,
            "seconds": seconds,
            "apply_seconds": apply_s,
            "pull_records_per_s": round(records / seconds["pull"]) if seconds["pull"] else None,
            "end_to_end_records_per_s": round(records / (seconds["total"] + apply_s)),
            # The sync process's own CPU (the sandbox answering is another process's).
            "records_per_cpu_s": round(records / (full["cpu_s"] + write["cpu_s"])),
            "incremental_seconds": phase_seconds(local["runs"]["incremental"]),
            "unchanged_seconds": phase_seconds(local["runs"]["unchanged"]),
            "write_seconds": phase_seconds(write),
            "peak_rss_kib": {name: run["peak_rss_kib"] for name, run in local["runs"].items()},
            "cpu_s": {name: run["cpu_s"] for name, run in local["runs"].items()},
            "scored": full["scored"],
        }
    return out


def run_bench(
    size: str,
    *,
    partners: int | None = None,
    seed: int = 1,
    latency_ms: float = 100.0,
    passes: tuple[str, ...] = ("rate", "local"),
    baseline_write_limit: int | None = None,
    baseline_read: bool = True,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Every pass for one size; returns what ``bench/results/<size>.json`` holds."""
    count = partners or SIZES[size]
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pp-bench-") as tmp:
        base = Path(workdir or tmp)
        specs = {
            "rate": PassSpec("rate", latency_ms, True, True, baseline_write_limit, baseline_read),
            "local": PassSpec("local", 0.0, False, False),
        }
        done: dict[str, Any] = {}
        for name in passes:
            print(f"[bench] {size}: {name} pass", flush=True)
            done[name] = run_pass(count, seed, base / name, specs[name])
    result: dict[str, Any] = {
        "size": size,
        "partners": count,
        "seed": seed,
        "latency_ms": latency_ms,
        "hubspot_tier": "professional",
        "passes": done,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - began, 1),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    result["figures"] = figures(result, latency_ms)
    return result
