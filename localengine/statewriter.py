"""Saving state for many concurrent steps with as few writes as their order allows.

Every step saves the whole state (as the Pulumi CLI does): a run of N resources wrote N snapshots of up to
N resources each, with every secret encrypted anew each time, which made a first `up` grow quadratically.
`CoalescingSaver.save(take)` keeps the guarantee each step relies on (when it returns, state at least as
new as the step's own changes is on disk) but lets one caller write for all that asked meanwhile: the
caller that finds no write in progress takes the snapshot (after every waiting caller made its changes)
and writes it; those that asked before it took the snapshot return when it is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

S = TypeVar("S")


class CoalescingSaver(Generic[S]):
    def __init__(self, write: Callable[[S], None]) -> None:
        self._write = write
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
                covered = self._requested
                self._cond.release()
                try:
                    self._write(take())
                    written = True
                except BaseException:
                    written = False
                    raise
                finally:
                    self._cond.acquire()
                    self._writing = False
                    if written:
                        self._written = max(self._written, covered)
                        self.writes += 1
                    self._cond.notify_all()
