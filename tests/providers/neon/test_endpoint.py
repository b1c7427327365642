"""Neon Endpoint against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.neon.resources import (
    BranchProvider,
    EndpointProvider,
    NeonResourceError,
)
from tests.providers.neon.support import (
    configured,
    create,
    neon_state,
    new_project,
    read,
    update,
)


def test_endpoint_lifecycle(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    branch = create(configured(BranchProvider, emulator), {"project_id": project.id, "name": "dev"})
    provider = configured(EndpointProvider, emulator)
    created = create(
        provider,
        {
            "project_id": project.id,
            "branch_id": branch.id,
            "autoscaling_min_cu": 0.25,
            "autoscaling_max_cu": 1,
        },
    )
    assert created.outs["host"].startswith(created.id + ".")
    assert created.outs["pooler_host"] == created.outs["host"].replace(created.id, created.id + "-pooler", 1)
    diff, updated = update(
        provider,
        created.id,
        created.outs,
        {"autoscaling_max_cu": 2, "suspend_timeout_seconds": 600, "pooler_enabled": True},
    )
    assert diff.changes and not diff.replaces
    endpoint = next(e for e in neon_state(emulator)["endpoints"] if e["id"] == created.id)
    assert endpoint["autoscaling_limit_max_cu"] == 2 and endpoint["suspend_timeout_seconds"] == 600
    assert endpoint["pooler_enabled"] is True
    assert updated.outs["pooler_enabled"] is True
    news = provider.check(
        {}, {**{k: updated.outs[k] for k in provider.Inputs.model_fields}, "type": "read_only"}
    )
    assert provider.diff(created.id, updated.outs, news.inputs).replaces == ["type"]
    assert read(provider, created.id, updated.outs).inputs["autoscaling_max_cu"] == 2
    provider.delete(created.id, updated.outs)
    assert read(provider, created.id, updated.outs).id is None
    provider.delete(created.id, updated.outs)  # 204


def test_second_read_write_endpoint_fails_clearly(emulator: RunningEmulator) -> None:
    project = new_project(emulator)
    provider = configured(EndpointProvider, emulator)
    with pytest.raises(NeonResourceError, match="already has a read_write endpoint"):
        create(provider, {"project_id": project.id, "branch_id": project.outs["default_branch_id"]})
    replica = create(
        provider,
        {"project_id": project.id, "branch_id": project.outs["default_branch_id"], "type": "read_only"},
    )
    assert replica.outs["type"] == "read_only"
