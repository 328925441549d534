"""Shared measuring helpers for the benchmarks (not a test)."""

from __future__ import annotations

import threading
import time

import psutil


class PeakRSS:
    """Peak resident memory of this process while the block runs, sampled every few milliseconds."""

    def __init__(self, interval: float = 0.005) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self.start_rss = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.start_rss = self.proc.memory_info().rss
        self.peak = self.start_rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)
