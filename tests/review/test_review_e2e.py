"""The review of real event streams: the prod stack up with the local engine against the emulator, then
previews written with `--event-log` after each change, reviewed as a pull request would see them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import RunningEmulator
from localengine import cli
from localengine.engine import Engine
from localengine.props import is_secret, reveal
from review import Review, review_text
from review.report import as_json, markdown
from tests.e2e.conftest import REPO, StackRun

pytestmark = pytest.mark.e2e


def _secret_values(run: StackRun) -> set[str]:
    """The plain values of the stack's secret outputs (connection strings) and generated passwords."""
    engine = run.engine()
    found = {str(reveal(v)) for v in engine.outputs().values() if is_secret(v)}
    for resource in engine.store.load(engine._secrets()).resources:
        if resource.type.endswith("RandomPassword") and is_secret(resource.outputs.get("result")):
            found.add(str(reveal(resource.outputs["result"])))
    return found


def _refresh_preview(run: StackRun, log: Path) -> int:
    argv = ["refresh", "--stack", run.name, "--cwd", str(REPO), "--config-file", str(run.config_file)]
    return cli.main([*argv, "--preview-only", "--expect-no-changes", "--event-log", str(log)])


def _shorten_history_behind_our_back(emulator: RunningEmulator, project_id: str) -> None:
    """A teammate cuts the Neon project's history to one day in the console."""
    response = httpx.patch(
        f"{emulator.neon_url}/projects/{project_id}",
        json={"project": {"history_retention_seconds": 86400}},
        headers={"Authorization": "Bearer teammate-token"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


class Reviews:
    """Previews of one stack with the event log, and every review rendered of them."""

    def __init__(self, run: StackRun, folder: Path) -> None:
        self.run = run
        self.folder = folder
        self.rendered: list[str] = []

    def preview(self, name: str, *, fails: bool = False) -> tuple[str, Review]:
        log = self.folder / f"{name}.jsonl"
        out = io.StringIO()
        engine = Engine(REPO, self.run.name, out=out, config_file=self.run.config_file, event_log=log)
        result = engine.up(preview=True)
        assert result.ok is not fails, out.getvalue()
        text, review = review_text(log.read_text())
        self.rendered += [text, as_json(review), log.read_text()]
        return text, review


def test_prod_reviews_name_what_a_reviewer_must_see(e2e_env: RunningEmulator, tmp_path: Path) -> None:
    run = StackRun("prod", REPO / "Pulumi.prod.yaml", tmp_path, e2e_env)
    run.up()
    reviews = Reviews(run, tmp_path)

    # No change: one line under the marker.
    text, review = reviews.preview("same")
    assert review.verdict == "no-changes"
    assert text.splitlines()[0] == "<!-- pulumi-review project=platform stack=prod -->"
    assert len(text.splitlines()) == 2 and "finds nothing to change" in text

    # refresh --preview-only --expect-no-changes: 0 while the vendors match, 7 after a change made behind
    # our back; the state is untouched either way.
    # (A first refresh takes in what the vendors settled after `up`: a custom domain's certificate.)
    assert run.engine().refresh().ok
    state_file = run.engine().store.path
    saved = state_file.read_bytes()
    assert _refresh_preview(run, tmp_path / "refresh-same.jsonl") == 0
    assert state_file.read_bytes() == saved
    database = next(p for p in e2e_env.state()["neon"]["projects"] if not p.get("deleted"))
    _shorten_history_behind_our_back(e2e_env, database["id"])
    assert _refresh_preview(run, tmp_path / "refresh-drift.jsonl") == 7
    assert state_file.read_bytes() == saved
    drift_text, drift = review_text((tmp_path / "refresh-drift.jsonl").read_text(), refresh=True)
    reviews.rendered += [drift_text, as_json(drift)]
    assert drift.counts == {"update": 1} and "refresh" in drift_text.splitlines()[1]
    assert [f.reasons for f in drift.risky] == [
        ["backups or history shortened: `history_retention_seconds` 2592000 → 86400"]
    ]

    # One replica fewer: risky, nothing destructive.
    def fewer_replicas(config: dict[str, Any]) -> None:
        config["platform:services"]["web"]["replicas"] = 1

    run.edit(fewer_replicas)
    text, review = reviews.preview("replicas")
    assert review.verdict == "risky" and not review.destructive, text
    # Railway keeps the count per region: the instance's `regions` map says it.
    assert [(f.name, f.reasons) for f in review.risky] == [
        ("web-instance", ["replicas lowered: `regions.us-west2` 2 → 1"])
    ]

    # A new database region while protected: the engine refuses it, the review says protect stops it.
    def new_region(config: dict[str, Any]) -> None:
        config["platform:services"]["web"]["replicas"] = 2
        config["platform:database"]["region"] = "aws-us-east-2"

    run.edit(new_region)
    text, review = reviews.preview("protected", fails=True)
    assert [(f.name, f.op, f.protected) for f in review.destructive] == [
        ("database-project", "replace", True)
    ]
    assert "**replace** `database-project` (Neon project); **protect stops it**" in text

    # A new database region with protect off, and the worker removed: both destructive, with reasons.
    def region_protect_and_worker(config: dict[str, Any]) -> None:
        config["platform:services"]["web"]["replicas"] = 2
        config["platform:database"]["region"] = "aws-us-east-2"
        config["platform:database"]["protect"] = False
        del config["platform:services"]["worker"]

    run.edit(region_protect_and_worker)
    text, review = reviews.preview("destructive")
    assert review.verdict == "destructive"
    found = {f.name: f for f in review.destructive}
    database = found["database-project"]
    assert (database.op, database.kind, database.protected) == ("replace", "Neon project", False)
    assert database.reasons[0] == '`region_id`: "aws-us-west-2" → "aws-us-east-2"', database.reasons
    worker = found["worker-service"]
    assert worker.op == "delete" and worker.protected is False
    assert worker.reasons == ["the program no longer declares it", "any delete in a production stack"]
    destructive = text.split("### Destructive changes", 1)[1].split("\n### ", 1)[0]
    assert "**replace** `database-project` (Neon project); **protect is off**" in destructive
    assert "**delete** `worker-service`" in destructive
    assert any(
        "`protect` removed" in r for f in review.risky if f.name == "database-project" for r in f.reasons
    )

    # Hundreds of changed resources: the comment stays under --max-chars, verdict and destructive whole.
    def many_workers(config: dict[str, Any]) -> None:
        for n in range(100):
            config["platform:services"][f"job{n:03d}"] = {
                "kind": "worker", "image": "ghcr.io/acme/api:1.4.2", "start": f"node jobs/{n}.js",
                "resources": {"cpu": 1, "memory": "1gb"},
            }  # fmt: skip

    run.edit(many_workers)
    text, review = reviews.preview("many")
    changed = sum(review.counts.values())
    assert changed >= 300, review.counts
    whole = markdown(review, max_chars=10**9)
    assert len(whole) > 60000
    assert len(text) <= 60000
    head = whole.split("\n### Risky changes", 1)[0]
    assert text.startswith(head) and "### Destructive changes" in head
    assert "more resource diffs left out to stay under 60000 characters" in text

    # No format of any review (nor the event log itself) holds a secret's value.
    secrets = _secret_values(run)
    assert len(secrets) >= 3
    for output in reviews.rendered:
        for value in secrets:
            assert value not in output
    assert all(json.loads(line) for line in (tmp_path / "many.jsonl").read_text().splitlines())
