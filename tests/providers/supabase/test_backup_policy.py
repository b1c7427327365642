# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase BackupPolicy against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import pytest

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    BackupPolicyProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref, _project
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
