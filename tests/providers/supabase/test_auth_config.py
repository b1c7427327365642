# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase AuthConfig against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    AuthConfigProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


def test_auth_config_lifecycle_compares_only_user_keys_and_never_masked_secrets(
    emulator: RunningEmulator,
) -> None:
    ref = ready_project(emulator)
    provider = make_provider(AuthConfigProvider, emulator)
    inputs = checked(
        provider,
        {
            "project_ref": ref,
            "settings": {"site_url": "https://app.nestsync.ca", "jwt_exp": 1800.0, "disable_signup": True},
            "secret_settings": {"smtp_pass": "smtp-secret-value"},
        },
    )
    assert inputs["settings"]["jwt_exp"] == 1800 and isinstance(inputs["settings"]["jwt_exp"], int)

    created = provider.create(inputs)
    server = client(emulator).get_auth_config(ref)
    assert server["site_url"] == "https://app.nestsync.ca" and server["jwt_exp"] == 1800
    assert server["smtp_pass"] != "smtp-secret-value", "the API masks secrets"
    assert created.outs["previous_settings"]["jwt_exp"] == 3600

    read = provider.read(ref, created.outs)
    assert read.outs is not None and read.inputs is not None
    assert read.outs["settings"] == inputs["settings"]
    assert read.outs["secret_settings"] == {"smtp_pass": "smtp-secret-value"}
    assert not provider.diff(ref, read.outs, inputs).changes, "masked smtp_pass is not a change"

    # Drift on a managed key is seen; a change to an unmanaged key is not.
    client(emulator).update_auth_config(ref, {"jwt_exp": 999, "mailer_otp_exp": 100})
    drifted = provider.read(ref, created.outs)
    assert drifted.outs is not None and drifted.outs["settings"]["jwt_exp"] == 999
    assert provider.diff(ref, drifted.outs, inputs).changes

    # Update: drop jwt_exp (goes back to what it was), change site_url.
    news = checked(
        provider,
        {"project_ref": ref, "settings": {"site_url": "https://new.example", "disable_signup": True}},
    )
    updated = provider.update(ref, drifted.outs, news)
    server = client(emulator).get_auth_config(ref)
    assert server["site_url"] == "https://new.example" and server["jwt_exp"] == 3600
    assert "jwt_exp" not in updated.outs["previous_settings"]
    _assert_replace_on_ref(provider, updated.outs, news)

    provider.delete(ref, updated.outs)
    server = client(emulator).get_auth_config(ref)
    assert server["site_url"] == "http://localhost:3000" and server["disable_signup"] is False


def test_auth_config_check_reports_each_problem_and_sends_nothing(emulator: RunningEmulator) -> None:
    provider = make_provider(AuthConfigProvider, emulator)
    result = provider.check(
        {},
        {
            "project_ref": "not-a-ref",
            "settings": {"smtp_pass": "x", "jwt_exp": 10**9, "no_such_key": 1, "smtp_port": 587},
        },
    )
    failures = {f.property: f.reason for f in result.failures}
    assert set(failures) == {"project_ref", "settings"}
    for fragment in ("smtp_pass", "secret_settings", "jwt_exp", "no_such_key", "smtp_port"):
        assert fragment in failures["settings"]
    assert "x" not in failures["settings"].split("smtp_pass")[0]
    assert emulator.requests("supabase") == []
