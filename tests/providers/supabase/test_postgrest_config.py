# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase PostgrestConfig against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    PostgrestConfigProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
