"""Contract tests against Supabase's published Management API schema (`../shared/api`):

- every request the Supabase provider sends, and every response the emulator returns to it, validates
  against `supabase-management-openapi.json` (openapi-core);
- the recorded real request/response pairs, replayed against the emulator, get the recorded status and a
  response of the same shape.
"""

# mypy: disable-error-code="index,arg-type"
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import MultiDict

from emulator.supabase import DEFAULT_ORGANIZATION_SLUG as ORG
from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    AuthConfigProvider,
    BackupPolicyProvider,
    NetworkRestrictionsProvider,
    PoolerConfigProvider,
    PostgresConfigProvider,
    PostgrestConfigProvider,
    ProjectProvider,
    SecretsProvider,
    SslEnforcementProvider,
)
from tests.providers.supabase.support import checked, make_provider, project_props

SPEC_FILE = "supabase-management-openapi.json"
EXAMPLES_FILE = "supabase-recorded-examples.json"
HOST = "https://api.supabase.com"


@functools.cache
def load_spec(shared_api: Path) -> OpenAPI:
    """The vendor's spec, parsed once per session.

    Two repairs, both of which the vendor's own code generation applies (supabase/cli `overlay.yaml`): the
    `region_selection` discriminator has no mapping and names schemas that do not exist, and the document
    carries non-standard keys, so the spec itself is not validated, only used to validate traffic.
    """
    spec = json.loads((shared_api / SPEC_FILE).read_text())
    region_selection = spec["components"]["schemas"]["V1CreateProjectBody"]["properties"]["region_selection"]
    region_selection.pop("discriminator", None)
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@functools.cache
def documented_statuses(shared_api: Path) -> dict[tuple[str, str], set[int]]:
    spec = json.loads((shared_api / SPEC_FILE).read_text())
    out: dict[tuple[str, str], set[int]] = {}
    for methods in spec["paths"].values():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "operationId" in operation:
                out[(method.upper(), operation["operationId"])] = {
                    int(code) for code in operation["responses"] if code.isdigit()
                }
    return out


def _mock_request(entry: dict[str, Any]) -> MockRequest:
    body = entry["request"]
    return MockRequest(
        HOST,
        entry["method"],
        entry["path"],
        args=MultiDict(list(entry["query"].items())),
        headers={"Authorization": "Bearer sbp_contract"},
        data=json.dumps(body).encode() if body is not None else None,
        content_type="application/json",
    )


def validate_traffic(shared_api: Path, log: list[dict[str, Any]]) -> list[str]:
    """Problems with the logged requests (all) and responses (2xx against their schema; errors must be the
    vendor's `{"message": ...}` shape)."""
    api = load_spec(shared_api)
    statuses = documented_statuses(shared_api)
    problems = []
    for entry in log:
        where = f"{entry['method']} {entry['path']} ({entry['operation']})"
        request = _mock_request(entry)
        try:
            api.validate_request(request)
        except Exception as exc:  # openapi-core raises several unrelated types
            problems.append(f"request {where}: {exc} {getattr(exc, '__cause__', '')}")
        status = entry["status"]
        if status >= 400:
            if not (
                isinstance(entry["response"], dict) and isinstance(entry["response"].get("message"), str)
            ):
                problems.append(
                    f"response {where}: error body {entry['response']!r} is not {{'message': str}}"
                )
            continue
        if status not in statuses.get((entry["method"], entry["operation"]), set()):
            problems.append(f"response {where}: status {status} is not documented")
            continue
        body = entry["response"]
        response = MockResponse(
            json.dumps(body).encode() if body is not None else b"",
            status_code=status,
            content_type="application/json",
        )
        try:
            api.validate_response(request, response)
        except Exception as exc:
            problems.append(f"response {where}: {exc} {getattr(exc, '__cause__', '')}")
    return problems


def test_every_request_the_provider_sends_and_every_emulator_response_validate(
    shared_api: Path, emulator: RunningEmulator
) -> None:
    projects = make_provider(ProjectProvider, emulator)
    small = projects.create(checked(projects, project_props(name="contract", instance_size="micro")))
    ref = small.id
    updated = projects.update(
        ref,
        small.outs,
        checked(
            projects,
            project_props(name="contract-2", database_password="rotated-pass", instance_size="small"),
        ),
    )
    projects.read(ref, updated.outs)

    scenarios: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
        (
            AuthConfigProvider,
            {
                "settings": {"site_url": "https://a.example", "jwt_exp": 1800},
                "secret_settings": {"smtp_pass": "p"},
            },
            {"settings": {"site_url": "https://b.example"}},
        ),
        (PostgrestConfigProvider, {"db_schema": "public,api", "max_rows": 100}, {"db_pool": 10}),
        (
            PostgresConfigProvider,
            {"settings": {"statement_timeout": "8s"}},
            {"settings": {"work_mem": "8MB"}},
        ),
        (
            PoolerConfigProvider,
            {"pool_mode": "session", "default_pool_size": 20},
            {"pool_mode": "transaction"},
        ),
        (
            NetworkRestrictionsProvider,
            {"allowed_cidrs": ["203.0.113.0/24", "2001:db8::/32"]},
            {"allowed_cidrs": []},
        ),
        (SslEnforcementProvider, {"enforced": True}, {"enforced": False}),
        (SecretsProvider, {"secrets": {"A": "1", "B": "2"}}, {"secrets": {"A": "3"}}),
        (BackupPolicyProvider, {"pitr_days": 7, "schedule_for": "03:00:00"}, {"pitr_days": 14}),
    ]
    for provider_cls, first, second in scenarios:
        provider = make_provider(provider_cls, emulator)
        created = provider.create(checked(provider, {"project_ref": ref, **first}))
        read = provider.read(ref, created.outs)
        changed = provider.update(ref, read.outs, checked(provider, {"project_ref": ref, **second}))
        provider.delete(ref, changed.outs)
    projects.delete(ref, updated.outs)

    log = emulator.requests("supabase")
    operations = {entry["operation"] for entry in log}
    assert len(operations) >= 25, sorted(operations)
    assert validate_traffic(shared_api, log) == []


def test_the_adoption_path_validates_too(shared_api: Path, emulator: RunningEmulator) -> None:
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="after", status=500)
    projects = make_provider(ProjectProvider, emulator)
    projects.create(checked(projects, project_props(name="adopted")))
    log = emulator.requests("supabase")
    assert any(e["status"] == 500 for e in log)
    assert validate_traffic(shared_api, log) == []


def test_the_validator_catches_a_bad_request(shared_api: Path) -> None:
    entry = {
        "method": "POST",
        "path": "/v1/projects",
        "operation": "v1-create-a-project",
        "query": {},
        "request": {"name": "x", "organization_slug": ORG, "db_pass": "p", "colour": "blue"},
        "status": 201,
        "response": {"id": 1},
    }
    problems = validate_traffic(shared_api, [entry])
    assert len(problems) == 2 and "colour" in problems[0]


# -- recorded examples ------------------------------------------------------------------------------------
# The order a real session would have made them: create, look, configure, read back, delete.
REPLAY_ORDER = (
    "GET /v1/organizations",
    "POST /v1/projects",
    "GET /v1/projects/{ref}",
    "GET /v1/projects",
    "GET /v1/projects/{ref}/api-keys",
    "GET /v1/projects/{ref}/config/database/pooler",
    "PUT /v1/projects/{ref}/config/database/postgres",
    "GET /v1/projects/{ref}/config/database/postgres",
    "GET /v1/projects/{ref}/network-restrictions",
    "POST /v1/projects/{ref}/network-restrictions/apply",
    "PUT /v1/projects/{ref}/ssl-enforcement",
    "GET /v1/projects/{ref}/ssl-enforcement",
    "GET /v1/projects/{ref}/secrets",
    "POST /v1/projects/{ref}/secrets",
    "GET /v1/projects/{ref}/postgrest",
    "GET /v1/projects/{ref}/branches",
    "GET /v1/projects/{ref}/billing/addons",
    "GET /v1/projects/{ref}/config/auth",
    "PATCH /v1/projects/{ref}/config/auth",
    "DELETE /v1/projects/{ref}",
)
# The recorder dropped this request's body (the spec requires `branch_name`), so it cannot be replayed.
NOT_REPLAYABLE = {"POST /v1/projects/{ref}/branches": "request body not recorded"}


def shape_problems(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Where `actual` differs in shape from `recorded`: missing keys, other JSON types. A recorded null
    matches anything; lists compare their first items."""
    if recorded is None:
        return []
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {type(actual).__name__}"]
        out = []
        for key, value in recorded.items():
            if key not in actual:
                out.append(f"{where}.{key}: missing")
            else:
                out.extend(shape_problems(value, actual[key], f"{where}.{key}"))
        return out
    if isinstance(recorded, list):
        if not isinstance(actual, list):
            return [f"{where}: expected an array, got {type(actual).__name__}"]
        return shape_problems(recorded[0], actual[0], f"{where}[0]") if recorded and actual else []
    if isinstance(recorded, bool):
        return [] if isinstance(actual, bool) else [f"{where}: expected a boolean, got {actual!r}"]
    if isinstance(recorded, int | float):
        ok = isinstance(actual, int | float) and not isinstance(actual, bool)
        return [] if ok else [f"{where}: expected a number, got {actual!r}"]
    return [] if isinstance(actual, str) else [f"{where}: expected a string, got {actual!r}"]


def _substitute(value: Any, ref: str) -> Any:
    text = json.dumps(value).replace("__PROJECT_REF__", ref)
    return json.loads(text)


def test_recorded_examples_replayed_against_the_emulator_match(
    shared_api: Path, emulator: RunningEmulator
) -> None:
    examples = json.loads((shared_api / EXAMPLES_FILE).read_text())
    names = {k for k in examples if not k.startswith("_")}
    assert names == set(REPLAY_ORDER) | set(NOT_REPLAYABLE) | {"DELETE /v1/projects/{ref} (not ready)"}

    headers = {"Authorization": "Bearer sbp_replay"}
    problems: list[str] = []
    with httpx.Client(base_url=emulator.supabase_url, headers=headers) as api:

        def replay(name: str, ref: str) -> httpx.Response:
            request = examples[name]["request"]
            body = request["body"]
            if name == "POST /v1/projects":
                body = {**body, "organization_slug": ORG}
            response = api.request(
                request["method"],
                _substitute(request["path"], ref),
                params=request["query"] or None,
                content=json.dumps(_substitute(body, ref)).encode() if body is not None else None,
                headers={"Content-Type": "application/json"} if body is not None else None,
            )
            recorded = examples[name]["response"]
            if response.status_code != recorded["status"]:
                problems.append(
                    f"{name}: status {response.status_code}, recorded {recorded['status']}: {response.text}"
                )
                return response
            actual = response.json() if response.content else None
            if (recorded["body"] is None) != (actual is None):
                problems.append(f"{name}: body {actual!r}, recorded {recorded['body']!r}")
            problems.extend(f"{name}: {p}" for p in shape_problems(recorded["body"], actual))
            for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
                if header in recorded["headers"] and header not in response.headers:
                    problems.append(f"{name}: no {header} header")
            return response

        ref = "x" * 20
        for name in REPLAY_ORDER:
            response = replay(name, ref)
            if name == "POST /v1/projects" and response.status_code == 201:
                ref = response.json()["ref"]
                api.get(f"/v1/projects/{ref}")  # COMING_UP
                api.get(f"/v1/projects/{ref}/health", params={"services": "db"})
            if name == "GET /v1/projects/{ref}":
                api.get(f"/v1/projects/{ref}/health", params={"services": ["auth", "db", "rest"]})
        young = api.post(
            "/v1/projects",
            json={"name": "young", "organization_slug": ORG, "db_pass": "pw-12345", "region": "ca-central-1"},
        ).json()["ref"]
        replay("DELETE /v1/projects/{ref} (not ready)", young)

    assert problems == []
    assert validate_traffic(shared_api, emulator.requests("supabase")) == []
