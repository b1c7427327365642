"""The pull-request environment's workflow and policy config, as files: what they run and for whom.
(actionlint and zizmor check every workflow in tests/workflows.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from localengine.policy_config import load_config_file

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "pr-environment.yml"


def _load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def _run(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_up_on_open_and_update_destroy_and_rm_on_close_never_for_forks() -> None:
    workflow = _load()
    assert set(workflow["on"]["pull_request"]["types"]) == {"opened", "reopened", "synchronize", "closed"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    up, destroy = workflow["jobs"]["up"], workflow["jobs"]["destroy"]
    fork_check = "github.event.pull_request.head.repo.full_name == github.repository"
    assert fork_check in up["if"] and "!= 'closed'" in up["if"]
    assert fork_check in destroy["if"] and "== 'closed'" in destroy["if"]
    assert up["env"]["STACK"] == destroy["env"]["STACK"] == "pr-${{ github.event.pull_request.number }}"
    up_run = _run(up)
    assert (
        "pulumi stack init" in up_run
        and '--copy-config-from "${PULUMI_ORG:+$PULUMI_ORG/}$BASE_STACK"' in up_run
    )
    assert "platform:pullRequest.number" in up_run and "pulumi up" in up_run
    assert "--policy-pack policy --policy-pack-config policy/config/pr.json" in up_run
    script = next(s["with"]["script"] for s in up["steps"] if "github-script" in s.get("uses", ""))
    assert "updateComment" in script and "createComment" in script
    assert "pulumi destroy" in _run(destroy) and "pulumi stack rm" in _run(destroy)
    assert destroy["permissions"] == {"contents": "read"}


def test_the_pr_policy_config_is_advisory_but_data_residency_is_mandatory() -> None:
    config = load_config_file(REPO / "policy" / "config" / "pr.json")
    assert config["all"].enforcement_level == "advisory"
    assert config["data-residency"].enforcement_level == "mandatory"
