"""The document `pulumi preview --json` writes (`pkg/display/json.go` previewDigest), from step events."""

from __future__ import annotations

from collections import Counter
from typing import Any

from localengine.deployment import PROVIDER_PREFIX, STACK_TYPE, StepEvent
from localengine.props import blind
from localengine.state import ResourceState

HIDDEN_OPS = ("create-replacement", "delete-replaced")


# Checkpoint fields that the states in the preview document do not carry.
STATE_ONLY_KEYS = ("pendingReplacement", "aliases", "created", "modified")


def resource_v3(state: ResourceState) -> dict[str, Any]:
    """`apitype.ResourceV3` as the checkpoint writes it, less `STATE_ONLY_KEYS`, with secrets shown as
    `[secret]` (the JSON display never shows them)."""
    return {k: v for k, v in state.to_json(blind).items() if k not in STATE_ONLY_KEYS}


def _is_default_provider(event: StepEvent) -> bool:
    return event.type.startswith(PROVIDER_PREFIX) and event.urn.rsplit("::", 1)[-1].startswith("default")


def preview_digest(
    events: list[StepEvent],
    *,
    config: dict[str, str],
    diagnostics: list[dict[str, str]],
    duration_seconds: float,
    show_sames: bool = False,
) -> dict[str, Any]:
    steps = []
    summary: Counter[str] = Counter()
    for event in events:
        if _is_default_provider(event) or event.op in HIDDEN_OPS:
            continue
        summary[event.op] += 1
        protect_changed = bool(event.old and event.new and event.old.protect != event.new.protect)
        if event.op == "same" and not show_sames and event.type != STACK_TYPE and not protect_changed:
            continue
        step: dict[str, Any] = {"op": event.op, "urn": event.urn}
        state = event.new or event.old
        if state is not None and state.provider:
            step["provider"] = state.provider
        if event.old is not None:
            step["oldState"] = resource_v3(event.old)
        if event.new is not None:
            step["newState"] = resource_v3(event.new)
        if event.diff_reasons:
            step["diffReasons"] = event.diff_reasons
        if event.replace_reasons:
            step["replaceReasons"] = event.replace_reasons
        step["detailedDiff"] = (
            {path: {"kind": d.kind, "inputDiff": d.input_diff} for path, d in event.detailed_diff.items()}
            if event.detailed_diff
            else None
        )
        steps.append(step)
    document: dict[str, Any] = {}
    if config:
        document["config"] = config
    document["steps"] = steps
    shown = [_diagnostic(d) for d in diagnostics if d["severity"] != "debug"]
    if shown:
        document["diagnostics"] = shown
    document["duration"] = int(duration_seconds * 1e9)
    if summary:
        document["changeSummary"] = dict(summary)
    return document


# The prefix Pulumi's diagnostics carry in the digest's message (pkg/diag: "error: ", "warning: ").
PREFIXES = {"error": "error: ", "warning": "warning: "}


def _diagnostic(diagnostic: dict[str, str]) -> dict[str, str]:
    """A `previewDiagnostic`: the message with its severity's prefix and the engine's trailing newline,
    uncoloured; empty fields omitted (`omitempty`)."""
    message = PREFIXES.get(diagnostic["severity"], "") + diagnostic["message"]
    if not message.endswith("\n"):
        message += "\n"
    out = {"urn": diagnostic.get("urn", ""), "message": message, "severity": diagnostic["severity"]}
    return {k: v for k, v in out.items() if v}
