"""Emulated time. `time_scale` 1 is the vendors' real timings, 0 makes every async transition complete on
the next observation (poll), anything between shortens real timings proportionally."""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    def __init__(self, time_scale: float = 1.0, now: Callable[[], float] = time.time) -> None:
        self.time_scale = time_scale
        self._now = now
        self._offset = 0.0

    def now(self) -> float:
        return self._now() + self._offset

    def advance(self, seconds: float) -> None:
        """Move emulated time forward (control plane and tests)."""
        self._offset += seconds

    def reached(self, started_at: float, real_duration: float, observations: int) -> bool:
        """Has a transition that takes `real_duration` seconds at the vendor finished?

        `observations` is how many times a client has seen the object since the transition began; at
        time scale 0 one observation is enough, so tests never wait on wall time.
        """
        if self.time_scale <= 0:
            return observations >= 1
        return self.now() - started_at >= real_duration * self.time_scale
