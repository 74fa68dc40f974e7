"""The efficiency benchmark's tables in ``docs/benchmarks.md``, regenerated between markers.

:func:`render` turns the results of each size (``bench/results/<size>.json``) into
Markdown; :func:`replace_block` puts it between ``<!-- bench:begin -->`` and
``<!-- bench:end -->`` and leaves the rest of the file as it was. :func:`targets` checks
the figures against issue 9's targets, so the table says which are met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
SYSTEM_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot"}
PHASE_NAMES = {
    "full": "full pull",
    "unchanged": "nothing changed",
    "incremental": "incremental, 1 % changed",
    "apply": "apply (tags + tasks)",
}
GIB_KIB = 1024 * 1024


class MarkersMissing(ValueError):
    """The document lacks the begin/end markers (or has them out of order)."""


def replace_block(text: str, block: str) -> str:
    """``text`` with everything between the markers replaced by ``block``."""
    start = text.find(BEGIN)
    end = text.find(END)
    if start < 0 or end < 0 or end < start or text.count(BEGIN) != 1 or text.count(END) != 1:
        raise MarkersMissing(f"expected one {BEGIN} followed by one {END}")
    head = text[: start + len(BEGIN)]
    tail = text[end:]
    return f"{head}\n{block.strip()}\n{tail}"


def _n(value: float | int | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def _x(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "–"
    return f"{a / b:.2f}×"


def _mb(kib: int | None) -> str:
    return "–" if kib is None else f"{kib / 1024:,.0f} MB"


def calls_table(fig: Mapping[str, Any]) -> list[str]:
    lines = [
        "| phase | CRM | records | calls | minimum | ÷ minimum | baseline calls | "
        "PartnerPulse ÷ baseline | 429s (PartnerPulse / baseline) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in ("full", "unchanged", "incremental", "apply"):
        rows = fig["phases"].get(phase, {}).get("systems", {})
        total: dict[str, float | None] = {}
        for system in ("salesforce", "hubspot"):
            r = rows.get(system)
            if r is None:
                continue
            records = r.get("records")
            if phase == "apply":
                planned = r.get("planned", {})
                records = planned.get("tag_records", 0) + planned.get("task_creates", 0)
            base = r.get("baseline_calls_all", r.get("baseline_calls"))
            limited = f"{r.get('rate_limited', 0)} / {r.get('baseline_rate_limited', '–')}"
            lines.append(
                f"| {PHASE_NAMES[phase]} | {SYSTEM_NAMES[system]} | {_n(records)} | "
                f"{_n(r['calls'])} | {_n(r['minimum'])} | {_x(r['calls'], r['minimum'])} | "
                f"{_n(base)} | {_x(r['calls'], base)} | {limited} |"
            )
            for key, value in (
                ("records", records),
                ("calls", r["calls"]),
                ("minimum", r["minimum"]),
                ("baseline", base),
            ):
                # A figure missing for one CRM leaves the sum unknown, not smaller.
                so_far = total.get(key, 0)
                total[key] = None if so_far is None or value is None else so_far + value
        if total:
            lines.append(
                f"| {PHASE_NAMES[phase]} | **both** | {_n(total['records'])} | "
                f"**{_n(total['calls'])}** | {_n(total['minimum'])} | "
                f"**{_x(total['calls'], total['minimum'])}** | {_n(total['baseline'])} | "
                f"**{_x(total['calls'], total['baseline'])}** | |"
            )
    return lines


def time_table(fig: Mapping[str, Any]) -> list[str]:
    lines = [
        "| phase | CRM | wall s | rate-limit bound s | ÷ bound | baseline wall s | "
        "PartnerPulse ÷ baseline |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for phase in ("full", "unchanged", "incremental", "apply"):
        rows = fig["phases"].get(phase, {}).get("systems", {})
        for system in ("salesforce", "hubspot"):
            r = rows.get(system)
            if r is None:
                continue
            base = r.get("baseline_seconds_all", r.get("baseline_seconds"))
            lines.append(
                f"| {PHASE_NAMES[phase]} | {SYSTEM_NAMES[system]} | {_s(r['seconds'])} | "
                f"{_s(r['bound_s'])} | {_x(r['seconds'], r['bound_s'])} | {_s(base)} | "
                f"{_x(r['seconds'], base)} |"
            )
    return lines


def local_table(figs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        "| size | records pulled | pull s | link s | score s | plan s | apply s | "
        "pull records/s | end-to-end records/s | records per CPU-second of the sync | "
        "peak RSS (full sync) | peak RSS (write run) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, fig in figs.items():
        loc = fig.get("local")
        if loc is None:
            continue
        s = loc["seconds"]
        rss = loc["peak_rss_kib"]
        lines.append(
            f"| {size} | {_n(loc['records'])} | {_s(s['pull'])} | {_s(s['link'])} | "
            f"{_s(s['score'])} | {_s(s['plan'])} | {_s(loc['apply_seconds'])} | "
            f"{_n(loc['pull_records_per_s'])} | **{_n(loc['end_to_end_records_per_s'])}** | "
            f"{_n(loc.get('records_per_cpu_s'))} | {_mb(rss.get('full'))} | "
            f"{_mb(rss.get('write'))} |"
        )
    return lines


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured at this size


def _systems(fig: Mapping[str, Any], phase: str) -> Mapping[str, Any]:
    systems: Mapping[str, Any] = fig["phases"].get(phase, {}).get("systems", {})
    return systems


def targets(figs: Mapping[str, Mapping[str, Any]]) -> list[Target]:
    """Issue 9's targets against the figures of every size measured."""
    out: list[Target] = []
    for size, fig in figs.items():
        full = _systems(fig, "full")
        if full:
            calls = sum(r["calls"] for r in full.values())
            minimum = sum(r["minimum"] for r in full.values())
            out.append(
                Target(
                    f"{size}: full pull calls ≤ 1.05 × minimum",
                    f"{calls:,} / {minimum:,} = {calls / minimum:.2f}×",
                    calls <= 1.05 * minimum,
                )
            )
        unchanged = _systems(fig, "unchanged")
        if unchanged:
            streams = int(fig["phases"]["unchanged"].get("streams", 0))
            token = unchanged.get("salesforce", {}).get("by_endpoint", {}).get("token", 0)
            calls = sum(r["calls"] for r in unchanged.values()) - token
            out.append(
                Target(
                    f"{size}: nothing changed ≤ 1 call per stream",
                    f"{calls} calls for {streams} streams (+{token} Salesforce sign-in)",
                    calls <= streams,
                )
            )
        applied = _systems(fig, "apply")
        for system, r in applied.items():
            out.append(
                Target(
                    f"{size}: {SYSTEM_NAMES[system]} write calls = "
                    + ("⌈n/200⌉" if system == "salesforce" else "⌈n/100⌉")
                    + " per kind",
                    f"{r['calls']} calls, minimum {r['minimum']} "
                    f"({', '.join(f'{k} {v}' for k, v in r['minimum_by_kind'].items() if v)})",
                    r["calls"] <= r["minimum"],
                )
            )
        if applied and all("baseline_calls_all" in r for r in applied.values()):
            mine = sum(r["calls"] for r in applied.values())
            theirs = sum(r["baseline_calls_all"] for r in applied.values())
            out.append(
                Target(
                    f"{size}: ≥ 20 × fewer write calls than the baseline",
                    f"{theirs:,} / {mine:,} = {theirs / mine:.0f}× fewer" if mine else "–",
                    bool(mine) and theirs >= 20 * mine,
                )
            )
        for phase in ("full", "incremental", "apply"):
            hs = _systems(fig, phase).get("hubspot")
            if not hs or not hs.get("bound_s"):
                continue
            ratio = hs["seconds"] / hs["bound_s"]
            limited = hs.get("rate_limited", 0)
            share = limited / hs["calls"] if hs["calls"] else 0.0
            out.append(
                Target(
                    f"{size}: HubSpot {PHASE_NAMES[phase]} wall ≤ 1.15 × bound, 429s < 1 %",
                    f"{hs['seconds']:.1f} s / {hs['bound_s']:.1f} s = {ratio:.2f}×, "
                    f"{limited} × 429 ({share:.1%})",
                    ratio <= 1.15 and share < 0.01,
                )
            )
        loc = fig.get("local")
        if loc is not None:
            rate = loc["end_to_end_records_per_s"]
            out.append(
                Target(
                    f"{size}: local throughput ≥ 20,000 records/s end to end",
                    f"{rate:,} records/s",
                    rate >= 20_000,
                )
            )
    ref = figs.get("reference", {}).get("local")
    small = figs.get("small", {}).get("local")
    if ref is not None:
        rss = max(ref["peak_rss_kib"].values())
        out.append(Target("reference: peak RSS ≤ 1 GB", _mb(rss), rss <= GIB_KIB))
        if small is not None:
            data = ref["records"] / small["records"]
            grew = rss / max(small["peak_rss_kib"].values())
            out.append(
                Target(
                    "peak RSS grows clearly slower than the data",
                    f"data × {data:.1f}, peak RSS × {grew:.1f}",
                    grew < data / 2,
                )
            )
    else:
        out.append(Target("reference: peak RSS ≤ 1 GB", "not measured", None))
    return out


def targets_table(figs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    marks = {True: "yes", False: "**no**", None: "not measured"}
    for t in targets(figs):
        lines.append(f"| {t.name} | {t.measured} | {marks[t.met]} |")
    return lines


def render(results: Mapping[str, Mapping[str, Any]], order: Sequence[str] = ()) -> str:
    """The whole block for every size in ``results`` (``size -> results json``)."""
    sizes = [s for s in (*order, *results) if s in results]
    sizes = list(dict.fromkeys(sizes))
    figs = {s: results[s]["figures"] for s in sizes}
    out: list[str] = []
    for size in sizes:
        r = results[size]
        fig = figs[size]
        counts = r["passes"].get("rate", r["passes"].get("local", {})).get("counts", {})
        records = sum(
            n
            for system in counts.values()
            for name, n in system.items()
            if not name.startswith("owners")
        )
        out.append(
            f"**{size}** — {r['partners']:,} partners, {records:,} CRM records "
            f"(seed {r['seed']}); measured {r['measured_at']}, {r['machine']}, "
            f"load average {r['load_average'][0]} at the end; whole run "
            f"{r['duration_s'] / 60:.1f} min."
        )
        out.append("")
        if fig.get("phases"):
            out.append(
                f"API calls (rate pass: HubSpot Professional limits, {r['latency_ms']:.0f} ms a "
                "call). The baseline re-reads everything every run, so its read figure is "
                "the same full read in each pull row."
            )
            out.append("")
            out.extend(calls_table(fig))
            out.append("")
            out.append("Wall time against the rate-limit bound (same runs):")
            out.append("")
            out.extend(time_table(fig))
            out.append("")
            scoring = fig["phases"].get("scoring", {}).get("seconds", {})
            if scoring:
                out.append(
                    f"Scoring and planning in the full run: link {_s(scoring.get('link'))} s, "
                    f"score {_s(scoring.get('score'))} s ({fig.get('scored', 0):,} partners), "
                    f"plan {_s(scoring.get('plan'))} s — no API calls."
                )
                out.append("")
    if any(f.get("local") for f in figs.values()):
        out.append(
            "Local throughput (local pass: no latency, no rate limits, governor not sleeping; "
            "full sync as a dry run, apply from the write run):"
        )
        out.append("")
        out.extend(local_table(figs))
        out.append("")
    out.append("Targets (issue 9):")
    out.append("")
    out.extend(targets_table(figs))
    return "\n".join(out)
