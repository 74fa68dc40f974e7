"""Reading pages ahead in a thread: same pages, same order, errors in their place."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from adapters.prefetch import prefetched


class Boom(RuntimeError):
    pass


def test_every_page_arrives_in_order() -> None:
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))
    assert list(prefetched(iter([]))) == []


def test_an_error_while_reading_comes_after_the_pages_read_before_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise Boom("budget spent")

    stream = prefetched(pages())
    assert [next(stream), next(stream)] == [1, 2]
    with pytest.raises(Boom, match="budget spent"):
        next(stream)


def test_the_reader_runs_ahead_while_the_consumer_works_but_no_further_than_depth() -> None:
    read: list[int] = []
    second_read = threading.Event()

    def pages() -> Iterator[int]:
        for n in range(10):
            read.append(n)
            if n == 1:
                second_read.set()
            yield n

    stream = prefetched(pages(), depth=1)
    assert next(stream) == 0
    # While page 0 is being worked on, page 1 is read (and held), page 3 is not.
    assert second_read.wait(5)
    assert read[:2] == [0, 1]
    assert len(read) <= 3  # one held in the queue, one at most blocked on putting it
    stream.close()


def test_a_consumer_that_stops_early_stops_the_reader() -> None:
    def pages() -> Iterator[int]:
        n = 0
        while True:  # an endless CRM: only the stop ends the reader
            yield n
            n += 1

    stream = prefetched(pages(), depth=1, name="stops-early")
    assert [next(stream), next(stream)] == [0, 1]
    stream.close()
    reader = next(t for t in threading.enumerate() if t.name == "stops-early")
    reader.join(5)
    assert not reader.is_alive()
