"""Neon: paging of branches and operations as clients walk it, the account's organizations, a branch set
as default, restore, compute start/suspend/restart and compute names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import RunningEmulator
from tests.contract.test_neon_contract import _openapi, _violations


@pytest.fixture
def neon(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.neon_url, headers={"Authorization": "Bearer test-key"}, timeout=10
    ) as client:
        yield client


def _settle(neon: httpx.Client, project_id: str) -> None:
    neon.get(f"/projects/{project_id}/operations")


def _project(neon: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = neon.post("/projects", json={"project": {"name": "life"}}).json()
    _settle(neon, body["project"]["id"])
    return body


def _branches(neon: httpx.Client, project_id: str, count: int) -> list[str]:
    names = []
    for index in range(count):
        name = f"b{index:02d}"
        assert (
            neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": name}}).status_code == 201
        )
        _settle(neon, project_id)
        names.append(name)
    return names


@pytest.mark.parametrize("sort", [{}, {"sort_by": "name", "sort_order": "asc"}, {"sort_by": "created_at"}])
def test_branch_pages_follow_limit_and_cursor_to_an_empty_page(
    neon: httpx.Client, sort: dict[str, str]
) -> None:
    project_id = _project(neon)["project"]["id"]
    names = {"main", *_branches(neon, project_id, 6)}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 3, **sort, **({"cursor": cursor} if cursor else {})}
        page = neon.get(f"/projects/{project_id}/branches", params=params).json()
        seen += [b["name"] for b in page["branches"]]
        assert len(page["branches"]) <= 3
        cursor = page["pagination"].get("next")
        if not cursor or not page["branches"]:
            break
    assert sorted(seen) == sorted(names) and len(seen) == len(names)
    if sort.get("sort_by") == "name":
        assert seen == sorted(seen)


def test_branch_listing_without_limit_is_whole_and_a_bad_cursor_is_refused(neon: httpx.Client) -> None:
    project_id = _project(neon)["project"]["id"]
    _branches(neon, project_id, 3)
    whole = neon.get(f"/projects/{project_id}/branches").json()
    assert len(whole["branches"]) == 4 and whole["pagination"]["next"]
    after = neon.get(f"/projects/{project_id}/branches", params={"cursor": whole["pagination"]["next"]})
    assert after.json()["branches"] == []
    bad = neon.get(f"/projects/{project_id}/branches", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert neon.get(f"/projects/{project_id}/branches", params={"limit": 0}).status_code == 400


def test_operation_pages_drop_nothing_created_in_the_same_second(neon: httpx.Client) -> None:
    project_id = _project(neon)["project"]["id"]
    _branches(neon, project_id, 3)
    everything = neon.get(f"/projects/{project_id}/operations", params={"limit": 1000}).json()["operations"]
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = neon.get(f"/projects/{project_id}/operations", params=params).json()
        if not page["operations"]:
            break
        seen += [o["id"] for o in page["operations"]]
        cursor = page["pagination"]["cursor"]
    assert seen == [o["id"] for o in everything] and len(seen) == 5


def test_the_account_lists_its_organizations(neon: httpx.Client, shared_api: Path) -> None:
    neon.post("/projects", json={"project": {"name": "in-org", "org_id": "org-acme-123"}})
    orgs = neon.get("/users/me/organizations")
    assert orgs.status_code == 200
    assert "org-acme-123" in [o["id"] for o in orgs.json()["organizations"]]


def test_set_as_default_moves_the_default(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    dev = neon.post(f"/projects/{project_id}/branches", json={"branch": {"name": "dev"}}).json()["branch"]
    _settle(neon, project_id)
    moved = neon.post(f"/projects/{project_id}/branches/{dev['id']}/set_as_default")
    assert moved.status_code == 200 and moved.json()["branch"]["default"] is True
    assert neon.get(f"/projects/{project_id}/branches/{main}").json()["branch"]["default"] is False
    # The old default can now go; the new one cannot.
    assert neon.delete(f"/projects/{project_id}/branches/{dev['id']}").status_code == 400


def test_restore_resets_a_branch_to_its_parent_and_keeps_a_backup(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    dev = neon.post(
        f"/projects/{project_id}/branches",
        json={"branch": {"name": "dev"}, "endpoints": [{"type": "read_write"}]},
    ).json()["branch"]
    _settle(neon, project_id)
    role = {"role": {"name": "extra"}}
    assert neon.post(f"/projects/{project_id}/branches/{dev['id']}/roles", json=role).status_code == 201
    _settle(neon, project_id)
    restored = neon.post(
        f"/projects/{project_id}/branches/{dev['id']}/restore",
        json={"source_branch_id": main, "preserve_under_name": "dev-before"},
    )
    assert restored.status_code == 200, restored.text
    branch = restored.json()["branch"]
    assert branch["last_reset_at"] and restored.json()["operations"]
    backup = neon.get(f"/projects/{project_id}/branches/{branch['parent_id']}").json()["branch"]
    assert backup["name"] == "dev-before"
    _settle(neon, project_id)
    roles = {
        r["name"] for r in neon.get(f"/projects/{project_id}/branches/{dev['id']}/roles").json()["roles"]
    }
    assert roles == {"neondb_owner"}
    kept = neon.get(f"/projects/{project_id}/branches/{backup['id']}/roles").json()["roles"]
    assert {r["name"] for r in kept} == {"neondb_owner", "extra"}


def test_restoring_the_default_branch_to_a_moment_keeps_one_default(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    restored = neon.post(
        f"/projects/{project_id}/branches/{main}/restore",
        json={
            "source_branch_id": main,
            "source_timestamp": body["branch"]["created_at"],
            "preserve_under_name": "old",
        },
    )
    assert restored.status_code == 200, restored.text
    _settle(neon, project_id)
    branches = neon.get(f"/projects/{project_id}/branches").json()["branches"]
    assert [b["name"] for b in branches if b["default"]] == ["main"]


def test_restore_refusals(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    url = f"/projects/{project_id}/branches/{main}/restore"
    assert neon.post(url, json={}).status_code == 400
    assert neon.post(url, json={"source_branch_id": "br-nope-a1234567"}).status_code == 404
    assert neon.post(url, json={"source_branch_id": main}).status_code == 400


def test_compute_suspend_start_restart(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, endpoint_id = body["project"]["id"], body["endpoints"][0]["id"]
    url = f"/projects/{project_id}/endpoints/{endpoint_id}"
    assert neon.get(url).json()["endpoint"]["current_state"] == "active"
    suspended = neon.post(f"{url}/suspend").json()
    assert [o["action"] for o in suspended["operations"]] == ["suspend_compute"]
    assert neon.get(url).json()["endpoint"]["current_state"] == "idle"
    started = neon.post(f"{url}/start").json()
    assert [o["action"] for o in started["operations"]] == ["start_compute"]
    assert neon.get(url).json()["endpoint"]["current_state"] == "active"
    restarted = neon.post(f"{url}/restart").json()
    assert [o["action"] for o in restarted["operations"]] == ["suspend_compute", "start_compute"]
    # Not waited for: the next change is locked out.
    assert neon.post(f"{url}/suspend").status_code == 423


def test_compute_names(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, branch_id = body["project"]["id"], body["branch"]["id"]
    created = neon.post(
        f"/projects/{project_id}/endpoints",
        json={"endpoint": {"branch_id": branch_id, "type": "read_only", "name": "reporting"}},
    )
    assert created.status_code == 201 and created.json()["endpoint"]["name"] == "reporting"
    _settle(neon, project_id)
    endpoint_id = created.json()["endpoint"]["id"]
    renamed = neon.patch(f"/projects/{project_id}/endpoints/{endpoint_id}", json={"endpoint": {"name": "bi"}})
    assert renamed.json()["endpoint"]["name"] == "bi"
    _settle(neon, project_id)
    too_long = neon.patch(
        f"/projects/{project_id}/endpoints/{endpoint_id}", json={"endpoint": {"name": "x" * 65}}
    )
    assert too_long.status_code == 400


def test_these_responses_validate_against_neons_document(
    neon: httpx.Client, emulator: RunningEmulator, shared_api: Path
) -> None:
    test_restore_resets_a_branch_to_its_parent_and_keeps_a_backup(neon)
    test_compute_suspend_start_restart(neon)
    test_set_as_default_moves_the_default(neon)
    test_the_account_lists_its_organizations(neon, shared_api)
    neon.get(f"/projects/{_project(neon)['project']['id']}/branches", params={"limit": 1})
    log = [e for e in emulator.requests("neon") if e["status"] < 400]
    assert _violations(_openapi(str(shared_api / "neon-openapi.json")), log) == []
