"""``partnerpulse sandbox``: serve a generated (or fixture) world, or write one to a folder.

``serve`` prints exactly one JSON line on stdout once both CRMs listen (see
:meth:`SandboxHandle.ready_line`) and runs until SIGINT or SIGTERM. Bad input —
a fault spec, a fixture folder, a busy port — ends with one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import gc
import json
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from sandbox.common.faults import FaultSpecError, parse_fault_spec
from sandbox.fixture import FixtureError, load_fixture, write_fixture
from sandbox.world import World, generate_world

app = typer.Typer(
    name="sandbox",
    help="A local, protocol-faithful Salesforce and HubSpot with a generated world.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

BAD_INPUT = 2


class Tier(StrEnum):
    """HubSpot tiers ``serve`` accepts (``pro`` is ``professional``); see ``HUBSPOT_TIERS``."""

    free = "free"
    starter = "starter"
    pro = "pro"
    professional = "professional"
    enterprise = "enterprise"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(BAD_INPUT)


@app.command()
def serve(
    partners: Annotated[int, typer.Option(min=1, help="Partners to generate.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the generated world and fault draws.")] = 1,
    fixture: Annotated[
        Path | None, typer.Option(help="Serve this fixture folder instead of generating.")
    ] = None,
    latency_ms: Annotated[float, typer.Option(min=0, help="Added to every API call.")] = 0.0,
    faults: Annotated[
        str, typer.Option(help="Fault spec, e.g. 'salesforce.429=0.05,*.token-expiry=300'.")
    ] = "",
    hubspot_tier: Annotated[
        Tier, typer.Option(case_sensitive=False, help="HubSpot rate-limit preset.")
    ] = Tier.professional,
    write_config_to: Annotated[
        Path | None,
        typer.Option(
            "--write-config", help="Write a PartnerPulse config (secrets in files beside it)."
        ),
    ] = None,
    port_salesforce: Annotated[int, typer.Option(min=0, max=65535)] = 0,
    port_hubspot: Annotated[int, typer.Option(min=0, max=65535)] = 0,
) -> None:
    """Run both sandbox CRMs until stopped; prints one JSON line when ready."""
    try:
        parse_fault_spec(faults)
    except FaultSpecError as exc:
        raise _fail(f"--faults: {exc}") from None
    world = _world(fixture, partners, seed)
    # Imported only now: the servers' import cost is not for `generate` or for bad input.
    from sandbox.serve import RecordsRejected, start_sandbox, write_config

    with _workdir() as workdir:
        try:
            handle = start_sandbox(
                world,
                latency_ms=latency_ms,
                faults=faults,
                seed=seed,
                hubspot_tier=hubspot_tier.value,
                port_salesforce=port_salesforce,
                port_hubspot=port_hubspot,
                workdir=workdir,
            )
        except OSError as exc:
            raise _fail(f"cannot listen: {exc.strerror or exc}") from None
        except RecordsRejected as exc:
            where = fixture / exc.system if fixture else f"generated {exc.system} records"
            raise _fail(f"{where}: {exc.reason}") from None
        del world
        gc.collect()
        gc.freeze()  # the stores live as long as the process: keep them out of GC passes
        with handle:
            line = handle.ready_line()
            if write_config_to is not None:
                line["config"] = str(write_config(handle, write_config_to))
            typer.echo(json.dumps(line))
            _wait_for_signal()


def _world(fixture: Path | None, partners: int, seed: int) -> World:
    if fixture is None:
        return generate_world(partners, seed)
    try:
        return load_fixture(fixture)
    except FixtureError as exc:
        raise _fail(str(exc)) from None


@contextmanager
def _workdir() -> Iterator[Path]:
    """TLS files and secret files of one run; removed when the sandbox stops."""
    path = Path(tempfile.mkdtemp(prefix="partnerpulse-sandbox-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _wait_for_signal() -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command()
def generate(
    partners: Annotated[int, typer.Option(min=1, help="Partners to generate.")],
    out: Annotated[Path, typer.Option(help="Fixture folder to write (created if missing).")],
    seed: Annotated[int, typer.Option(help="Seed of the generated world.")] = 1,
) -> None:
    """Write a generated world as a fixture folder and print a one-line summary."""
    if out.exists() and not out.is_dir():
        raise _fail(f"--out {out}: exists and is not a folder")
    started = time.perf_counter()
    world = generate_world(partners, seed)
    try:
        write_fixture(world, out, fork=True)
    except OSError as exc:
        raise _fail(f"--out {out}: {exc.strerror or exc}") from None
    counts = world.counts()
    parts = " ".join(f"{name}={count}" for name, count in counts.items())
    typer.echo(
        f"wrote {sum(counts.values())} records for {partners} partners (seed {seed}) "
        f"to {out} in {time.perf_counter() - started:.1f}s: {parts}"
    )
