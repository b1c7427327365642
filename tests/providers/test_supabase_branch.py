# mypy: disable-error-code="index,arg-type,dict-item,attr-defined,union-attr"
"""The Supabase Branch resource against the in-process emulator: create waits until the branch is ready and
gives its own connection strings, a lost create answer adopts the branch by name, read and delete."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from providers.guard import BASE_IDS_KEY, BaseObjectError
from providers.supabase.branch import BranchProvider
from providers.supabase.resources import ProjectProvider
from tests.providers.supabase.support import EmulatedTime, checked, make_provider, project_props


def _parent(emulator: RunningEmulator, time: EmulatedTime) -> str:
    project = make_provider(ProjectProvider, emulator, time).create(
        checked(make_provider(ProjectProvider, emulator, time), project_props())
    )
    return str(project.id)


def _ops(emulator: RunningEmulator, operation: str) -> list[dict]:
    return [r for r in emulator.requests("supabase") if r["operation"] == operation]


def test_create_waits_for_ready_and_gives_the_branch_its_own_database(emulator: RunningEmulator) -> None:
    time = EmulatedTime(emulator)
    parent = _parent(emulator, time)
    provider = make_provider(BranchProvider, emulator, time)
    props = checked(provider, {"parent_ref": parent, "branch_name": "pr-7", "git_branch": "feature-x"})

    result = provider.create(props)

    ref = result.id
    assert ref != parent and len(ref) == 20
    sent = _ops(emulator, "v1-create-a-branch")[-1]["request"]
    assert sent == {"branch_name": "pr-7", "persistent": False, "git_branch": "feature-x"}
    branch = _ops(emulator, "v1-get-a-branch")[-1]["response"]
    assert branch["status"] == "FUNCTIONS_DEPLOYED"
    projects = emulator.state()["supabase"]["projects"]
    own_host = projects[ref]["database"]["host"]
    assert result.outs["database_host"] == own_host != projects[parent]["database"]["host"]
    assert own_host in result.outs["connection_uri"] and result.outs["ref"] == ref
    assert time.sleeps, "the provider backs off between polls"

    read = provider.read(ref, result.outs)
    assert read.id == ref and read.outs["branch_name"] == "pr-7"

    provider.delete(ref, result.outs)
    assert provider.read(ref, result.outs).id is None
    provider.delete(ref, result.outs)  # already gone is fine


def test_a_lost_create_answer_adopts_the_branch_by_name(emulator: RunningEmulator) -> None:
    time = EmulatedTime(emulator)
    parent = _parent(emulator, time)
    provider = make_provider(BranchProvider, emulator, time)
    emulator.inject(vendor="supabase", operation="v1-create-a-branch", count=1, status=504, when="after")

    result = provider.create(checked(provider, {"parent_ref": parent, "branch_name": "pr-8"}))

    assert len(_ops(emulator, "v1-create-a-branch")) == 1, "never sent twice"
    branches = emulator.state()["supabase"]["projects"][parent].get("branches") or {}
    names = [b["name"] for b in (branches.values() if isinstance(branches, dict) else branches)]
    assert names.count("pr-8") <= 1
    assert result.outs["ref"] == result.id


def test_delete_refuses_an_object_of_the_base_stack_before_any_request(emulator: RunningEmulator) -> None:
    time = EmulatedTime(emulator)
    provider = make_provider(BranchProvider, emulator, time)
    before = len(emulator.requests("supabase"))
    props = {"parent_ref": "a" * 20, "branch_name": "x", BASE_IDS_KEY: {"b" * 20: "Supabase project"}}

    try:
        provider.delete("b" * 20, props)
    except BaseObjectError as exc:
        assert "belongs to the base stack" in str(exc) and "Supabase project" in str(exc)
    else:
        raise AssertionError("deleting a base object must be refused")
    assert len(emulator.requests("supabase")) == before
