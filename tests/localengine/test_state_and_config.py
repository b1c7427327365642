"""State files, interrupted runs, passphrase secrets (compatible with the Pulumi CLI) and config editing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localengine.project import Project, load_stack_config, set_config_value
from localengine.secrets import IncorrectPassphraseError, PassphraseSecretsManager
from tests.localengine.conftest import FixtureStack

REPO = Path(__file__).resolve().parents[2]

# pulumi/pulumi pkg/secrets/passphrase/manager_test.go: this state was written by the CLI for "password".
PULUMI_STATE = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="


def test_passphrase_state_written_by_the_pulumi_cli_opens_with_its_passphrase() -> None:
    manager = PassphraseSecretsManager.from_state("password", PULUMI_STATE)
    assert manager.decrypt(manager.encrypt("a value")) == "a value"
    with pytest.raises(IncorrectPassphraseError):
        PassphraseSecretsManager.from_state("password123", PULUMI_STATE)


def test_new_state_and_values_have_the_cli_format() -> None:
    manager = PassphraseSecretsManager.create("pass")
    version, salt, rest = manager.state.split(":", 2)
    assert version == "v1" and len(__import__("base64").b64decode(salt)) == 8
    assert rest.startswith("v1:") and len(rest.split(":")) == 3
    value = manager.encrypt("hello")
    assert value.startswith("v1:") and "hello" not in value
    assert PassphraseSecretsManager.from_state("pass", manager.state).decrypt(value) == "hello"


def test_config_set_writes_secure_values_and_keeps_the_rest_of_the_file(
    fixture_stack: FixtureStack,
) -> None:
    path = fixture_stack.root / "Pulumi.dev.yaml"
    path.write_text("# keep me\nconfig:\n  fixture:size: 3 # and me\n  fixture:other: x\n")
    project = Project.load(fixture_stack.root)
    set_config_value(project, "dev", "token", "s3cret", secret=True)
    set_config_value(project, "dev", "size", "4", secret=False)
    set_config_value(project, "dev", "token", "rotated", secret=True)
    text = path.read_text()
    assert "# keep me" in text and "fixture:other: x" in text and "s3cret" not in text
    assert text.count("fixture:token:") == 1 and text.startswith("encryptionsalt: v1:")
    manager = PassphraseSecretsManager.from_state(
        os.environ["PULUMI_CONFIG_PASSPHRASE"], text.split("\n")[0].split(": ", 1)[1]
    )
    config = load_stack_config(project, "dev", manager)
    assert config.values["fixture:token"] == "rotated"
    assert config.values["fixture:size"] == "4"
    assert config.secret_keys == ["fixture:token"]
    assert config.blinded()["fixture:token"] == "[secret]"


def test_state_is_written_atomically_after_every_step(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]})
    assert fixture_stack.up().ok
    folder = fixture_stack.root / ".state" / "stacks" / "fixture"
    assert [p.name for p in folder.iterdir()] == ["dev.json"]  # no temporary files left behind
    latest = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
    assert "pending_operations" not in latest  # omitted when empty, as Pulumi writes it
    assert latest["secrets_providers"]["type"] == "passphrase"
    urns = [r["urn"] for r in latest["resources"]]
    assert urns.index(urns[0]) == 0 and urns[0].endswith("pulumi:pulumi:Stack::fixture-dev")
    assert urns.index("urn:pulumi:dev::fixture::pulumi-python:dynamic/toycloud:Thing::a") < urns.index(
        "urn:pulumi:dev::fixture::pulumi-python:dynamic/toycloud:Thing::b"
    )


def test_an_interrupted_run_is_completed_by_the_next(fixture_stack: FixtureStack) -> None:
    fixture_stack.things(
        {"name": "a"}, {"name": "b", "deps": ["a"]}, {"name": "c", "deps": ["b"]}, **{"toycloud:delay": "1.5"}
    )
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
        deadline = time.monotonic() + 30
        while ("create", "a") not in fixture_stack.log():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        time.sleep(0.5)  # b's create has started (it waits 1.5s before it acts)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    latest = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
    recorded = {r["urn"].rsplit("::", 1)[1]: r.get("id") for r in latest["resources"]}
    first_a = recorded["a"]
    assert first_a and "b" not in recorded
    assert [(p["type"], p["resource"]["urn"].rsplit("::", 1)[1]) for p in latest["pending_operations"]] == [
        ("creating", "b")
    ]

    # The killed run still holds the stack's lock: the next run refuses until it is cleared, as after a
    # killed `pulumi up` (`pulumi cancel`).
    assert not fixture_stack.up().ok and "no longer running" in fixture_stack.output.getvalue()
    from localengine.locking import cancel

    assert cancel(fixture_stack.root, "fixture", "dev") is not None
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]}, {"name": "c", "deps": ["b"]})
    result = fixture_stack.up()
    assert result.ok and result.changes() == {"create": 2}
    assert "interrupted while creating" in fixture_stack.output.getvalue()
    objects = {o["name"]: id_ for id_, o in fixture_stack.cloud()["objects"].items()}
    assert sorted(objects) == ["a", "b", "c"] and objects["a"] == first_a
    assert "pending_operations" not in json.loads(fixture_stack.state_text())["checkpoint"]["latest"]


def test_preview_json_is_the_preview_digest(fixture_stack: FixtureStack) -> None:
    marker = fixture_stack.root / "marker.txt"
    fixture_stack.things({"name": "a"}, commandMarker=str(marker))
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "region": "us"}, commandMarker=str(marker), trigger="t9")
    result = fixture_stack.engine().up(preview=True, json_output=True)
    document = json.loads(fixture_stack.output.getvalue())
    assert document == result.digest
    assert document["changeSummary"] == {"same": 1, "replace": 2}
    by_name = {s["urn"].rsplit("::", 1)[1]: s for s in document["steps"]}
    assert set(by_name) == {"fixture-dev", "a", "marker"}
    assert by_name["a"]["op"] == "replace" and by_name["a"]["replaceReasons"] == ["region"]
    # A dynamic provider's diff carries no detail: the step gets the inputs' diff, the replace key marked.
    assert by_name["a"]["detailedDiff"] == {"region": {"kind": "update-replace", "inputDiff": True}}
    assert by_name["marker"]["detailedDiff"] == {"triggers[0]": {"kind": "update-replace", "inputDiff": True}}
    assert by_name["a"]["oldState"]["id"] and by_name["a"]["newState"]["inputs"]["region"] == "us"
    assert by_name["a"]["provider"].startswith(
        "urn:pulumi:dev::fixture::pulumi:providers:pulumi-python::default::"
    )
    assert document["config"]["toycloud:path"] == str(fixture_stack.cloud_path)
