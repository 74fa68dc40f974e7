"""Reading the next page while this one is mapped and stored.

A pull is a chain: ask for a page, wait for it, map it, store it, ask for the next. The
CRM works while we wait and we work while it waits. :func:`prefetched` runs the asking
in a background thread, ``depth`` pages ahead, so the two overlap: on HubSpot, whose
search calls are paced at five a second, the mapping, association reads and the store's
commit then fit between two searches instead of adding to them.

Only pages are read ahead, never committed: a page's cursor is still committed with the
page by the consumer, so a crash loses at most the pages read ahead, which the next run
reads again. An error raised while reading (budget spent, retries exhausted) reaches the
consumer after the pages read before it, at the point it would have raised without the
thread. When the consumer stops early (a stop request, an error of its own) the reader is
told to stop after the call it is in.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_POLL_S = 0.05


class _End:
    """The reader ran out of pages."""


def prefetched(pages: Iterator[T], *, depth: int = 1, name: str = "prefetch") -> Iterator[T]:
    """Yield ``pages``' items in order, reading up to ``depth`` ahead in a thread."""
    slots: queue.Queue[tuple[T | None, BaseException | _End | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[T | None, BaseException | _End | None]) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=_POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def read() -> None:
        try:
            for page in pages:
                if not put((page, None)):
                    return
            put((None, _End()))
        except BaseException as exc:  # handed to the consumer, raised there
            put((None, exc))

    reader = threading.Thread(target=read, name=name, daemon=True)
    reader.start()
    try:
        while True:
            page, signal = slots.get()
            if isinstance(signal, _End):
                return
            if signal is not None:
                raise signal
            yield cast("T", page)
    finally:
        stop.set()
