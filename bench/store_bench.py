"""State-store throughput: records/second through ``SqlStore.save_page`` on SQLite and PostgreSQL.

``python -m bench.store_bench [--records N] [--page-size P] [--postgres URL]`` generates N
canonical records (activities, deals and partners, as a pull would bring them), saves
them page by page into a fresh SQLite file and a fresh PostgreSQL database, then saves
them all again (every row a conflict: the re-read case). Prints a table, writes
``bench/results/store.json`` and rewrites the ``## State store`` section of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from connector.model import Activity, ActivityKind, AnyRecord, Deal, PartnerRecord, SourceRef
from connector.ports import Cursor, Page
from connector.store import SqlStore, make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "store.json"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## State store"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_SQLITE = 50_000


def generate(n: int, seed: int = 7) -> list[AnyRecord]:
    """``n`` records: 10% partners, 20% deals, 70% activities, split over both CRMs."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    n_partners = max(1, n // 10)
    n_deals = n // 5
    partners: list[PartnerRecord] = []
    for i in range(n_partners):
        system = "salesforce" if i % 2 == 0 else "hubspot"
        partners.append(
            PartnerRecord(
                ref=SourceRef(system=system, id=f"p{i:09d}"),
                modified_at=start + timedelta(minutes=i),
                name=f"Partner {i}",
                domain=f"partner{i}.example.com",
                owner=SourceRef(system=system, id=f"u{i % 50}"),
                partner_since=date(2020, 1, 1) + timedelta(days=i % 1500),
                tags={"health_score": str(rng.randint(0, 100)), "health_grade": None},
            )
        )
    out: list[AnyRecord] = list(partners)
    for i in range(n_deals):
        p = partners[rng.randrange(n_partners)]
        out.append(
            Deal(
                ref=SourceRef(system=p.ref.system, id=f"d{i:09d}"),
                modified_at=start + timedelta(seconds=i),
                partner=p.ref,
                name=f"Deal {i}",
                amount=Decimal(rng.randint(100, 10_000_000)) / 100,
                close_date=date(2024, 1, 1) + timedelta(days=i % 365),
                won=i % 3 == 0,
                closed=i % 2 == 0,
            )
        )
    kinds = list(ActivityKind)
    for i in range(n - n_partners - n_deals):
        p = partners[rng.randrange(n_partners)]
        stamp = start + timedelta(seconds=i)
        out.append(
            Activity(
                ref=SourceRef(system=p.ref.system, id=f"a{i:09d}"),
                modified_at=stamp,
                partner=p.ref,
                kind=kinds[i % len(kinds)],
                occurred_at=stamp - timedelta(hours=1),
                owner=p.owner,
                subject=f"Follow-up {i}",
                is_open=i % 4 == 0,
            )
        )
    return out


def pages(records: Sequence[AnyRecord], size: int) -> list[Page]:
    """Pages of ``size`` with the cursor each would commit."""
    out = []
    for start in range(0, len(records), size):
        chunk = tuple(records[start : start + size])
        last = chunk[-1]
        cursor = Cursor(
            system=last.ref.system,
            stream="bench",
            modified_at=last.modified_at,
            last_id=last.ref.id,
        )
        out.append(Page(stream="bench", records=chunk, cursor=cursor))
    return out


def measure(url: str, batch: Sequence[Page]) -> dict[str, float]:
    """Save every page twice (insert, then all-conflict update); records/s of each pass."""
    engine = make_engine(url)
    try:
        migrate(engine)
        store = SqlStore(engine, "bench")
        n = sum(len(p.records) for p in batch)
        result: dict[str, float] = {}
        for label in ("insert", "update"):
            began, cpu = time.perf_counter(), time.process_time()
            for page in batch:
                store.save_page("bench", page, run_id="bench-run")
            seconds = time.perf_counter() - began
            result[f"{label}_seconds"] = round(seconds, 3)
            result[f"{label}_records_per_s"] = round(n / seconds)
            # This process's CPU only (for SQLite: all the work; for PostgreSQL: the client).
            result[f"{label}_records_per_cpu_s"] = round(n / (time.process_time() - cpu))
        began = time.perf_counter()
        read = sum(len(store.records(kind)) for kind in (PartnerRecord, Deal, Activity))
        seconds = time.perf_counter() - began
        assert read == n, f"read back {read} of {n} records"
        result["read_seconds"] = round(seconds, 3)
        result["read_records_per_s"] = round(n / seconds)
        return result
    finally:
        engine.dispose()


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pp-bench-") as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_url(admin_url: str) -> Iterator[str]:
    """A throwaway database on the server of ``admin_url``, dropped afterwards."""
    name = f"pp_bench_{secrets.token_hex(4)}"
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    load = os.getloadavg()[0]
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def render_section(report: dict[str, Any]) -> str:
    rows = [
        "| backend | records | page size | insert records/s | re-save records/s "
        "| read records/s | insert records per CPU-second of this process |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for backend, r in report["backends"].items():
        rows.append(
            f"| {backend} | {report['records']:,} | {report['page_size']:,} "
            f"| {r['insert_records_per_s']:,} | {r['update_records_per_s']:,} "
            f"| {r['read_records_per_s']:,} | {r['insert_records_per_cpu_s']:,} |"
        )
    return "\n".join(
        [
            SECTION,
            "",
            "`python -m bench.store_bench` saves generated canonical records (10% partners, "
            "20% deals, 70% activities) through `SqlStore.save_page` — records, cursor, "
            "one transaction per page — into a fresh database, then saves the same pages "
            "again (every row an `ON CONFLICT` update, the re-read case), then reads every "
            "record back as canonical models (`SqlStore.records`).",
            "",
            *rows,
            "",
            f"Target: ≥ {TARGET_SQLITE:,} records/s on SQLite. Measured {report['measured_at']} "
            f"on {report['machine']}; PostgreSQL {report.get('postgres_version', '?')} on "
            "the same machine over loopback. Wall-clock figures move with whatever else "
            "the machine runs; the last column (CPU time of the benchmark process) moves "
            "less, and for SQLite it is all the work.",
            "",
            "How the store writes a page, and where the time goes:",
            "",
            "- Rows are tuples built straight from the frozen models (no `model_dump`), with "
            "values already in the driver's form; SQLAlchemy's per-parameter processing is "
            "bypassed on this one path (`connector/store/rows.py`, `bulk.py`).",
            "- SQLite: one prepared `INSERT ... ON CONFLICT DO UPDATE` through the driver's "
            "executemany, in a `BEGIN IMMEDIATE` transaction; WAL, `synchronous=NORMAL`, a "
            "64 MiB page cache and a checkpoint every ~40 MB of WAL. An activity row updates "
            "four B-trees (table, primary key, the 8-column covering `ix_activities_by_partner` "
            "scoring reads, `task_key`); the covering index is about two thirds of the "
            "database's share, and since a page's activities belong to partners all over the "
            "index, each commit writes many index pages to the WAL.",
            "- PostgreSQL: `COPY` into a temporary staging table, then one "
            "`INSERT ... SELECT ... ON CONFLICT DO UPDATE`. Against psycopg's pipelined "
            "executemany and an `unnest(array, ...)` insert it used the least client CPU "
            "(about half of executemany's) and was the fastest wall-clock of the three.",
            "",
        ]
    )


def update_docs(section: str) -> None:
    """Replace the ``## State store`` section of docs/benchmarks.md, keeping the rest."""
    current = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    lines = current.splitlines()
    if SECTION in lines:
        begin = lines.index(SECTION)
        end = next(
            (i for i in range(begin + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[begin:end] = section.rstrip("\n").splitlines() + ([""] if end < len(lines) else [])
        new = "\n".join(lines).rstrip("\n") + "\n"
    else:
        new = current.rstrip("\n") + "\n\n" + section
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(new)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_bench", description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=2_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin URL of the server")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    records = generate(args.records)
    batch = pages(records, args.page_size)
    report: dict[str, Any] = {
        "records": len(records),
        "page_size": args.page_size,
        "machine": machine(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d"),
        "backends": {},
    }
    with sqlite_url() as url:
        report["backends"]["sqlite (file, WAL)"] = measure(url, batch)
    with postgres_url(args.postgres) as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            report["postgres_version"] = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        report["backends"]["postgresql"] = measure(url, batch)

    print(f"{'backend':<20} {'insert rec/s':>14} {'re-save rec/s':>14} {'read rec/s':>12}")
    for backend, r in report["backends"].items():
        print(
            f"{backend:<20} {r['insert_records_per_s']:>14,} {r['update_records_per_s']:>14,}"
            f" {r['read_records_per_s']:>12,}"
        )
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        update_docs(render_section(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
