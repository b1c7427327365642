"""The local engine as Pulumi's engine: state the CLI accepts (Pulumi's published schemas, read from
../shared), aliases, outputs on error, prints as diagnostics, config shapes, pending operations."""

from __future__ import annotations

import json

import pytest

from localengine.project import Project, set_config_value
from localengine.props import SECRET_SIG, SIG_KEY, is_secret
from localengine.state import StateError
from tests.localengine.conftest import FixtureStack
from tests.localengine.pulumi_schema import deployment_problems, shared_schemas_present

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
