"""ServiceInstance: settings applied, deployed and waited for; failures carry status and log tail."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.base import WaitTimeoutError
from providers.railway.resources import (
    DeploymentFailedError,
    ProjectProvider,
    ServiceInstanceProvider,
)
from tests.providers.railway.support import (
    Engine,
    clear_ambient_credentials,
    configure,
    project_with_service,
    sent,
    variables_of,
)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_ambient_credentials(monkeypatch)


@pytest.fixture
def ids(emulator: RunningEmulator) -> dict[str, str]:
    return project_with_service(emulator, project="omnistack", service="api", image="ghcr.io/omni/api:1")


def instance_engine(emulator: RunningEmulator) -> Engine:
    return Engine(configure(ServiceInstanceProvider(), emulator))


def railway_instance(emulator: RunningEmulator, ids: dict[str, str]) -> dict[str, Any]:
    client = configure(ProjectProvider(), emulator).client()
    return client.service_instance(service_id=ids["service_id"], environment_id=ids["environment_id"])


def deploy_config(emulator: RunningEmulator, ids: dict[str, str]) -> dict[str, Any]:
    client = configure(ProjectProvider(), emulator).client()
    config = client.environment(ids["environment_id"])["config"]
    return dict(config["services"][ids["service_id"]]["deploy"])


OMNI = {
    "start_command": "uvicorn app.main:app --host 0.0.0.0 --port $PORT",
    "pre_deploy_command": ["alembic upgrade head"],
    "healthcheck_path": "/api/v1/public/health",
    "healthcheck_timeout": 120,
    "restart_policy_type": "ON_FAILURE",
    "restart_policy_max_retries": 3,
    "regions": {"us-west2": 2, "us-east4-eqdc4a": 2},
    "overlap_seconds": 30,
    "draining_seconds": 15,
    "vcpus": 2.0,
    "memory_gb": 4.0,
}


def test_create_in_other_regions_clears_the_default_region(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    # A new service runs in Railway's default region; multiRegionConfig is a patch, so asking for another
    # region alone must not leave replicas behind in the default one.
    before = deploy_config(emulator, ids).get("multiRegionConfig") or {}
    assert set(before) == {"us-west2"}
    e = instance_engine(emulator)
    e.create(
        {
            "service_id": ids["service_id"],
            "environment_id": ids["environment_id"],
            "regions": {"us-east4-eqdc4a": 2},
        }
    )
    after = deploy_config(emulator, ids)["multiRegionConfig"]
    assert {r: c["numReplicas"] for r, c in after.items() if c} == {"us-east4-eqdc4a": 2}


def test_create_applies_settings_then_deploys_and_waits(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = instance_engine(emulator)
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"]}
    emulator.clear_requests()
    outs = e.create({**base, **OMNI})
    operations = [r["operation"] for r in sent(emulator)]
    assert operations[:4] == [
        # its service instances also give the latest deployment before, so that a lost deploy answer
        # is not deployed twice: no second read for it
        "environment",
        "serviceInstanceUpdate",
        "serviceInstanceLimitsUpdate",
        "serviceInstanceDeployV2",
    ]
    assert operations[4:] and set(operations[4:]) == {"deployment"}  # polled until SUCCESS
    assert outs["deployment_status"] == "SUCCESS"
    assert (
        outs["deployment_id"]
        == sent(emulator, "serviceInstanceDeployV2")[0]["response"]["data"]["serviceInstanceDeployV2"]
    )

    update_input = variables_of(sent(emulator, "serviceInstanceUpdate")[0])["input"]
    assert update_input["multiRegionConfig"] == {
        "us-west2": {"numReplicas": 2},
        "us-east4-eqdc4a": {"numReplicas": 2},
    }
    assert "cronSchedule" not in update_input and "numReplicas" not in update_input  # never set, never sent

    instance = railway_instance(emulator, ids)
    assert instance["healthcheckPath"] == "/api/v1/public/health"
    assert instance["restartPolicyType"] == "ON_FAILURE" and instance["restartPolicyMaxRetries"] == 3
    assert deploy_config(emulator, ids)["multiRegionConfig"] == {
        "us-west2": {"numReplicas": 2},
        "us-east4-eqdc4a": {"numReplicas": 2},
    }

    # Refresh reads everything back, regions through the environment config.
    read = e.read()
    assert read.inputs is not None
    for key, value in OMNI.items():
        assert read.inputs[key] == value, key
    assert not e.provider.diff(str(e.id), dict(read.outs or {}), e.check({**base, **OMNI})).changes


def test_update_sends_only_changes_and_clears_removed_settings(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = instance_engine(emulator)
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"]}
    e.create({**base, **OMNI})
    emulator.clear_requests()
    changed = {k: v for k, v in OMNI.items() if k not in ("start_command", "memory_gb")}
    changed["regions"] = {"us-west2": 3}
    outs = e.update({**base, **changed})
    update_input = variables_of(sent(emulator, "serviceInstanceUpdate")[0])["input"]
    # Removed: cleared with null. The region dropped from the map: null inside multiRegionConfig.
    assert update_input == {
        "startCommand": None,
        "multiRegionConfig": {"us-east4-eqdc4a": None, "us-west2": {"numReplicas": 3}},
    }
    limits_input = variables_of(sent(emulator, "serviceInstanceLimitsUpdate")[0])["input"]
    assert limits_input == {
        "serviceId": ids["service_id"],
        "environmentId": ids["environment_id"],
        "memoryGB": None,
    }
    assert len(sent(emulator, "serviceInstanceDeployV2")) == 1
    assert outs["deployment_status"] == "SUCCESS"
    assert railway_instance(emulator, ids)["startCommand"] in (None, "")
    assert deploy_config(emulator, ids)["multiRegionConfig"] == {"us-west2": {"numReplicas": 3}}


def test_timeout_change_alone_does_not_redeploy(emulator: RunningEmulator, ids: dict[str, str]) -> None:
    e = instance_engine(emulator)
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"], "replicas": 2}
    first = e.create(base)
    emulator.clear_requests()
    outs = e.update({**base, "deploy_timeout_seconds": 60})
    assert sent(emulator) == []
    assert outs["deployment_id"] == first["deployment_id"]


def test_replace_keys_and_delete_sends_nothing(emulator: RunningEmulator, ids: dict[str, str]) -> None:
    e = instance_engine(emulator)
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"]}
    e.create({**base, "replicas": 1, "deploy": False})
    assert sorted(e.diff({"service_id": "s2", "environment_id": "e2"}).replaces or []) == [
        "environment_id",
        "service_id",
    ]
    assert e.diff({**base, "replicas": 2, "deploy": False}).replaces == []
    emulator.clear_requests()
    e.delete()
    assert sent(emulator) == []


def test_deploy_false_applies_settings_without_deploying(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = instance_engine(emulator)
    emulator.clear_requests()
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"]}
    outs = e.create({**base, "cron_schedule": "*/15 * * * *", "deploy": False})
    assert "serviceInstanceDeployV2" not in [r["operation"] for r in sent(emulator)]
    assert "deployment_id" not in outs
    assert railway_instance(emulator, ids)["cronSchedule"] == "*/15 * * * *"


@pytest.mark.parametrize(
    ("effect", "status", "log_line"),
    [
        ("deployment_failed", "FAILED", "failed to build"),
        ("deployment_crashed", "CRASHED", "ECONNREFUSED"),
    ],
)
def test_deployment_failure_surfaces_status_and_log_tail(
    emulator: RunningEmulator, ids: dict[str, str], effect: str, status: str, log_line: str
) -> None:
    e = instance_engine(emulator)
    emulator.inject(vendor="railway", operation="serviceInstanceDeployV2", effect=effect)
    with pytest.raises(DeploymentFailedError) as caught:
        e.create({"service_id": ids["service_id"], "environment_id": ids["environment_id"], "replicas": 1})
    error = caught.value
    assert error.status == status
    assert status in str(error)
    assert any(log_line in line for line in error.log_tail), error.log_tail
    assert log_line in str(error)
    assert ids["service_id"] in str(error)


def test_deployment_that_never_finishes_times_out_with_its_state(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    emulator.app.settings.time_scale = 1
    emulator.app.clock.time_scale = 1
    provider = configure(ServiceInstanceProvider(), emulator)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    provider.sleep = sleep
    provider.clock = lambda: now[0]
    e = Engine(provider)
    with pytest.raises(WaitTimeoutError) as caught:
        e.create({**{k: ids[k] for k in ("service_id", "environment_id")}, "deploy_timeout_seconds": 60})
    assert "after" in str(caught.value) and "timeout 60s" in str(caught.value)
    polls = len(sent(emulator, "deployment"))
    # Backed off, not hammered: 7 polls to the image's typical 22 s, then 10% of the time waited apart.
    assert 3 <= polls <= 20


def test_instance_of_a_missing_service_fails_clearly(emulator: RunningEmulator, ids: dict[str, str]) -> None:
    e = instance_engine(emulator)
    with pytest.raises(Exception, match="create the service in that environment first"):
        e.create({"service_id": "no-such-service", "environment_id": ids["environment_id"]})
    assert sent(emulator, "serviceInstanceUpdate") == []


def test_read_of_a_deleted_service_says_gone(emulator: RunningEmulator, ids: dict[str, str]) -> None:
    e = instance_engine(emulator)
    e.create({"service_id": ids["service_id"], "environment_id": ids["environment_id"], "deploy": False})
    configure(ProjectProvider(), emulator).client().service_delete(ids["service_id"])
    result = e.read()
    assert result.id is None and result.outs == {}


def test_create_whose_deploy_answer_is_lost_adopts_the_deployment_it_started(
    emulator: RunningEmulator, ids: dict[str, str]
) -> None:
    e = instance_engine(emulator)
    base = {"service_id": ids["service_id"], "environment_id": ids["environment_id"]}
    first = e.create({**base, "replicas": 1})  # the instance now has a latest deployment of its own
    emulator.clear_requests()
    emulator.inject(vendor="railway", operation="serviceInstanceDeployV2", status=504, when="after", count=1)
    outs = e.create({**base, "replicas": 1})
    deploys = sent(emulator, "serviceInstanceDeployV2")
    assert len(deploys) == 1  # never sent twice: the lookup found the one the lost answer started
    assert outs["deployment_id"] not in (None, first["deployment_id"])
    assert outs["deployment_status"] == "SUCCESS"
