# mypy: disable-error-code="index,arg-type"
"""Supabase resources resolving a pending create: a project found by name only if made since the create
started, or by the ref create reported, waited for until ACTIVE_HEALTHY as create would have; a branch by
its name; settings simply written again; a lost branch answer whose lookup fails too is an unknown outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from providers.adoption import OUTCOME_UNKNOWN, CreateOutcomeUnknownError
from providers.pending_create import PENDING_CREATE_KEY, AdoptionRefusedError
from providers.supabase.branch import BranchProvider
from providers.supabase.resources import ProjectProvider, SslEnforcementProvider
from tests.providers.supabase.support import (
    ORG,
    PASSWORD,
    EmulatedTime,
    checked,
    client,
    make_provider,
    project_props,
    ready_project,
)


def marker(emulator: RunningEmulator, seconds_ago: float = 0) -> dict[str, Any]:
    moment = datetime.fromtimestamp(emulator.app.clock.now(), UTC) - timedelta(seconds=seconds_ago)
    return {PENDING_CREATE_KEY: {"started": moment.isoformat()}}


def test_a_project_is_found_by_name_since_the_create_started_and_waited_for(
    emulator: RunningEmulator,
) -> None:
    api = client(emulator)
    older = ready_project(emulator, name="nestsync-dev")
    emulator.app.clock.advance(600)
    mark = marker(emulator)
    # The killed run's create: the vendor made it; it is still coming up.
    ours = api.create_project(
        name="nestsync-dev", organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1"
    )
    provider = make_provider(ProjectProvider, emulator, EmulatedTime(emulator))
    props = checked(provider, project_props())
    found = provider.read("", {**props, **mark})
    assert found.id == ours["ref"] != older
    assert found.outs["status"] == "ACTIVE_HEALTHY" and found.outs["anon_key"]
    assert found.outs["connection_uri"].startswith("postgresql://")
    # By the ref create reported: the same outputs.
    again = provider.read(ours["ref"], {**props, **mark})
    assert again.id == ours["ref"] and again.outs["anon_key"] == found.outs["anon_key"]
    with pytest.raises(AdoptionRefusedError, match="2 objects could be the one"):
        provider.read("", {**props, **marker(emulator, 3600)})
    assert provider.read("", {**checked(provider, project_props(name="other")), **mark}).id is None
    assert len(api.list_projects()) == 2


def test_a_branch_is_found_by_name_and_settings_are_written_again(emulator: RunningEmulator) -> None:
    time = EmulatedTime(emulator)
    parent = ready_project(emulator)
    mark = marker(emulator)
    provider = make_provider(BranchProvider, emulator, time)
    inputs = checked(provider, {"parent_ref": parent, "branch_name": "pr-9"})
    made = provider.create(inputs)
    found = provider.read("", {**inputs, **mark})
    assert found.id == made.id and found.outs["database_password"] == made.outs["database_password"]
    assert (
        provider.read("", {**checked(provider, {"parent_ref": parent, "branch_name": "pr-10"}), **mark}).id
        is None
    )

    ssl = make_provider(SslEnforcementProvider, emulator, time)
    assert ssl.read("", {**checked(ssl, {"project_ref": parent, "enforced": True}), **mark}).id is None


def test_a_lost_branch_answer_whose_lookup_fails_too_is_an_unknown_outcome(emulator: RunningEmulator) -> None:
    parent = ready_project(emulator)
    provider = make_provider(BranchProvider, emulator, EmulatedTime(emulator))
    emulator.inject(vendor="supabase", operation="v1-create-a-branch", count=1, status=504, when="after")
    emulator.inject(vendor="supabase", operation="v1-list-all-branches", count=50, status=500)
    with pytest.raises(CreateOutcomeUnknownError) as raised:
        provider.create(checked(provider, {"parent_ref": parent, "branch_name": "pr-11"}))
    assert OUTCOME_UNKNOWN in str(raised.value) and "pr-11" in str(raised.value)
