# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase SslEnforcement against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    SslEnforcementProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref, _project
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
