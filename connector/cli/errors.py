"""Turning the connector's errors into one clear line and the exit code DESIGN.md fixes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer

from connector.errors import ConnectorError, ExitCode
from connector.logs import redact_text

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def reported() -> Iterator[None]:
    """Print a ConnectorError as one line on stderr and exit with its code; no traceback."""
    try:
        yield
    except ConnectorError as exc:
        print(f"partnerpulse: {redact_text(str(exc))}", file=sys.stderr)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        print("partnerpulse: interrupted", file=sys.stderr)
        raise typer.Exit(130) from None


def exit_with(code: ExitCode) -> Callable[[], None]:
    def done() -> None:
        raise typer.Exit(int(code))

    return done
