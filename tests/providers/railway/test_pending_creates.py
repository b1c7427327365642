"""Railway resources resolving a pending create (`read` with an empty id, providers/pending_create.py): what
the interrupted create made is found by the vendor's unique key or, where there is none, only if made since
the create started; nothing found answers an empty id; two candidates are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.pending_create import PENDING_CREATE_KEY, AdoptionRefusedError
from providers.railway.resources import (
    CustomDomainProvider,
    EnvironmentProvider,
    NotificationRuleProvider,
    ProjectProvider,
    ServiceDomainProvider,
    ServiceInstanceProvider,
    ServiceProvider,
    TcpProxyProvider,
    VariablesProvider,
    VolumeProvider,
)
from tests.providers.railway.helpers import client, engine, env_id
from tests.providers.railway.support import Engine, live


def started(emulator: RunningEmulator, seconds_ago: float = 0) -> dict[str, Any]:
    moment = datetime.fromtimestamp(emulator.app.clock.now(), UTC) - timedelta(seconds=seconds_ago)
    return {PENDING_CREATE_KEY: {"started": moment.isoformat()}}


def resolve(e: Engine, inputs: dict[str, Any], marker: dict[str, Any] | None) -> Any:
    """The engine's read of a pending create: no id, the checked inputs, the start time."""
    return e.provider.read("", {**e.check(inputs), **(marker or {})})


def test_unique_keys_find_what_the_create_made(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    env = env_id(project)
    where = {"service_id": service.id, "environment_id": env}
    made: dict[type, dict[str, Any]] = {
        EnvironmentProvider: {"project_id": project.id, "name": "staging"},
        ServiceProvider: {"project_id": project.id, "name": "worker", "image": "ghcr.io/acme/worker:1"},
        CustomDomainProvider: {"project_id": project.id, **where, "domain": "api.example.com"},
        TcpProxyProvider: {**where, "application_port": 5432},
    }
    for cls, inputs in made.items():
        created = engine(cls, emulator)
        created.create(inputs)  # the vendor acted; the run was killed before it recorded the answer
        # The key decides, whenever the create started (no start time at all: still found).
        for marker in (started(emulator), None):
            found = resolve(engine(cls, emulator), inputs, marker)
            assert found.id == created.id, cls.__name__
    # Not made: an empty id, and the engine creates it.
    assert (
        resolve(engine(ServiceProvider, emulator), {**made[ServiceProvider], "name": "api"}, None).id is None
    )
    assert len(live(emulator, "services")) == 2


def test_a_volume_is_found_with_what_only_create_knew_and_the_schedules_it_had_not_set(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    base = {"project_id": project.id, "service_id": service.id, "environment_id": env_id(project)}
    # Killed after volumeCreate, before the backup schedules were set.
    volume = client(emulator).volume_create(
        project_id=str(project.id),
        service_id=str(service.id),
        environment_id=env_id(project),
        mount_path="/data",
    )
    inputs = {**base, "mount_path": "/data", "backup_schedules": ["DAILY"]}
    e = engine(VolumeProvider, emulator)
    found = resolve(e, inputs, started(emulator))
    assert found.id == volume["id"]
    assert found.outs["volume_instance_id"] == live(emulator, "volumeInstances")[0]["id"]
    assert found.outs["backup_schedules"] == []  # as Railway holds them: the engine's diff updates it
    assert e.provider.diff(found.id, found.outs, e.check(inputs)).changes


def test_objects_without_a_key_are_found_only_if_made_since_the_create_started(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    older = engine(ProjectProvider, emulator)
    older.create({"name": "sentia"})  # the project fixture's, and this one: older objects of that name
    emulator.app.clock.advance(600)
    marker = started(emulator)
    ours = engine(ProjectProvider, emulator)
    ours.create({"name": "sentia"})
    assert resolve(engine(ProjectProvider, emulator), {"name": "sentia"}, marker).id == ours.id
    # Started earlier (all three could be ours): refused, naming them.
    with pytest.raises(AdoptionRefusedError, match="3 objects could be the one"):
        resolve(engine(ProjectProvider, emulator), {"name": "sentia"}, started(emulator, 3600))
    # No start time: an object of that name cannot be told from an older one.
    with pytest.raises(AdoptionRefusedError, match="without the time it started"):
        resolve(engine(ProjectProvider, emulator), {"name": "sentia"}, None)
    assert resolve(engine(ProjectProvider, emulator), {"name": "nobody"}, None).id is None
    assert len(live(emulator, "projects")) == 3

    where = {"service_id": service.id, "environment_id": env_id(project)}
    domain = engine(ServiceDomainProvider, emulator)
    domain.create(where)
    assert resolve(engine(ServiceDomainProvider, emulator), where, marker).id == domain.id

    rule_inputs = {
        "workspace_id": project.outs["workspace_id"],
        "project_id": project.id,
        "event_types": ["Deployment.failed"],
        "emails": ["ops@example.com"],
    }
    rule = engine(NotificationRuleProvider, emulator)
    rule.create(rule_inputs)
    assert resolve(engine(NotificationRuleProvider, emulator), rule_inputs, marker).id == rule.id
    other_events = {**rule_inputs, "event_types": ["Deployment.crashed"]}
    assert resolve(engine(NotificationRuleProvider, emulator), other_events, marker).id is None


def test_a_deployment_started_by_the_create_is_waited_for_and_none_means_deploy_again(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    inputs = {"service_id": service.id, "environment_id": env_id(project), "start_command": "serve"}
    emulator.app.clock.advance(600)
    marker = started(emulator)
    # Nothing deployed since the create started (killed before its deploy): not found, it runs again.
    assert resolve(engine(ServiceInstanceProvider, emulator), inputs, marker).id is None
    instance = engine(ServiceInstanceProvider, emulator)
    instance.create(inputs)
    found = resolve(engine(ServiceInstanceProvider, emulator), inputs, marker)
    assert found.id == instance.id
    assert found.outs["deployment_id"] == instance.outs["deployment_id"]
    assert found.outs["deployment_status"] == "SUCCESS"


def test_idempotent_creates_run_again(emulator: RunningEmulator, project: Engine) -> None:
    inputs = {"project_id": project.id, "environment_id": env_id(project), "variables": {"A": "1"}}
    engine(VariablesProvider, emulator).create(inputs)
    assert resolve(engine(VariablesProvider, emulator), inputs, started(emulator)).id is None
