# mypy: disable-error-code="index,arg-type,union-attr"
"""The base-stack guard: every provider keeps `base_object_ids` out of its own inputs, carries it through
its outputs, and refuses (before any request) to delete or act in an object of the base; the config guard
refuses a config that names one of the base's objects."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi import dynamic

from providers.base import PlatformProvider
from providers.guard import BASE_IDS_KEY, BaseObjectError, PullRequestGuardProvider
from providers.railway.resources import ServiceInstanceProvider, VariablesProvider
from pull_request_stack import config_strings

BASE = {"env-staging": "Railway environment", "svc-web": "Railway service web"}


class Recorder(PlatformProvider):
    """A provider whose every call is recorded, to see what the guard hands it."""

    from pydantic import BaseModel

    class Inputs(BaseModel):
        model_config = {"extra": "forbid"}
        environment_id: str
        name: str = "x"

    calls: list[tuple[str, Any]] = []

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        self.calls.append(("create", dict(props)))
        return dynamic.CreateResult("obj-1", dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        self.calls.append(("read", dict(props)))
        return dynamic.ReadResult(id_, dict(props), dict(props))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.calls.append(("delete", dict(props)))


def test_the_key_stays_out_of_the_model_and_rides_along_in_outputs() -> None:
    provider = Recorder()
    Recorder.calls = []
    checked = provider.check({}, {"environment_id": "env-pr-7", BASE_IDS_KEY: BASE})
    assert not checked.failures
    assert checked.inputs[BASE_IDS_KEY] == BASE
    created = provider.create(checked.inputs)
    assert BASE_IDS_KEY not in Recorder.calls[0][1], "the resource's own code never sees it"
    assert created.outs[BASE_IDS_KEY] == BASE
    assert provider.read("obj-1", created.outs).outs[BASE_IDS_KEY] == BASE
    diff = provider.diff("obj-1", created.outs, {**checked.inputs, BASE_IDS_KEY: {"other": "x"}})
    assert not diff.changes, "a change of the base's ids is no change of the object"
    provider.delete("obj-1", created.outs)
    assert Recorder.calls[-1][0] == "delete"


def test_check_refuses_a_resource_aimed_at_the_base() -> None:
    checked = Recorder().check({}, {"environment_id": "env-staging", BASE_IDS_KEY: BASE})
    assert [f.property for f in checked.failures] == ["environment_id"]
    assert "belongs to the base stack" in checked.failures[0].reason


@pytest.mark.parametrize(
    ("id_", "props"),
    [
        ("svc-web", {"environment_id": "env-pr-7"}),
        ("svc-new:env-staging", {"environment_id": "env-staging"}),
    ],
)
def test_delete_refuses_a_base_object_before_any_request(id_: str, props: dict[str, Any]) -> None:
    Recorder.calls = []
    with pytest.raises(BaseObjectError, match="belongs to the base stack"):
        Recorder().delete(id_, {**props, BASE_IDS_KEY: BASE})
    assert Recorder.calls == []


def test_the_real_providers_are_guarded_too() -> None:
    # No client is configured: a request would fail with missing credentials, not with the guard's error.
    props = {
        "project_id": "p",
        "environment_id": "env-staging",
        "service_id": "svc-web",
        "variables": {"A": "1"},
        BASE_IDS_KEY: BASE,
    }
    with pytest.raises(BaseObjectError, match="environment_id env-staging"):
        VariablesProvider().delete("p:env-staging:svc-web", props)
    with pytest.raises(BaseObjectError):
        ServiceInstanceProvider().delete("svc-web:env-staging", props)


def test_the_config_guard_names_the_file_the_key_and_the_base_object() -> None:
    news = {
        "base_stack": "staging",
        "stack_file": "Pulumi.pr-7.yaml",
        "base_object_ids": BASE,
        "config_values": {"platform:railway.environmentId": "env-staging", "platform:app": "acme"},
    }
    result = PullRequestGuardProvider().check({}, news)
    assert [f.reason for f in result.failures] == [
        "Pulumi.pr-7.yaml: platform:railway.environmentId: 'env-staging' is staging's own Railway "
        "environment; a pull-request stack makes its own objects and never uses its base's"
    ]
    assert not PullRequestGuardProvider().check({}, {**news, "config_values": {"platform:app": "x"}}).failures


def test_config_strings_walks_paths_and_leaves_secrets_out() -> None:
    raw = {
        "platform:railway": '{"environmentId": "e1", "region": "us-west2"}',
        "platform:services": '{"web": {"env": {"A": "1"}, "secrets": ["JWT"]}}',
        "platform:secrets": '{"API_KEY": {"value": "s3cret"}}',
    }
    out = config_strings(raw, {"platform:secrets"})
    assert out == {
        "platform:railway.environmentId": "e1",
        "platform:railway.region": "us-west2",
        "platform:services.web.env.A": "1",
        "platform:services.web.secrets[0]": "JWT",
    }
