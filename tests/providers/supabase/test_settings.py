# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase per-project settings: what every settings resource does (waiting for a healthy project, reading
a deleted project as gone).
"""

from __future__ import annotations

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
from tests.providers.supabase.support import ORG, PASSWORD, checked, client, make_provider, ready_project


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
