"""Supabase's own clients against the emulator: the Supabase CLI (npm `supabase` 2.117.0, pointed at the
emulator with `--profile FILE`), supabase-management-js (npm) and supabase-management (PyPI), through
projects, their settings, branches, and the error cases; every response they received validates
against the Management API's published OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from supabase_management import SupabaseManagementAPI, SupabaseManagementAPIError

from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.testing import RunningEmulator
from tests.clients.support import (
    CLIENTS,
    FULL,
    SUPABASE_CLI,
    confined_env,
    require,
    run,
    run_node_script,
    supabase_violations,
)

# The CLI checks the token's format (sbp_ and 40 hex characters) before it sends anything.
GOOD_TOKEN = "sbp_" + "0123456789abcdef" * 2 + "01234567"
BAD_TOKEN = "sbp_" + "f" * 40
HERE = Path(__file__).parent


@pytest.fixture
def supabase_emulator(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    emulator.app.settings.token = GOOD_TOKEN
    try:
        yield emulator
    finally:
        emulator.app.settings.token = None


def _look(emulator: RunningEmulator, ref: str, times: int = 4) -> None:
    """What a waiting client does between steps: look at the project (time scale 0: one step a look)."""
    import httpx

    for _ in range(times):
        httpx.get(
            f"{emulator.supabase_url}/v1/projects/{ref}", headers={"Authorization": f"Bearer {GOOD_TOKEN}"}
        )
    httpx.get(
        f"{emulator.supabase_url}/v1/projects/{ref}/health",
        params={"services": "db"},
        headers={"Authorization": f"Bearer {GOOD_TOKEN}"},
    )


def test_supabase_cli_workflows(supabase_emulator: RunningEmulator, tmp_path: Path, shared_api: Path) -> None:
    cli = require(SUPABASE_CLI)
    profile = tmp_path / "emulator-profile.yaml"
    profile.write_text(
        f"name: emulator\napi_url: {supabase_emulator.supabase_url}\n"
        f"dashboard_url: {supabase_emulator.url}/dashboard\nproject_host: supabase.co\n"
    )

    def supabase(*args: str, token: str = GOOD_TOKEN) -> tuple[int, Any, str]:
        env = confined_env(tmp_path, SUPABASE_ACCESS_TOKEN=token)
        done = run([str(cli), "--profile", str(profile), "-o", "json", *args], env, tmp_path)
        # Some commands print a heading line before the JSON document.
        lines = done.stdout.splitlines()
        start = next((i for i, line in enumerate(lines) if line[:1] in ("{", "[")), None)
        try:
            body = json.loads("\n".join(lines[start:])) if start is not None else None
        except json.JSONDecodeError:
            body = done.stdout
        return done.returncode, body, done.stderr

    code, created, err = supabase(
        "projects",
        "create",
        "cli-demo",
        "--org-id",
        ORG,
        "--db-password",
        "pw-1234567",
        "--region",
        "ca-central-1",
    )
    assert code == 0, err
    ref = created["ref"]
    assert created["region"] == "ca-central-1"
    _look(supabase_emulator, ref)
    code, keys, err = supabase("projects", "api-keys", "--project-ref", ref)
    assert code == 0 and {k["name"] for k in keys} >= {"anon", "service_role"}, err
    if FULL:
        code, listed, err = supabase("projects", "list")
        assert code == 0 and ref in [p["ref"] for p in listed], err
        code, _, err = supabase("secrets", "set", "STRIPE_KEY=sk_test_1", "--project-ref", ref)
        assert code == 0, err
        code, secrets, err = supabase("secrets", "list", "--project-ref", ref)
        assert code == 0 and [s["name"] for s in secrets] == ["STRIPE_KEY"], err
        code, _, err = supabase("secrets", "unset", "STRIPE_KEY", "--project-ref", ref, "--yes")
        assert code == 0, err
        code, _, err = supabase(
            "network-restrictions",
            "update",
            "--db-allow-cidr",
            "203.0.113.0/24",
            "--project-ref",
            ref,
            "--experimental",
        )
        assert code == 0, err
        code, restrictions, err = supabase(
            "network-restrictions", "get", "--project-ref", ref, "--experimental"
        )
        assert code == 0 and "203.0.113.0/24" in json.dumps(restrictions), err

    code, branch, err = supabase("branches", "create", "pr-7", "--project-ref", ref)
    assert code == 0, err
    assert branch["status"] == "CREATING_PROJECT" and branch["project_ref"] != ref
    code, detail, err = supabase("branches", "get", "pr-7", "--project-ref", ref)
    assert code == 0, err
    assert branch["project_ref"] in detail["POSTGRES_URL_NON_POOLING"]
    if FULL:
        code, branches, err = supabase("branches", "list", "--project-ref", ref)
        assert code == 0 and [b["name"] for b in branches] == ["pr-7"], err
        code, updated, err = supabase("branches", "update", "pr-7", "--persistent", "--project-ref", ref)
        assert code == 0 and updated["persistent"] is True, err
    code, _, err = supabase("branches", "delete", "pr-7", "--project-ref", ref, "--yes")
    assert code == 0, err

    if FULL:
        code, _, err = supabase("projects", "api-keys", "--project-ref", "abcdefghijklmnopqrst")
        assert code != 0 and "not found" in err.lower()
        code, _, err = supabase(
            "projects", "create", "x", "--org-id", ORG, "--db-password", "pw-1234567", "--region", "mars-1"
        )
        assert code != 0
    code, _, err = supabase("projects", "list", token=BAD_TOKEN)
    assert code != 0 and ("401" in err or "unauthorized" in err.lower())
    code, _, err = supabase("projects", "delete", ref, "--yes")
    assert code == 0, err

    served = [e for e in supabase_emulator.requests("supabase") if e["status"] != 401]
    assert supabase_violations(shared_api, served) == []


def test_supabase_management_js_workflows(
    supabase_emulator: RunningEmulator, tmp_path: Path, shared_api: Path
) -> None:
    require(CLIENTS / "supabase-management-js")
    env = confined_env(
        tmp_path,
        SUPABASE_BASE_URL=supabase_emulator.supabase_url,
        SUPABASE_TOKEN=GOOD_TOKEN,
        SUPABASE_BAD_TOKEN=BAD_TOKEN,
        SUPABASE_ORG=ORG,
    )
    seen = run_node_script(HERE / "supabase_management_js.cjs", env, tmp_path)
    assert ORG in seen["orgs"]
    assert seen["created"] == {"status": 201, "state": "UNKNOWN"} and seen["listed"] is True
    assert seen["renamed"] == "js-client-2"
    assert seen["keyTypes"] == ["legacy", "legacy", "publishable", "secret"]
    assert seen["pooler"] == "transaction" and seen["postgres"] == 120
    assert seen["auth"] == "https://app.example" and seen["secrets"] == ["STRIPE_KEY"]
    assert seen["network"] == 201 and seen["ssl"] is True
    assert seen["branchCreated"] == {"status": 201, "state": "CREATING_PROJECT", "own": True}
    assert (
        seen["branchStatuses"][0] == "CREATING_PROJECT" and seen["branchStatuses"][-1] == "FUNCTIONS_DEPLOYED"
    )
    assert seen["branchListed"] == ["pr-7"] and seen["branchDb"] == {"host": True, "pass": True}
    assert seen["branchUpdated"] is True and seen["branchDeleted"] == "ok"
    assert (seen["unknownProject"], seen["badRegion"], seen["badToken"]) == (404, 400, 401)
    assert seen["deleted"] == 200
    served = [e for e in supabase_emulator.requests("supabase") if e["status"] < 400]
    assert supabase_violations(shared_api, served) == []


def test_supabase_python_client_workflows(supabase_emulator: RunningEmulator, shared_api: Path) -> None:
    async def workflow() -> dict[str, Any]:
        api = SupabaseManagementAPI(GOOD_TOKEN, base_url=supabase_emulator.supabase_url)
        seen: dict[str, Any] = {"orgs": [o["slug"] for o in await api.get_organizations()]}
        created = await api.create_project(
            {"name": "py-client", "organization_slug": ORG, "db_pass": "pw-1234567", "region": "us-west-1"}
        )
        ref = created["ref"]
        for _ in range(10):
            if (await api.get_projects())[-1]["status"] == "ACTIVE_HEALTHY":
                break
        health = await api.check_service_health(ref, {"services": "db"})
        seen["health"] = [h["status"] for h in health]
        seen["keys"] = sorted(k["name"] for k in await api.get_project_api_keys(ref))
        await api.check_service_health(ref, {"services": "db"})
        seen["pg"] = await api.update_pg_config(ref, {"statement_timeout": "30s"})
        seen["pgbouncer"] = (await api.get_pgbouncer_config(ref))["pool_mode"]
        seen["postgrest"] = (await api.update_postgrest_config(ref, {"max_rows": 500}))["max_rows"]
        seen["ssl"] = await api.update_ssl_enforcement_config(ref, {"requestedConfig": {"database": True}})
        await api.create_secrets(ref, [{"name": "A", "value": "1"}])
        seen["secrets"] = [s["name"] for s in await api.get_secrets(ref)]
        seen["org"] = (await api.create_organization({"name": "Acme"}))["name"]
        try:
            await api.get_project_api_keys("abcdefghijklmnopqrst")
        except SupabaseManagementAPIError as error:
            seen["unknown"] = error.response.status_code
        try:
            await api.create_project(
                {"name": "x", "organization_slug": ORG, "db_pass": "pw", "region": "mars-1"}
            )
        except SupabaseManagementAPIError as error:
            seen["badRegion"] = error.response.status_code
        try:
            await SupabaseManagementAPI(BAD_TOKEN, base_url=supabase_emulator.supabase_url).get_projects()
        except SupabaseManagementAPIError as error:
            seen["badToken"] = error.response.status_code
        seen["deleted"] = (await api.delete_project(ref))["ref"] == ref
        return seen

    # A loop of its own, never the thread's current one: asyncio.run() would leave none set, and the
    # Pulumi mocks of later tests ask for the current loop.
    loop = asyncio.new_event_loop()
    try:
        seen = loop.run_until_complete(workflow())
    finally:
        loop.close()
    assert ORG in seen["orgs"] and seen["health"] == ["ACTIVE_HEALTHY"]
    assert seen["keys"] == ["anon", "default", "default", "service_role"]
    assert seen["pg"] == {"statement_timeout": "30s"} and seen["pgbouncer"] == "transaction"
    assert seen["postgrest"] == 500 and seen["ssl"]["currentConfig"]["database"] is True
    assert seen["secrets"] == ["A"] and seen["org"] == "Acme"
    assert (seen["unknown"], seen["badRegion"], seen["badToken"]) == (404, 400, 401)
    assert seen["deleted"] is True
    served = [e for e in supabase_emulator.requests("supabase") if e["status"] < 400]
    assert supabase_violations(shared_api, served) == []
