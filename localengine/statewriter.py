"""Saving state for many concurrent steps with as few writes as their order allows.

Every step saves the whole state (as the Pulumi CLI does): a run of N resources wrote N snapshots of up to
N resources each, with every secret encrypted anew each time, which made a first `up` grow quadratically.
`CoalescingSaver.save(take)` keeps the guarantee each step relies on (when it returns, state at least as
new as the step's own changes is on disk) but lets one caller write for all that asked meanwhile: the
caller that finds no write in progress takes the snapshot (after every waiting caller made its changes)
and writes it; those that asked before it took the snapshot return when it is written.

A write costs time in proportion to the state's size, and a large stack's steps finish many times a
second: written back to back, the writes alone would grow with the square of the stack. So a write starts
no sooner than `gap_factor` times the last write's duration after the last one ended; callers arriving
meanwhile join it. Writing then takes at most 1 / (1 + gap_factor) of the run's time, whatever its size;
a small stack's write takes milliseconds, and so does its wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

S = TypeVar("S")


WRITE_GAP_FACTOR = 3.0


class CoalescingSaver(Generic[S]):
    def __init__(
        self,
        write: Callable[[S], None],
        *,
        gap_factor: float = WRITE_GAP_FACTOR,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._write = write
        self._gap_factor = gap_factor
        self._clock = clock
        self._sleep = sleep
        self._last_end = float("-inf")
        self._last_cost = 0.0
        self._cond = threading.Condition()
        self._requested = 0
        self._written = 0
        self._writing = False
        self.writes = 0
        """Writes done (fewer than saves asked for when steps overlap)."""

    def save(self, take: Callable[[], S]) -> None:
        """Return once a snapshot taken after this call began is written; `take` builds the current one."""
        with self._cond:
            self._requested += 1
            mine = self._requested
            while self._written < mine:
                if self._writing:
                    self._cond.wait()
                    continue
                self._writing = True
                self._cond.release()
                written = False
                try:
                    # Callers arriving during this pause wait for this write (`_writing`), their changes made.
                    pause = self._gap_factor * self._last_cost - (self._clock() - self._last_end)
                    if pause > 0:
                        self._sleep(pause)
                    with self._cond:
                        covered = self._requested
                    started = self._clock()
                    self._write(take())
                    written = True
                finally:
                    self._cond.acquire()
                    self._writing = False
                    if written:
                        self._last_end = self._clock()
                        self._last_cost = self._last_end - started
                        self._written = max(self._written, covered)
                        self.writes += 1
                    self._cond.notify_all()
