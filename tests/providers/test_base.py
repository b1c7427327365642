"""The shared provider helpers: check through pydantic, the pure diff, settings, polling with progress."""

from __future__ import annotations

import logging
import pickle

import dill
import pydantic
import pytest
from pulumi import dynamic

from providers.base import (
    UNKNOWN,
    CredentialsMissingError,
    PlatformProvider,
    PollPolicy,
    Setting,
    WaitTimeoutError,
    check_with_model,
    diff_inputs,
    poll_until,
    require_secret,
)


class WidgetInputs(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    name: str = pydantic.Field(min_length=1)
    replicas: int = pydantic.Field(default=1, ge=1, le=50)
    region: str | None = None
    tags: list[str] = []

    @pydantic.model_validator(mode="after")
    def _one_replica_in_asia(self) -> WidgetInputs:
        if self.region == "asia" and self.replicas > 1:
            raise ValueError("asia takes one replica")
        return self


def test_check_reports_every_failing_field_with_its_path() -> None:
    result = check_with_model(WidgetInputs, {"name": "", "replicas": 0, "tags": ["a", 3]})
    reasons = {f.property: f.reason for f in result.failures}
    assert set(reasons) == {"name", "replicas", "tags[1]"}
    assert "greater than or equal to 1" in reasons["replicas"]


def test_check_normalises_valid_inputs_and_drops_the_provider_key() -> None:
    result = check_with_model(WidgetInputs, {"name": "w", "__provider": "blob"})
    assert result.failures == []
    assert result.inputs == {"name": "w", "replicas": 1, "tags": []}


def test_check_does_not_judge_unknown_values_during_preview() -> None:
    result = check_with_model(WidgetInputs, {"name": UNKNOWN, "replicas": 0})
    assert [f.property for f in result.failures] == ["replicas"]


def test_check_skips_cross_field_rules_while_anything_is_unknown() -> None:
    known = check_with_model(WidgetInputs, {"name": "w", "region": "asia", "replicas": 2})
    assert [f.reason for f in known.failures] == ["asia takes one replica"]
    unknown = check_with_model(WidgetInputs, {"name": UNKNOWN, "region": "asia", "replicas": 2})
    assert unknown.failures == []


def test_check_rejects_unknown_keys_when_the_model_forbids_them() -> None:
    result = check_with_model(WidgetInputs, {"name": "w", "colour": "red"})
    assert [f.property for f in result.failures] == ["colour"]


def test_diff_compares_old_outputs_with_new_inputs_only_on_input_keys() -> None:
    olds = {"name": "w", "replicas": 2, "id_from_api": "x", "__provider": "old"}
    news = {"name": "w", "replicas": 2, "__provider": "new"}
    result = diff_inputs(olds, news, keys=WidgetInputs.model_fields.keys())
    assert result.changes is False


def test_diff_lists_replaces_only_for_changed_replace_keys() -> None:
    olds = {"name": "w", "replicas": 2, "region": "eu"}
    news = {"name": "w", "replicas": 3, "region": "us"}
    result = diff_inputs(olds, news, keys=WidgetInputs.model_fields.keys(), replace_keys={"region", "name"})
    assert result.changes is True
    assert result.replaces == ["region"]


def test_diff_treats_unknown_new_values_as_changes_and_ignores_int_float_noise() -> None:
    keys = WidgetInputs.model_fields.keys()
    assert diff_inputs({"name": "w"}, {"name": UNKNOWN}, keys=keys).changes is True
    assert (
        diff_inputs({"name": "w", "replicas": 2.0}, {"name": "w", "replicas": 2}, keys=keys).changes is False
    )


def test_diff_sees_a_removed_optional_setting() -> None:
    result = diff_inputs({"name": "w", "region": "eu"}, {"name": "w"}, keys=WidgetInputs.model_fields.keys())
    assert result.changes is True


def test_setting_prefers_stack_config_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = Setting("widgets:apiUrl", "WIDGETS_API_URL", default="https://api.example.com")
    monkeypatch.delenv("WIDGETS_API_URL", raising=False)
    assert setting.read(None) == "https://api.example.com"
    monkeypatch.setenv("WIDGETS_API_URL", "http://env")
    assert setting.read(dynamic.Config({}, "platform")) == "http://env"
    assert setting.read(dynamic.Config({"widgets:apiUrl": "http://config"}, "platform")) == "http://config"


def test_missing_credential_names_the_config_key_and_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIDGETS_TOKEN", raising=False)
    with pytest.raises(CredentialsMissingError) as caught:
        require_secret(Setting("widgets:token", "WIDGETS_TOKEN", secret=True), None)
    assert "pulumi config set --secret widgets:token" in str(caught.value)
    assert "WIDGETS_TOKEN" in str(caught.value)


class WidgetProvider(PlatformProvider):
    Inputs = WidgetInputs

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self.token = require_secret(Setting("widgets:token", "WIDGETS_TOKEN", secret=True), req.config)


def test_configured_provider_pickles_without_its_credentials() -> None:
    provider = WidgetProvider()
    provider.configure(
        dynamic.ConfigureRequest(dynamic.Config({"widgets:token": "tok-abcdef123"}, "platform"))
    )
    blob = dill.dumps(provider, recurse=True)
    assert b"tok-abcdef123" not in blob
    assert not hasattr(dill.loads(blob), "token")
    with pytest.raises(TypeError):
        pickle.dumps(provider.token)


def test_poll_until_backs_off_reports_progress_and_returns_the_final_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    states = iter(["COMING_UP", "COMING_UP", "COMING_UP", "ACTIVE_HEALTHY"])
    slept: list[float] = []
    caplog.set_level(logging.INFO, logger="platform.progress")
    result = poll_until(
        lambda: next(states),
        lambda s: s == "ACTIVE_HEALTHY",
        subject="supabase project acme",
        describe=str,
        policy=PollPolicy(initial_interval=1, factor=2, max_interval=3, timeout=100),
        sleep=slept.append,
        clock=lambda: sum(slept),
        expected=60.0,  # far off: the wait backs off
    )
    assert result == "ACTIVE_HEALTHY"
    assert slept == [1, 2, 3]
    assert any("supabase project acme: COMING_UP" in r.getMessage() for r in caplog.records)


def test_poll_until_times_out_naming_the_subject_and_last_state() -> None:
    slept: list[float] = []
    with pytest.raises(WaitTimeoutError, match=r"deployment web: still BUILDING after \d+s \(timeout 10s\)"):
        poll_until(
            lambda: "BUILDING",
            lambda s: False,
            subject="deployment web",
            describe=str,
            policy=PollPolicy(initial_interval=2, factor=1, max_interval=2, timeout=10),
            sleep=slept.append,
            clock=lambda: sum(slept),
        )
    assert sum(slept) <= 10


def test_poll_until_lets_done_fail_fast() -> None:
    def done(state: str) -> bool:
        if state == "FAILED":
            raise RuntimeError("deployment FAILED")
        return state == "SUCCESS"

    with pytest.raises(RuntimeError, match="FAILED"):
        poll_until(lambda: "FAILED", done, subject="d", describe=str, sleep=lambda _: None)
