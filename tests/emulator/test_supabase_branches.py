"""Supabase branching as the published spec has it: create (`persistent`), list, get by name, the
branch's own project and database, update, delete (now, or an hour later), status until ready. Every
response validates against the vendor's OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.testing import RunningEmulator
from tests.contract.test_supabase_contract import validate_traffic


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.supabase_url, headers={"Authorization": "Bearer sbp_test"}) as client:
        yield client


def _ready_project(api: httpx.Client, name: str = "staging") -> str:
    body = {"name": name, "organization_slug": ORG, "db_pass": "pw-1234567", "region": "ca-central-1"}
    ref = str(api.post("/v1/projects", json=body).json()["ref"])
    for _ in range(3):
        api.get(f"/v1/projects/{ref}")
    assert api.get(f"/v1/projects/{ref}").json()["status"] == "ACTIVE_HEALTHY"
    return ref


def _wait_ready(api: httpx.Client, ref: str, name: str) -> list[str]:
    seen = []
    for _ in range(20):
        branch = api.get(f"/v1/projects/{ref}/branches/{name}").json()
        seen.append(branch["status"])
        if branch["status"] == "FUNCTIONS_DEPLOYED" and branch["preview_project_status"] == "ACTIVE_HEALTHY":
            break
    return seen


def test_a_branch_gets_its_own_project_and_database_and_becomes_ready(
    api: httpx.Client, emulator: RunningEmulator, shared_api: Path
) -> None:
    ref = _ready_project(api)
    assert api.get(f"/v1/projects/{ref}/branches").json() == []
    created = api.post(
        f"/v1/projects/{ref}/branches",
        json={"branch_name": "pr-7", "git_branch": "feature-x", "persistent": False},
    )
    assert created.status_code == 201, created.text
    branch = created.json()
    assert branch["status"] == "CREATING_PROJECT" and branch["persistent"] is False
    assert branch["parent_project_ref"] == ref and branch["project_ref"] != ref
    assert len(branch["project_ref"]) == 20 and branch["git_branch"] == "feature-x"

    seen = _wait_ready(api, ref, "pr-7")
    assert seen[-1] == "FUNCTIONS_DEPLOYED"
    assert seen.index("RUNNING_MIGRATIONS") < seen.index("MIGRATIONS_PASSED") < len(seen) - 1
    assert seen[0] == "CREATING_PROJECT"

    detail = api.get(f"/v1/branches/{branch['project_ref']}").json()
    assert detail["ref"] == branch["project_ref"] and detail["status"] == "ACTIVE_HEALTHY"
    assert detail["db_host"] == f"db.{branch['project_ref']}.supabase.co" and detail["db_port"] == 5432
    assert detail["db_pass"] and detail["jwt_secret"] and detail["db_user"] == "postgres"
    # The branch's project answers as a project, with its own keys.
    assert api.get(f"/v1/projects/{branch['project_ref']}").json()["name"] == "pr-7"
    parent_keys = api.get(f"/v1/projects/{ref}/api-keys").json()
    branch_keys = api.get(f"/v1/projects/{branch['project_ref']}/api-keys").json()
    assert parent_keys[0]["api_key"] != branch_keys[0]["api_key"]
    # The deprecated lookup by branch id finds the same branch.
    assert api.get(f"/v1/branches/{branch['id']}").json()["ref"] == branch["project_ref"]
    assert [b["name"] for b in api.get(f"/v1/projects/{ref}/branches").json()] == ["pr-7"]

    log = httpx.get(f"{emulator.url}/_emulator/requests", params={"vendor": "supabase"}).json()
    assert validate_traffic(shared_api, log) == []


def test_update_renames_and_keeps_the_branch(api: httpx.Client) -> None:
    ref = _ready_project(api)
    branch = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "pr-1"}).json()
    patched = api.patch(
        f"/v1/branches/{branch['project_ref']}",
        json={"branch_name": "pr-1-renamed", "persistent": True, "request_review": True},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "pr-1-renamed" and body["persistent"] is True and body["review_requested_at"]
    assert api.get(f"/v1/projects/{ref}/branches/pr-1").status_code == 404
    assert api.get(f"/v1/projects/{ref}/branches/pr-1-renamed").json()["id"] == branch["id"]


def test_delete_takes_the_branch_project_down(api: httpx.Client) -> None:
    ref = _ready_project(api)
    branch = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "pr-2"}).json()
    _wait_ready(api, ref, "pr-2")
    deleted = api.delete(f"/v1/branches/{branch['project_ref']}")
    assert deleted.status_code == 200 and deleted.json() == {"message": "ok"}
    assert api.get(f"/v1/projects/{ref}/branches").json() == []
    assert api.get(f"/v1/branches/{branch['project_ref']}").status_code == 404
    for _ in range(3):
        api.get(f"/v1/projects/{branch['project_ref']}")
    assert api.get(f"/v1/projects/{branch['project_ref']}").status_code == 404
    assert api.get(f"/v1/projects/{ref}").json()["status"] == "ACTIVE_HEALTHY"


def test_delete_without_force_waits_an_hour(api: httpx.Client, emulator: RunningEmulator) -> None:
    ref = _ready_project(api)
    branch = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "pr-3"}).json()
    assert api.delete(f"/v1/branches/{branch['project_ref']}", params={"force": "false"}).status_code == 200
    listed = api.get(f"/v1/projects/{ref}/branches").json()
    assert [b["name"] for b in listed] == ["pr-3"] and listed[0]["deletion_scheduled_at"]
    emulator.app.clock.advance(3601)
    assert api.get(f"/v1/projects/{ref}/branches").json() == []


def test_deleting_the_parent_or_disabling_branching_removes_branches(api: httpx.Client) -> None:
    ref = _ready_project(api)
    one = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "a"}).json()
    assert api.delete(f"/v1/projects/{ref}/branches").status_code == 200
    assert api.get(f"/v1/projects/{ref}/branches").json() == []
    # Time scale 0: the first look at a project going down finds it gone.
    assert api.get(f"/v1/projects/{one['project_ref']}").status_code == 404
    two = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "b"}).json()
    assert api.delete(f"/v1/projects/{ref}").status_code == 200
    assert api.get(f"/v1/projects/{two['project_ref']}").status_code == 404


def test_the_default_branch_is_the_parent_itself(api: httpx.Client) -> None:
    ref = _ready_project(api)
    default = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "main", "is_default": True})
    assert default.status_code == 201 and default.json()["project_ref"] == ref
    assert (
        api.post(
            f"/v1/projects/{ref}/branches", json={"branch_name": "main2", "is_default": True}
        ).status_code
        == 409
    )
    assert api.delete(f"/v1/branches/{default.json()['id']}").status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 400, "branch_name"),
        ({"branch_name": ""}, 400, "branch_name"),
        ({"branch_name": "x", "region": "mars-1"}, 400, "region"),
        ({"branch_name": "x", "persistent": "yes"}, 400, "persistent"),
        ({"branch_name": "x", "desired_instance_size": "huge"}, 400, "desired_instance_size"),
        ({"branch_name": "x", "postgres_engine": "12"}, 400, "postgres_engine"),
        ({"branch_name": "dup"}, 409, "already exists"),
    ],
)
def test_bad_branch_requests_are_refused(
    api: httpx.Client, body: dict[str, Any], status: int, fragment: str
) -> None:
    ref = _ready_project(api)
    assert api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "dup"}).status_code == 201
    refused = api.post(f"/v1/projects/{ref}/branches", json=body)
    assert refused.status_code == status and fragment in refused.json()["message"]
    assert [b["name"] for b in api.get(f"/v1/projects/{ref}/branches").json()] == ["dup"]


def test_unknown_branches_and_branches_of_branches(api: httpx.Client) -> None:
    ref = _ready_project(api)
    assert api.get(f"/v1/projects/{ref}/branches/nope").status_code == 404
    assert api.get("/v1/branches/abcdefghijklmnopqrst").status_code == 404
    assert api.patch("/v1/branches/abcdefghijklmnopqrst", json={}).status_code == 404
    assert api.delete("/v1/branches/abcdefghijklmnopqrst").status_code == 404
    branch = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "pr-4"}).json()
    _wait_ready(api, ref, "pr-4")
    nested = api.post(f"/v1/projects/{branch['project_ref']}/branches", json={"branch_name": "deeper"})
    assert nested.status_code == 400


def test_a_parent_that_is_not_up_cannot_branch(api: httpx.Client) -> None:
    body = {"name": "young", "organization_slug": ORG, "db_pass": "pw-1234567", "region": "us-east-1"}
    ref = api.post("/v1/projects", json=body).json()["ref"]
    refused = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "too-early"})
    assert refused.status_code == 400 and "not ready" in refused.json()["message"]


def test_branch_passwords_stay_out_of_the_control_plane_state(
    api: httpx.Client, emulator: RunningEmulator
) -> None:
    ref = _ready_project(api)
    branch = api.post(f"/v1/projects/{ref}/branches", json={"branch_name": "pr-5"}).json()
    _wait_ready(api, ref, "pr-5")
    password = api.get(f"/v1/branches/{branch['project_ref']}").json()["db_pass"]
    assert password not in httpx.get(f"{emulator.url}/_emulator/state").text
