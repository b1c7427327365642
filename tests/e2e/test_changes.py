"""Setting changes on a real stack touch only what they must: replicas and variables update in place, a
custom domain (which Railway cannot rename) is replaced, the new one created before the old is deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from tests.e2e.conftest import REPO, StackRun
from tests.e2e.conftest import changed_vendor_objects as _changed

pytestmark = pytest.mark.e2e


def test_prod_setting_changes_touch_only_what_they_change(e2e_env: RunningEmulator, tmp_path: Path) -> None:
    run = StackRun("prod", REPO / "Pulumi.prod.yaml", tmp_path, e2e_env)
    run.up()
    services = run.settings()["config"]["platform:services"]
    web = next(name for name, spec in services.items() if spec.get("domains"))

    def more_replicas(config: dict[str, Any]) -> None:
        config["platform:services"][web]["replicas"] += 1

    run.edit(more_replicas)
    assert _changed(run.up()) == {"update": {"ServiceInstance"}}

    def new_variable_value(config: dict[str, Any]) -> None:
        config["platform:services"][web]["env"]["LOG_LEVEL"] = "warn"

    run.edit(new_variable_value)
    changed = _changed(run.up())
    assert set(changed) == {"update"} and changed["update"] <= {"Service", "Variables", "ServiceInstance"}

    old_domain = services[web]["domains"][0]

    def new_domain(config: dict[str, Any]) -> None:
        config["platform:services"][web]["domains"] = [f"new-{old_domain}"]

    run.edit(new_domain)
    e2e_env.clear_requests()
    result = run.up()
    # The program names a custom domain's resource after the domain: a new name is a new resource, created
    # while the program runs, the old one deleted at the end.
    assert _changed(result) in (
        {"replace": {"CustomDomain"}},
        {"create": {"CustomDomain"}, "delete": {"CustomDomain"}},
    )
    operations = [r["operation"] for r in e2e_env.requests("railway")]
    assert operations.index("customDomainCreate") < operations.index("customDomainDelete")
    live = [d["domain"] for d in e2e_env.state()["railway"]["customDomains"] if not d.get("deletedAt")]
    assert live == [f"new-{old_domain}"]

    assert run.engine().set_protect("*", False)
    assert run.engine().destroy().ok


def test_dev_database_region_change_replaces_new_before_old(e2e_env: RunningEmulator, tmp_path: Path) -> None:
    run = StackRun("dev", REPO / "Pulumi.dev.yaml", tmp_path, e2e_env)
    run.up()
    before = {p["id"] for p in e2e_env.state()["neon"]["projects"]}

    def new_region(config: dict[str, Any]) -> None:
        config["platform:database"]["region"] = "aws-us-east-2"

    run.edit(new_region)
    e2e_env.clear_requests()
    result = run.up()
    changed = _changed(result)
    assert "Project" in changed.get("replace", set()), changed
    assert "create" not in changed and "delete" not in changed
    operations = [r["operation"] for r in e2e_env.requests("neon")]
    assert operations.index("createProject") < operations.index("deleteProject")
    after = [p for p in e2e_env.state()["neon"]["projects"] if not p.get("deleted")]
    assert len(after) == 1 and after[0]["id"] not in before and after[0]["region_id"] == "aws-us-east-2"
    assert run.engine().destroy().ok
