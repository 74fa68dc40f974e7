"""Progress bars on a terminal (rich), one per stream."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class RichProgress:
    """Implements :class:`connector.sync.progress.Progress` with rich bars."""

    def __init__(self, console: Console) -> None:
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}
        self._current: str | None = None
        self._console = console

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close_current()
        self._bars.stop()

    def stream_started(self, system: str, stream: str, expected: int | None) -> None:
        self._close_current()
        key = f"{system}/{stream}"
        self._tasks[key] = self._bars.add_task(key, total=expected)
        self._current = key

    def advanced(self, system: str, stream: str, records: int) -> None:
        task = self._tasks.get(f"{system}/{stream}")
        if task is not None:
            self._bars.advance(task, records)

    def step(self, name: str, detail: str = "") -> None:
        self._close_current()
        if not self._console.is_terminal:
            return
        self._console.print(f"[dim]→ {name}[/] {detail}".rstrip())

    def _close_current(self) -> None:
        if self._current is None:
            return
        task = self._tasks[self._current]
        done = self._bars.tasks[task].completed
        self._bars.update(task, total=done, completed=done)
        self._current = None
