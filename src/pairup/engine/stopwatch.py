"""Stopwatch: named phase durations, for the statistics `assign_detailed` reports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    """`with watch("solving"): ...` adds the block's wall time to `watch.seconds["solving"]`.

    A phase may run many times (each round of a search) and its times add up; a phase that
    never ran has no entry.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.seconds[phase] = self.seconds.get(phase, 0.0) + spent
