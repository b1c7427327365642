# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase Secrets against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

import hashlib

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    SecretsProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
