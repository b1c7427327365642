"""Neon branches for pull requests: `expires_at` (gone at that time on the emulated clock) and
`init_source` (`parent-data`, `schema-only`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from emulator.testing import RunningEmulator


@pytest.fixture
def neon(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.neon_url, headers={"Authorization": "Bearer test-key"}, timeout=10
    ) as client:
        yield client


def _stamp(emulator: RunningEmulator, seconds_ahead: float) -> str:
    moment = datetime.fromtimestamp(emulator.app.clock.now() + seconds_ahead, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _project(neon: httpx.Client) -> dict[str, Any]:
    response = neon.post("/projects", json={"project": {"name": "pr"}})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    neon.get(f"/projects/{body['project']['id']}/operations")  # time scale 0: one look finishes them
    return body


def _branch(neon: httpx.Client, project_id: str, **branch: Any) -> httpx.Response:
    return neon.post(
        f"/projects/{project_id}/branches",
        json={"branch": branch, "endpoints": [{"type": "read_write"}]},
    )


def test_a_branch_with_expires_at_disappears_at_that_time(
    neon: httpx.Client, emulator: RunningEmulator
) -> None:
    project_id = _project(neon)["project"]["id"]
    expires = _stamp(emulator, 3 * 86400)
    created = _branch(neon, project_id, name="pr-7", expires_at=expires)
    assert created.status_code == 201, created.text
    branch = created.json()["branch"]
    assert branch["expires_at"] == expires
    assert 3 * 86400 - 5 <= branch["ttl_interval_seconds"] <= 3 * 86400
    branch_id = branch["id"]
    neon.get(f"/projects/{project_id}/operations")

    emulator.app.clock.advance(3 * 86400 - 60)
    assert neon.get(f"/projects/{project_id}/branches/{branch_id}").status_code == 200
    emulator.app.clock.advance(120)
    assert neon.get(f"/projects/{project_id}/branches/{branch_id}").status_code == 404
    names = [b["name"] for b in neon.get(f"/projects/{project_id}/branches").json()["branches"]]
    assert names == ["main"]
    endpoints = neon.get(f"/projects/{project_id}/endpoints").json()["endpoints"]
    assert all(e["branch_id"] != branch_id for e in endpoints)
    state = httpx.get(f"{emulator.url}/_emulator/state").json()["neon"]
    assert all(r["branch_id"] != branch_id for r in state["roles"] + state["databases"])


def test_expiry_is_shown_in_the_control_plane_state_without_a_vendor_request(
    neon: httpx.Client, emulator: RunningEmulator
) -> None:
    project_id = _project(neon)["project"]["id"]
    assert _branch(neon, project_id, name="pr-8", expires_at=_stamp(emulator, 3600)).status_code == 201
    emulator.app.clock.advance(3601)
    state = httpx.get(f"{emulator.url}/_emulator/state").json()["neon"]
    assert [b["name"] for b in state["branches"]] == ["main"]


def test_expiry_can_be_changed_and_removed(neon: httpx.Client, emulator: RunningEmulator) -> None:
    project_id = _project(neon)["project"]["id"]
    branch_id = _branch(neon, project_id, name="pr-9", expires_at=_stamp(emulator, 3600)).json()["branch"][
        "id"
    ]
    neon.get(f"/projects/{project_id}/operations")
    later = _stamp(emulator, 7200)
    patched = neon.patch(
        f"/projects/{project_id}/branches/{branch_id}", json={"branch": {"expires_at": later}}
    )
    assert patched.status_code == 200 and patched.json()["branch"]["expires_at"] == later
    emulator.app.clock.advance(3700)
    assert neon.get(f"/projects/{project_id}/branches/{branch_id}").status_code == 200
    cleared = neon.patch(
        f"/projects/{project_id}/branches/{branch_id}", json={"branch": {"expires_at": None}}
    )
    assert "expires_at" not in cleared.json()["branch"]
    assert "ttl_interval_seconds" not in cleared.json()["branch"]
    emulator.app.clock.advance(7200)
    assert neon.get(f"/projects/{project_id}/branches/{branch_id}").status_code == 200


@pytest.mark.parametrize(
    ("expires_at", "fragment"),
    [
        ("2020-01-01T00:00:00Z", "in the future"),
        ("tomorrow", "RFC 3339"),
        ("PAST_FRACTION", "precision up to seconds"),
        ("FAR", "30 days"),
    ],
)
def test_bad_expiry_is_refused(
    neon: httpx.Client, emulator: RunningEmulator, expires_at: str, fragment: str
) -> None:
    project_id = _project(neon)["project"]["id"]
    if expires_at == "PAST_FRACTION":
        expires_at = _stamp(emulator, 3600).replace("Z", ".500Z")
    if expires_at == "FAR":
        expires_at = _stamp(emulator, 31 * 86400)
    refused = _branch(neon, project_id, name="bad", expires_at=expires_at)
    assert refused.status_code == 400 and fragment in refused.json()["message"]
    assert [b["name"] for b in neon.get(f"/projects/{project_id}/branches").json()["branches"]] == ["main"]


def test_the_default_branch_cannot_expire(neon: httpx.Client, emulator: RunningEmulator) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    refused = neon.patch(
        f"/projects/{project_id}/branches/{main}", json={"branch": {"expires_at": _stamp(emulator, 3600)}}
    )
    assert refused.status_code == 400


def test_a_parent_outlives_its_expiry_until_its_children_are_gone(
    neon: httpx.Client, emulator: RunningEmulator
) -> None:
    project_id = _project(neon)["project"]["id"]
    parent = _branch(neon, project_id, name="parent", expires_at=_stamp(emulator, 3600)).json()["branch"]
    neon.get(f"/projects/{project_id}/operations")
    child = neon.post(
        f"/projects/{project_id}/branches",
        json={"branch": {"name": "child", "parent_id": parent["id"], "expires_at": _stamp(emulator, 7200)}},
    )
    assert child.status_code == 201, child.text
    emulator.app.clock.advance(3700)
    names = {b["name"] for b in neon.get(f"/projects/{project_id}/branches").json()["branches"]}
    assert names == {"main", "parent", "child"}
    emulator.app.clock.advance(3600)
    names = {b["name"] for b in neon.get(f"/projects/{project_id}/branches").json()["branches"]}
    assert names == {"main"}


def test_init_source_parent_data_is_a_child_and_schema_only_a_new_root(neon: httpx.Client) -> None:
    body = _project(neon)
    project_id, main = body["project"]["id"], body["branch"]["id"]
    data = _branch(neon, project_id, name="with-data", init_source="parent-data").json()
    assert data["branch"]["parent_id"] == main and data["branch"]["init_source"] == "parent-data"
    neon.get(f"/projects/{project_id}/operations")
    schema = _branch(neon, project_id, name="schema", init_source="schema-only", parent_id=main)
    assert schema.status_code == 201, schema.text
    branch = schema.json()["branch"]
    assert branch["init_source"] == "schema-only"
    assert "parent_id" not in branch and branch["default"] is False
    # Roles and databases are schema: the new root has the source's (the data stays behind).
    assert [r["name"] for r in schema.json()["roles"]] == ["neondb_owner"]
    assert [d["name"] for d in schema.json()["databases"]] == ["neondb"]
    assert schema.json()["connection_uris"]
    neon.get(f"/projects/{project_id}/operations")
    # Not a child: the source can be deleted while the schema-only branch lives on.
    assert neon.delete(f"/projects/{project_id}/branches/{data['branch']['id']}").status_code == 200


def test_unknown_init_source_is_refused(neon: httpx.Client) -> None:
    project_id = _project(neon)["project"]["id"]
    refused = _branch(neon, project_id, name="x", init_source="everything")
    assert refused.status_code == 400 and "init_source" in refused.json()["message"]
