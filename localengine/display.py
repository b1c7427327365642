"""Output like the Pulumi CLI's non-interactive display: one line per resource step with its op, progress
while a slow step waits, diagnostics, then the stack outputs (secrets as [secret]) and a summary."""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import Counter
from typing import Any, TextIO

from localengine.deployment import PROVIDER_PREFIX, StepEvent
from localengine.display_values import diff_lines, object_lines, stack_output_lines
from localengine.props import UNKNOWN, blind, contains_unknown, is_secret

SYMBOLS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    "same": " ",
    "refresh": "~",
    "read": ">",
}
PAST = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "replace": "replaced",
    "create-replacement": "created replacement",
    "delete-replaced": "deleted original",
    "same": "unchanged",
    "refresh": "refreshed",
}
PRESENT = {
    "create": "creating",
    "update": "updating",
    "delete": "deleting",
    "create-replacement": "creating replacement",
    "replace": "replacing",
    "refresh": "refreshing",
}
SUMMARY_ORDER = ["create", "update", "delete", "replace"]
HEARTBEAT_AFTER = 5.0
HEARTBEAT_EVERY = 10.0
PROGRESS_EVERY = 5.0  # at most one progress line per resource this often


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


class Display:
    def __init__(
        self,
        out: TextIO | None = None,
        *,
        preview: bool,
        show_sames: bool = False,
        show_diff: bool = False,
    ) -> None:
        self.out = out or sys.stdout
        self.preview = preview
        self.show_sames = show_sames
        self.show_diff = show_diff
        self._progress_last: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._inflight: dict[str, tuple[str, str, float, float]] = {}
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.diagnostics: list[dict[str, str]] = []
        self.started = time.monotonic()
        self._lines_since_heading = 0
        # The stack's outputs before the run (None: the stack is new): the Outputs section shows its diff.
        self.old_outputs: dict[str, Any] | None = None

    def print(self, line: str = "") -> None:
        with self._lock:
            self._lines_since_heading += 1
            print(line, file=self.out, flush=True)

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self, heading: str) -> None:
        self.print(heading)
        self.print()
        self._lines_since_heading = 0
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            now = time.monotonic()
            with self._lock:
                due = []
                for urn, (op, type_, started, last) in self._inflight.items():
                    if now - started >= HEARTBEAT_AFTER and now - last >= HEARTBEAT_EVERY:
                        due.append((urn, op, type_, started))
                        self._inflight[urn] = (op, type_, started, now)
            for urn, op, type_, started in due:
                waited = f"({now - started:.0f}s)"
                self.print(f" {SYMBOLS.get(op, ' '):<2} {type_} {_name(urn)} {PRESENT.get(op, op)} {waited}")

    # -- engine events -----------------------------------------------------------------------------------
    def step_started(self, op: str, urn: str, type_: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._inflight[urn] = (op, type_, now, now)

    def step_done(self, event: StepEvent) -> None:
        with self._lock:
            self._inflight.pop(event.urn, None)
        if event.type.startswith(PROVIDER_PREFIX) and _name(event.urn).startswith("default"):
            return
        if event.op in ("delete-replaced", "create-replacement"):
            return
        if not event.error:
            self.counts[event.op] += 1
        if event.op == "same" and not self.show_sames:
            return
        symbol = SYMBOLS.get(event.op, " ")
        if event.error:
            status = f"{PRESENT.get(event.op, event.op)} failed"
        elif self.preview:
            status = event.op
        else:
            status = PAST.get(event.op, event.op) + (
                f" ({event.duration:.1f}s)" if event.duration >= 0.05 else ""
            )
        extra = ""
        if event.display_keys:
            marks = ",".join(f"~{k}" for k in event.display_keys)
            extra = f" [diff: {marks}]"
        if event.replace_reasons:
            extra += f" [replace: {','.join(event.replace_reasons)}]"
        if event.retained:
            extra += " [retain]"
        self.print(f" {symbol:<2} {event.type} {_name(event.urn)} {status}{extra}")
        if self.show_diff and not event.error:
            for line in step_diff_lines(event):
                self.print(line)

    def progress(self, line: str) -> None:
        # Providers report what they wait on ("neon project acme-dev: ..."); the part before the first
        # ": " names the resource. One line per resource every PROGRESS_EVERY seconds at most.
        key = line.split(": ", 1)[0]
        now = time.monotonic()
        with self._lock:
            last = self._progress_last.get(key)
            if last is not None and now - last < PROGRESS_EVERY:
                return
            self._progress_last[key] = now
        self.print(f"    ... {line}")

    def diagnostic(self, severity: str, message: str, urn: str = "") -> None:
        self.diagnostics.append({"severity": severity, "message": message, "urn": urn})
        where = f" {urn}" if urn and severity in ("error", "warning") else ""
        # Info (what the program prints, too) carries no prefix, as the CLI shows it.
        head = "" if severity in ("info", "info#err") else f"{severity}:{where} "
        lines = message.splitlines() or [""]
        self.print(f"    {head}{lines[0]}")
        for line in lines[1:]:
            self.print(f"    {line}")

    def log(self, line: str) -> None:
        # Provider stderr other than progress: shown as Pulumi shows a provider's stderr, indented.
        self.print(f"    {line}")

    # -- the end -----------------------------------------------------------------------------------------
    def outputs(self, outputs: dict[str, Any]) -> None:
        """The `Outputs:` section, laid out as the CLI's (see `localengine.display_values`)."""
        if self._lines_since_heading:
            self.print()
        lines = stack_output_lines(outputs, self.old_outputs, preview=self.preview)
        if not lines:
            return
        self.print("Outputs:")
        for line in lines:
            self.print(line)
        self.print()

    def summary(self, *, failed: bool) -> None:
        """`Resources:` with a line per kind of change, the total only when there are several kinds, the
        unchanged count, then (an update, not a preview) the duration rounded up, as the CLI's summary."""
        self.print("Resources:")
        changes = kinds = 0
        for op in SUMMARY_ORDER:
            count = self.counts.get(op, 0)
            if not count:
                continue
            changes += count
            kinds += 1
            word = f"to {op}" if self.preview else PAST[op]
            symbol = SYMBOLS[op]
            self.print(f"    {symbol}{' ' if len(symbol) == 1 else ''}{count} {word}")
        pieces = [f"{changes} change{'s' if changes != 1 else ''}"] if kinds >= 2 else []
        unchanged = self.counts.get("same", 0)
        if unchanged:
            pieces.append(f"{unchanged} unchanged")
        if pieces:
            self.print("    " + ". ".join(pieces))
        if not self.preview:
            self.print()
            self.print(f"Duration: {go_duration(math.ceil(time.monotonic() - self.started))}")
        self.print()


def go_duration(seconds: int) -> str:
    """Whole seconds as Go's `time.Duration` prints them: `0s`, `45s`, `1m5s`, `2h0m1s`."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def step_diff_lines(event: StepEvent) -> list[str]:
    """`--diff`: under a step, its properties as the CLI's diff view shows them (two levels in): a create's
    inputs, a delete's, or for an update or a replace the properties that differ, old and new values, the
    ones that force a replacement marked."""
    old, new = event.old, event.new
    if event.op == "same":
        return []
    if old is not None and new is not None:
        replacing = event.op in ("replace", "create-replacement")
        return diff_lines(
            old.inputs,
            new.inputs,
            2,
            include=event.diff_reasons or None,
            replace_keys=event.replace_reasons if replacing else (),
        )
    state = new or old
    return object_lines(state.inputs, 2) if state is not None else []


def format_value(value: Any) -> str:
    if is_secret(value):
        return "[secret]"
    if value == UNKNOWN or (isinstance(value, dict | list) and contains_unknown(value) and False):
        return "output<string>"
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(blind(value), sort_keys=True).replace(UNKNOWN, "output<string>")
