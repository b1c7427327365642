"""Property values: secrets kept where they are nested, property paths, diffs, ignoreChanges."""

from __future__ import annotations

import pytest

from localengine.props import (
    UNKNOWN,
    annotate_secrets,
    blind,
    detailed_diff,
    from_struct,
    make_secret,
    parse_path,
    path_contains,
    reset_path,
    reveal,
    to_struct,
)


def test_struct_round_trip_keeps_nested_secrets_and_integers() -> None:
    props = {"a": 3, "b": {"c": make_secret("pw"), "d": [1.5, UNKNOWN]}, "e": True}
    assert from_struct(to_struct(props)) == props
    assert reveal(props)["b"] == {"c": "pw", "d": [1.5, UNKNOWN]}
    assert blind(props)["b"]["c"] == "[secret]"


def test_annotate_secrets_marks_outputs_named_like_secret_inputs() -> None:
    ins = {"password": make_secret("x"), "nested": {"token": make_secret("t"), "plain": 1}, "name": "n"}
    outs = annotate_secrets(
        {"password": "x", "nested": {"token": "t", "plain": 1}, "name": "n", "id": 5}, ins
    )
    assert outs["password"] == make_secret("x") and outs["nested"]["token"] == make_secret("t")
    assert outs["nested"]["plain"] == 1 and outs["name"] == "n" and outs["id"] == 5


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("a", ["a"]),
        ("a.b[0]", ["a", "b", 0]),
        ('a["b.c"][*]', ["a", "b.c", "*"]),
        ("triggers[*]", ["triggers", "*"]),
    ],
)
def test_parse_path(path: str, parts: list[str | int]) -> None:
    assert parse_path(path) == parts


def test_path_contains_uses_wildcards_and_prefixes() -> None:
    assert path_contains(["triggers", "*"], ["triggers", 0])
    assert not path_contains(["triggers", "*"], ["triggers"])
    assert path_contains(["a"], ["a", "b", 1])


def test_detailed_diff_reports_leaf_paths() -> None:
    old = {"size": 1, "tags": ["a", "b"], "env": {"X": "1"}, "gone": 1}
    new = {"size": 2, "tags": ["a"], "env": {"X": "1", "Y": "2"}, "added": True}
    kinds = {path: d.kind for path, d in detailed_diff(old, new).items()}
    assert kinds == {"size": "update", "tags[1]": "delete", "env.Y": "add", "gone": "delete", "added": "add"}


def test_reset_path_keeps_the_old_value_for_ignored_changes() -> None:
    old = {"size": 1, "env": {"X": "old", "Y": "y"}}
    new = {"size": 9, "env": {"X": "new", "Y": "y2"}}
    assert reset_path(old, new, parse_path("size")) == {"size": 1, "env": {"X": "new", "Y": "y2"}}
    assert reset_path(old, new, parse_path("env.X"))["env"] == {"X": "old", "Y": "y2"}
    assert reset_path(old, new, parse_path("env[*]"))["env"] == {"X": "old", "Y": "y"}
