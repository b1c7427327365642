"""Pull-request stacks end to end, with the local engine against the emulator: the base stack up, then
`stack init pr-7 --copy-config-from <base>` and `up` of pr-7 (a forked ephemeral Railway environment, a
database branch, variables pointing at the branch and never at the base's database), a second up sends no
request, destroy of pr-7 leaves every object of the base exactly as it was, and a pull request whose
config names the base's own database id is refused before any request.

The reference app (Neon) runs by default; NestSync (Supabase) and KARS (Railway Postgres) with
PLATFORM_E2E_ALL_PULL_REQUESTS=1 (each costs a full base `up`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, cast

import pytest

from emulator.testing import RunningEmulator
from localengine.engine import Engine, Result
from localengine.project import Project, set_config_value
from localengine.stacks import init_stack
from tests.e2e.conftest import REPO, StackRun

pytestmark = pytest.mark.e2e

ALL = os.environ.get("PLATFORM_E2E_ALL_PULL_REQUESTS") == "1"
CASES = [
    pytest.param("staging", REPO / "Pulumi.staging.yaml", "neon", id="reference-neon"),
    pytest.param(
        "nestsync-staging",
        REPO / "examples/nestsync/Pulumi.staging.yaml",
        "supabase",
        id="nestsync-supabase",
        marks=pytest.mark.skipif(not ALL, reason="set PLATFORM_E2E_ALL_PULL_REQUESTS=1"),
    ),
    pytest.param(
        "kars-staging",
        REPO / "examples/kars/Pulumi.staging.yaml",
        "railway",
        id="kars-railway",
        marks=pytest.mark.skipif(not ALL, reason="set PLATFORM_E2E_ALL_PULL_REQUESTS=1"),
    ),
]


def _items(collection: Any) -> list[dict[str, Any]]:
    return list(collection.values()) if isinstance(collection, dict) else list(collection)


def _key(item: dict[str, Any]) -> str:
    return str(item.get("ref") or item.get("id") or item.get("name"))


# Usage figures the vendor keeps on a container: the PR's compute runs in the base's Neon project, so the
# project's last-activity time moves; the Supabase emulator counts the looks at a project (its lifecycle
# clock at time scale 0), and creating a branch looks at the parent. Not a change to any object of the base.
USAGE_FIELDS = {"compute_last_active_at", "observations"}


def _objects(state: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every emulator object, by (vendor, collection, id), without usage figures."""
    out = {}
    for vendor, collections in state.items():
        for collection, items in collections.items():
            if isinstance(items, dict | list):
                for item in _items(items):
                    if isinstance(item, dict):
                        kept = {k: v for k, v in item.items() if k not in USAGE_FIELDS}
                        out[(vendor, collection, _key(item))] = kept
    return out


class PullRequestRun:
    def __init__(self, base: StackRun, name: str, folder: Path, emulator: RunningEmulator) -> None:
        self.name = name
        self.emulator = emulator
        self.config_file = folder / f"Pulumi.{name}.yaml"
        project = Project.load(REPO)
        project.config_files[name] = self.config_file
        init_stack(project, name, copy_config_from=base.name, base_config_file=base.config_file)
        self.project = project
        if base.name != "staging":
            self.set("platform:pullRequest.base", base.name)

    def set(self, key: str, value: str) -> None:
        set_config_value(self.project, self.name, key, value, secret=False, path_key=True)

    def engine(self) -> Engine:

        return Engine(REPO, self.name, out=io.StringIO(), config_file=self.config_file)

    def up(self) -> tuple[Result, str]:
        engine = self.engine()
        result = engine.up()
        return result, cast(io.StringIO, engine.out).getvalue()


def _host_token(host: str) -> str:
    """What names the database in a URL: Neon's endpoint id, Supabase's `db.<ref>`, Railway's service host."""
    if host.endswith(".railway.internal"):
        return f"@{host}:"
    labels = host.split(".")
    return labels[1] if labels[0] == "db" else labels[0]


def _database_id(base_outputs: dict[str, Any]) -> str:
    database = base_outputs["pullRequestBase"]["database"]
    return str(
        database.get("neonBranchId") or database.get("supabaseRef") or database.get("railwayServiceId")
    )


@pytest.mark.parametrize(("base_name", "source", "engine_kind"), CASES)
def test_pull_request_environment(
    base_name: str, source: Path, engine_kind: str, e2e_env: RunningEmulator, tmp_path: Path
) -> None:
    emulator = e2e_env
    base = StackRun(base_name, source, tmp_path, emulator)
    base.up()
    base_outputs = base.engine().outputs()
    before = _objects(emulator.state())
    base_env = base_outputs["railwayEnvironmentId"]

    # A pull request whose config names the base's own database: refused before any request.
    bad = PullRequestRun(base, f"{base_name.removesuffix('staging')}pr-8", tmp_path, emulator)
    bad.set("platform:pullRequest.number", "8")
    bad.set("platform:pullRequest.branch", "feature-y")
    first_service = next(iter(base.settings()["config"]["platform:services"]))
    bad.set(f"platform:services.{first_service}.env.DATABASE_ID", _database_id(base_outputs))
    emulator.clear_requests()
    refused, output = bad.up()
    assert not refused.ok
    assert f"Pulumi.{bad.name}.yaml: platform:services.{first_service}.env.DATABASE_ID" in output, output
    assert "own" in output and base_name in output
    assert emulator.requests() == [], "refused before any request"
    bad.engine().destroy()

    pr = PullRequestRun(base, f"{base_name.removesuffix('staging')}pr-7", tmp_path, emulator)
    pr.set("platform:pullRequest.number", "7")
    pr.set("platform:pullRequest.branch", "feature-x")
    if any("image" in s for s in base.settings()["config"]["platform:services"].values()):
        pr.set("platform:pullRequest.image", "ghcr.io/acme/app:pr-7")
    result, output = pr.up()
    assert result.ok, output
    outputs = pr.engine().outputs()
    pr_env = outputs["railwayEnvironmentId"]

    railway = emulator.state()["railway"]
    fork = next(e for e in _items(railway["environments"]) if e["id"] == pr_env)
    assert fork["isEphemeral"] is True and fork.get("sourceEnvironmentId") == base_env
    base_db_host = _host_token(str(base_outputs.get("databaseHost")))
    pr_db_host = _host_token(str(outputs["databaseHost"]))
    assert pr_db_host != base_db_host
    pr_variables = [v for v in _items(railway["variables"]) if v["environmentId"] == pr_env]
    wired = [v["values"]["DATABASE_URL"] for v in pr_variables if "DATABASE_URL" in v["values"]]
    assert wired, "the services in the fork are wired to a database"
    for url in wired:
        assert pr_db_host in url and base_db_host not in url, url
    instances = [i for i in _items(railway["serviceInstances"]) if i["environmentId"] == pr_env]
    assert instances
    branch_id = str(outputs["databaseBranch"])
    if engine_kind == "neon":
        branch = next(b for b in _items(emulator.state()["neon"]["branches"]) if b["id"] == branch_id)
        assert branch["parent_id"] == base_outputs["pullRequestBase"]["database"]["neonBranchId"]
        assert branch.get("expires_at")
    elif engine_kind == "supabase":
        assert branch_id in emulator.state()["supabase"]["projects"]
    else:
        services = {s["id"]: s["name"] for s in _items(railway["services"])}
        assert services[branch_id] == "postgres-pr-7"

    emulator.clear_requests()
    again = pr.engine().up()
    assert again.ok and again.changes() == {}
    assert emulator.requests() == [], "a second up sends no request"

    assert pr.engine().destroy().ok
    after = _objects(emulator.state())
    changed = {key for key, item in before.items() if after.get(key) != item}
    diffs = {
        k: {
            f: (before[k].get(f), after.get(k, {}).get(f))
            for f in set(before[k]) | set(after.get(k, {}))
            if before[k].get(f) != after.get(k, {}).get(f)
        }
        for k in changed
    }
    assert changed == set(), f"the base objects changed: {diffs}"
