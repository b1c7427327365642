"""The Neon emulator over HTTP: shapes, async operations and 423, validation, plans, faults, rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.core.app import EmulatorApp, Settings
from emulator.testing import RunningEmulator

LOCKED = "project already has running conflicting operations, scheduling of new ones is prohibited"


@pytest.fixture
def neon(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.neon_url, headers={"Authorization": "Bearer test-key"}, timeout=10
    ) as client:
        yield client


def _time_scale(emulator: RunningEmulator, scale: float) -> None:
    emulator.app.settings.time_scale = scale
    emulator.app.clock.time_scale = scale


def _settle(neon: httpx.Client, project_id: str) -> None:
    """Wait as a client does: read the project's operations (time scale 0: that finishes them)."""
    neon.get(f"/projects/{project_id}/operations")


def _project(neon: httpx.Client, *, settle: bool = True, **spec: Any) -> dict[str, Any]:
    response = neon.post("/projects", json={"project": {"name": "emu", **spec}})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    if settle:
        _settle(neon, body["project"]["id"])
    return body


def _keys(value: Any) -> Any:
    """The key structure of a JSON value (first element of lists), without the values."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return None


# -- createProject ----------------------------------------------------------------------------------------
def test_create_project_makes_everything_in_one_call_like_the_real_response(
    neon: httpx.Client, shared_api: Path
) -> None:
    body = _project(neon)
    real = json.loads((shared_api / "neon-example-create-project-response.json").read_text())
    assert _keys(body) == _keys(real)
    assert body["branch"]["name"] == "main" and body["branch"]["default"] is True
    assert body["branch"]["current_state"] == "init" and body["branch"]["pending_state"] == "ready"
    [endpoint] = body["endpoints"]
    assert endpoint["type"] == "read_write" and endpoint["host"].startswith(endpoint["id"] + ".us-east-2.")
    [role] = body["roles"]
    assert role["name"] == "neondb_owner" and role["password"]
    [database] = body["databases"]
    assert database["name"] == "neondb" and database["owner_name"] == "neondb_owner"
    [details] = body["connection_uris"]
    assert details["connection_uri"] == (
        f"postgresql://neondb_owner:{role['password']}@{endpoint['host']}/neondb?sslmode=require"
    )
    assert details["connection_parameters"]["pooler_host"] == endpoint["host"].replace(
        endpoint["id"], endpoint["id"] + "-pooler"
    )
    assert [(o["action"], o["status"]) for o in body["operations"]] == [
        ("create_timeline", "running"),
        ("start_compute", "scheduling"),
    ]
    # Reads never show the password.
    roles = neon.get(f"/projects/{body['project']['id']}/branches/{body['branch']['id']}/roles").json()
    assert "password" not in roles["roles"][0]


def test_create_project_needs_the_project_wrapper(neon: httpx.Client) -> None:
    response = neon.post("/projects", json={})
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "invalid request: decode application/json: invalid: project (field required)"
    )


def test_auth_request_ids_and_error_shape(emulator: RunningEmulator, neon: httpx.Client) -> None:
    anonymous = httpx.get(f"{emulator.neon_url}/projects", timeout=10)
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"code", "message", "request_id"}
    ok = neon.get("/projects")
    assert ok.status_code == 200 and ok.headers["X-Neon-Ret-Request-Id"]
    missing = neon.get("/projects/no-such-project-1", headers={"X-Request-ID": "my-request-1"})
    assert missing.status_code == 404
    assert missing.json() == {"code": "", "message": "project not found", "request_id": "my-request-1"}
    assert missing.headers["X-Neon-Ret-Request-Id"] == "my-request-1"


# -- operations and 423 -----------------------------------------------------------------------------------
def test_operations_complete_on_the_next_observation_at_time_scale_0(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id = body["project"]["id"]
    operation_id = body["operations"][0]["id"]
    operation = neon.get(f"/projects/{project_id}/operations/{operation_id}").json()["operation"]
    assert operation["status"] == "finished"
    branch = neon.get(f"/projects/{project_id}/branches/{body['branch']['id']}").json()["branch"]
    assert branch["current_state"] == "ready" and "pending_state" not in branch
    endpoint = neon.get(f"/projects/{project_id}/endpoints/{body['endpoints'][0]['id']}").json()["endpoint"]
    assert endpoint["current_state"] == "active"


def test_operations_move_over_time_and_conflicting_mutations_get_423(
    emulator: RunningEmulator, neon: httpx.Client
) -> None:
    _time_scale(emulator, 1.0)
    body = _project(neon)
    project_id, branch_id = body["project"]["id"], body["branch"]["id"]
    first, second = (o["id"] for o in body["operations"])

    def status(operation_id: str) -> str:
        return str(
            neon.get(f"/projects/{project_id}/operations/{operation_id}").json()["operation"]["status"]
        )

    assert (status(first), status(second)) == ("running", "scheduling")
    locked = neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": "dev"}})
    assert locked.status_code == 423
    assert locked.json()["message"] == LOCKED
    assert neon.get(f"/projects/{project_id}/branches").status_code == 200  # reads still work

    emulator.app.clock.advance(2.5)  # create_timeline takes 2 s, then start_compute 3 s
    assert (status(first), status(second)) == ("finished", "running")
    retention = neon.patch(f"/projects/{project_id}", json={"project": {"history_retention_seconds": 3600}})
    assert retention.status_code == 423
    # Work that schedules no operation does not conflict (the real API renamed a project mid-create).
    assert neon.patch(f"/projects/{project_id}", json={"project": {"name": "renamed"}}).status_code == 200
    emulator.app.clock.advance(3)
    assert status(second) == "finished"
    created = neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": "dev"}})
    assert created.status_code == 201
    assert created.json()["branch"]["parent_id"] == branch_id


def test_a_client_that_mutates_without_waiting_meets_423_and_gets_through_after_it(
    neon: httpx.Client,
) -> None:
    body = _project(neon, settle=False)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    branch = {"branch": {"name": "eager", "parent_id": main}}
    # Reads that do not show operations (roles, databases) do not move them on.
    neon.get(f"/projects/{project_id}/branches/{main}/roles")
    first = neon.post(f"/projects/{project_id}/branches", json=branch)
    assert first.status_code == 423
    # Having met the lock, the client retries (as neonctl and our providers do) and gets through.
    assert neon.post(f"/projects/{project_id}/branches", json=branch).status_code == 201


def test_list_operations_newest_first(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id = body["project"]["id"]
    neon.patch(f"/projects/{project_id}", json={"project": {"history_retention_seconds": 3600}})
    listed = neon.get(f"/projects/{project_id}/operations").json()
    assert listed["operations"][0]["action"] == "apply_storage_config"
    assert {o["status"] for o in listed["operations"][1:]} == {"finished"}
    assert listed["pagination"]["cursor"]


def test_injected_operation_failure(emulator: RunningEmulator, neon: httpx.Client) -> None:
    body = _project(neon)
    project_id = body["project"]["id"]
    emulator.inject(
        vendor="neon",
        operation="createProjectEndpoint",
        effect="operation_failed",
        params={"error": "compute failed to start"},
    )
    created = neon.post(
        f"/projects/{project_id}/endpoints",
        json={"endpoint": {"branch_id": body["branch"]["id"], "type": "read_only"}},
    ).json()
    operation_id = created["operations"][0]["id"]
    operation = neon.get(f"/projects/{project_id}/operations/{operation_id}").json()["operation"]
    assert operation["status"] == "failed" and operation["error"] == "compute failed to start"
    # Only the next operation fails.
    again = neon.patch(
        f"/projects/{project_id}/endpoints/{created['endpoint']['id']}",
        json={"endpoint": {"suspend_timeout_seconds": 60}},
    ).json()
    operation = neon.get(f"/projects/{project_id}/operations/{again['operations'][0]['id']}").json()[
        "operation"
    ]
    assert operation["status"] == "finished"


def test_injected_423_fault_has_the_real_body(emulator: RunningEmulator, neon: httpx.Client) -> None:
    emulator.inject(vendor="neon", operation="listProjects", status=423)
    response = neon.get("/projects")
    assert response.status_code == 423
    assert response.json()["message"] == LOCKED and response.json()["code"] == ""


# -- validation --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"autoscaling_limit_min_cu": 0.3, "autoscaling_limit_max_cu": 1}, "not a valid compute size"),
        ({"autoscaling_limit_min_cu": 2, "autoscaling_limit_max_cu": 1}, "must not exceed"),
        ({"autoscaling_limit_min_cu": 8, "autoscaling_limit_max_cu": 18}, "only up to 16 CU"),
        ({"autoscaling_limit_min_cu": 1, "autoscaling_limit_max_cu": 10}, "cannot exceed 8 CU"),
        ({"suspend_timeout_seconds": 604801}, "between -1 and 604800"),
    ],
)
def test_compute_rules(neon: httpx.Client, settings: dict[str, Any], fragment: str) -> None:
    response = neon.post("/projects", json={"project": {"default_endpoint_settings": settings}})
    assert response.status_code == 400 and fragment in response.json()["message"]


def test_fixed_large_compute_is_allowed_on_scale(neon: httpx.Client) -> None:
    body = _project(
        neon, default_endpoint_settings={"autoscaling_limit_min_cu": 56, "autoscaling_limit_max_cu": 56}
    )
    assert body["endpoints"][0]["autoscaling_limit_max_cu"] == 56


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"pg_version": 13}, "pg_version"),
        ({"pg_version": 19}, "pg_version"),
        ({"region_id": "aws-ca-central-1"}, "aws-us-east-1"),
        ({"history_retention_seconds": 2592001}, "between 0 and 2592000"),
    ],
)
def test_project_validation(neon: httpx.Client, spec: dict[str, Any], fragment: str) -> None:
    response = neon.post("/projects", json={"project": spec})
    assert response.status_code == 400 and fragment in response.json()["message"]


def test_one_read_write_endpoint_per_branch(neon: httpx.Client) -> None:
    body = _project(neon)
    url = f"/projects/{body['project']['id']}/endpoints"
    second = neon.post(url, json={"endpoint": {"branch_id": body["branch"]["id"], "type": "read_write"}})
    assert second.status_code == 409
    replica = neon.post(url, json={"endpoint": {"branch_id": body["branch"]["id"], "type": "read_only"}})
    assert replica.status_code == 201


def test_branch_deletion_rules(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    default = neon.delete(f"/projects/{project_id}/branches/{main}")
    assert default.status_code == 400 and "default branch" in default.json()["message"]
    parent = neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": "parent"}}).json()[
        "branch"
    ]
    _settle(neon, project_id)
    child = neon.post(
        f"/projects/{project_id}/branches", json={"branch": {"name": "child", "parent_id": parent["id"]}}
    )
    assert child.status_code == 201
    _settle(neon, project_id)
    with_child = neon.delete(f"/projects/{project_id}/branches/{parent['id']}")
    assert with_child.status_code == 400 and "child" in with_child.json()["message"]
    duplicate = neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": "parent"}})
    assert duplicate.status_code == 409


def test_child_branch_copies_roles_and_databases(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id = body["project"]["id"]
    created = neon.post(
        f"/projects/{project_id}/branches",
        json={"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]},
    ).json()
    assert [r["name"] for r in created["roles"]] == ["neondb_owner"]
    assert [d["name"] for d in created["databases"]] == ["neondb"]
    [details] = created["connection_uris"]
    # Same password as the parent's role: the branch is a copy.
    assert details["connection_parameters"]["password"] == body["roles"][0]["password"]
    assert details["connection_parameters"]["host"] == created["endpoints"][0]["host"]


def test_database_owner_must_exist(neon: httpx.Client) -> None:
    body = _project(neon)
    url = f"/projects/{body['project']['id']}/branches/{body['branch']['id']}/databases"
    response = neon.post(url, json={"database": {"name": "app", "owner_name": "ghost"}})
    assert response.status_code == 400 and "ghost" in response.json()["message"]


def test_reveal_password_412_when_passwords_are_not_stored(neon: httpx.Client) -> None:
    body = _project(neon, store_passwords=False)
    role = f"/projects/{body['project']['id']}/branches/{body['branch']['id']}/roles/neondb_owner"
    url = f"{role}/reveal_password"
    response = neon.get(url)
    assert response.status_code == 412 and response.json()["message"] == "Storing passwords is disabled"


def test_reset_password_then_reveal_and_connection_uri(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, branch_id = body["project"]["id"], body["branch"]["id"]
    role_url = f"/projects/{project_id}/branches/{branch_id}/roles/neondb_owner"
    reset = neon.post(f"{role_url}/reset_password").json()
    new_password = reset["role"]["password"]
    assert new_password != body["roles"][0]["password"]
    assert [o["action"] for o in reset["operations"]] == ["apply_config"]
    assert neon.get(f"{role_url}/reveal_password").json() == {"password": new_password}
    uri = neon.get(
        f"/projects/{project_id}/connection_uri",
        params={"database_name": "neondb", "role_name": "neondb_owner", "pooled": "true"},
    ).json()["uri"]
    endpoint_id = body["endpoints"][0]["id"]
    assert uri == (
        f"postgresql://neondb_owner:{new_password}@{endpoint_id}-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/projects/missing-project-1", "project not found"),
        ("/projects/{project}/branches/br-missing-a1234567", "branch not found"),
        ("/projects/{project}/endpoints/ep-missing-a1234567", "endpoint not found"),
        ("/projects/{project}/branches/{branch}/roles/ghost", "role not found"),
        ("/projects/{project}/branches/{branch}/databases/ghost", "database not found"),
        ("/projects/{project}/operations/00000000-0000-4000-8000-000000000000", "operation not found"),
    ],
)
def test_not_found_messages(neon: httpx.Client, path: str, message: str) -> None:
    body = _project(neon)
    response = neon.get(path.format(project=body["project"]["id"], branch=body["branch"]["id"]))
    assert response.status_code == 404 and response.json()["message"] == message


def test_deleting_what_is_gone_answers_204_and_a_missing_project_404(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, branch_id = body["project"]["id"], body["branch"]["id"]
    for path in (
        f"/projects/{project_id}/branches/br-gone-a1234567",
        f"/projects/{project_id}/endpoints/ep-gone-a1234567",
        f"/projects/{project_id}/branches/{branch_id}/roles/gone",
        f"/projects/{project_id}/branches/{branch_id}/databases/gone",
    ):
        response = neon.delete(path)
        assert response.status_code == 204 and response.content == b"", path
    assert neon.delete(f"/projects/{project_id}").status_code == 200
    assert neon.delete(f"/projects/{project_id}").status_code == 404


# -- plans, rate limits, persistence ------------------------------------------------------------------------
def test_free_plan_limits(emulator: RunningEmulator, neon: httpx.Client) -> None:
    httpx.post(f"{emulator.url}/_emulator/settings", json={"vendors": {"neon": {"plan": "free"}}}, timeout=10)
    retention = neon.post("/projects", json={"project": {"history_retention_seconds": 86400}})
    assert retention.status_code == 400
    assert retention.json()["message"] == (
        "requested history retention seconds exceeds allowed maximum; "
        'requested_history_retention_seconds:"86400", max:"21600"'
    )
    compute = neon.post(
        "/projects",
        json={
            "project": {
                "default_endpoint_settings": {"autoscaling_limit_min_cu": 1, "autoscaling_limit_max_cu": 4}
            }
        },
    )
    assert compute.status_code == 400 and 'max:"2"' in compute.json()["message"]
    body = _project(neon)  # the default retention fits the plan
    assert body["project"]["history_retention_seconds"] == 21600
    me = neon.get("/users/me").json()
    assert me["max_autoscaling_limit"] == 2 and me["plan"] == "free_v3"


def test_rate_limit(emulator: RunningEmulator, neon: httpx.Client) -> None:
    emulator.app.settings.vendor_options["neon"] = {"rate_limit_per_minute": 3}
    statuses = [neon.get("/projects").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    emulator.app.clock.advance(61)
    assert neon.get("/projects").status_code == 200


def test_latency_setting_applies(emulator: RunningEmulator, neon: httpx.Client) -> None:
    import time

    httpx.post(f"{emulator.url}/_emulator/settings", json={"latency_ms": 50}, timeout=10)
    started = time.monotonic()
    neon.get("/projects")
    assert time.monotonic() - started >= 0.05


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    first = EmulatorApp(Settings(state_file=state_file, time_scale=0))
    neon = first.vendors["neon"].models  # type: ignore[attr-defined]
    created = neon.create_project({"name": "kept"})
    first.save()
    second = EmulatorApp(Settings(state_file=state_file, time_scale=0))
    project = second.vendors["neon"].models.project(created["project"]["id"])  # type: ignore[attr-defined]
    assert project["name"] == "kept"
