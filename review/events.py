"""What a stack's run plans to change, read from what Pulumi writes about it.

Two inputs, both Pulumi's own formats:
- the engine-event stream: one `apitype.EngineEvent` per line (`sdk/go/common/apitype/events.go`), as
  `pulumi preview --event-log FILE` writes it, as the Automation API's `on_event` receives it (its
  snake_case event objects are accepted too), and as `python -m localengine preview --event-log FILE`
  writes it;
- the `pulumi preview --json` document (`pkg/display/json.go` previewDigest), which has no policy results.

Secrets arrive blinded: the CLI serialises them through its blinding crypter (the secret signature object
with `ciphertext: "[secret]"`), `--json` writes the string `[secret]`. Both, and any secret signature object
whatever it carries, become `SECRET` here, so nothing after this module can show a secret's value.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
BLINDED = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"

# Steps of one logical replacement that the engine reports separately.
REPLACEMENT_OPS = ("create-replacement", "replace", "delete-replaced")
# Keys below which names are property names or paths, not event fields (never re-cased).
_PROPERTY_KEYS = {"inputs", "outputs", "config", "before", "after", "detailedDiff", "resourceChanges"}
_COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")


class _Marker:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


SECRET: Any = _Marker(BLINDED)
UNKNOWN: Any = _Marker("[unknown]")


class InputError(ValueError):
    """The input is not an engine-event stream nor a `preview --json` document."""


@dataclass
class ResourceSide:
    """One side (before or after) of a step: `StepEventStateMetadata` / `ResourceV3`, secrets blinded."""

    type: str
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    parent: str = ""
    custom: bool = True  # False: a component, which holds nothing at a vendor


@dataclass
class Change:
    """One resource's logical step: the separate steps of a replacement folded into one `replace`."""

    urn: str
    type: str
    op: str
    old: ResourceSide | None = None
    new: ResourceSide | None = None
    replace_keys: list[str] = field(default_factory=list)
    diff_keys: list[str] = field(default_factory=list)
    detailed_diff: dict[str, str] = field(default_factory=dict)
    failed: bool = False

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class PolicyViolation:
    level: str
    policy: str
    pack: str
    urn: str
    message: str


@dataclass
class Diagnostic:
    severity: str
    message: str
    urn: str = ""


@dataclass
class Plan:
    """Everything the review needs from one run's events, in the order the engine reported it."""

    changes: list[Change] = field(default_factory=list)
    violations: list[PolicyViolation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    summary: dict[str, int] | None = None
    source: str = "events"
    refresh: bool = False

    def project_and_stack(self) -> tuple[str, str]:
        for urn in [c.urn for c in self.changes] + [v.urn for v in self.violations]:
            parts = urn.split("::")
            if urn.startswith("urn:pulumi:") and len(parts) >= 4:
                return parts[1], parts[0].removeprefix("urn:pulumi:")
        return "", ""


# -- values -----------------------------------------------------------------------------------------------
def blind(value: Any) -> Any:
    """`value` with every secret (signature object, or the `[secret]` string) as SECRET and every unknown
    as UNKNOWN; nothing of a secret (value, ciphertext, length) is kept."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return SECRET
        return {str(k): blind(v) for k, v in value.items()}
    if isinstance(value, list):
        return [blind(v) for v in value]
    if value == BLINDED:
        return SECRET
    if value == UNKNOWN_VALUE:
        return UNKNOWN
    return value


def strip_color(text: str) -> str:
    return _COLOR_TAG.sub("", text or "")


# -- reading ---------------------------------------------------------------------------------------------
def parse_text(text: str) -> Plan:
    """A plan from the text of an event log (JSON lines, or a JSON list of events) or of `preview --json`."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the input is empty: expected engine events (JSON lines) or `preview --json` output")
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, dict) and "steps" in whole:
            return from_preview_json(whole)
        if isinstance(whole, list):
            return from_events(whole)
        if isinstance(whole, dict) and "events" in whole:  # apitype.EngineEventBatch
            return from_events(whole["events"])
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"line {number} is not JSON ({exc.msg}); expected one engine event per line"
            ) from None
    return from_events(events)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def plain_event(event: Any, _key: str = "") -> Any:
    """An engine event as `apitype` JSON: Automation API event objects (snake_case attributes, enums)
    become the camelCase dicts the CLI writes; JSON events pass through unchanged."""
    if isinstance(event, enum.Enum):
        return event.value
    if not isinstance(event, Mapping | list | str | int | float | bool | type(None)) and hasattr(
        event, "__dict__"
    ):
        event = {k: v for k, v in vars(event).items() if v is not None}
    if isinstance(event, Mapping):
        if _key in _PROPERTY_KEYS:
            if _key == "detailedDiff":
                return {str(k): plain_event(v) for k, v in event.items()}
            return {str(k): _plain_value(v) for k, v in event.items()}
        return {_camel(str(k)): plain_event(v, _camel(str(k))) for k, v in event.items()}
    if isinstance(event, list):
        return [plain_event(v, _key) for v in event]
    return event


def _plain_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value


def _side(state: Mapping[str, Any] | None) -> ResourceSide | None:
    if not state:
        return None
    return ResourceSide(
        type=str(state.get("type") or ""),
        id=str(state.get("id") or ""),
        inputs=blind(dict(state.get("inputs") or {})),
        outputs=blind(dict(state.get("outputs") or {})),
        protect=bool(state.get("protect")),
        parent=str(state.get("parent") or ""),
        custom=bool(state.get("custom")),
    )


class _Folder:
    """Folds step metadata into one Change per URN, in first-seen order."""

    def __init__(self) -> None:
        self.by_urn: dict[str, Change] = {}

    def add(self, metadata: Mapping[str, Any], *, failed: bool = False, digest: bool = False) -> None:
        urn = str(metadata.get("urn") or "")
        op = str(metadata.get("op") or "")
        if not urn or not op:
            return
        if op.startswith("OpType."):
            op = op.split(".", 1)[1].lower().replace("_", "-")
        if digest:
            old, new = _side(metadata.get("oldState")), _side(metadata.get("newState"))
            replace_keys = list(metadata.get("replaceReasons") or [])
            diff_keys = list(metadata.get("diffReasons") or [])
            detailed = {
                str(p): str((d or {}).get("kind") or "")
                for p, d in (metadata.get("detailedDiff") or {}).items()
            }
        else:
            old, new = _side(metadata.get("old")), _side(metadata.get("new"))
            replace_keys = list(metadata.get("keys") or [])
            diff_keys = list(metadata.get("diffs") or [])
            detailed = {
                str(p): str((d or {}).get("diffKind") or (d or {}).get("kind") or "")
                for p, d in (metadata.get("detailedDiff") or {}).items()
            }
        type_ = str(metadata.get("type") or (new or old or ResourceSide("")).type)
        change = self.by_urn.get(urn)
        if change is None:
            change = self.by_urn[urn] = Change(urn=urn, type=type_, op=op)
        elif op in REPLACEMENT_OPS or change.op in REPLACEMENT_OPS:
            change.op = "replace"
        else:
            change.op = op
        # Old: the state before the step (a delete-replaced step's old is the replaced copy). New: the last
        # seen, so outputs of a finished step win over the planned ones.
        if old is not None and (change.old is None or op == "delete-replaced"):
            change.old = old
        if new is not None and op != "delete-replaced":
            change.new = new
        change.replace_keys = _union(change.replace_keys, replace_keys)
        change.diff_keys = _union(change.diff_keys, diff_keys)
        change.detailed_diff.update(detailed)
        change.failed = change.failed or failed

    def changes(self) -> list[Change]:
        result = []
        for change in self.by_urn.values():
            if change.op in ("create-replacement", "replace"):
                change.op = "replace"
            if change.op == "refresh":
                change.op = _refresh_op(change)
            result.append(change)
        return result


def _refresh_op(change: Change) -> str:
    """A refresh step says what the vendor has now: gone (delete), different outputs (update: drift) or
    the same."""
    if change.new is None or not change.new.id:
        return "delete"
    if change.old is not None and change.old.outputs != change.new.outputs:
        return "update"
    return "same"


def _union(first: list[str], second: list[str]) -> list[str]:
    return first + [k for k in second if k not in first]


def from_events(events: Iterable[Any]) -> Plan:
    plan = Plan(source="events")
    folder = _Folder()
    seen_refresh = False
    for raw in events:
        event = plain_event(raw)
        if not isinstance(event, Mapping):
            raise InputError(f"an engine event must be a JSON object, not {type(raw).__name__}")
        if "resourcePreEvent" in event:
            metadata = (event["resourcePreEvent"] or {}).get("metadata") or {}
            seen_refresh = seen_refresh or metadata.get("op") == "refresh"
            folder.add(metadata)
        elif "resOutputsEvent" in event:
            folder.add((event["resOutputsEvent"] or {}).get("metadata") or {})
        elif "resOpFailedEvent" in event:
            folder.add((event["resOpFailedEvent"] or {}).get("metadata") or {}, failed=True)
        elif "policyEvent" in event:
            p = event["policyEvent"] or {}
            plan.violations.append(
                PolicyViolation(
                    level=_level(str(p.get("enforcementLevel") or "")),
                    policy=str(p.get("policyName") or ""),
                    pack=str(p.get("policyPackName") or ""),
                    urn=str(p.get("resourceUrn") or ""),
                    message=strip_color(str(p.get("message") or "")).strip(),
                )
            )
        elif "diagnosticEvent" in event:
            d = event["diagnosticEvent"] or {}
            if d.get("ephemeral") or d.get("severity") == "debug":
                continue
            severity = str(d.get("severity") or "info")
            prefix = str(d.get("prefix") or "")
            if prefix.strip().rstrip(":") == severity:
                prefix = ""  # the review groups by severity already
            plan.diagnostics.append(
                Diagnostic(
                    severity=severity,
                    message=strip_color(prefix + str(d.get("message") or "")).strip(),
                    urn=str(d.get("urn") or ""),
                )
            )
        elif "summaryEvent" in event:
            changes = (event["summaryEvent"] or {}).get("resourceChanges") or {}
            plan.summary = {str(k): int(v) for k, v in changes.items()}
        elif not any(k.endswith("Event") for k in event):
            raise InputError(
                "an event has none of the EngineEvent fields (resourcePreEvent, policyEvent, ...): "
                f"keys {sorted(event)[:6]}"
            )
    plan.changes = folder.changes()
    plan.refresh = seen_refresh
    return plan


def from_preview_json(document: Mapping[str, Any]) -> Plan:
    plan = Plan(source="preview-json")
    folder = _Folder()
    for step in document.get("steps") or []:
        folder.add(step, digest=True)
    plan.changes = folder.changes()
    for d in document.get("diagnostics") or []:
        plan.diagnostics.append(
            Diagnostic(
                severity=str(d.get("severity") or "info"),
                message=strip_color(str(d.get("message") or "")).strip(),
                urn=str(d.get("urn") or ""),
            )
        )
    summary = document.get("changeSummary")
    plan.summary = {str(k): int(v) for k, v in summary.items()} if isinstance(summary, Mapping) else None
    return plan


def _level(enforcement: str) -> str:
    """The CLI shows the `warning` enforcement level as advisory."""
    return {"warning": "advisory", "": "advisory"}.get(enforcement, enforcement)
