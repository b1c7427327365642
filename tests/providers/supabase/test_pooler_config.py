# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase PoolerConfig against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    PoolerConfigProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
