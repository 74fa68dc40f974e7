"""How a run reports progress: rich bars on a terminal, log lines in the daemon."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told about each stream as it is pulled, and each later step of the run."""

    def stream_started(self, system: str, stream: str, expected: int | None) -> None: ...

    def advanced(self, system: str, stream: str, records: int) -> None: ...

    def step(self, name: str, detail: str = "") -> None: ...


class SilentProgress:
    """Progress that goes nowhere."""

    def stream_started(self, system: str, stream: str, expected: int | None) -> None:
        return None

    def advanced(self, system: str, stream: str, records: int) -> None:
        return None

    def step(self, name: str, detail: str = "") -> None:
        return None
