"""`make review`: the stack's preview against the emulator, with the event log, reviewed into .state/."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import RunningEmulator
from localengine import makereview
from tests.e2e.conftest import REPO

pytestmark = pytest.mark.e2e


def test_make_review_writes_the_review_and_says_where(
    e2e_env: RunningEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("EMULATOR_URL", e2e_env.railway_url.split("/railway")[0])
    assert makereview.main(["--stack", "dev", "--cwd", str(REPO)]) == 0
    out = capsys.readouterr().out
    review = tmp_path / "state" / "review-dev.md"
    # The dev stack's policy config has advisories only: the preview passes, the review lists them.
    assert f"review of the dev preview (preview exit 0): {review}" in out
    marker, verdict = review.read_text().splitlines()[:2]
    assert marker == "<!-- pulumi-review project=platform stack=dev -->"
    assert "`platform/dev` preview: 0 destructive changes" in verdict and "to create" in verdict
    assert verdict in out
    assert (tmp_path / "state" / "events-dev.jsonl").read_text().count("resourcePreEvent") >= 10
    expected = (
        "policy pack: policy" if (REPO / "policy" / "PulumiPolicy.yaml").exists() else "policy pack: none"
    )
    assert expected in out
