"""Supabase routes users' tools call: network restrictions by difference, PITR restore, storage and
PgBouncer configuration, new organizations, and the legacy service_role key returned whole."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.testing import RunningEmulator
from tests.contract.test_supabase_contract import validate_traffic


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.supabase_url, headers={"Authorization": "Bearer sbp_test"}) as client:
        yield client


def _ready(api: httpx.Client, size: str = "nano") -> str:
    body = {"name": "x", "organization_slug": ORG, "db_pass": "pw-1234567", "region": "us-east-1"}
    if size != "nano":
        body["desired_instance_size"] = size
    ref = str(api.post("/v1/projects", json=body).json()["ref"])
    for _ in range(5):
        api.get(f"/v1/projects/{ref}")
    api.get(f"/v1/projects/{ref}/health", params={"services": "db"})
    return ref


def test_network_restrictions_patch_adds_and_removes(api: httpx.Client) -> None:
    ref = _ready(api)
    apply = {"dbAllowedCidrs": ["10.0.0.0/8", "198.51.100.0/24"], "dbAllowedCidrsV6": []}
    assert api.post(f"/v1/projects/{ref}/network-restrictions/apply", json=apply).status_code == 201
    patched = api.patch(
        f"/v1/projects/{ref}/network-restrictions",
        json={
            "add": {"dbAllowedCidrs": ["203.0.113.0/24"]},
            "remove": {"dbAllowedCidrs": ["198.51.100.0/24"]},
        },
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["config"]["dbAllowedCidrs"] == [
        {"address": "10.0.0.0/8", "type": "v4"},
        {"address": "203.0.113.0/24", "type": "v4"},
    ]
    current = api.get(f"/v1/projects/{ref}/network-restrictions").json()["config"]
    assert current["dbAllowedCidrs"] == ["10.0.0.0/8", "203.0.113.0/24"]
    bad = api.patch(f"/v1/projects/{ref}/network-restrictions", json={"add": {"dbAllowedCidrs": ["nope"]}})
    assert bad.status_code == 400
    assert api.get(f"/v1/projects/{ref}/network-restrictions").json()["config"] == current


def test_pitr_restore_needs_the_add_on_and_a_moment_in_its_window(
    api: httpx.Client, emulator: RunningEmulator
) -> None:
    ref = _ready(api, size="small")
    now = int(emulator.app.clock.now())
    url = f"/v1/projects/{ref}/database/backups/restore-pitr"
    assert api.post(url, json={"recovery_time_target_unix": now - 60}).status_code == 400
    addon = {"addon_type": "pitr", "addon_variant": "pitr_7"}
    assert api.patch(f"/v1/projects/{ref}/billing/addons", json=addon).status_code == 200
    assert api.post(url, json={"recovery_time_target_unix": now - 8 * 86400}).status_code == 400
    assert api.post(url, json={"recovery_time_target_unix": int(time.time()) + 86400 * 10}).status_code == 400
    restored = api.post(url, json={"recovery_time_target_unix": now - 60})
    assert restored.status_code == 201
    assert api.get(f"/v1/projects/{ref}").json()["status"] in ("RESTORING", "ACTIVE_HEALTHY")
    statuses = [api.get(f"/v1/projects/{ref}").json()["status"] for _ in range(3)]
    assert statuses[-1] == "ACTIVE_HEALTHY"


def test_storage_and_pgbouncer_configuration(api: httpx.Client) -> None:
    ref = _ready(api)
    storage = api.get(f"/v1/projects/{ref}/config/storage")
    assert storage.status_code == 200 and storage.json()["fileSizeLimit"] > 0
    pgbouncer = api.get(f"/v1/projects/{ref}/config/database/pgbouncer").json()
    assert pgbouncer["pool_mode"] == "transaction" and ref in pgbouncer["connection_string"]
    assert api.get("/v1/projects/abcdefghijklmnopqrst/config/storage").status_code == 404


def test_create_organization(api: httpx.Client) -> None:
    created = api.post("/v1/organizations", json={"name": "Acme"})
    assert created.status_code == 201
    slug = created.json()["slug"]
    assert slug in [o["slug"] for o in api.get("/v1/organizations").json()]
    assert api.post("/v1/organizations", json={"name": "Acme", "plan": "pro"}).status_code == 400
    assert api.post("/v1/organizations", json={}).status_code == 400


def test_the_legacy_service_role_key_comes_back_whole_without_reveal(api: httpx.Client) -> None:
    ref = _ready(api)
    masked = {k["name"]: k["api_key"] for k in api.get(f"/v1/projects/{ref}/api-keys").json()}
    revealed = {
        k["name"]: k["api_key"]
        for k in api.get(f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}).json()
    }
    assert masked["service_role"] == revealed["service_role"] and masked["service_role"].count(".") == 2
    secret = next(k for k in api.get(f"/v1/projects/{ref}/api-keys").json() if k["type"] == "secret")
    assert secret["api_key"] != next(
        k["api_key"]
        for k in api.get(f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}).json()
        if k["type"] == "secret"
    )


def test_these_responses_validate(api: httpx.Client, emulator: RunningEmulator, shared_api: Path) -> None:
    test_network_restrictions_patch_adds_and_removes(api)
    test_storage_and_pgbouncer_configuration(api)
    test_create_organization(api)
    log = httpx.get(f"{emulator.url}/_emulator/requests", params={"vendor": "supabase"}).json()
    # The refusals above send invalid requests on purpose: check what was answered with success.
    assert validate_traffic(shared_api, [e for e in log if e["status"] < 400]) == []
