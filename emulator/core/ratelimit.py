"""Fixed-window request counting, per key (token, endpoint...), in emulated time."""

from __future__ import annotations

import math
from dataclasses import dataclass

from emulator.core.clock import Clock


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds when the window ends
    retry_after: int  # seconds, when not allowed


class RateLimiter:
    def __init__(self, clock: Clock, limit: int, window_seconds: float) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window_seconds
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> Verdict:
        now = self.clock.now()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        reset_at = start + self.window
        if count >= self.limit:
            return Verdict(False, self.limit, 0, reset_at, max(1, math.ceil(reset_at - now)))
        count += 1
        self._windows[key] = (start, count)
        return Verdict(True, self.limit, self.limit - count, reset_at, 0)

    def reset(self) -> None:
        self._windows.clear()
