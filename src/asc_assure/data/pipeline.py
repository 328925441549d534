"""Overlap reading, validating and writing a load on separate threads.

PyArrow's CSV parser and Parquet writer release the GIL, so reading the next block and writing the
previous one can run while Polars validates the current one. Order is preserved and at most a couple
of blocks are in flight, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield from ``items`` while a background thread produces the next ``depth`` items."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, re-raised there
            q.put((_DONE, exc))

    thread = threading.Thread(target=produce, name="asc-assure-read", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = q.get()
            if item is _DONE:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        thread.join()


class OrderedWriter:
    """Runs write calls one at a time, in order, on a background thread."""

    def __init__(self, max_pending: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asc-assure-write")
        self._pending: list[Future] = []
        self._max = max_pending

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        while self._pending and self._pending[0].done():
            self._pending.pop(0).result()  # re-raises a write error here
        while len(self._pending) >= self._max:
            self._pending.pop(0).result()  # waits, and re-raises a write error here
        self._pending.append(self._pool.submit(fn, *args))

    def finish(self) -> None:
        """Wait for every write; re-raises the first failure."""
        try:
            for f in self._pending:
                f.result()
        finally:
            self._pending = []
            self._pool.shutdown(wait=True)
