"""`--event-log FILE`: the engine events of a run as JSON lines, as the Pulumi CLI writes them.

Each line is one `apitype.EngineEvent` (pulumi/pulumi `sdk/go/common/apitype/events.go`): `sequence`,
`timestamp` and exactly one of `preludeEvent`, `resourcePreEvent`, `resOutputsEvent`, `resOpFailedEvent`,
`diagnosticEvent`, `policyEvent`, `summaryEvent`, `cancelEvent`. Property values are serialised as the
CLI's event log serialises them (`stack.SerializeProperties` with the blinding crypter): a secret is
`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "[secret]"}`, an
unknown (preview) is the computed placeholder string `04da6b54-80e4-46f7-96ec-b56ff0331ba9`.

The engine reports a step once it is done, so a step's `resourcePreEvent` is written right before its
`resOutputsEvent` (or `resOpFailedEvent`); the contents are those the CLI writes, only the moment differs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from localengine.deployment import StepEvent
from localengine.display import Display
from localengine.props import BLINDED, SECRET_SIG, SIG_KEY, is_secret
from localengine.state import ResourceState

# Diagnostics carry the colour mode the display ran with; ours never colours (`--color never`).
COLOR = "never"
LOGICAL_OPS = ("same", "create", "update", "delete", "replace", "read")
# resource.Status of a failed step: the engine does not know whether the vendor half-did it.
STATUS_UNKNOWN = 2


def serialize_value(value: Any) -> Any:
    """A wire value as the CLI's event log holds it: secrets blinded inside a `SecretV1`, the rest as is."""
    if is_secret(value):
        return {SIG_KEY: SECRET_SIG, "ciphertext": BLINDED}
    if isinstance(value, dict):
        return {k: serialize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [serialize_value(v) for v in value]
    return value


def state_metadata(state: ResourceState | None) -> dict[str, Any] | None:
    """`apitype.StepEventStateMetadata` (omitempty fields left out when empty, as Go's encoder does)."""
    if state is None:
        return None
    out: dict[str, Any] = {"type": state.type, "urn": state.urn}
    if state.custom:
        out["custom"] = True
    if state.delete:
        out["delete"] = True
    out["id"] = state.id
    out["parent"] = state.parent
    if state.protect:
        out["protect"] = True
    if state.retain_on_delete:
        out["retainOnDelete"] = True
    out["inputs"] = serialize_value(dict(state.inputs))
    out["outputs"] = serialize_value(dict(state.outputs))
    out["provider"] = state.provider
    return out


def step_metadata(event: StepEvent, op: str | None = None) -> dict[str, Any]:
    """`apitype.StepEventMetadata` of one step."""
    state = event.new or event.old
    metadata: dict[str, Any] = {
        "op": op or event.op,
        "urn": event.urn,
        "type": event.type,
        "old": state_metadata(event.old),
        "new": state_metadata(event.new),
    }
    if event.replace_reasons:
        metadata["keys"] = list(event.replace_reasons)
    diffs = event.diff_reasons or event.display_keys
    if diffs:
        metadata["diffs"] = list(diffs)
    # Not omitempty upstream: null (no detailed diff) and {} are different answers (pulumi#15213).
    metadata["detailedDiff"] = (
        {path: {"diffKind": d.kind, "inputDiff": d.input_diff} for path, d in event.detailed_diff.items()}
        if event.detailed_diff is not None
        else None
    )
    # Step.Logical: the program's own steps; not a replacement's create or its delete of the old copy,
    # nor a refresh.
    if metadata["op"] in LOGICAL_OPS:
        metadata["logical"] = True
    metadata["provider"] = state.provider if state is not None else ""
    return metadata


class EventLog:
    """Writes engine events to a file, one JSON object a line, each on disk as it happens (a consumer may
    tail the file); thread-safe, since steps finish on the engine's worker threads. The file is emptied
    when the log is made; every run of the same engine (`up`'s preview, then the update) appends to it,
    with one sequence across them, as the CLI's log of `pulumi up` holds both."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
        self._lock = threading.Lock()
        self._sequence = 0

    def write(self, kind: str, payload: Mapping[str, Any]) -> None:
        with self._lock:
            event = {"sequence": self._sequence, "timestamp": int(time.time()), kind: dict(payload)}
            self._sequence += 1
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(event, separators=(",", ":")) + "\n")

    # -- one method per event type ---------------------------------------------------------------------
    def prelude(self, config: Mapping[str, str]) -> None:
        self.write("preludeEvent", {"config": dict(config)})

    def step(self, event: StepEvent, *, planning: bool) -> None:
        """A step's pre event, then its outputs or its failure. A replacement is, as in the CLI, a
        `create-replacement` step followed by the logical `replace` step."""
        ops = ["create-replacement", "replace"] if event.op == "replace" else [event.op]
        for op in ops:
            metadata = step_metadata(event, op)
            pre: dict[str, Any] = {"metadata": metadata}
            if planning:
                pre["planning"] = True
            self.write("resourcePreEvent", pre)
            if event.error:
                self.write("resOpFailedEvent", {"metadata": metadata, "status": STATUS_UNKNOWN, "steps": 0})
                return
            self.write("resOutputsEvent", pre)

    def diagnostic(self, severity: str, message: str, urn: str = "") -> None:
        payload: dict[str, Any] = {}
        if urn:
            payload["urn"] = urn
        payload["prefix"] = f"{severity}: "
        payload["message"] = message if message.endswith("\n") else message + "\n"
        payload["color"] = COLOR
        payload["severity"] = severity
        self.write("diagnosticEvent", payload)

    def policy(
        self,
        *,
        urn: str,
        message: str,
        policy_name: str,
        pack_name: str,
        pack_version: str,
        enforcement_level: str,
    ) -> None:
        """A policy violation; `enforcement_level` as the CLI writes it: `advisory`, `mandatory`,
        `remediate` (apitype.EnforcementLevel)."""
        payload: dict[str, Any] = {}
        if urn:
            payload["resourceUrn"] = urn
        payload.update(
            {
                "message": message,
                "color": COLOR,
                "policyName": policy_name,
                "policyPackName": pack_name,
                "policyPackVersion": pack_version,
                "policyPackVersionTag": pack_version,
                "enforcementLevel": enforcement_level,
            }
        )
        self.write("policyEvent", payload)

    def summary(
        self,
        *,
        counts: Mapping[str, int],
        duration_seconds: float,
        preview: bool,
        policy_packs: Mapping[str, str],
        maybe_corrupt: bool = False,
    ) -> None:
        self.write(
            "summaryEvent",
            {
                "maybeCorrupt": maybe_corrupt,
                "durationSeconds": int(duration_seconds),
                "resourceChanges": {op: n for op, n in counts.items() if n},
                # PascalCase upstream by accident, and kept for compatibility: "v" + version.
                "PolicyPacks": {name: f"v{version}" for name, version in policy_packs.items()},
                "isPreview": preview,
            },
        )

    def cancel(self) -> None:
        """The last event of a run, as the CLI writes it once the update has ended."""
        self.write("cancelEvent", {})


class LoggedDisplay(Display):
    """The display, also writing every step, diagnostic and the summary to an `EventLog`."""

    def __init__(self, log: EventLog, out: TextIO | None = None, *, preview: bool, show_sames: bool = False):
        super().__init__(out, preview=preview, show_sames=show_sames)
        self.event_log = log
        self.policy_packs: dict[str, str] = {}
        self._log_started = time.monotonic()

    def step_done(self, event: StepEvent) -> None:
        self.event_log.step(event, planning=self.preview)
        super().step_done(event)

    def diagnostic(self, severity: str, message: str, urn: str = "") -> None:
        self.event_log.diagnostic(severity, message, urn)
        super().diagnostic(severity, message, urn)

    def summary(self, *, failed: bool) -> None:
        super().summary(failed=failed)
        self.event_log.summary(
            counts=self.counts,
            duration_seconds=time.monotonic() - self._log_started,
            preview=self.preview,
            policy_packs=self.policy_packs,
        )
        self.event_log.cancel()


def make_display(
    out: TextIO | None, *, preview: bool, show_sames: bool = False, event_log: EventLog | None = None
) -> Display:
    """The run's display: the plain one, or one that also writes the event log."""
    if event_log is None:
        return Display(out, preview=preview, show_sames=show_sames)
    return LoggedDisplay(event_log, out, preview=preview, show_sames=show_sames)
