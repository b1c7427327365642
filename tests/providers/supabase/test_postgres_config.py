# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase PostgresConfig against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    PostgresConfigProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
