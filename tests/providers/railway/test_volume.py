"""Railway Volume against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.railway.resources import (
    VolumeProvider,
)
from tests.providers.railway.helpers import client, engine, env_id
from tests.providers.railway.support import (
    Engine,
    live,
)


def test_volume_lifecycle(emulator: RunningEmulator, project: Engine, service: Engine) -> None:
    e = engine(VolumeProvider, emulator)
    base = {"project_id": project.id, "service_id": service.id, "environment_id": env_id(project)}
    outs = e.create(
        {**base, "mount_path": "/data", "region": "us-east4-eqdc4a", "backup_schedules": ["WEEKLY", "DAILY"]}
    )
    [instance] = live(emulator, "volumeInstances")
    assert instance["mountPath"] == "/data" and instance["region"] == "us-east4-eqdc4a"
    assert outs["volume_instance_id"] == instance["id"]
    assert outs["backup_schedules"] == ["DAILY", "WEEKLY"]
    c = client(emulator)
    assert {s["kind"] for s in c.volume_instance_backup_schedules(instance["id"])} == {"DAILY", "WEEKLY"}

    read = e.read()
    assert read.inputs == {
        **base,
        "mount_path": "/data",
        "region": "us-east4-eqdc4a",
        "backup_schedules": ["DAILY", "WEEKLY"],
    }

    e.update(
        {**base, "mount_path": "/var/lib/data", "region": "us-east4-eqdc4a", "backup_schedules": ["MONTHLY"]}
    )
    [instance] = live(emulator, "volumeInstances")
    assert instance["mountPath"] == "/var/lib/data"
    assert {s["kind"] for s in c.volume_instance_backup_schedules(instance["id"])} == {"MONTHLY"}

    assert e.diff({**base, "mount_path": "/var/lib/data", "region": "us-west2"}).replaces == ["region"]

    e.delete()
    assert live(emulator, "volumes") == []
    e.delete()
    assert e.read().id is None


def test_volume_region_left_to_railway_is_not_a_change(
    emulator: RunningEmulator, project: Engine, service: Engine
) -> None:
    e = engine(VolumeProvider, emulator)
    base = {
        "project_id": project.id,
        "service_id": service.id,
        "environment_id": env_id(project),
        "mount_path": "/d",
    }
    outs = e.create(base)
    assert outs["region"] in ("us-west2", "us-east4-eqdc4a", "europe-west4-drams3a", "asia-southeast1-eqsg3a")
    assert not e.diff(base).changes
