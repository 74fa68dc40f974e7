"""The benchmark's CRMs: ``python -m bench.served --partners N --seed S --workdir DIR``.

Like ``partnerpulse sandbox serve --write-config``, with what the benchmark needs besides:

- the CRMs' clock starts an hour **behind** the real one (``start_sandbox(now=...)``), so
  every generated record is stamped an hour before the first sync. Otherwise all of them
  carry the sandbox's start time and fall inside the next run's 300-second lookback, and
  an "incremental with 1 % changed" run would re-read the whole world — an artefact of a
  world loaded in one instant, which no real CRM has. The benchmark stamps its own changes
  with the real time (``/__sandbox/mutate`` ``modstamp``);
- the ready line carries the record counts per object (:mod:`bench.minimum` computes the
  fewest calls from them) and names a file listing, per object, the ids of the 1 % the
  benchmark changes (drawn with a fixed seed, the same in every sandbox of that world).

Runs in its own process so its CPU (it answers every call) does not share a GIL with the
sync being measured; stops at SIGTERM/SIGINT or when its stdin closes.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.hubspot import HubSpotAdapter
from mappings.salesforce import STREAMS as SALESFORCE_STREAMS
from sandbox.serve import start_sandbox, write_config
from sandbox.world import World, generate_world

CLOCK_BEHIND = timedelta(hours=1)
CHANGED_SHARE = 0.01
# The objects the sync pulls (Contact is not a stream; HubSpot owners have no records API).
SALESFORCE_OBJECTS = SALESFORCE_STREAMS
HUBSPOT_OBJECTS = tuple(s for s in HubSpotAdapter.streams if s != "owners")


def counts_of(world: World) -> dict[str, dict[str, int]]:
    """Records per pulled object; HubSpot owners split into active and archived."""
    owners = world.hubspot_owners
    archived = sum(1 for o in owners if o.get("archived"))
    return {
        "salesforce": {o: len(world.salesforce.get(o, ())) for o in SALESFORCE_OBJECTS},
        "hubspot": {
            **{o: len(world.hubspot.get(o, ())) for o in HUBSPOT_OBJECTS},
            "owners": len(owners) - archived,
            "owners_archived": archived,
        },
    }


def changed_ids(world: World, seed: int, share: float = CHANGED_SHARE) -> dict[str, dict[str, Any]]:
    """Per object, ``share`` of its ids (at least one), drawn with ``seed``. Users and
    owners are left alone: a person's record rarely changes, and owners have no back door."""
    rng = random.Random(f"{seed}/bench-changes")
    picked: dict[str, dict[str, Any]] = {"salesforce": {}, "hubspot": {}}
    sources: Mapping[str, Mapping[str, list[dict[str, Any]]]] = {
        "salesforce": {o: world.salesforce.get(o, []) for o in SALESFORCE_OBJECTS if o != "User"},
        "hubspot": {o: world.hubspot.get(o, []) for o in HUBSPOT_OBJECTS},
    }
    for system, objects in sources.items():
        key = "Id" if system == "salesforce" else "id"
        for obj, rows in objects.items():
            if not rows:
                continue
            n = max(1, round(len(rows) * share))
            picked[system][obj] = sorted(str(r[key]) for r in rng.sample(rows, n))
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.served", description=__doc__)
    parser.add_argument("--partners", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--hubspot-tier", default="professional")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    world = generate_world(args.partners, args.seed)
    counts = counts_of(world)
    changes = workdir / "changes.json"
    changes.write_text(json.dumps(changed_ids(world, args.seed)), encoding="utf-8")
    handle = start_sandbox(
        world,
        workdir=workdir / "sandbox",
        latency_ms=args.latency_ms,
        hubspot_tier=args.hubspot_tier,
        seed=args.seed,
        now=datetime.now(UTC) - CLOCK_BEHIND,
    )
    del world  # the stores hold their own copies
    config = write_config(handle, workdir / "config" / "config.toml")
    ready = {
        **handle.ready_line(),
        "config": str(config),
        "counts": counts,
        "changes_file": str(changes),
    }
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def stdin_closed() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=stdin_closed, daemon=True).start()
    print(json.dumps(ready), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
