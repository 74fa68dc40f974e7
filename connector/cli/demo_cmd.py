"""``partnerpulse demo``: a sandbox CRM pair in process, one full cycle, and a summary.

No config, no account, no network. The sandbox serves a generated world on loopback;
a config and the state database go to a temporary folder that is kept afterwards, so
``explain`` and ``report`` can read the run's results once the demo has exited.
"""

from __future__ import annotations

import shlex
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from connector.cli.compose import WallClock, build_adapters, close_adapters, open_store
from connector.cli.errors import reported
from connector.cli.progress import RichProgress
from connector.config import load_config
from connector.model import PartnerRecord
from connector.store import SqlStore
from connector.sync.engine import SyncOptions, SyncReport, run_sync

AT_RISK_SHOWN = 5


def demo(
    partners: Annotated[int, typer.Option(min=1, help="Partners in the generated world.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the generated world.")] = 1,
) -> None:
    """Start a sandbox Salesforce and HubSpot, run one full cycle, and summarise it."""
    # Imported here: the sandbox's servers and generator are for the demo only.
    from sandbox.serve import start_sandbox, write_config
    from sandbox.world import generate_world

    console = Console()
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="partnerpulse-demo-"))
    console.print(
        f"[bold]PartnerPulse demo[/]: {partners} partners, seed {seed}; "
        f"files in {escape(str(folder))}",
        soft_wrap=True,
    )
    with reported():
        world = generate_world(partners, seed)
        with start_sandbox(world, seed=seed, workdir=folder / "sandbox") as sandbox:
            del world
            config_path = write_config(sandbox, folder / "config.toml")
            cfg = load_config(config_path)
            store = open_store(cfg)
            clock = WallClock()
            adapters = build_adapters(cfg, clock.now())
            try:
                with RichProgress(console) as progress:
                    report = run_sync(
                        cfg,
                        adapters=adapters,
                        store=store,
                        clock=clock,
                        options=SyncOptions(full=True, kind="demo"),
                        progress=progress,
                    )
            finally:
                close_adapters(adapters)
            names = partner_names(store)
            store.engine.dispose()
    print_demo_summary(
        console,
        report,
        names,
        config_path=config_path,
        folder=folder,
        partners=partners,
        seed=seed,
        elapsed_s=time.perf_counter() - started,
    )


def partner_names(store: SqlStore) -> dict[str, str]:
    """Canonical partner id → a display name (the Salesforce account's, else HubSpot's)."""
    by_ref = {(p.ref.system, p.ref.id): p.name for p in store.records(PartnerRecord)}
    names: dict[str, str] = {}
    for link in sorted(store.links(), key=lambda link: link.ref.system != "salesforce"):
        name = by_ref.get((link.ref.system, link.ref.id))
        if name and link.partner_id not in names:
            names[link.partner_id] = name
    return names


def print_demo_summary(
    console: Console,
    report: SyncReport,
    names: dict[str, str],
    *,
    config_path: Path,
    folder: Path,
    partners: int,
    seed: int,
    elapsed_s: float,
) -> None:
    """Grades, segments, tiers, tasks, the partners most at risk, API calls, next steps."""
    active = [s.snapshot for s in report.scored if not s.snapshot.churned]
    churned = len(report.scored) - len(active)
    console.rule(f"one full cycle: {report.outcome}, {elapsed_s:.1f}s in all")
    console.print(
        f"[bold]{len(active)} active partners scored[/]"
        + (f" ({churned} churned: no tags or tasks for them)" if churned else "")
    )
    _mix(console, "grade", Counter(s.grade.value for s in active), ("healthy", "watch", "at_risk"))
    _mix(
        console,
        "segment",
        Counter(s.segment.value for s in active),
        ("strategic", "prospective", "transactional"),
    )
    _mix(console, "tier", Counter(s.tier.value for s in active), ("gold", "silver", "bronze"))
    console.print(f"[bold]tasks created:[/] {_tasks_created(report)}")

    worst = sorted(active, key=lambda s: (s.score, s.partner_id))[:AT_RISK_SHOWN]
    if worst:
        console.print("[bold]most at risk[/]")
    for n, snap in enumerate(worst, 1):
        name = names.get(snap.partner_id, snap.partner_id)
        why = "; ".join(snap.reasons) or "no reason recorded"
        console.print(
            f"  {n}. {escape(name)} — {snap.score:.0f}/100 ({snap.grade.value}, "
            f"{snap.segment.value}, {snap.tier.value}): {escape(why)}"
        )
    calls = Counter[str]()
    for key, count in report.api_calls.items():
        calls[key.split(":", 1)[0]] += count
    spent = ", ".join(f"{system} {count}" for system, count in calls.items())
    console.print(f"[bold]API calls:[/] {spent or 'none'}")
    for note in report.notes:
        console.print(f"[yellow]note[/] {escape(note)}")

    example = names.get(worst[0].partner_id) if worst else None
    config = _quoted(str(config_path))
    console.rule("try next")
    commands = []
    if example:
        commands.append(f"partnerpulse explain {_quoted(example)} --config {config}")
    commands += [
        f"partnerpulse report --html report.html --config {config}",
        f"partnerpulse status --config {config}",
    ]
    for command in commands:
        console.print(f"  {escape(command)}", soft_wrap=True, highlight=False)
    console.print(
        "  `plan` needs a live CRM, and the demo's sandbox stopped with it. Serve the same world"
        " again in another terminal (it rewrites that config with new ports and credentials;"
        " the state database beside it stays):"
    )
    console.print(
        escape(
            f"    partnerpulse sandbox serve --partners {partners} --seed {seed} "
            f"--write-config {config}"
        ),
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        f"  then:\n    partnerpulse plan --config {config}", soft_wrap=True, highlight=False
    )
    console.print(
        f"Kept in {folder}: the config, its secret files and the state database.",
        soft_wrap=True,
        highlight=False,
    )


def _mix(console: Console, what: str, counts: Counter[str], order: tuple[str, ...]) -> None:
    parts = " · ".join(f"{name.replace('_', ' ')} {counts.get(name, 0)}" for name in order)
    console.print(f"  by {what}: {parts}")


def _tasks_created(report: SyncReport) -> str:
    """Follow-up tasks this run created in each CRM (planned creates the CRM confirmed)."""
    writeback = report.writeback
    if writeback is None:
        return "none (the run stopped before write-back)"
    creates = [op for op in writeback.plan.operations if op.kind == "task_create"]
    if writeback.applied is None:
        return (
            f"none ({len(creates)} planned, not applied)" if creates else "none (write-back is off)"
        )
    failed = {r.key for r in (*writeback.applied.rejected, *writeback.applied.deferred)}
    failed.update(writeback.applied.unanswered)
    done = Counter(op.system for op in creates if op.key not in failed)
    if not creates:
        return "0 (no playbook called for one)"
    per_crm = ", ".join(f"{system} {n}" for system, n in sorted(done.items()))
    return f"{sum(done.values())} ({per_crm})"


def _quoted(text: str) -> str:
    """``text`` as one shell word: bare when safe, in double quotes when that is enough."""
    if text and all(c.isalnum() or c in "/._-:" for c in text):
        return text
    return shlex.quote(text) if any(c in text for c in '"$`\\!') else f'"{text}"'
