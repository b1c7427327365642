"""Neon provider behaviour beyond CRUD: 423 retries, per-project serialisation, failed operations, check,
credentials and what reaches Pulumi state."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from typing import Any

import dill
import pytest
from pulumi import dynamic
from pulumi.dynamic.dynamic import serialize_provider

from emulator.testing import RunningEmulator
from providers.base import CredentialsMissingError, PollPolicy
from providers.neon.resources import (
    BranchProvider,
    ConnectionUriProvider,
    DatabaseProvider,
    EndpointProvider,
    NeonProvider,
    NeonResourceError,
    ProjectProvider,
    RoleProvider,
)
from tests.providers.neon.support import (
    API_KEY,
    Made,
    configured,
    create,
    neon_models,
    neon_state,
    new_project,
)

ALL_PROVIDERS: list[type[NeonProvider]] = [
    ProjectProvider,
    BranchProvider,
    EndpointProvider,
    RoleProvider,
    DatabaseProvider,
    ConnectionUriProvider,
]


def _set_time_scale(emulator: RunningEmulator, scale: float) -> None:
    emulator.app.settings.time_scale = scale
    emulator.app.clock.time_scale = scale


def _statuses(emulator: RunningEmulator, operation: str) -> list[int]:
    return [r["status"] for r in emulator.requests("neon") if r["operation"] == operation]


# -- 423 Locked --------------------------------------------------------------------------------------------
def test_423_while_an_operation_runs_is_retried_to_success(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch_id = project.outs["default_branch_id"]
    # Someone else (another program, the console) starts work on the project; at time scale 1 it runs for
    # a while in emulated time.
    _set_time_scale(emulator, 1.0)
    models = neon_models(emulator)
    with emulator.app._lock:
        models.update_endpoint(
            project.id, project.outs["default_endpoint_id"], {"autoscaling_limit_max_cu": 1}
        )
    assert models.busy(project.id)

    provider = configured(RoleProvider, emulator)
    waits: list[float] = []

    def wait_in_emulated_time(seconds: float) -> None:
        waits.append(seconds)
        emulator.app.clock.advance(60)

    provider.sleep = wait_in_emulated_time
    emulator.clear_requests()
    result = create(provider, {"project_id": project.id, "branch_id": branch_id, "name": "app"})

    assert result.outs["password"]
    assert _statuses(emulator, "createProjectBranchRole") == [423, 201]
    assert waits, "the retry must back off"
    locked = next(r for r in emulator.requests("neon") if r["status"] == 423)
    assert locked["response"]["message"] == (
        "project already has running conflicting operations, scheduling of new ones is prohibited"
    )


def test_injected_423_is_retried(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(BranchProvider, emulator)
    emulator.inject(vendor="neon", operation="createProjectBranch", status=423, count=2)
    emulator.clear_requests()
    created = create(provider, {"project_id": project.id, "name": "dev"})
    assert created.outs["name"] == "dev"
    assert _statuses(emulator, "createProjectBranch") == [423, 423, 201]


def test_ten_resources_of_one_project_created_concurrently_without_error_or_423(
    emulator: RunningEmulator,
) -> None:
    project = new_project(emulator)
    branch_id = project.outs["default_branch_id"]
    # Operations now take real (scaled) time, so unserialised mutations would collide with 423.
    _set_time_scale(emulator, 0.005)
    emulator.clear_requests()

    def real_pause(seconds: float) -> None:
        time.sleep(min(seconds, 0.005))

    providers: dict[type[NeonProvider], NeonProvider] = {}
    for cls in (BranchProvider, RoleProvider, DatabaseProvider, EndpointProvider):
        provider = configured(cls, emulator)
        provider.sleep = real_pause
        provider.poll_policy = PollPolicy(initial_interval=0.002, max_interval=0.005, factor=1.5, timeout=60)
        providers[cls] = provider

    jobs: list[tuple[type[NeonProvider], dict[str, Any]]] = [
        *[(BranchProvider, {"project_id": project.id, "name": f"feature-{i}"}) for i in range(3)],
        *[
            (RoleProvider, {"project_id": project.id, "branch_id": branch_id, "name": f"role{i}"})
            for i in range(3)
        ],
        *[
            (
                DatabaseProvider,
                {
                    "project_id": project.id,
                    "branch_id": branch_id,
                    "name": f"db{i}",
                    "owner_name": "neondb_owner",
                },
            )
            for i in range(3)
        ],
        (EndpointProvider, {"project_id": project.id, "branch_id": branch_id, "type": "read_only"}),
    ]
    errors: list[BaseException] = []
    results: list[Made] = []

    def run(gate: threading.Barrier, cls: type[NeonProvider], props: dict[str, Any]) -> None:
        gate.wait()  # start together, as the engine does with independent resources
        try:
            results.append(create(providers[cls], props))
        except BaseException as error:
            errors.append(error)

    # The provider host serves four calls at once.
    for start in range(0, len(jobs), 4):
        batch = jobs[start : start + 4]
        gate = threading.Barrier(len(batch))
        threads = [threading.Thread(target=run, args=(gate, cls, props)) for cls, props in batch]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert len(results) == 10
    statuses = [r["status"] for r in emulator.requests("neon")]
    assert 423 not in statuses
    state = neon_state(emulator)
    assert len(state["branches"]) == 4 and len(state["endpoints"]) == 2
    assert {"role0", "role1", "role2"} <= {r["name"] for r in state["roles"]}


# -- failed operations -------------------------------------------------------------------------------------
def test_failed_operation_fails_the_step_and_removes_what_was_made(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(BranchProvider, emulator)
    emulator.inject(
        vendor="neon",
        operation="createProjectBranch",
        effect="operation_failed",
        params={"error": "timeline creation failed: pageserver unavailable"},
    )
    with pytest.raises(NeonResourceError) as raised:
        create(provider, {"project_id": project.id, "name": "doomed"})
    text = str(raised.value)
    assert "'doomed'" in text
    assert "create_branch" in text and "ended failed" in text
    assert "timeline creation failed: pageserver unavailable" in text
    assert [b["name"] for b in neon_state(emulator)["branches"]] == ["main"]


def test_failed_project_creation_deletes_the_project(emulator: RunningEmulator) -> None:
    emulator.inject(vendor="neon", operation="createProject", effect="operation_failed", params={})
    with pytest.raises(NeonResourceError, match=r"create_timeline .* ended failed"):
        new_project(emulator)
    assert neon_state(emulator)["projects"] == []


# -- check ---------------------------------------------------------------------------------------------------
CHECK_CASES: list[tuple[type[NeonProvider], dict[str, Any], set[str]]] = [
    (
        ProjectProvider,
        {
            "name": "",
            "region_id": "aws-ca-central-1",
            "pg_version": 13,
            "history_retention_seconds": 2592001,
            "suspend_timeout_seconds": 604801,
            "autoscaling_min_cu": 0.3,
        },
        {
            "name",
            "region_id",
            "pg_version",
            "history_retention_seconds",
            "suspend_timeout_seconds",
            "autoscaling_min_cu",
        },
    ),
    (
        ProjectProvider,
        {"name": "p", "autoscaling_min_cu": 18, "autoscaling_max_cu": 20},
        {"autoscaling_max_cu"},
    ),
    (
        ProjectProvider,
        {"name": "p", "autoscaling_min_cu": 1, "autoscaling_max_cu": 10},
        {"autoscaling_max_cu"},
    ),
    (
        ProjectProvider,
        {"name": "p", "autoscaling_min_cu": 4, "autoscaling_max_cu": 2},
        {"autoscaling_max_cu"},
    ),
    (ProjectProvider, {"name": "p", "suspend_timeout_seconds": -2}, {"suspend_timeout_seconds"}),
    (ProjectProvider, {"name": "p", "autoscaling_max_cu": 17}, {"autoscaling_max_cu"}),
    (
        EndpointProvider,
        {"project_id": "p-1", "branch_id": "BR", "type": "primary", "autoscaling_max_cu": 57},
        {"branch_id", "type", "autoscaling_max_cu"},
    ),
    (
        BranchProvider,
        {"project_id": "p-1", "name": "x" * 257, "parent_id": "no spaces"},
        {"name", "parent_id"},
    ),
    (RoleProvider, {"project_id": "p-1", "branch_id": "br-1", "name": "r" * 64}, {"name"}),
    (
        DatabaseProvider,
        {"project_id": "p-1", "branch_id": "br-1", "name": "", "owner_name": ""},
        {"name", "owner_name"},
    ),
    (ConnectionUriProvider, {"project_id": "p-1", "database_name": "d"}, {"role_name"}),
    (ProjectProvider, {"name": "p", "typo_field": 1}, {"typo_field"}),
]


@pytest.mark.parametrize(("cls", "props", "fields"), CHECK_CASES)
def test_check_rejects_each_bad_field_before_any_request(
    emulator: RunningEmulator, cls: type[NeonProvider], props: dict[str, Any], fields: set[str]
) -> None:
    provider = configured(cls, emulator)
    result = provider.check({}, props)
    assert {f.property for f in result.failures} == fields
    assert emulator.requests("neon") == []


def test_check_allowed_sizes_pass_and_region_error_names_the_list() -> None:
    provider = ProjectProvider()
    for low, high in [(0.25, 0.25), (0.5, 4), (8, 16), (56, 56), (18, 18), (1, 9)]:
        result = provider.check({}, {"name": "p", "autoscaling_min_cu": low, "autoscaling_max_cu": high})
        assert result.failures == [], (low, high)
    [failure] = provider.check({}, {"name": "p", "region_id": "ca-central-1"}).failures
    assert "aws-us-east-2" in failure.reason and "azure-gwc" in failure.reason
    assert "no Canadian region" in failure.reason


def test_check_tolerates_unknowns_and_fills_defaults() -> None:
    from providers.base import UNKNOWN

    provider = EndpointProvider()
    result = provider.check({}, {"project_id": UNKNOWN, "branch_id": UNKNOWN, "autoscaling_max_cu": 2})
    assert result.failures == []
    assert result.inputs["type"] == "read_write" and result.inputs["autoscaling_min_cu"] == 0.25


# -- credentials and state -----------------------------------------------------------------------------------
def test_missing_credentials_fail_in_create_not_in_check(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEON_API_KEY", raising=False)
    provider = ProjectProvider()
    provider.configure(dynamic.ConfigureRequest(dynamic.Config({}, "platform")))
    assert provider.check({}, {"name": "p"}).failures == []
    with pytest.raises(CredentialsMissingError) as raised:
        provider.create(provider.check({}, {"name": "p"}).inputs)
    assert "neon:apiKey" in str(raised.value) and "NEON_API_KEY" in str(raised.value)


def test_environment_fallback_for_key_and_url(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEON_API_KEY", API_KEY)
    monkeypatch.setenv("NEON_API_URL", emulator.neon_url)
    provider = ProjectProvider()
    provider.configure(dynamic.ConfigureRequest(dynamic.Config({}, "platform")))
    provider.sleep = lambda _s: None
    outs = provider.create(provider.check({}, {"name": "env"}).inputs).outs
    assert outs is not None and outs["name"] == "env"


def test_wrong_key_is_a_clear_401_without_the_key(emulator: RunningEmulator) -> None:
    emulator.app.settings.token = "the-only-good-key"
    try:
        provider = configured(ProjectProvider, emulator)
        with pytest.raises(NeonResourceError) as raised:
            create(provider, {"name": "p"})
    finally:
        emulator.app.settings.token = None
    assert "HTTP 401" in str(raised.value)
    assert API_KEY not in str(raised.value)


@pytest.mark.parametrize("cls", ALL_PROVIDERS)
def test_provider_pickles_without_credentials_after_configure(
    emulator: RunningEmulator, cls: Callable[[], NeonProvider]
) -> None:
    provider = configured(cls, emulator)  # type: ignore[arg-type]
    provider.client()  # the HTTP client with the key exists now
    blob = base64.b64decode(serialize_provider(provider))
    assert API_KEY.encode() not in blob
    assert emulator.neon_url.encode() not in blob
    restored = dill.loads(blob)
    assert type(restored) is type(provider)
    assert not hasattr(restored, "_config")
    assert "_neon_client" not in restored.__dict__


# -- waiting and rate limits ----------------------------------------------------------------------------
def test_operations_are_polled_every_second_and_report_progress_lines(
    emulator: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    project = new_project(emulator)
    _set_time_scale(emulator, 1.0)  # create_branch takes 2 s of emulated time
    provider = configured(BranchProvider, emulator)
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        emulator.app.clock.advance(seconds)

    provider.sleep = wait
    provider.poll_policy = PollPolicy(initial_interval=0.5, max_interval=10, factor=2.0, timeout=60)
    emulator.clear_requests()
    with caplog.at_level("INFO", logger="platform.progress"):
        create(provider, {"project_id": project.id, "name": "dev"})
    # Nothing says how long a Neon operation takes: polls come at most 1 s (or 10% of the wait) apart, so
    # the 2 s create_branch is seen done on the poll at 2 s.
    assert waits[:2] == [1.0, 1.0]
    assert len(_statuses(emulator, "getProjectOperation")) == len(waits) + 1
    assert any("neon branch dev: create_branch: running" in r.getMessage() for r in caplog.records)


def test_rate_limited_requests_are_retried(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    emulator.app.settings.vendor_options["neon"] = {"rate_limit_per_minute": 1}
    provider = configured(BranchProvider, emulator)
    provider.sleep = lambda _seconds: emulator.app.clock.advance(61)
    emulator.clear_requests()
    create(provider, {"project_id": project.id, "name": "dev"})
    assert 429 in [r["status"] for r in emulator.requests("neon")]
    assert _statuses(emulator, "createProjectBranch")[-1] == 201


# -- lost answers --------------------------------------------------------------------------------------------
AMBIGUOUS_CASES: list[tuple[type[NeonProvider], str, dict[str, Any]]] = [
    (BranchProvider, "createProjectBranch", {"name": "dev"}),
    (RoleProvider, "createProjectBranchRole", {"name": "app"}),
    (DatabaseProvider, "createProjectBranchDatabase", {"name": "app", "owner_name": "neondb_owner"}),
]


def _project_and_scope(emulator: RunningEmulator, cls: type[NeonProvider]) -> tuple[Made, dict[str, Any]]:
    """A new project, and the ids an object of `cls` is made under: a branch under the project, the
    others under its default branch."""
    project = new_project(emulator)
    scope = {"project_id": project.id}
    if cls is not BranchProvider:
        scope["branch_id"] = project.outs["default_branch_id"]
    return project, scope


@pytest.mark.parametrize(("cls", "operation", "props"), AMBIGUOUS_CASES)
def test_create_whose_answer_was_lost_adopts_what_was_made(
    emulator: RunningEmulator, cls: type[NeonProvider], operation: str, props: dict[str, Any]
) -> None:
    project, scope = _project_and_scope(emulator, cls)
    # The API did the work, then the client saw a 500: a create must not be repeated blindly.
    emulator.inject(vendor="neon", operation=operation, status=500, when="after")
    emulator.clear_requests()
    made = create(configured(cls, emulator), {**scope, **props})
    assert _statuses(emulator, operation) == [500]  # not sent twice
    if cls is RoleProvider:
        assert made.outs["password"] == neon_models(emulator).reveal_password(
            project.id, scope["branch_id"], "app"
        )


@pytest.mark.parametrize(("cls", "operation", "props"), AMBIGUOUS_CASES)
def test_create_that_did_not_happen_is_sent_again_after_the_lookup_and_made_once(
    emulator: RunningEmulator, cls: type[NeonProvider], operation: str, props: dict[str, Any]
) -> None:
    _, scope = _project_and_scope(emulator, cls)
    before = neon_state(emulator)
    emulator.inject(vendor="neon", operation=operation, status=502)
    emulator.clear_requests()
    create(configured(cls, emulator), {**scope, **props})
    assert _statuses(emulator, operation) == [502, 201]  # proven absent by the lookup, then sent again
    collection = {BranchProvider: "branches", RoleProvider: "roles", DatabaseProvider: "databases"}[cls]
    assert len(neon_state(emulator)[collection]) == len(before[collection]) + 1  # made exactly once


@pytest.mark.parametrize(("cls", "operation", "props"), AMBIGUOUS_CASES)
def test_create_failing_every_time_fails_with_the_vendors_status_and_makes_nothing(
    emulator: RunningEmulator, cls: type[NeonProvider], operation: str, props: dict[str, Any]
) -> None:
    _, scope = _project_and_scope(emulator, cls)
    before = neon_state(emulator)
    emulator.inject(vendor="neon", operation=operation, status=502, count=10)
    with pytest.raises(NeonResourceError, match="HTTP 502"):
        create(configured(cls, emulator), {**scope, **props})
    after = neon_state(emulator)
    assert {k: len(v) for k, v in after.items() if isinstance(v, list) and k != "operations"} == {
        k: len(v) for k, v in before.items() if isinstance(v, list) and k != "operations"
    }
