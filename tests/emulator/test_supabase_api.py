"""The emulated Supabase Management API over HTTP: auth, validation, the project lifecycle in emulated
time, stateful settings, rate limits and persistence."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.core.app import EmulatorApp, Settings
from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.testing import RunningEmulator

REGION = "ca-central-1"


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.supabase_url, headers={"Authorization": "Bearer sbp_test"}) as client:
        yield client


def create(api: httpx.Client, name: str = "proj", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "organization_slug": ORG, "db_pass": "pw-1234567", "region": REGION, **extra}
    response = api.post("/v1/projects", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def ready(api: httpx.Client, name: str = "proj", **extra: Any) -> str:
    ref = str(create(api, name, **extra)["ref"])
    for _ in range(5):
        api.get(f"/v1/projects/{ref}")
    health = api.get(f"/v1/projects/{ref}/health", params={"services": ["auth", "db"]}).json()
    assert all(h["status"] == "ACTIVE_HEALTHY" for h in health)
    return ref


def test_starts_with_one_organization(api: httpx.Client) -> None:
    assert api.get("/v1/organizations").json() == [{"id": ORG, "slug": ORG, "name": "Platform Emulator"}]


def test_requests_without_a_bearer_token_are_refused(emulator: RunningEmulator) -> None:
    response = httpx.get(f"{emulator.supabase_url}/v1/projects")
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}
    assert response.headers["x-ratelimit-limit"] == "120"


def test_only_the_configured_token_is_accepted(emulator: RunningEmulator) -> None:
    emulator.app.settings.token = "right"
    try:
        wrong = httpx.get(f"{emulator.supabase_url}/v1/projects", headers={"Authorization": "Bearer wrong"})
        right = httpx.get(f"{emulator.supabase_url}/v1/projects", headers={"Authorization": "Bearer right"})
    finally:
        emulator.app.settings.token = None
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_project_comes_up_one_step_per_poll_at_time_scale_zero(api: httpx.Client) -> None:
    project = create(api)
    ref = project["ref"]
    assert project["status"] == "UNKNOWN" and len(ref) == 20 and ref.isalpha() and ref.islower()
    assert project["id"] == ref and project["organization_slug"] == ORG and "database" not in project
    seen = [api.get(f"/v1/projects/{ref}").json()["status"] for _ in range(3)]
    assert seen == ["COMING_UP", "ACTIVE_HEALTHY", "ACTIVE_HEALTHY"]
    assert api.get(f"/v1/projects/{ref}").json()["database"]["host"] == f"db.{ref}.supabase.co"


def test_project_takes_about_two_minutes_at_time_scale_one(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    emulator.app.clock.time_scale = 1.0
    ref = create(api)["ref"]

    def status_after(seconds: float) -> str:
        emulator.app.clock.advance(seconds)
        return str(api.get(f"/v1/projects/{ref}").json()["status"])

    assert status_after(1) == "UNKNOWN"
    assert status_after(10) == "COMING_UP"
    assert status_after(100) == "COMING_UP"
    assert status_after(10) == "ACTIVE_HEALTHY"
    health = api.get(f"/v1/projects/{ref}/health", params={"services": ["rest"]}).json()
    assert health[0]["status"] == "COMING_UP", "services lag behind the project"
    emulator.app.clock.advance(20)
    assert api.get(f"/v1/projects/{ref}/health", params={"services": ["rest"]}).json()[0]["status"] == (
        "ACTIVE_HEALTHY"
    )


def test_timings_are_vendor_options(emulator: RunningEmulator, api: httpx.Client) -> None:
    emulator.app.clock.time_scale = 1.0
    emulator.app.settings.vendor_options["supabase"] = {"project_ready_seconds": 30}
    ref = create(api)["ref"]
    emulator.app.clock.advance(31)
    assert api.get(f"/v1/projects/{ref}").json()["status"] == "ACTIVE_HEALTHY"


def test_delete_while_provisioning_is_refused_then_goes_down_then_404(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    emulator.app.clock.time_scale = 1.0
    ref = create(api)["ref"]
    refused = api.delete(f"/v1/projects/{ref}")
    assert refused.status_code == 400 and refused.json() == {"message": "Project not ready for deletion."}
    emulator.app.clock.advance(130)
    deleted = api.delete(f"/v1/projects/{ref}")
    assert deleted.status_code == 200
    assert deleted.json()["ref"] == ref and isinstance(deleted.json()["id"], int)
    assert api.get(f"/v1/projects/{ref}").json()["status"] == "GOING_DOWN"
    emulator.app.clock.advance(15)
    gone = api.get(f"/v1/projects/{ref}")
    assert gone.status_code == 404 and gone.json() == {"message": "Project not found"}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"colour": "blue"}, "property colour should not exist"),
        ({"region": "ca-east-9"}, "ca-central-1"),
        ({"region_selection": {"type": "specific", "code": REGION}}, "Only one of region"),
        ({"desired_instance_size": "pico"}, "desired_instance_size"),
        ({"db_pass": None}, "db_pass"),
    ],
)
def test_project_create_validation(api: httpx.Client, change: dict[str, Any], fragment: str) -> None:
    body = {"name": "x", "organization_slug": ORG, "db_pass": "pw-1234", "region": REGION, **change}
    response = api.post("/v1/projects", json=body)
    assert response.status_code in (400, 404) and fragment in response.json()["message"]
    assert api.get("/v1/projects").json() == []


def test_unknown_organizations_are_refused_in_strict_mode_and_joined_otherwise(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    emulator.app.settings.vendor_options["supabase"] = {"strict_organizations": True}
    refused = api.post(
        "/v1/projects",
        json={"name": "x", "organization_slug": "nestsync", "db_pass": "pw-1234", "region": REGION},
    )
    assert refused.status_code == 404 and refused.json() == {"message": "Organization not found"}
    emulator.app.settings.vendor_options["supabase"] = {}
    assert create(api, organization_slug="nestsync")["organization_slug"] == "nestsync"
    assert {o["slug"] for o in api.get("/v1/organizations").json()} == {ORG, "nestsync"}


def test_region_selection_is_accepted_instead_of_region(api: httpx.Client) -> None:
    response = api.post(
        "/v1/projects",
        json={
            "name": "x",
            "organization_slug": ORG,
            "db_pass": "pw-1234",
            "region_selection": {"type": "specific", "code": REGION},
        },
    )
    assert response.status_code == 201 and response.json()["region"] == REGION


def test_bad_refs_and_unknown_paths(api: httpx.Client) -> None:
    assert api.get("/v1/projects/ABC").status_code == 400
    assert api.get("/v1/projects/abcdefghijklmnopqrst").json() == {"message": "Project not found"}
    assert api.get("/v1/nothing-here").status_code == 404


def test_settings_writes_are_refused_until_services_are_healthy(api: httpx.Client) -> None:
    ref = create(api)["ref"]
    response = api.put(f"/v1/projects/{ref}/ssl-enforcement", json={"requestedConfig": {"database": True}})
    assert response.status_code == 400 and "not ready" in response.json()["message"]


def test_postgres_config_get_returns_only_overrides_and_put_replaces(api: httpx.Client) -> None:
    ref = ready(api)
    assert api.get(f"/v1/projects/{ref}/config/database/postgres").json() == {}
    api.put(f"/v1/projects/{ref}/config/database/postgres", json={"work_mem": "8MB", "max_connections": 100})
    response = api.put(f"/v1/projects/{ref}/config/database/postgres", json={"statement_timeout": "8s"})
    assert response.json() == {"statement_timeout": "8s"}
    assert api.get(f"/v1/projects/{ref}/config/database/postgres").json() == {"statement_timeout": "8s"}
    bad = api.put(f"/v1/projects/{ref}/config/database/postgres", json={"max_connections": 0, "nope": 1})
    assert bad.status_code == 400 and "nope" in bad.json()["message"]


def test_pooler_connection_string_has_the_password_placeholder(api: httpx.Client) -> None:
    ref = ready(api)
    [pooler] = api.get(f"/v1/projects/{ref}/config/database/pooler").json()
    assert pooler["connection_string"] == (
        f"postgresql://postgres.{ref}:[YOUR-PASSWORD]@aws-0-{REGION}.pooler.supabase.com:6543/postgres"
    )
    changed = api.patch(f"/v1/projects/{ref}/config/database/pooler", json={"pool_mode": "session"})
    assert changed.json() == {"default_pool_size": None, "pool_mode": "session"}
    assert api.get(f"/v1/projects/{ref}/config/database/pooler").json()[0]["db_port"] == 5432


def test_network_restrictions_default_allow_all_and_apply_replaces(api: httpx.Client) -> None:
    ref = ready(api)
    assert api.get(f"/v1/projects/{ref}/network-restrictions").json() == {
        "entitlement": "allowed",
        "config": {"dbAllowedCidrs": ["0.0.0.0/0"], "dbAllowedCidrsV6": ["::/0"]},
        "status": "applied",
    }
    applied = api.post(
        f"/v1/projects/{ref}/network-restrictions/apply", json={"dbAllowedCidrs": ["203.0.113.0/24"]}
    )
    assert applied.status_code == 201
    assert applied.json()["config"] == {"dbAllowedCidrs": ["203.0.113.0/24"], "dbAllowedCidrsV6": []}
    bad = api.post(f"/v1/projects/{ref}/network-restrictions/apply", json={"dbAllowedCidrs": ["nope"]})
    assert bad.status_code == 400


def test_auth_config_patch_merges_and_masks_secrets(api: httpx.Client) -> None:
    ref = ready(api)
    before = api.get(f"/v1/projects/{ref}/config/auth").json()
    assert before["jwt_exp"] == 3600 and before["smtp_pass"] is None and len(before) > 230
    api.patch(
        f"/v1/projects/{ref}/config/auth", json={"site_url": "https://a.example", "smtp_pass": "s3cret"}
    )
    after = api.patch(f"/v1/projects/{ref}/config/auth", json={"jwt_exp": 1800}).json()
    assert after["site_url"] == "https://a.example" and after["jwt_exp"] == 1800
    assert after["smtp_pass"] not in (None, "s3cret")
    assert api.patch(f"/v1/projects/{ref}/config/auth", json={"jwt_exp": "soon"}).status_code == 400


def test_secrets_upsert_list_digests_and_delete_by_array(api: httpx.Client) -> None:
    ref = ready(api)
    created = api.post(f"/v1/projects/{ref}/secrets", json=[{"name": "FOO", "value": "bar"}])
    assert created.status_code == 201 and created.content == b""
    api.post(
        f"/v1/projects/{ref}/secrets", json=[{"name": "FOO", "value": "baz"}, {"name": "X", "value": "y"}]
    )
    listed = {s["name"]: s["value"] for s in api.get(f"/v1/projects/{ref}/secrets").json()}
    assert listed == {"FOO": hashlib.sha256(b"baz").hexdigest(), "X": hashlib.sha256(b"y").hexdigest()}
    reserved = api.post(f"/v1/projects/{ref}/secrets", json=[{"name": "SUPABASE_URL", "value": "x"}])
    assert reserved.status_code == 400
    assert api.request("DELETE", f"/v1/projects/{ref}/secrets", json=["FOO"]).status_code == 200
    assert [s["name"] for s in api.get(f"/v1/projects/{ref}/secrets").json()] == ["X"]


def test_new_secret_keys_are_masked_unless_revealed_and_legacy_jwts_never(api: httpx.Client) -> None:
    ref = ready(api)
    masked = {k["name"] + k["type"]: k["api_key"] for k in api.get(f"/v1/projects/{ref}/api-keys").json()}
    shown = {
        k["name"] + k["type"]: k["api_key"]
        for k in api.get(f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}).json()
    }
    # Supabase returns the legacy service_role JWT whole either way (the issue 13 finding).
    assert (
        masked["service_rolelegacy"] == shown["service_rolelegacy"]
        and "····" not in shown["service_rolelegacy"]
    )
    assert masked["defaultsecret"].endswith("····") and shown["defaultsecret"].startswith("sb_secret_")
    assert masked["anonlegacy"] == shown["anonlegacy"]


def test_compute_resize_and_pitr_addons(api: httpx.Client) -> None:
    ref = ready(api, desired_instance_size="micro")
    pitr = api.patch(
        f"/v1/projects/{ref}/billing/addons", json={"addon_type": "pitr", "addon_variant": "pitr_7"}
    )
    assert pitr.status_code == 400 and "Small" in pitr.json()["message"]
    resize = {"addon_type": "compute_instance", "addon_variant": "ci_small"}
    assert api.patch(f"/v1/projects/{ref}/billing/addons", json=resize).status_code == 200
    assert api.get(f"/v1/projects/{ref}").json()["status"] == "RESTARTING"
    ready_again = [api.get(f"/v1/projects/{ref}").json()["status"] for _ in range(2)]
    assert ready_again[-1] == "ACTIVE_HEALTHY"
    api.get(f"/v1/projects/{ref}/health", params={"services": "db"})
    assert (
        api.patch(
            f"/v1/projects/{ref}/billing/addons", json={"addon_type": "pitr", "addon_variant": "pitr_7"}
        ).status_code
        == 200
    )
    selected = {
        a["type"]: a["variant"]["id"]
        for a in api.get(f"/v1/projects/{ref}/billing/addons").json()["selected_addons"]
    }
    assert selected == {"compute_instance": "ci_small", "pitr": "pitr_7"}
    api.delete(f"/v1/projects/{ref}/billing/addons/pitr_7")
    assert api.get(f"/v1/projects/{ref}/database/backups").json()["pitr_enabled"] is False


def test_rate_limit_headers_and_429_per_endpoint(emulator: RunningEmulator, api: httpx.Client) -> None:
    emulator.app.settings.vendor_options["supabase"] = {"rate_limit_per_minute": 3}
    responses = [api.get("/v1/organizations") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses[:3]] == ["2", "1", "0"]
    limited = responses[-1]
    assert (
        limited.json() == {"message": "Too Many Requests"} and 0 < int(limited.headers["retry-after"]) <= 60
    )
    assert api.get("/v1/projects").status_code == 200, "another endpoint has its own budget"
    emulator.app.clock.advance(61)
    assert api.get("/v1/organizations").status_code == 200


def test_injected_faults_use_the_vendor_error_shape(emulator: RunningEmulator, api: httpx.Client) -> None:
    emulator.inject(vendor="supabase", operation="v1-list-all-projects", status=500)
    response = api.get("/v1/projects")
    assert response.status_code == 500 and "message" in response.json()
    assert "x-ratelimit-limit" in response.headers


def test_state_survives_a_restart_through_the_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    first = EmulatorApp(Settings(state_file=state_file, time_scale=0))
    backend: Any = first.vendors["supabase"]
    project = backend.state.create_project(
        clock=first.clock,
        timings={"project_unknown_seconds": 1, "project_ready_seconds": 2, "services_ready_seconds": 1},
        name="kept",
        organization_slug=ORG,
        region=REGION,
        db_pass="pw",
        instance_size="nano",
    )
    first.save()
    second = EmulatorApp(Settings(state_file=state_file, time_scale=0))
    restored: Any = second.vendors["supabase"]
    assert restored.state.projects[project["ref"]]["name"] == "kept"
    public = json.dumps(second.state()["supabase"])
    assert project["api_keys"]["anon"] not in public, "keys are not shown in the state view"
