"""`--expect-no-changes` on preview and up: exit 7 when there are changes, as the Pulumi CLI. (Refresh
`--preview-only --expect-no-changes` against real drift is in tests/review/test_review_e2e.py.)"""

from __future__ import annotations

import pytest

from localengine.cli import main
from tests.localengine.conftest import FixtureStack


def _run(stack: FixtureStack, *argv: str) -> int:
    return main([*argv, "--stack", stack.stack, "--cwd", str(stack.root)])


def test_expect_no_changes_exits_7_on_changes(
    fixture_stack: FixtureStack, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture_stack.things({"name": "a", "size": 1}, {"name": "b", "size": 2})
    assert _run(fixture_stack, "preview", "--expect-no-changes") == 7
    assert "error: no changes were expected but changes were proposed" in capsys.readouterr().err
    assert fixture_stack.cloud()["objects"] == {}
    assert _run(fixture_stack, "up", "--yes", "--expect-no-changes") == 7  # it made them, then says so
    assert set(fixture_stack.objects_by_name()) == {"a", "b"}
    assert "error: no changes were expected but changes occurred" in capsys.readouterr().err
    assert _run(fixture_stack, "preview", "--expect-no-changes") == 0
    assert "no changes were expected" not in capsys.readouterr().err
