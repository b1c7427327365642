"""schemathesis over the Neon and Supabase OpenAPI documents against the emulator: for every operation the
emulator serves, requests generated from the document (against a real project half of the time) never
get a 5xx, every response validates against the document (openapi-core, as the contract tests), and a
status the document does not list for an operation is one the vendor package's docstring explains.

Examples per operation: 3 by default (the suite's budget), `EMULATOR_FUZZ_EXAMPLES=N` for more."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings

from emulator.neon import urls as neon_urls
from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.supabase import UNDOCUMENTED_STATUSES as SUPABASE_UNDOCUMENTED
from emulator.supabase import urls as supabase_urls
from emulator.testing import RunningEmulator
from tests.contract.test_neon_contract import _openapi, _violations
from tests.contract.test_supabase_contract import documented_statuses, validate_traffic

EXAMPLES = int(os.environ.get("EMULATOR_FUZZ_EXAMPLES", "3"))
TOKEN = "fuzz-token"


def _fuzz(raw: dict[str, Any], base_url: str, operation_ids: list[str], real: dict[str, str]) -> list[str]:
    """Run the generated cases of each operation; returns the 5xx answers."""
    schema = schemathesis.openapi.from_dict(raw)
    server_errors: list[str] = []
    for operation_id in operation_ids:
        _fuzz_operation(schema.find_operation_by_id(operation_id), base_url, real, server_errors)
    return server_errors


def _fuzz_operation(operation: Any, base_url: str, real: dict[str, str], server_errors: list[str]) -> None:
    calls = [0]

    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        calls[0] += 1
        # Every other case addresses the real objects, so the document's shapes are met beyond 404s.
        if calls[0] % 2 and case.path_parameters:
            for name, value in real.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        if response.status_code >= 500:
            server_errors.append(
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
            )

    run()


def test_neon_document_fuzzed_against_the_emulator(emulator: RunningEmulator, shared_api: Path) -> None:
    raw = json.loads((shared_api / "neon-openapi.json").read_text())
    created = httpx.post(
        f"{emulator.neon_url}/projects",
        json={"project": {"name": "fuzz"}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).json()
    real = {"project_id": created["project"]["id"], "branch_id": created["branch"]["id"],
            "endpoint_id": created["endpoints"][0]["id"]}  # fmt: skip
    operations = sorted({route.operation_id for route in neon_urls.ROUTES})
    emulator.clear_requests()
    server_errors = _fuzz(raw, emulator.neon_url, operations, real)
    assert server_errors == []
    log = emulator.requests("neon")
    assert len(log) >= len(operations)
    # Neon documents a `default` error response for every operation: every status is documented.
    problems = _violations(_openapi(str(shared_api / "neon-openapi.json")), log, requests=False)
    assert problems == []


def test_supabase_document_fuzzed_against_the_emulator(emulator: RunningEmulator, shared_api: Path) -> None:
    raw = json.loads((shared_api / "supabase-management-openapi.json").read_text())
    region_selection = raw["components"]["schemas"]["V1CreateProjectBody"]["properties"]["region_selection"]
    region_selection.pop("discriminator", None)  # the same repair the contract tests make (see there)
    body = {"name": "fuzz", "organization_slug": ORG, "db_pass": "pw-1234567", "region": "us-east-1"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ref = httpx.post(f"{emulator.supabase_url}/v1/projects", json=body, headers=headers).json()["ref"]
    for _ in range(4):
        httpx.get(f"{emulator.supabase_url}/v1/projects/{ref}", headers=headers)
    operations = sorted({route[2] for route in supabase_urls.ROUTES})
    emulator.clear_requests()
    server_errors = _fuzz(raw, emulator.supabase_url, operations, {"ref": ref, "slug": ORG})
    assert server_errors == []
    log = emulator.requests("supabase")
    documented = documented_statuses(shared_api)
    undocumented = sorted(
        {
            (e["operation"], e["status"])
            for e in log
            if e["status"] not in documented.get((e["method"], e["operation"]), set())
        }
    )
    explained = {(op, status) for op, status in undocumented if status in SUPABASE_UNDOCUMENTED}
    assert [u for u in undocumented if u not in explained] == []
    problems = [
        p
        for p in validate_traffic(shared_api, [e for e in log if e["status"] < 400])
        if not p.startswith("request ")
    ]
    assert problems == []
