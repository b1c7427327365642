# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Supabase NetworkRestrictions against the in-process emulator: create, read, update, replace, delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.supabase.resources import (
    NetworkRestrictionsProvider,
)
from tests.providers.supabase.helpers import _assert_replace_on_ref
from tests.providers.supabase.support import checked, client, make_provider, ready_project


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
