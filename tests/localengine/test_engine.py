"""The local engine end to end on the fixture program (a toy dynamic provider, random, command)."""

from __future__ import annotations

import itertools
import json

import bcrypt
import pytest

from localengine.secrets import IncorrectPassphraseError, PassphraseMissingError
from tests.localengine.conftest import FixtureStack


def test_up_creates_what_is_declared_and_a_second_up_changes_nothing(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": 1}, {"name": "b", "size": 2, "labelFrom": "a"})
    first = fixture_stack.up()
    assert first.ok, first.errors
    objects = fixture_stack.objects_by_name()
    assert sorted(objects) == ["a", "b"]
    assert objects["b"]["label"] == f"from-{first.outputs['aArn']}"
    log_length = len(fixture_stack.cloud()["log"])

    second = fixture_stack.up()
    assert second.ok
    assert second.changes() == {}
    assert second.counts["same"] == 3  # the stack and two things
    assert len(fixture_stack.cloud()["log"]) == log_length  # no provider call but Check/Diff
    assert "3 unchanged" in fixture_stack.output.getvalue()


def test_dependent_waits_for_its_dependency(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]}, {"name": "c", "labelFrom": "b"})
    assert fixture_stack.up().ok
    assert fixture_stack.log() == [("create", "a"), ("create", "b"), ("create", "c")]


def test_independent_resources_run_concurrently_up_to_parallel(fixture_stack: FixtureStack) -> None:
    fixture_stack.things(*[{"name": f"t{i}"} for i in range(4)], **{"toycloud:delay": "0.6"})
    assert fixture_stack.up().ok
    starts = sorted(entry[3] for entry in fixture_stack.cloud()["log"])
    assert starts[-1] - starts[0] < 0.6 * 2  # four creates of 0.6s overlapped

    fixture_stack.things(*[{"name": f"t{i}", "size": 2} for i in range(4)], **{"toycloud:delay": "0.3"})
    assert fixture_stack.up(parallel=1).ok
    updates = sorted(entry[3] for entry in fixture_stack.cloud()["log"] if entry[0] == "update")
    gaps = [b - a for a, b in itertools.pairwise(updates)]
    assert all(gap >= 0.25 for gap in gaps), gaps


def test_setting_change_updates_only_that_resource(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": 1}, {"name": "b", "size": 2})
    assert fixture_stack.up().ok
    ids = {name: obj for name, obj in fixture_stack.cloud()["objects"].items()}
    mark = len(fixture_stack.cloud()["log"])

    fixture_stack.things({"name": "a", "size": 1}, {"name": "b", "size": 7})
    result = fixture_stack.up()
    assert result.changes() == {"update": 1}
    assert fixture_stack.log(mark) == [("update", "b")]
    assert set(fixture_stack.cloud()["objects"]) == set(ids)
    assert fixture_stack.objects_by_name()["b"]["size"] == 7
    assert "[diff: ~size]" in fixture_stack.output.getvalue()


def test_replacement_creates_the_new_object_before_deleting_the_old(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "labelFrom": "a"})
    first = fixture_stack.up()
    mark = len(fixture_stack.cloud()["log"])

    fixture_stack.things({"name": "a", "region": "us"}, {"name": "b", "labelFrom": "a"})
    result = fixture_stack.up()
    assert result.ok, result.errors
    # a is replaced (new one first), b is updated to the new label, then the old a goes.
    assert fixture_stack.log(mark) == [("create", "a"), ("update", "b"), ("delete", "a")]
    assert result.outputs["aArn"] != first.outputs["aArn"]
    assert fixture_stack.objects_by_name()["b"]["label"] == f"from-{result.outputs['aArn']}"
    assert len(fixture_stack.cloud()["objects"]) == 2


def test_delete_before_replace_when_the_provider_asks(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "dbr": True})
    assert fixture_stack.up().ok
    mark = len(fixture_stack.cloud()["log"])
    fixture_stack.things({"name": "a", "dbr": True, "region": "us"})
    assert fixture_stack.up().ok
    assert fixture_stack.log(mark) == [("delete", "a"), ("create", "a")]


def test_removed_resources_are_deleted_dependents_first(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "labelFrom": "a"}, {"name": "c", "deps": ["b"]})
    assert fixture_stack.up().ok
    mark = len(fixture_stack.cloud()["log"])
    fixture_stack.things()
    result = fixture_stack.up()
    assert result.changes() == {"delete": 3}
    assert fixture_stack.log(mark) == [("delete", "c"), ("delete", "b"), ("delete", "a")]
    assert fixture_stack.cloud()["objects"] == {}


def test_protect_stops_destroy_until_unprotected(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "protect": True}, {"name": "b"})
    assert fixture_stack.up().ok
    engine = fixture_stack.engine()
    refused = engine.destroy()
    assert not refused.ok
    assert "cannot be deleted" in refused.errors[0] and "protect" in refused.errors[0]
    assert sorted(fixture_stack.objects_by_name()) == ["a", "b"]  # nothing deleted at all

    urn = "urn:pulumi:dev::fixture::pulumi-python:dynamic/toycloud:Thing::a"
    assert fixture_stack.engine().set_protect(urn, False)
    assert fixture_stack.engine().destroy().ok
    assert fixture_stack.cloud()["objects"] == {}
    assert json.loads(fixture_stack.state_text())["checkpoint"]["latest"]["resources"] == []


def test_protected_resource_is_not_replaced_or_deleted_by_up(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "protect": True})
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "protect": True, "region": "us"})
    result = fixture_stack.up()
    assert not result.ok and "marked for protection" in result.errors[0]
    fixture_stack.things()
    result = fixture_stack.up()
    assert not result.ok and "protected" in result.errors[0]
    assert list(fixture_stack.objects_by_name()) == ["a"]


def test_refresh_catches_changes_made_behind_our_back(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": 1}, {"name": "b", "size": 2})
    assert fixture_stack.up().ok
    cloud = fixture_stack.cloud()
    for id_, obj in list(cloud["objects"].items()):
        if obj["name"] == "a":
            obj["size"] = 99
        else:
            del cloud["objects"][id_]
    fixture_stack.cloud_path.write_text(json.dumps(cloud))

    refreshed = fixture_stack.engine().refresh()
    assert refreshed.ok
    assert {e.op for e in refreshed.events if e.urn.endswith("::a")} == {"update"}
    assert {e.op for e in refreshed.events if e.urn.endswith("::b")} == {"delete"}
    assert "[diff: ~size]" in fixture_stack.output.getvalue()

    result = fixture_stack.up()
    assert result.changes() == {"create": 1, "update": 1}
    assert {n: o["size"] for n, o in fixture_stack.objects_by_name().items()} == {"a": 1, "b": 2}


def test_ignore_changes_and_retain_on_delete(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": 1, "ignore": ["size"]}, {"name": "b", "retain": True})
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "size": 5, "ignore": ["size"]})
    result = fixture_stack.up()
    assert result.changes() == {"delete": 1}
    objects = fixture_stack.objects_by_name()
    assert objects["a"]["size"] == 1  # the change was ignored
    assert "b" in objects  # retained at the vendor, gone from state
    # URNs end with the resource name; ids (uuids) may contain "::b" too, so match the URN's end only.
    assert '::b"' not in fixture_stack.state_text()


def test_check_failures_are_reported_and_nothing_is_created(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "size": -1})
    result = fixture_stack.up()
    assert not result.ok
    assert "size must be a number >= 0" in result.errors[0]
    assert fixture_stack.cloud()["objects"] == {}


def test_a_failed_step_stops_new_steps_and_the_next_run_finishes(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]}, **{"toycloud:fail": "create:a"})
    result = fixture_stack.up()
    assert not result.ok and "toycloud refused to create a" in result.errors[0]
    assert fixture_stack.cloud()["objects"] == {}
    fixture_stack.things({"name": "a"}, {"name": "b", "deps": ["a"]}, **{"toycloud:fail": ""})
    assert fixture_stack.up().ok
    assert sorted(fixture_stack.objects_by_name()) == ["a", "b"]


def test_components_parent_their_children(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a", "group": "g"})
    result = fixture_stack.up()
    urns = {e.urn for e in result.events}
    assert "urn:pulumi:dev::fixture::fixture:index:Group::g" in urns
    assert "urn:pulumi:dev::fixture::fixture:index:Group$pulumi-python:dynamic/toycloud:Thing::a" in urns
    fixture_stack.things()
    assert fixture_stack.up().changes() == {"delete": 2}


def test_secrets_are_encrypted_in_state_and_blinded_in_output(fixture_stack: FixtureStack) -> None:
    from localengine.project import Project, set_config_value

    set_config_value(Project.load(fixture_stack.root), "dev", "password", "hunter2-secret", secret=True)
    fixture_stack.things({"name": "a", "secret": True}, withRandom=True)
    result = fixture_stack.up()
    assert result.ok, result.errors
    state = fixture_stack.state_text()
    assert "hunter2-secret" not in state
    assert "ciphertext" in state
    out = fixture_stack.output.getvalue()
    assert "hunter2-secret" not in out and "[secret]" in out
    # the provider got the plain value; the state keeps it secret, the outputs too
    assert fixture_stack.objects_by_name()["a"]["password"] == "hunter2-secret"
    assert fixture_stack.engine().outputs()["secretValue"]["value"] == "hunter2-secret"


def test_without_a_passphrase_up_refuses_like_the_cli(
    fixture_stack: FixtureStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture_stack.things({"name": "a"})
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    with pytest.raises(PassphraseMissingError, match="PULUMI_CONFIG_PASSPHRASE"):
        fixture_stack.up()
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "right")
    assert fixture_stack.up().ok
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "wrong")
    with pytest.raises(IncorrectPassphraseError):
        fixture_stack.up()
    assert fixture_stack.cloud()["log"][-1][0] == "create"  # nothing ran


def test_preview_calls_no_mutation_and_writes_no_state(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"})
    result = fixture_stack.preview()
    assert result.ok and result.counts["create"] == 2
    assert not fixture_stack.cloud_path.exists()
    assert not (fixture_stack.root / ".state" / "stacks").exists()
    assert "Previewing update (dev):" in fixture_stack.output.getvalue()
    assert "+ 2 to create" in fixture_stack.output.getvalue()


def test_progress_lines_are_shown_while_a_step_waits(fixture_stack: FixtureStack) -> None:
    fixture_stack.things({"name": "a"}, **{"toycloud:delay": "0.3"})
    assert fixture_stack.up().ok
    assert "... thing a: create in progress" in fixture_stack.output.getvalue()


def test_random_resources(fixture_stack: FixtureStack) -> None:
    fixture_stack.things(withRandom=True)
    first = fixture_stack.up()
    assert first.ok, first.errors
    password = first.outputs["dbPassword"]
    assert password["value"] and len(password["value"]) == 20  # secret, as the SDK asks
    assert bcrypt.checkpw(password["value"].encode(), first.outputs["dbPasswordHash"]["value"].encode())
    assert len(first.outputs["suffix"]) == 6 and first.outputs["suffix"].isalnum()
    assert fixture_stack.up().changes() == {}
    fixture_stack.things(withRandom=True, rotation="2")  # a keeper change replaces
    rotated = fixture_stack.up()
    assert rotated.changes() == {"replace": 1}
    assert rotated.outputs["dbPassword"]["value"] != password["value"]
    assert rotated.outputs["suffix"] == first.outputs["suffix"]


def test_command_resource_runs_create_update_replace_and_delete(fixture_stack: FixtureStack) -> None:
    marker = fixture_stack.root / "marker.txt"
    fixture_stack.things(commandMarker=str(marker))
    result = fixture_stack.up()
    assert result.ok, result.errors
    assert result.outputs["commandStdout"] == "created"
    assert marker.read_text() == "hello\n"
    fixture_stack.things(commandMarker=str(marker), greeting="bonjour")
    assert fixture_stack.up().changes() == {"update": 1}
    assert marker.read_text() == "hello\nupdated bonjour\n"
    fixture_stack.things(commandMarker=str(marker), greeting="bonjour", trigger="t2")
    assert fixture_stack.up().changes() == {"replace": 1}
    assert marker.read_text().splitlines()[-2:] == ["bonjour", "deleted updated"]
    assert fixture_stack.engine().destroy().ok
    assert marker.read_text().splitlines()[-1] == "deleted created"
