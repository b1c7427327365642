"""`--event-log FILE`: the run's engine events as JSON lines, shaped as Pulumi's `apitype.EngineEvent`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from localengine.cli import main
from localengine.engine import Engine
from localengine.project import Project, set_config_value
from localengine.props import UNKNOWN
from tests.localengine.conftest import FixtureStack

# The JSON names of each event's fields, from pulumi/pulumi sdk/go/common/apitype/events.go.
EVENT_FIELDS = {
    "cancelEvent": set(),
    "diagnosticEvent": {"urn", "prefix", "message", "color", "severity", "streamID", "ephemeral"},
    "policyEvent": {
        "resourceUrn",
        "message",
        "color",
        "policyName",
        "policyPackName",
        "policyPackVersion",
        "policyPackVersionTag",
        "enforcementLevel",
    },
    "preludeEvent": {"config"},
    "summaryEvent": {"maybeCorrupt", "durationSeconds", "resourceChanges", "PolicyPacks", "isPreview"},
    "resourcePreEvent": {"metadata", "planning"},
    "resOutputsEvent": {"metadata", "planning"},
    "resOpFailedEvent": {"metadata", "status", "steps"},
}
STEP_FIELDS = {"op", "urn", "type", "old", "new", "keys", "diffs", "detailedDiff", "logical", "provider"}
STATE_FIELDS = {
    "type",
    "urn",
    "custom",
    "delete",
    "id",
    "parent",
    "protect",
    "taint",
    "retainOnDelete",
    "inputs",
    "outputs",
    "provider",
    "initErrors",
}
OPS = {"same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "refresh"}


def read_events(path: Path) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in path.read_text().splitlines()]
    for event in events:
        kinds = set(event) - {"sequence", "timestamp"}
        assert len(kinds) == 1, event
        kind = kinds.pop()
        assert set(event[kind]) <= EVENT_FIELDS[kind], (kind, event[kind])
        if kind in ("resourcePreEvent", "resOutputsEvent", "resOpFailedEvent"):
            metadata = event[kind]["metadata"]
            assert set(metadata) <= STEP_FIELDS and metadata["op"] in OPS, metadata
            assert "detailedDiff" in metadata  # never omitted, null or a map (pulumi#15213)
            for side in ("old", "new"):
                assert metadata[side] is None or set(metadata[side]) <= STATE_FIELDS, metadata[side]
    assert [e["sequence"] for e in events] == list(range(len(events)))
    return events


def of_kind(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e[kind] for e in events if kind in e]


def test_preview_then_up_then_update_write_the_events_pulumi_writes(
    fixture_stack: FixtureStack, tmp_path: Path
) -> None:
    set_config_value(Project.load(fixture_stack.root), "dev", "password", "hunter2-secret", secret=True)
    fixture_stack.things({"name": "a", "secret": True}, {"name": "b", "labelFrom": "a"})
    log = tmp_path / "events.jsonl"

    assert Engine(fixture_stack.root, "dev", out=fixture_stack.output, event_log=log).up(preview=True).ok
    text = log.read_text()
    assert "hunter2-secret" not in text
    events = read_events(log)
    assert (
        "preludeEvent" in events[0] and events[0]["preludeEvent"]["config"]["fixture:password"] == "[secret]"
    )
    assert "cancelEvent" in events[-1] and "summaryEvent" in events[-2]
    summary = events[-2]["summaryEvent"]
    assert summary["isPreview"] is True and summary["resourceChanges"] == {"create": 3}
    pre = {e["metadata"]["urn"].rsplit("::", 1)[-1]: e for e in of_kind(events, "resourcePreEvent")}
    assert pre["b"]["planning"] is True and pre["b"]["metadata"]["op"] == "create"
    assert pre["b"]["metadata"]["old"] is None
    assert pre["b"]["metadata"]["new"]["inputs"]["label"] == UNKNOWN  # a's arn is not known in preview
    password = pre["a"]["metadata"]["new"]["inputs"]["password"]
    assert password == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "ciphertext": "[secret]",
    }

    assert Engine(fixture_stack.root, "dev", out=fixture_stack.output, event_log=log).up().ok
    events = read_events(log)
    assert "hunter2-secret" not in log.read_text()
    outputs = {e["metadata"]["urn"].rsplit("::", 1)[-1]: e for e in of_kind(events, "resOutputsEvent")}
    assert "planning" not in outputs["b"]
    assert outputs["b"]["metadata"]["new"]["outputs"]["label"].startswith("from-")
    assert outputs["b"]["metadata"]["new"]["id"]
    assert of_kind(events, "summaryEvent")[0]["isPreview"] is False

    fixture_stack.things({"name": "a", "secret": True}, {"name": "b", "labelFrom": "a", "size": 5})
    exit_code = main(["preview", "--stack", "dev", "--cwd", str(fixture_stack.root), "--event-log", str(log)])
    assert exit_code == 0
    events = read_events(log)
    updates = [e for e in of_kind(events, "resourcePreEvent") if e["metadata"]["op"] == "update"]
    assert [e["metadata"]["urn"].rsplit("::", 1)[-1] for e in updates] == ["b"]
    metadata = updates[0]["metadata"]
    assert metadata["diffs"] == ["size"]
    assert metadata["old"]["inputs"]["size"] == 1 and metadata["new"]["inputs"]["size"] == 5
    assert of_kind(events, "summaryEvent")[0]["resourceChanges"] == {"update": 1, "same": 2}


def test_a_failed_step_is_a_diagnostic_and_a_failed_operation(
    fixture_stack: FixtureStack, tmp_path: Path
) -> None:
    fixture_stack.things({"name": "a"}, **{"toycloud:fail": "create:a"})
    log = tmp_path / "events.jsonl"
    result = Engine(fixture_stack.root, "dev", out=fixture_stack.output, event_log=log).up()
    assert not result.ok
    events = read_events(log)
    errors = [d for d in of_kind(events, "diagnosticEvent") if d["severity"] == "error"]
    assert errors and errors[0]["urn"].endswith("::a") and errors[0]["prefix"] == "error: "
    assert "toycloud refused to create a" in errors[0]["message"] and errors[0]["message"].endswith("\n")
    failed = of_kind(events, "resOpFailedEvent")
    assert [f["metadata"]["urn"].rsplit("::", 1)[-1] for f in failed] == ["a"]
    assert failed[0]["metadata"]["op"] == "create"
    assert "cancelEvent" in events[-1]
