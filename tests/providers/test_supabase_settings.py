# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""The per-project Supabase settings resources against the emulator: create, read, update, replace and
delete of each, the wait for a project still coming up, and `check` failures with nothing sent."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    AuthConfigProvider,
    BackupPolicyProvider,
    NetworkRestrictionsProvider,
    PoolerConfigProvider,
    PostgresConfigProvider,
    PostgrestConfigProvider,
    SecretsProvider,
    SslEnforcementProvider,
)
from tests.providers.supabase_support import ORG, PASSWORD, checked, client, make_provider, ready_project

OTHER_REF = "zyxwvutsrqponmlkjihg"


def _project(emulator: RunningEmulator, ref: str) -> dict[str, Any]:
    return emulator.app.vendors["supabase"].state.projects[ref]


def _assert_replace_on_ref(provider: Any, outs: dict[str, Any], news: dict[str, Any]) -> None:
    moved = {**news, "project_ref": OTHER_REF}
    assert provider.diff(outs["project_ref"], outs, moved).replaces == ["project_ref"]


def test_settings_on_a_project_still_coming_up_wait_instead_of_failing(emulator: RunningEmulator) -> None:
    api = client(emulator)
    ref = api.create_project(name="young", organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1")[
        "ref"
    ]
    provider = make_provider(AuthConfigProvider, emulator)

    result = provider.create(
        checked(provider, {"project_ref": ref, "settings": {"site_url": "https://app.example"}})
    )

    log = emulator.requests("supabase")
    assert [r["status"] for r in log if r["status"] >= 400] == [], "nothing was refused"
    statuses = [r["response"]["status"] for r in log if r["operation"] == "v1-get-project"]
    assert statuses[0] in ("UNKNOWN", "COMING_UP") and statuses[-1] == "ACTIVE_HEALTHY"
    ops = [r["operation"] for r in log]
    assert ops.index("v1-get-services-health") < ops.index("v1-update-auth-service-config")
    assert result.outs["settings"] == {"site_url": "https://app.example"}


def test_the_emulator_refuses_settings_while_services_come_up(emulator: RunningEmulator) -> None:
    api = client(emulator)
    ref = api.create_project(name="young", organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1")[
        "ref"
    ]
    from providers.http import ApiError

    with pytest.raises(ApiError) as caught:
        api.update_ssl_enforcement(ref, database=True)
    assert caught.value.status == 400 and "not ready" in caught.value.message


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


def test_postgrest_config_lifecycle(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    provider = make_provider(PostgrestConfigProvider, emulator)
    inputs = checked(provider, {"project_ref": ref, "db_schema": "public,api", "max_rows": 500.0})
    created = provider.create(inputs)
    assert client(emulator).get_postgrest_config(ref)["max_rows"] == 500

    client(emulator).update_postgrest_config(ref, {"max_rows": 42})
    read = provider.read(ref, created.outs)
    assert read.inputs == {"project_ref": ref, "db_schema": "public,api", "max_rows": 42}
    assert provider.diff(ref, read.outs or {}, inputs).changes

    news = checked(provider, {"project_ref": ref, "db_schema": "public"})
    updated = provider.update(ref, read.outs or {}, news)
    current = client(emulator).get_postgrest_config(ref)
    assert current["db_schema"] == "public" and current["max_rows"] == 1000, "dropped max_rows is reset"
    _assert_replace_on_ref(provider, updated.outs, news)

    provider.delete(ref, updated.outs)
    assert client(emulator).get_postgrest_config(ref)["db_schema"] == "public,graphql_public"
    bad = provider.check({}, {"project_ref": ref, "max_rows": -1, "db_pool": 5000})
    assert {f.property for f in bad.failures} == {"max_rows", "db_pool"}


def test_postgres_config_owns_the_whole_override_set(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    api = client(emulator)
    api.update_postgres_config(ref, {"work_mem": "8MB"})  # made elsewhere: PUT replaces it
    provider = make_provider(PostgresConfigProvider, emulator)
    inputs = checked(
        provider, {"project_ref": ref, "settings": {"statement_timeout": "8s", "max_connections": 100.0}}
    )

    created = provider.create(inputs)
    assert api.get_postgres_config(ref) == {"statement_timeout": "8s", "max_connections": 100}
    read = provider.read(ref, created.outs)
    assert read.inputs == {
        "project_ref": ref,
        "settings": {"statement_timeout": "8s", "max_connections": 100},
    }
    assert not provider.diff(ref, read.outs or {}, inputs).changes

    news = checked(
        provider, {"project_ref": ref, "settings": {"shared_buffers": "256MB"}, "restart_database": True}
    )
    updated = provider.update(ref, read.outs or {}, news)
    put = [r for r in emulator.requests("supabase") if r["operation"] == "v1-update-postgres-config"][-1]
    assert put["request"] == {"shared_buffers": "256MB", "restart_database": True}
    assert api.get_postgres_config(ref) == {"shared_buffers": "256MB"}
    _assert_replace_on_ref(provider, updated.outs, news)

    provider.delete(ref, updated.outs)
    assert api.get_postgres_config(ref) == {}
    bad = provider.check(
        {},
        {"project_ref": ref, "settings": {"statement_timeout": "eight", "max_connections": 0, "bogus": "1"}},
    )
    assert {f.property for f in bad.failures} == {
        "settings.statement_timeout",
        "settings.max_connections",
        "settings.bogus",
    }


def test_pooler_config_lifecycle(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    provider = make_provider(PoolerConfigProvider, emulator)
    inputs = checked(provider, {"project_ref": ref, "pool_mode": "session", "default_pool_size": 30})
    created = provider.create(inputs)
    assert created.outs["pooler_port"] == 5432 and created.outs["pooler_host"].endswith(
        ".pooler.supabase.com"
    )

    client(emulator).update_pooler_config(ref, {"default_pool_size": 15})
    read = provider.read(ref, created.outs)
    assert read.inputs == {"project_ref": ref, "pool_mode": "session", "default_pool_size": 15}

    news = checked(provider, {"project_ref": ref, "pool_mode": "transaction"})
    updated = provider.update(ref, read.outs or {}, news)
    primary = client(emulator).get_pooler_config(ref)[0]
    assert primary["pool_mode"] == "transaction" and primary["default_pool_size"] is None
    assert updated.outs["pooler_port"] == 6543
    _assert_replace_on_ref(provider, updated.outs, news)
    provider.delete(ref, updated.outs)
    assert provider.check({}, {"project_ref": ref, "pool_mode": "statement"}).failures


def test_network_restrictions_lifecycle(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    provider = make_provider(NetworkRestrictionsProvider, emulator)
    inputs = checked(provider, {"project_ref": ref, "allowed_cidrs": ["2001:db8::/32", "203.0.113.0/24"]})
    assert inputs["allowed_cidrs"] == ["203.0.113.0/24", "2001:db8::/32"], "canonical order: v4 then v6"

    created = provider.create(inputs)
    apply = [r for r in emulator.requests("supabase") if r["operation"] == "v1-update-network-restrictions"][
        -1
    ]
    assert apply["status"] == 201
    assert apply["request"] == {"dbAllowedCidrs": ["203.0.113.0/24"], "dbAllowedCidrsV6": ["2001:db8::/32"]}
    read = provider.read(ref, created.outs)
    assert read.inputs == inputs and not provider.diff(ref, read.outs or {}, inputs).changes

    news = checked(provider, {"project_ref": ref, "allowed_cidrs": ["198.51.100.0/24"]})
    updated = provider.update(ref, read.outs or {}, news)
    config = client(emulator).get_network_restrictions(ref)["config"]
    assert config == {"dbAllowedCidrs": ["198.51.100.0/24"], "dbAllowedCidrsV6": []}, (
        "apply replaces both lists"
    )
    _assert_replace_on_ref(provider, updated.outs, news)

    provider.delete(ref, updated.outs)
    assert client(emulator).get_network_restrictions(ref)["config"] == {
        "dbAllowedCidrs": ["0.0.0.0/0"],
        "dbAllowedCidrsV6": ["::/0"],
    }
    bad = provider.check(
        {}, {"project_ref": ref, "allowed_cidrs": ["10.0.0.0/8", "1.2.3.4/33", "203.0.113.1/24"]}
    )
    reason = bad.failures[0].reason
    assert "10.0.0.0/8" in reason and "1.2.3.4/33" in reason and "203.0.113.1/24" in reason


def test_ssl_enforcement_lifecycle(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    provider = make_provider(SslEnforcementProvider, emulator)
    inputs = checked(provider, {"project_ref": ref, "enforced": True})
    created = provider.create(inputs)
    assert _project(emulator, ref)["ssl_enforced"] is True and created.outs["applied_successfully"] is True

    client(emulator).update_ssl_enforcement(ref, database=False)
    read = provider.read(ref, created.outs)
    assert read.inputs == {"project_ref": ref, "enforced": False}
    assert provider.diff(ref, read.outs or {}, inputs).changes

    updated = provider.update(ref, read.outs or {}, inputs)
    assert _project(emulator, ref)["ssl_enforced"] is True
    _assert_replace_on_ref(provider, updated.outs, inputs)
    provider.delete(ref, updated.outs)
    assert _project(emulator, ref)["ssl_enforced"] is False


def test_secrets_lifecycle_with_digest_drift(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator)
    provider = make_provider(SecretsProvider, emulator)
    inputs = checked(
        provider, {"project_ref": ref, "secrets": {"SENTRY_DSN": "https://k@sentry.example/1", "A": "b"}}
    )

    created = provider.create(inputs)
    assert created.outs["digests"]["A"] == hashlib.sha256(b"b").hexdigest()
    listed = {s["name"]: s["value"] for s in client(emulator).list_secrets(ref)}
    assert listed == created.outs["digests"]

    read = provider.read(ref, created.outs)
    assert read.inputs == inputs and not provider.diff(ref, read.outs or {}, inputs).changes

    client(emulator).create_secrets(ref, {"A": "changed elsewhere"})
    drifted = provider.read(ref, created.outs)
    assert drifted.outs is not None and "A" not in drifted.outs["secrets"]
    assert provider.diff(ref, drifted.outs, inputs).changes

    news = checked(provider, {"project_ref": ref, "secrets": {"A": "b"}})
    updated = provider.update(ref, drifted.outs, news)
    assert {s["name"] for s in client(emulator).list_secrets(ref)} == {"A"}
    assert updated.outs["digests"] == {"A": hashlib.sha256(b"b").hexdigest()}
    _assert_replace_on_ref(provider, updated.outs, news)

    provider.delete(ref, updated.outs)
    assert client(emulator).list_secrets(ref) == []


def test_secrets_check_rejects_reserved_names_and_sends_nothing(emulator: RunningEmulator) -> None:
    provider = make_provider(SecretsProvider, emulator)
    result = provider.check(
        {}, {"project_ref": "abcdefghijklmnopqrst", "secrets": {"SUPABASE_URL": "x", "OK": "y"}}
    )
    assert [f.property for f in result.failures] == ["secrets"]
    assert "SUPABASE_URL" in result.failures[0].reason and "OK" not in result.failures[0].reason
    assert emulator.requests("supabase") == []


def test_backup_policy_lifecycle(emulator: RunningEmulator) -> None:
    ref = ready_project(emulator, size="small")
    provider = make_provider(BackupPolicyProvider, emulator)
    inputs = checked(provider, {"project_ref": ref, "pitr_days": 7.0, "schedule_for": "04:30:00"})
    created = provider.create(inputs)
    assert _project(emulator, ref)["addons"] == {"pitr": "pitr_7"}
    assert client(emulator).get_backup_schedule(ref)["schedule_for"] == "04:30:00"

    read = provider.read(ref, created.outs)
    assert read.inputs == {"project_ref": ref, "pitr_days": 7, "schedule_for": "04:30:00"}
    assert not provider.diff(ref, read.outs or {}, inputs).changes

    news = checked(provider, {"project_ref": ref, "pitr_days": 28})
    updated = provider.update(ref, read.outs or {}, news)
    assert _project(emulator, ref)["addons"] == {"pitr": "pitr_28"} and updated.outs["pitr_enabled"] is True
    off = checked(provider, {"project_ref": ref})
    updated = provider.update(ref, updated.outs, off)
    assert _project(emulator, ref)["addons"] == {} and updated.outs["pitr_enabled"] is False
    _assert_replace_on_ref(provider, updated.outs, off)

    again = provider.update(ref, updated.outs, news)
    provider.delete(ref, again.outs)
    assert _project(emulator, ref)["addons"] == {}
    bad = provider.check({}, {"project_ref": ref, "pitr_days": 30, "schedule_for": "25:00"})
    assert {f.property for f in bad.failures} == {"pitr_days", "schedule_for"}


def test_backup_policy_on_too_small_a_project_fails_with_the_vendor_message(
    emulator: RunningEmulator,
) -> None:
    from providers.http import ApiError

    ref = ready_project(emulator, size="micro")
    provider = make_provider(BackupPolicyProvider, emulator)
    with pytest.raises(ApiError, match="Small compute"):
        provider.create(checked(provider, {"project_ref": ref, "pitr_days": 7}))


@pytest.mark.parametrize(
    ("provider_cls", "props"),
    [
        (AuthConfigProvider, {"settings": {"site_url": "https://a.example"}}),
        (PostgresConfigProvider, {"settings": {"work_mem": "4MB"}}),
        (SslEnforcementProvider, {"enforced": True}),
        (SecretsProvider, {"secrets": {"A": "b"}}),
        (NetworkRestrictionsProvider, {"allowed_cidrs": ["0.0.0.0/0"]}),
        (PoolerConfigProvider, {"pool_mode": "session"}),
        (PostgrestConfigProvider, {"max_rows": 10}),
        (BackupPolicyProvider, {"schedule_for": "01:00:00"}),
    ],
)
def test_settings_of_a_deleted_project_read_as_gone_and_delete_quietly(
    emulator: RunningEmulator, provider_cls: Any, props: dict[str, Any]
) -> None:
    ref = ready_project(emulator)
    provider = make_provider(provider_cls, emulator)
    created = provider.create(checked(provider, {"project_ref": ref, **props}))
    api = client(emulator)
    api.delete_project(ref)
    api.get_project(ref)
    assert provider.read(ref, created.outs).id is None
    provider.delete(ref, created.outs)
