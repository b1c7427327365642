"""The local engine as Pulumi's engine: state the CLI accepts (Pulumi's published schemas, read from
../shared), aliases, outputs on error, prints as diagnostics, config shapes, pending operations."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from localengine.display import Display
from localengine.locking import cancel
from localengine.project import Project, ProjectError, set_config_value
from localengine.props import SECRET_SIG, SIG_KEY, is_secret
from localengine.state import StateError
from tests.localengine.conftest import FixtureStack
from tests.localengine.pulumi_schema import deployment_problems, shared_schemas_present

REPO = Path(__file__).resolve().parents[2]
needs_schemas = pytest.mark.skipif(not shared_schemas_present(), reason="../shared/api/pulumi-schemas absent")


@needs_schemas
def test_state_passes_pulumis_schema_and_round_trips_export_import(fixture_stack: FixtureStack) -> None:
    set_config_value(Project.load(fixture_stack.root), "dev", "password", "hunter2", secret=True)
    fixture_stack.things(
        {"name": "a", "secret": True, "meta": "ops", "secretOutputs": ["meta"]},
        {"name": "b", "deps": ["a"], "labelFrom": "a", "group": "g"},
    )
    assert fixture_stack.up().ok, fixture_stack.output.getvalue()
    engine = fixture_stack.engine()
    exported = engine.export_state()
    assert deployment_problems(exported) == []
    assert "hunter2" not in json.dumps(exported)

    # The secret nested in a secret object is Pulumi's serialized form: {sig, ciphertext} inside the
    # decrypted JSON, never the SDK's {sig, value}.
    a = next(r for r in exported["deployment"]["resources"] if r["urn"].endswith("::a"))
    meta = a["outputs"]["meta"]
    assert set(meta) == {SIG_KEY, "ciphertext"} and meta[SIG_KEY] == SECRET_SIG
    inner = json.loads(engine._secrets().decrypt(meta["ciphertext"]))
    assert inner["owner"] == "ops"
    assert set(inner["password"]) == {SIG_KEY, "ciphertext"}
    assert json.loads(inner["password"]["ciphertext"]) == "hunter2"
    # ... and reads back as a secret holding a secret.
    loaded = {r.name: r for r in engine.store.load(engine._secrets()).resources}
    meta_value = loaded["a"].outputs["meta"]
    assert is_secret(meta_value) and is_secret(meta_value["value"]["password"])
    assert meta_value["value"]["password"]["value"] == "hunter2"

    # export -> import into a fresh stack -> export again: the same deployment, and `up` is a no-op.
    before = fixture_stack.state_text()
    (fixture_stack.root / ".state" / "stacks" / "fixture" / "dev.json").unlink()
    fixture_stack.engine().import_state(exported)
    again = fixture_stack.engine().export_state()
    assert deployment_problems(again) == []
    strip = lambda d: {**d["deployment"], "manifest": None}  # noqa: E731
    assert json.dumps(strip(again), sort_keys=True).count("ciphertext") == before.count("ciphertext")
    assert [r["urn"] for r in strip(again)["resources"]] == [r["urn"] for r in strip(exported)["resources"]]
    result = fixture_stack.up()
    assert result.ok and result.changes() == {}


def test_import_refuses_what_pulumi_refuses(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]})
    assert fixture_stack.up().ok
    exported = fixture_stack.engine().export_state()
    state_before = fixture_stack.state_text()

    tampered = json.loads(json.dumps(exported))
    tampered["deployment"]["manifest"]["version"] = "something-else"
    with pytest.raises(StateError, match="magic cookie"):
        fixture_stack.engine().import_state(tampered)

    reordered = json.loads(json.dumps(exported))
    reordered["deployment"]["resources"].reverse()
    with pytest.raises(StateError, match="not recorded before it"):
        fixture_stack.engine().import_state(reordered)

    unknown_key = json.loads(json.dumps(exported))
    unknown_key["deployment"]["resources"][-1]["deleteBeforeReplace"] = True
    with pytest.raises(StateError, match="deleteBeforeReplace"):
        fixture_stack.engine().import_state(unknown_key)
    assert fixture_stack.state_text() == state_before  # nothing changed


def test_outputs_exported_before_a_program_error_are_kept(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"})
    first = fixture_stack.up()
    assert first.ok
    fixture_stack.things({"name": "a"}, {"name": "b"}, failWith="boom in the program")
    result = fixture_stack.up()
    assert not result.ok
    text = fixture_stack.output.getvalue()
    outputs = fixture_stack.engine().outputs()
    assert outputs["aArn"] == first.outputs["aArn"] and outputs["bArn"].startswith("toy:")
    assert "error: Program failed with an unhandled exception:" in text
    assert "RuntimeError: boom in the program" in text
    # Only the program's own frames: none of the engine's or the SDK's.
    assert 'program.py", line' in text
    assert "/localengine/" not in text and "site-packages" not in text

    # A failed step: the outputs that did resolve are kept, as with the Pulumi CLI.
    fixture_stack.things({"name": "a"}, {"name": "b"}, {"name": "c"}, **{"toycloud:fail": "create:c"})
    assert not fixture_stack.up().ok
    outputs = fixture_stack.engine().outputs()
    assert outputs["aArn"] == first.outputs["aArn"] and outputs["bArn"].startswith("toy:")


def test_program_prints_are_diagnostics_and_json_stays_valid(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, printLines=["hello from the program", '{"not": "json output"}'])
    result = fixture_stack.engine().up(preview=True, json_output=True)
    assert result.ok
    document = json.loads(fixture_stack.output.getvalue())  # nothing but the digest on stdout
    infos = [d for d in document["diagnostics"] if d["severity"] == "info"]
    assert [d["message"] for d in infos] == ["hello from the program\n", '{"not": "json output"}\n']
    assert all(d["urn"].endswith("pulumi:pulumi:Stack::fixture-dev") for d in infos)
    assert fixture_stack.preview().ok
    assert "\n    hello from the program\n" in fixture_stack.output.getvalue()  # as the CLI shows it

    fixture_stack.things({"name": "a"}, failWith="bad")
    failed = fixture_stack.engine().up(preview=True, json_output=True)
    document = json.loads(fixture_stack.output.getvalue())
    assert not failed.ok
    errors = [d for d in document["diagnostics"] if d["severity"] == "error"]
    assert errors and all(d["message"].startswith("error: ") and d["message"].endswith("\n") for d in errors)


def test_preview_json_update_steps_carry_diff_reasons_and_detailed_diff(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": 1})
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "size": 3})
    result = fixture_stack.engine().up(preview=True, json_output=True)
    document = json.loads(fixture_stack.output.getvalue())
    step = next(s for s in document["steps"] if s["urn"].endswith("::a"))
    assert step["op"] == "update" and step["diffReasons"] == ["size"]
    assert step["detailedDiff"] == {"size": {"kind": "update", "inputDiff": True}}
    assert "diagnostics" not in document  # empty fields are omitted, as Pulumi's digest omits them
    assert result.ok


def test_config_shapes_reach_the_program_as_the_cli_delivers_them(fixture_stack: FixtureStack) -> None:
    fixture_stack.configure(shape={"b": [1, True, None], "a": {"z": "x y"}})
    result = fixture_stack.up()
    assert result.ok
    # Compact JSON with sorted keys, as the CLI's Go encoder writes objects (not Python's "a": 1 spacing).
    assert result.outputs["shapeRaw"] == '{"a":{"z":"x y"},"b":[1,true,null]}'


def test_config_set_path_builds_lists_and_typed_values(fixture_stack: FixtureStack) -> None:
    project = Project.load(fixture_stack.root)
    fixture_stack.configure()
    set_config_value(project, "dev", "svc.hosts[0].name", "web", secret=False, path_key=True)
    set_config_value(project, "dev", "svc.hosts[0].port", "8080", secret=False, path_key=True)
    set_config_value(project, "dev", "svc.hosts[1].name", "worker", secret=False, path_key=True)
    set_config_value(project, "dev", "svc.enabled", "true", secret=False, path_key=True)
    set_config_value(project, "dev", "svc.version", "1.2", secret=False, path_key=True)
    set_config_value(project, "dev", "svc.hosts[1].token", "s3cret", secret=True, path_key=True)
    data = yaml.safe_load((fixture_stack.root / "Pulumi.dev.yaml").read_text())
    svc = data["config"]["fixture:svc"]
    assert svc["enabled"] is True and svc["version"] == "1.2"
    assert svc["hosts"][0] == {"name": "web", "port": 8080}
    assert svc["hosts"][1]["name"] == "worker" and set(svc["hosts"][1]["token"]) == {"secure"}
    assert "s3cret" not in (fixture_stack.root / "Pulumi.dev.yaml").read_text()
    with pytest.raises(ProjectError, match="out of range"):
        set_config_value(project, "dev", "svc.hosts[5].name", "x", secret=False, path_key=True)


@pytest.mark.parametrize(
    "moved",
    [
        pytest.param({"g": {"name": "renamed", "aliases": [{"name": "g"}]}}, id="rename"),
        pytest.param(
            {"g": {"type": "fixture:index:Team", "aliases": [{"type": "fixture:index:Group"}]}}, id="retype"
        ),
        pytest.param({"g": {"parent": "outer", "aliases": [{"parent": ""}]}}, id="re-parent"),
    ],
)
def test_children_follow_their_parents_aliases(fixture_stack: FixtureStack, moved: dict) -> None:
    things = (
        {"name": "o", "group": "outer"},
        {"name": "a", "group": "g"},
        {"name": "b", "group": "g", "labelFrom": "a"},
    )
    fixture_stack.things(*things, groups={"outer": {}})
    assert fixture_stack.up().ok
    ids = set(fixture_stack.cloud()["objects"])
    mark = len(fixture_stack.cloud()["log"])

    fixture_stack.things(*things, groups={"outer": {}, **moved})
    planned = fixture_stack.preview()
    assert planned.ok and planned.changes() == {}, fixture_stack.output.getvalue()
    result = fixture_stack.up()
    assert result.ok and result.changes() == {}, fixture_stack.output.getvalue()
    assert fixture_stack.log(mark) == [] and set(fixture_stack.cloud()["objects"]) == ids
    # The state now knows them by their new URNs only; the next run has nothing to do either.
    urns = [r.urn for r in fixture_stack.engine().store.load(fixture_stack.engine()._secrets()).resources]
    assert len(urns) == len(set(urns))
    assert fixture_stack.up().changes() == {}


def test_delete_before_replace_dependents_are_replaced_and_an_interruption_keeps_the_record(
    fixture_stack: FixtureStack,
) -> None:
    fixture_stack.things({"name": "a", "dbr": True}, {"name": "b", "regionFrom": "a"})
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "dbr": True, "region": "us"}, {"name": "b", "regionFrom": "a"})
    planned = fixture_stack.preview()
    assert planned.changes() == {"replace": 2}, fixture_stack.output.getvalue()
    # b is replaced because its region follows a's: the keys its diff said force it, and its detail.
    b = next(e for e in planned.events if e.op == "replace" and e.urn.endswith("::b"))
    assert b.replace_reasons == ["region"]
    assert b.detailed_diff is not None and b.detailed_diff["region"].kind == "update-replace"

    # The create after the deletes fails: both stay in state, marked pendingReplacement, as Pulumi keeps them.
    mark = len(fixture_stack.cloud()["log"])
    fixture_stack.configure(**{"toycloud:fail": "create:a"})
    assert not fixture_stack.up().ok
    assert fixture_stack.log(mark) == [("delete", "b"), ("delete", "a")]
    resources = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]["resources"]
    pending = {r["urn"].rsplit("::", 1)[1] for r in resources if r.get("pendingReplacement")}
    assert pending == {"a", "b"}

    # The next run creates the replacements, deletes nothing again, and shows both as replaced.
    mark = len(fixture_stack.cloud()["log"])
    fixture_stack.configure(**{"toycloud:fail": ""})
    result = fixture_stack.up()
    assert result.ok and result.changes() == {"replace": 2}, fixture_stack.output.getvalue()
    assert fixture_stack.log(mark) == [("create", "a"), ("create", "b")]
    assert sorted(o["name"] for o in fixture_stack.cloud()["objects"].values()) == ["a", "b"]
    assert "pendingReplacement" not in fixture_stack.state_text()


def test_a_killed_create_is_a_pending_create_the_next_run_resolves_without_a_duplicate(
    fixture_stack: FixtureStack,
) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]}, **{"toycloud:hangAfterCreate": "b"})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localengine",
            "up",
            "--stack",
            "dev",
            "--yes",
            "--cwd",
            str(fixture_stack.root),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while ("create", "b") not in fixture_stack.log():  # the vendor made b; its answer never comes
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    latest = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
    assert [(p["type"], p["resource"]["urn"].rsplit("::", 1)[1]) for p in latest["pending_operations"]] == [
        ("creating", "b")
    ]
    assert "b" not in {r["urn"].rsplit("::", 1)[1] for r in latest["resources"]}
    # The killed run still holds the stack's lock; clear it as `pulumi cancel` would.
    assert cancel(fixture_stack.root, "fixture", "dev") is not None

    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]})
    preview = fixture_stack.preview()
    assert "interrupted while creating" in fixture_stack.output.getvalue() and preview.ok
    result = fixture_stack.up()
    assert result.ok, fixture_stack.output.getvalue()
    assert "adopted" in fixture_stack.output.getvalue()
    names = [o["name"] for o in fixture_stack.cloud()["objects"].values()]
    assert sorted(names) == ["a", "b"]  # no second b
    assert [op for op, name in fixture_stack.log() if name == "b"] == ["create"]
    latest = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
    assert "pending_operations" not in latest
    b = next(r for r in latest["resources"] if r["urn"].endswith("::b"))
    assert b["id"] and b["outputs"]["arn"] == f"toy:{b['id']}"
    assert fixture_stack.up().changes() == {}


def test_diff_shows_old_and_new_values_and_multi_line_outputs_print_as_the_cli_prints_them(
    fixture_stack: FixtureStack,
) -> None:
    set_config_value(Project.load(fixture_stack.root), "dev", "password", "old-secret", secret=True)
    fixture_stack.things({"name": "a", "size": 1, "secret": True}, multiline=True)
    first = fixture_stack.up()
    assert first.ok
    lines = fixture_stack.output.getvalue().splitlines()
    # pkg/backend/display/object_diff.go printPrimitivePropertyValue: a string is Go-quoted (`%q`) on its
    # key's line, a multi-line one too; keys are padded to the longest (printPropertyTitle).
    width = len("secretValue")
    assert f'    {"notes":<{width}}: "first line\\nsecond \\"quoted\\" line"' in lines
    assert f"    {'secretValue':<{width}}: [secret]" in lines

    set_config_value(Project.load(fixture_stack.root), "dev", "password", "new-secret", secret=True)
    fixture_stack.things(
        {"name": "a", "size": 3, "secret": True, "label": "x", "region": "us"}, multiline=True
    )
    assert fixture_stack.engine().up(preview=True, show_diff=True).ok
    lines = fixture_stack.output.getvalue().splitlines()
    # A replace step shows its changed inputs (the step's diffs, padded to the longest), old => new, and
    # the replace keys marked (printObjectPropertyDiff, writeReplaceAnnotation).
    step = next(
        (
            i
            for i, line in enumerate(lines)
            if line.endswith(
                "toycloud:Thing a replace [diff: ~label,~password,~region,~size] [replace: region]"
            )
        ),
        None,
    )
    assert step is not None, "\n".join(lines)
    assert lines[step + 1 : step + 5] == [
        '      + label   : "x"',
        "      ~ password: [secret] => [secret]",
        '      ~ region  : "eu" => "us" # forces replacement',
        "      ~ size    : 1 => 3",
    ]
    text = "\n".join(lines)
    assert "old-secret" not in text and "new-secret" not in text
    # A preview's Outputs show only what changes; an output only unknown yet is left out.
    outputs = lines.index("Outputs:")
    assert lines[outputs + 1 : outputs + 3] == ["  ~ secretValue: [secret] => [secret]", ""]
    # pkg/backend/display/diff.go renderSummaryEvent: one kind of change, so no total; no duration.
    assert lines[outputs + 3 :] == ["Resources:", "    +-1 to replace", "    1 unchanged", ""]

    result = fixture_stack.up()
    assert result.ok
    lines = fixture_stack.output.getvalue().splitlines()
    outputs = lines.index("Outputs:")
    new_arn = result.outputs["aArn"]
    # An update's Outputs: the diff against the last run's, unchanged ones listed too.
    shown = lines[outputs + 1 : lines.index("Resources:") - 1]
    assert shown[0] == f'  ~ aArn       : "{first.outputs["aArn"]}" => "{new_arn}"'
    assert shown[1:] == [
        '    notes      : "first line\\nsecond \\"quoted\\" line"',
        "  ~ secretValue: [secret] => [secret]",
    ]
    summary = lines[lines.index("Resources:") :]
    assert summary[:3] == ["Resources:", "    +-1 replaced", "    1 unchanged"]
    assert summary[3] == "" and summary[4].startswith("Duration: ") and summary[4].endswith("s")


def test_progress_lines_are_at_most_one_per_resource_every_few_seconds() -> None:
    out = io.StringIO()
    display = Display(out, preview=False)
    for i in range(20):
        display.progress(f"neon project p1: create_timeline: running ({i}s elapsed)")
        display.progress(f"railway service s1: DEPLOYING ({i}s elapsed)")
    lines = out.getvalue().splitlines()
    assert lines == [
        "    ... neon project p1: create_timeline: running (0s elapsed)",
        "    ... railway service s1: DEPLOYING (0s elapsed)",
    ]
