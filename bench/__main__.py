"""``python -m bench --size small|reference``: the efficiency benchmark of issue 9.

Runs :func:`bench.efficiency.run_bench` for the size, writes ``bench/results/<size>.json``,
and regenerates the tables in ``docs/benchmarks.md`` between ``<!-- bench:begin -->`` and
``<!-- bench:end -->`` from every ``bench/results/<size>.json`` present. ``--render-only``
skips the runs and only regenerates the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.efficiency import SIZES, figures, run_bench
from bench.table import render, replace_block

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"


def load_results(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for size in SIZES:
        path = folder / f"{size}.json"
        if path.exists():
            result = json.loads(path.read_text(encoding="utf-8"))
            # Figures are derived from the stored runs: recomputed, so the tables follow
            # bench/minimum.py and bench/efficiency.py as they are now.
            result["figures"] = figures(result, float(result["latency_ms"]))
            found[size] = result
    return found


def regenerate(docs: Path, folder: Path) -> None:
    results = load_results(folder)
    if not results:
        raise SystemExit(f"no results in {folder}: run python -m bench --size small first")
    text = docs.read_text(encoding="utf-8")
    docs.write_text(replace_block(text, render(results, order=tuple(SIZES))), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=tuple(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument(
        "--passes",
        default="rate,local",
        help="comma-separated: rate (latency + limits, with the baseline), local",
    )
    parser.add_argument(
        "--baseline-write-limit",
        type=int,
        help="at most this many baseline write calls per CRM (time scaled to all of them)",
    )
    parser.add_argument(
        "--skip-baseline-read",
        action="store_true",
        help="do not run the baseline's full read (at the reference size it takes ~15 min)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the runs' files here")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.render_only:
        passes = tuple(p.strip() for p in args.passes.split(",") if p.strip())
        unknown = set(passes) - {"rate", "local"}
        if unknown:
            parser.error(f"unknown passes: {', '.join(sorted(unknown))}")
        result = run_bench(
            args.size,
            seed=args.seed,
            latency_ms=args.latency_ms,
            passes=passes,
            baseline_write_limit=args.baseline_write_limit,
            baseline_read=not args.skip_baseline_read,
            workdir=args.workdir,
        )
        args.results.mkdir(parents=True, exist_ok=True)
        out = args.results / f"{args.size}.json"
        out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    regenerate(args.docs, args.results)
    print(f"regenerated the tables in {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
