"""Neon's own clients against the emulator: neonctl (npm), @neondatabase/api-client (npm) and neon-api
(PyPI), each through create, list, get, update and delete of what our providers manage (projects,
branches, computes, roles, databases), waiting for operations, and the error cases; every response
they received validates against Neon's published OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from neon_api import NeonAPI
from neon_api import client as neon_api_client
from neon_api.exceptions import NeonAPIError

from emulator.testing import RunningEmulator
from tests.clients.support import (
    CLIENTS,
    FULL,
    NEONCTL,
    confined_env,
    neon_violations,
    require,
    run,
    run_node_script,
)

GOOD_KEY = "neon-client-key"
HERE = Path(__file__).parent


@pytest.fixture
def neon_emulator(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The emulator, accepting only GOOD_KEY (so a bad token is refused as Neon refuses it)."""
    emulator.app.settings.token = GOOD_KEY
    try:
        yield emulator
    finally:
        emulator.app.settings.token = None


def test_neonctl_workflows(neon_emulator: RunningEmulator, tmp_path: Path, shared_api: Path) -> None:
    cli = require(NEONCTL)
    env = confined_env(tmp_path)

    def neonctl(*args: str, key: str = GOOD_KEY) -> tuple[int, Any, str]:
        done = run(
            [
                "node", str(cli), *args, "--api-host", neon_emulator.neon_url, "--api-key", key,
                "--no-analytics", "--config-dir", str(tmp_path / "neonctl"), "--output", "json",
            ],
            env,
            tmp_path,
        )  # fmt: skip
        try:
            body = json.loads(done.stdout) if done.stdout.strip() else None
        except json.JSONDecodeError:
            body = done.stdout
        return done.returncode, body, done.stderr

    code, created, err = neonctl("projects", "create", "--name", "cli-demo", "--region-id", "aws-us-west-2")
    assert code == 0, err
    project_id = created["project"]["id"]
    assert created["project"]["region_id"] == "aws-us-west-2"

    expires = datetime.fromtimestamp(neon_emulator.app.clock.now() + 3 * 86400, tz=UTC)
    code, branch, err = neonctl(
        "branches", "create", "--project-id", project_id, "--name", "pr-7",
        "--expires-at", expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )  # fmt: skip
    assert code == 0, err
    assert branch["branch"]["expires_at"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Lookups by name walk the branch pages: they end (they looped forever before).
    code, got, err = neonctl("branches", "get", "pr-7", "--project-id", project_id)
    assert code == 0, err
    assert got["name"] == "pr-7" and got["id"] == branch["branch"]["id"]
    code, uri, err = neonctl("connection-string", "pr-7", "--project-id", project_id)
    assert code == 0, err
    assert str(uri).startswith("postgresql://neondb_owner:")
    if FULL:
        code, listed, err = neonctl("branches", "list", "--project-id", project_id)
        assert code == 0 and {b["name"] for b in listed} == {"main", "pr-7"}, err
        code, renamed, err = neonctl("branches", "rename", "pr-7", "pr-7b", "--project-id", project_id)
        assert code == 0 and renamed["name"] == "pr-7b", err
    code, _, err = neonctl("branches", "delete", "pr-7b" if FULL else "pr-7", "--project-id", project_id)
    assert code == 0, err

    if FULL:
        code, _, err = neonctl("projects", "get", "nope-12345678")
        assert code != 0 and "not found" in err.lower()
        code, _, err = neonctl("projects", "create", "--name", "x", "--region-id", "aws-ca-central-1")
        assert code != 0 and "region" in err.lower()
    code, _, err = neonctl("projects", "list", key="wrong-key")
    assert code != 0 and ("401" in err or "invalid api key" in err.lower() or "auth" in err.lower())
    code, _, err = neonctl("projects", "delete", project_id)
    assert code == 0, err

    state = neon_emulator.state()["neon"]
    assert state["projects"] == []
    assert neon_violations(shared_api, neon_emulator.requests("neon")) == []


def test_neon_typescript_api_client_workflows(
    neon_emulator: RunningEmulator, tmp_path: Path, shared_api: Path
) -> None:
    require(CLIENTS / "@neondatabase" / "api-client")
    env = confined_env(
        tmp_path, NEON_BASE_URL=neon_emulator.neon_url, NEON_API_KEY=GOOD_KEY, NEON_BAD_KEY="wrong-key"
    )
    seen = run_node_script(HERE / "neon_api_client.cjs", env, tmp_path)
    assert seen["created"] == {"status": 201, "region": "aws-eu-central-1"}
    assert seen["got"] == "ts-client" and seen["renamed"] == "ts-client-2"
    assert seen["paged"] == ["main", "pr-1", "pr-2", "pr-3"]
    assert seen["branchGot"] == "pr-1" and seen["branchRenamed"] == "pr-1-renamed"
    assert seen["rolePassword"] is True and seen["database"] == "app" and seen["uri"] is True
    assert seen["endpointMax"] == 2
    assert seen["lockedWithoutWaiting"] == 423
    assert seen["operationsFinished"] is True and seen["branchDeleted"] == 200
    assert (seen["unknownProject"], seen["unknownBranch"], seen["badRegion"], seen["badToken"]) == (
        404,
        404,
        400,
        401,
    )
    assert seen["projectDeleted"] == 200 and seen["goneAfter"] == 404
    assert neon_violations(shared_api, neon_emulator.requests("neon")) == []


def _wait(api: NeonAPI, project_id: str) -> None:
    """Wait as a client does: list the project's operations until none is unfinished (the client's
    response models drop the `operations` of most answers)."""
    for _ in range(50):
        statuses = [getattr(o.status, "value", o.status) for o in api.operations(project_id).operations]
        if all(status == "finished" for status in statuses):
            return
    raise AssertionError("operations did not finish")


def test_neon_python_client_workflows(
    neon_emulator: RunningEmulator, shared_api: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = NeonAPI(GOOD_KEY, base_url=neon_emulator.neon_url + "/")
    created = api.project_create(project={"name": "py-client", "region_id": "aws-us-east-1"})
    project_id = created.project.id
    _wait(api, project_id)
    assert project_id in [p.id for p in api.projects().projects]
    # neon-api 0.3.0's models predate Neon's `*_v3` plans (`owner.subscription_type: scale_v3`, which the
    # published document lists and real accounts return): read the project without its models.
    monkeypatch.setattr(neon_api_client, "ENABLE_PYDANTIC", False)
    assert api.project(project_id)["project"]["name"] == "py-client"
    monkeypatch.setattr(neon_api_client, "ENABLE_PYDANTIC", True)
    assert api.project_update(project_id, project={"name": "py-2"}).project.name == "py-2"

    branch = api.branch_create(project_id, branch={"name": "feature"}, endpoints=[{"type": "read_write"}])
    branch_id = branch.branch.id
    _wait(api, project_id)
    assert {b.name for b in api.branches(project_id).branches} == {"main", "feature"}
    assert api.branch(project_id, branch_id).branch.name == "feature"
    assert api.branch_update(project_id, branch_id, branch={"name": "feature-2"}).branch.name == "feature-2"
    api.role_create(project_id, branch_id, "app")
    _wait(api, project_id)
    api.database_create(project_id, branch_id, database={"name": "app", "owner_name": "app"})
    _wait(api, project_id)
    assert [d.name for d in api.databases(project_id, branch_id).databases] == ["neondb", "app"]
    [endpoint] = api.endpoints(project_id).endpoints[1:] or api.endpoints(project_id).endpoints
    api.endpoint_suspend(project_id, endpoint.id)
    _wait(api, project_id)
    state = api.endpoint(project_id, endpoint.id).endpoint.current_state
    assert getattr(state, "value", state) == "idle"
    api.endpoint_start(project_id, endpoint.id)
    _wait(api, project_id)
    api.branch_delete(project_id, branch_id)
    _wait(api, project_id)

    # The client raises with the error body: Neon's message tells the cases apart.
    with pytest.raises(NeonAPIError, match="project not found"):
        api.project("nope-12345678")
    with pytest.raises(NeonAPIError, match="is not supported"):
        api.project_create(project={"name": "x", "region_id": "mars-1"})
    with pytest.raises(NeonAPIError, match="invalid API key"):
        NeonAPI("wrong-key", base_url=neon_emulator.neon_url + "/").projects()
    api.project_delete(project_id)
    assert neon_violations(shared_api, neon_emulator.requests("neon")) == []
