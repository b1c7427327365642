"""Neon contract: every request our provider sends and every response the emulator returns validates
against Neon's published OpenAPI spec (`../shared/api/neon-openapi.json`), and the recorded real traffic
(`../shared/api/neon-recordings/`) replayed against the emulator gets the recorded statuses and shapes."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    ConnectionUriProvider,
    DatabaseProvider,
    EndpointProvider,
    ProjectProvider,
    RoleProvider,
)
from tests.conftest import SHARED_API
from tests.providers.neon.support import configured, create, read, update

SPEC_HOST = "https://console.neon.tech"
SPEC_BASE = "/api/v2"
RECORDED_BASE = "https://console.neon.tech/api/v2"


@functools.lru_cache(maxsize=1)
def _openapi(spec_path: str) -> OpenAPI:
    # The spec is 500 KB: parse it once per session.
    return OpenAPI.from_dict(json.loads(Path(spec_path).read_text()))


@pytest.fixture
def openapi(shared_api: Path) -> OpenAPI:
    return _openapi(str(shared_api / "neon-openapi.json"))


def _mock_request(entry: dict[str, Any]) -> MockRequest:
    body = entry["request"]
    return MockRequest(
        SPEC_HOST,
        entry["method"].lower(),
        SPEC_BASE + entry["path"],
        args=entry["query"] or None,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer test-key"},
    )


def _mock_response(entry: dict[str, Any]) -> MockResponse:
    body = entry["response"]
    return MockResponse(
        json.dumps(body).encode() if body is not None else b"",
        status_code=entry["status"],
    )


def _violations(openapi: OpenAPI, entries: list[dict[str, Any]], *, requests: bool = True) -> list[str]:
    found = []
    for entry in entries:
        where = f"{entry['method']} {entry['path']} ({entry['operation']}, HTTP {entry['status']})"
        request = _mock_request(entry)
        if requests:
            try:
                openapi.validate_request(request)
            except Exception as error:
                found.append(f"request {where}: {_describe(error)}")
        try:
            openapi.validate_response(request, _mock_response(entry))
        except Exception as error:
            found.append(f"response {where}: {_describe(error)}")
    return found


def _describe(error: BaseException) -> str:
    parts = [repr(error)]
    for inner in getattr(error, "schema_errors", None) or []:
        parts.append(f"{list(inner.absolute_path)}: {inner.message}")
    cause = error.__cause__
    while cause is not None:
        parts.append(repr(cause)[:300])
        for inner in getattr(cause, "schema_errors", None) or []:
            parts.append(f"{list(inner.absolute_path)}: {inner.message}")
        cause = cause.__cause__
    return " <- ".join(parts)


# -- the provider's traffic --------------------------------------------------------------------------------
def _provider_lifecycle(emulator: RunningEmulator) -> None:
    """Every operation the providers use: each resource created, updated, read, replaced-away and deleted."""
    projects = configured(ProjectProvider, emulator)
    project = create(projects, {"name": "contract", "history_retention_seconds": 3600})
    _, project_updated = update(
        projects,
        project.id,
        project.outs,
        {
            "name": "contract-2",
            "autoscaling_max_cu": 2,
            "password_version": "2",
            "history_retention_seconds": 7200,
        },
    )
    read(projects, project.id, project_updated.outs)

    branches = configured(BranchProvider, emulator)
    branch = create(branches, {"project_id": project.id, "name": "dev"})
    _, branch = update(branches, branch.id, branch.outs, {"name": "dev-2", "protected": True})
    read(branches, branch.id, branch.outs)

    endpoints = configured(EndpointProvider, emulator)
    endpoint = create(endpoints, {"project_id": project.id, "branch_id": branch.id, "autoscaling_max_cu": 1})
    _, endpoint = update(
        endpoints, endpoint.id, endpoint.outs, {"pooler_enabled": True, "suspend_timeout_seconds": 300}
    )
    read(endpoints, endpoint.id, endpoint.outs)

    roles = configured(RoleProvider, emulator)
    role = create(roles, {"project_id": project.id, "branch_id": branch.id, "name": "app"})
    _, role = update(roles, role.id, role.outs, {"password_version": "2"})
    read(roles, role.id, role.outs)

    databases = configured(DatabaseProvider, emulator)
    database = create(
        databases, {"project_id": project.id, "branch_id": branch.id, "name": "app", "owner_name": "app"}
    )
    _, database = update(
        databases, database.id, database.outs, {"name": "app2", "owner_name": "neondb_owner"}
    )
    read(databases, database.id, database.outs)

    uris = configured(ConnectionUriProvider, emulator)
    uri = create(
        uris,
        {"project_id": project.id, "branch_id": branch.id, "database_name": "app2", "role_name": "app"},
    )
    _, uri = update(uris, uri.id, uri.outs, {"password": role.outs["password"]})
    read(uris, uri.id, uri.outs)

    databases.delete(database.id, database.outs)
    databases.delete(database.id, database.outs)  # 204
    read(databases, database.id, database.outs)  # 404, then the list
    roles.delete(role.id, role.outs)
    roles.delete(role.id, role.outs)
    read(roles, role.id, role.outs)
    endpoints.delete(endpoint.id, endpoint.outs)
    endpoints.delete(endpoint.id, endpoint.outs)
    branches.delete(branch.id, branch.outs)
    branches.delete(branch.id, branch.outs)
    read(branches, branch.id, branch.outs)
    projects.delete(project.id, project_updated.outs)
    projects.delete(project.id, project_updated.outs)  # 404
    read(projects, project.id, project_updated.outs)


def test_provider_requests_and_emulator_responses_validate(
    emulator: RunningEmulator, openapi: OpenAPI
) -> None:
    _provider_lifecycle(emulator)
    entries = emulator.requests("neon")
    operations = {e["operation"] for e in entries}
    # The lifecycle really covers the API surface the providers use.
    assert {
        "createProject",
        "updateProject",
        "getProject",
        "deleteProject",
        "getProjectOperation",
        "createProjectBranch",
        "updateProjectBranch",
        "getProjectBranch",
        "deleteProjectBranch",
        "createProjectEndpoint",
        "updateProjectEndpoint",
        "getProjectEndpoint",
        "deleteProjectEndpoint",
        "createProjectBranchRole",
        "getProjectBranchRole",
        "resetProjectBranchRolePassword",
        "deleteProjectBranchRole",
        "createProjectBranchDatabase",
        "updateProjectBranchDatabase",
        "getProjectBranchDatabase",
        "listProjectBranchDatabases",
        "deleteProjectBranchDatabase",
        "getConnectionURI",
    } <= operations
    assert {204, 404} <= {e["status"] for e in entries}
    assert _violations(openapi, entries) == []


def test_emulator_error_and_listing_responses_validate(emulator: RunningEmulator, openapi: OpenAPI) -> None:
    neon = httpx.Client(base_url=emulator.neon_url, headers={"Authorization": "Bearer k"}, timeout=10)
    with neon:
        created = neon.post(
            "/projects", json={"project": {"name": "errors", "store_passwords": False}}
        ).json()
        project_id, branch_id = created["project"]["id"], created["branch"]["id"]
        neon.post(
            f"/projects/{project_id}/branches",
            json={"branch": {"name": "x"}, "endpoints": [{"type": "read_only"}]},
        )
        neon.get("/projects")
        neon.get("/projects", params={"limit": 1})
        neon.get(f"/projects/{project_id}/branches")
        neon.get(f"/projects/{project_id}/branches/{branch_id}")
        neon.get(f"/projects/{project_id}/endpoints")
        neon.get(f"/projects/{project_id}/branches/{branch_id}/endpoints")
        neon.get(f"/projects/{project_id}/branches/{branch_id}/roles")
        neon.get(f"/projects/{project_id}/branches/{branch_id}/databases")
        neon.get(f"/projects/{project_id}/operations")
        neon.get("/users/me")
        neon.get("/regions")
        key = neon.post("/api_keys", json={"key_name": "contract"}).json()
        neon.get("/api_keys")
        neon.delete(f"/api_keys/{key['id']}")
        neon.get(f"/projects/{project_id}/branches/{branch_id}/roles/neondb_owner/reveal_password")  # 412
        neon.post(
            f"/projects/{project_id}/endpoints",
            json={"endpoint": {"branch_id": branch_id, "type": "read_write"}},
        )
        neon.delete(f"/projects/{project_id}/branches/{branch_id}")  # 400: default branch
        neon.post("/projects", json={"project": {"pg_version": 13}})  # 400
        neon.get("/projects/missing-1")  # 404
    entries = emulator.requests("neon")
    assert {200, 201, 400, 404, 409, 412} <= {e["status"] for e in entries}
    # Requests here are hand-made (some invalid on purpose); their responses must all be spec-shaped.
    assert _violations(openapi, entries, requests=False) == []


def test_the_contract_check_notices_violations(emulator: RunningEmulator, openapi: OpenAPI) -> None:
    """Guards against a vacuous contract test: broken shapes must be reported."""
    configured(ProjectProvider, emulator)
    with httpx.Client(base_url=emulator.neon_url, headers={"Authorization": "Bearer k"}, timeout=10) as neon:
        neon.post("/projects", json={"project": {"name": "shape"}})
    [entry] = emulator.requests("neon")
    assert _violations(openapi, [entry]) == []
    broken_response = {**entry, "response": {**entry["response"], "project": {"name": "no id"}}}
    broken_request = {**entry, "request": {"project": {"pg_version": "seventeen"}}}
    assert _violations(openapi, [broken_response], requests=False)
    assert any(v.startswith("request") for v in _violations(openapi, [broken_request]))


# -- recorded real traffic --------------------------------------------------------------------------------
ID_KEYS = frozenset({"id", "project_id", "branch_id", "endpoint_id", "parent_id"})
# Fields of the 2024 recordings that the current spec (2025-10) no longer has.
RETIRED_FIELDS = frozenset({"primary_branch_only"})
# Names only, for test ids; the files are read through the `shared_api` fixture (which skips when absent).
RECORDINGS = sorted(p.name for p in (SHARED_API / "neon-recordings").glob("*.yaml"))


def _missing_keys(recorded: Any, ours: Any, path: str = "") -> list[str]:
    """Keys the real response had that ours lacks (ours may have more: the spec allows them)."""
    if isinstance(recorded, dict) and isinstance(ours, dict):
        missing = []
        for key, value in recorded.items():
            if key in RETIRED_FIELDS:
                continue
            if key not in ours:
                missing.append(f"{path}.{key}")
            else:
                missing += _missing_keys(value, ours[key], f"{path}.{key}")
        return missing
    if isinstance(recorded, list) and isinstance(ours, list):
        if recorded and ours:
            return _missing_keys(recorded[0], ours[0], f"{path}[0]")
        if recorded and not ours:
            return [f"{path}[] (recorded non-empty, ours empty)"]
        return []
    if isinstance(recorded, dict | list) != isinstance(ours, dict | list):
        return [f"{path} (type differs)"]
    return []


def _learn_ids(recorded: Any, ours: Any, ids: dict[str, str]) -> None:
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for key, value in recorded.items():
            if key in ID_KEYS and isinstance(value, str | int) and isinstance(ours.get(key), str | int):
                ids.setdefault(str(value), str(ours[key]))  # ids appear in paths as text
            elif key in ours:
                _learn_ids(value, ours[key], ids)
    elif isinstance(recorded, list) and isinstance(ours, list):
        for left, right in zip(recorded, ours, strict=False):
            _learn_ids(left, right, ids)


def _swap_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _swap_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_ids(v, ids) for v in value]
    return value


def _recorded_body(interaction: dict[str, Any]) -> Any:
    text = interaction["response"]["body"]["string"]
    return json.loads(text) if text else None


def _seed_missing_projects(
    neon: httpx.Client, interactions: list[dict[str, Any]], ids: dict[str, str]
) -> None:
    """Projects a recording uses that an earlier recording made: create stand-ins for them first."""
    created = set()
    known: dict[str, dict[str, Any]] = {}
    used = []
    for interaction in interactions:
        path = urlsplit(interaction["request"]["uri"]).path.removeprefix(SPEC_BASE)
        match = re.match(r"^/projects/([a-z0-9-]+)", path)
        if match and match.group(1) != "shared" and match.group(1) not in created:
            used.append(match.group(1))
        body = _recorded_body(interaction)
        if isinstance(body, dict):
            for project in body.get("projects") or []:
                known.setdefault(project["id"], project)
            if isinstance(body.get("project"), dict) and interaction["request"]["method"] == "POST":
                created.add(body["project"]["id"])
    # Projects a listing showed exist too, though nothing below names them.
    for project_id in dict.fromkeys([*used, *known]):
        if project_id in ids or project_id in created:
            continue
        spec = known.get(project_id, {})
        response = neon.post(
            "/projects",
            json={
                "project": {
                    "name": spec.get("name", project_id),
                    "region_id": spec.get("region_id", "aws-us-east-2"),
                }
            },
        )
        ids[project_id] = response.json()["project"]["id"]
        neon.get(f"/projects/{ids[project_id]}")  # observed: an older project has settled


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda name: name.removesuffix(".yaml"))
def test_recorded_traffic_replays_with_recorded_statuses_and_shapes(
    emulator: RunningEmulator, shared_api: Path, recording: str
) -> None:
    interactions = yaml.safe_load((shared_api / "neon-recordings" / recording).read_text())["interactions"]
    ids: dict[str, str] = {}
    problems = []
    with httpx.Client(base_url=emulator.neon_url, headers={"Authorization": "Bearer k"}, timeout=10) as neon:
        _seed_missing_projects(neon, interactions, ids)  # at time scale 0: they settle when looked at
        # At time scale 1 and a clock that does not move, operations stay where the recordings saw them
        # (running or scheduling), as they were seconds into the real run.
        emulator.app.settings.time_scale = 1
        emulator.app.clock.time_scale = 1
        for number, interaction in enumerate(interactions):
            request = interaction["request"]
            parts = urlsplit(request["uri"])
            assert parts.path.startswith(SPEC_BASE)
            path = "/".join(
                ids.get(segment, segment) for segment in parts.path.removeprefix(SPEC_BASE).split("/")
            )
            query = urlencode([(k, ids.get(v, v)) for k, v in parse_qsl(parts.query)])
            body = json.loads(request["body"]) if request["body"] else None
            response = neon.request(
                request["method"],
                path + (f"?{query}" if query else ""),
                json=_swap_ids(body, ids) if body is not None else None,
            )
            recorded_status = interaction["response"]["status"]["code"]
            where = f"#{number} {request['method']} {parts.path}"
            if response.status_code != recorded_status:
                problems.append(f"{where}: status {response.status_code}, recorded {recorded_status}")
                continue
            recorded = _recorded_body(interaction)
            ours = response.json() if response.content else None
            problems += [f"{where}: missing {key}" for key in _missing_keys(recorded, ours)]
            _learn_ids(recorded, ours, ids)
    assert problems == [], "\n".join(problems)
