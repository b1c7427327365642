"""Worker under Pulumi mocks: a service without public networking; cron workers."""

from __future__ import annotations

from typing import Any

import pytest

from components.worker import Worker, WorkerArgs
from tests.mocks import Recorder, reveal, run


def build(**changes: Any) -> Recorder:
    args: dict[str, Any] = {
        "project_id": "proj-1",
        "environment_id": "env-1",
        "regions": {"us-east4-eqdc4a": 2},
        "repo": "acme/api",
        "branch": "main",
        "start_command": "node services/workers/index.js",
        "secret_variables": {"REDIS_URL": "redis://x"},
        **changes,
    }
    return run(lambda: Worker("worker", WorkerArgs(**args)))


def test_a_worker_has_a_service_and_instance_and_no_domain() -> None:
    rec = build()
    children = {r.name for r in rec.children_of(rec.named("worker"))}
    assert children == {"worker-service", "worker-instance"}
    assert rec.of_type("railway:ServiceDomain") == [] and rec.of_type("railway:CustomDomain") == []


def test_a_repo_source_carries_its_branch() -> None:
    service = build().named("worker-service")
    assert (service.plain("repo"), service.plain("branch"), service.plain("image")) == (
        "acme/api",
        "main",
        None,
    )


def test_cron_worker_sets_the_schedule_on_its_single_replica() -> None:
    instance = build(regions={"us-west2": 1}, cron_schedule="*/15 * * * *").named("worker-instance")
    assert reveal(instance.inputs)["cron_schedule"] == "*/15 * * * *"
    assert reveal(instance.inputs)["regions"] == {"us-west2": 1}


def test_cron_with_more_than_one_replica_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one replica"):
        build(cron_schedule="0 4 * * *")
