"""Every stack of the program (dev, staging, prod, and each example's) through its whole life, with the
local engine against the emulator: up, the emulator holds exactly what was declared, a second up changes
nothing and sends no request, `preview --json` has the digest's shape, drift is caught by refresh, and
destroy empties the emulator (protected resources stop it, with a clear message, until unprotected)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import RunningEmulator
from localengine.state import ResourceState
from tests.e2e.conftest import URN, StackRun, changed_vendor_objects, stack_cases
from tests.localengine.pulumi_schema import deployment_problems, shared_schemas_present

pytestmark = pytest.mark.e2e

# Engine resource type -> (vendor, emulator collection) for the objects a stack owns outright.
OWNED = {
    "pulumi-python:dynamic/railway:Project": ("railway", "projects"),
    "pulumi-python:dynamic/railway:Service": ("railway", "services"),
    "pulumi-python:dynamic/railway:ServiceDomain": ("railway", "serviceDomains"),
    "pulumi-python:dynamic/railway:CustomDomain": ("railway", "customDomains"),
    "pulumi-python:dynamic/railway:Volume": ("railway", "volumes"),
    "pulumi-python:dynamic/railway:TcpProxy": ("railway", "tcpProxies"),
    "pulumi-python:dynamic/neon:Project": ("neon", "projects"),
    "pulumi-python:dynamic/supabase:Project": ("supabase", "projects"),
}
OPS = {
    "same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read",
    "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "import",
    "import-replacement",
}  # fmt: skip
STATE_KEYS = {
    "urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "taint", "external",
    "dependencies", "initErrors", "provider", "propertyDependencies", "pendingReplacement",
    "additionalSecretOutputs", "aliases", "customTimeouts", "importID", "retainOnDelete", "deletedWith",
    "created", "modified", "ignoreChanges", "replaceOnChanges",
}  # fmt: skip


def live_ids(emulator: RunningEmulator, vendor: str, collection: str) -> set[str]:
    objects = emulator.state()[vendor][collection]
    items = objects.values() if isinstance(objects, dict) else objects
    ids = set()
    for item in items:
        if item.get("deletedAt") or item.get("status") in ("REMOVED", "DELETED") or item.get("deleted"):
            continue
        ids.add(str(item.get("ref") or item.get("id")))
    return ids


def owned_objects_match(run: StackRun) -> None:
    resources = run.engine().store.load(run.engine()._secrets()).resources
    for type_, (vendor, collection) in OWNED.items():
        declared = {r.id for r in resources if r.type == type_ and not r.delete}
        live = live_ids(run.emulator, vendor, collection)
        assert declared == live, (type_, collection, declared, live)


def emulator_is_empty(emulator: RunningEmulator) -> None:
    for vendor, collection in set(OWNED.values()):
        live = live_ids(emulator, vendor, collection)
        assert live == set(), (vendor, collection, live)


def check_digest(document: dict[str, Any]) -> None:
    assert set(document) <= {"config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt"}
    assert isinstance(document["duration"], int)
    assert all(op in OPS and isinstance(n, int) for op, n in document["changeSummary"].items())
    stack_steps = [s for s in document["steps"] if s["urn"].split("::")[2] == "pulumi:pulumi:Stack"]
    assert len(stack_steps) == 1
    for step in document["steps"]:
        assert step["op"] in OPS
        assert URN.match(step["urn"]), step["urn"]
        assert "detailedDiff" in step
        for key in ("oldState", "newState"):
            if key in step:
                state = step[key]
                assert set(state) <= STATE_KEYS, set(state) - STATE_KEYS
                assert state["urn"] == step["urn"] and isinstance(state["custom"], bool)
                assert isinstance(state["type"], str)
        for key in ("diffReasons", "replaceReasons"):
            assert isinstance(step.get(key, []), list)
    for diagnostic in document.get("diagnostics", []):  # omitted when empty, as Pulumi omits it
        assert diagnostic["severity"] in ("debug", "info", "info#err", "warning", "error")


def _protected(resources: list[ResourceState]) -> list[str]:
    return [r.urn for r in resources if r.protect]


@pytest.mark.parametrize(("name", "source"), stack_cases(), ids=[c[0] for c in stack_cases()])
def test_stack_lifecycle(name: str, source: Path, e2e_env: RunningEmulator, tmp_path: Path) -> None:
    run = StackRun(name, source, tmp_path, e2e_env)

    preview = run.engine()
    planned = preview.up(preview=True, json_output=True)
    assert planned.ok, run.output.getvalue()
    assert planned.digest is not None
    check_digest(planned.digest)
    assert e2e_env.requests() == [] or all(r["method"] == "GET" for r in e2e_env.requests())

    first = run.up()
    assert first.changes().keys() == {"create"}
    owned_objects_match(run)
    # The state is one the Pulumi CLI accepts, and survives `stack export` then `stack import` (the
    # no-change up below runs on the imported state).
    exported = run.engine().export_state()
    if shared_schemas_present():
        assert deployment_problems(exported) == []
    run.engine().import_state(exported)

    e2e_env.clear_requests()
    again = run.up()
    assert again.changes() == {}
    assert e2e_env.requests() == []

    again_preview = run.engine().up(preview=True, json_output=True)
    assert again_preview.digest is not None and again_preview.digest["changeSummary"].keys() == {"same"}

    # The secrets the stack's header asks for were set (as `pulumi config set --secret` would).
    asked = [
        line for line in source.read_text().splitlines()
        if "config set" in line and "--secret" in line and "(optional)" not in line
    ]  # fmt: skip
    assert len(run.secrets_set) == len(asked), (asked, run.secrets_set)

    # A setting change touches only what it changes: one more replica of a service is one ServiceInstance
    # update.
    _one_more_replica(run)
    assert changed_vendor_objects(run.up()) == {"update": {"ServiceInstance"}}
    owned_objects_match(run)

    # Drift: an owned object deleted behind our back is caught by refresh and recreated by up.
    # The victim is a service with no volume: a volume outlives its deleted service at Railway (detached),
    # and a protected one then rightly stops the replacement. Chosen by name: state order follows the order
    # steps finished in, which varies from run to run.
    resources = run.engine().store.load(run.engine()._secrets()).resources
    with_volume = {
        str(r.inputs.get("service_id")) for r in resources if r.type.endswith(":Volume")
    }  # fmt: skip
    services = sorted(
        (r for r in resources if r.type.endswith(":Service") and r.id not in with_volume),
        key=lambda r: r.urn,
    )
    assert services
    victim = services[0]
    _delete_behind_our_back(e2e_env, victim.id)
    refreshed = run.engine().refresh()
    assert refreshed.ok
    assert any(e.urn == victim.urn and e.op == "delete" for e in refreshed.events)
    healed = run.up()
    assert "create" in healed.changes()
    owned_objects_match(run)

    # Destroy: protected resources stop it, with a clear message, until unprotected.
    engine = run.engine()
    protected = _protected(engine.store.load(engine._secrets()).resources)
    if protected:
        refused = run.engine().destroy()
        assert not refused.ok
        assert "protected" in refused.errors[0] and "unprotect" in refused.errors[0]
        owned_objects_match(run)
        assert run.engine().set_protect("*", False)
    destroyed = run.engine().destroy()
    assert destroyed.ok, run.output.getvalue()
    emulator_is_empty(e2e_env)
    state = json.loads(run.engine().store.path.read_text())
    assert state["checkpoint"]["latest"]["resources"] == []


def _one_more_replica(run: StackRun) -> None:
    """Add a replica to the stack's first service that runs no cron (cron services take exactly one)."""

    def change(config: dict[str, Any]) -> None:
        services = config["platform:services"]
        name = next(n for n, spec in services.items() if not spec.get("cron"))
        replicas = services[name].get("replicas", 1)
        if isinstance(replicas, dict):
            region = next(iter(replicas))
            replicas[region] += 1
        else:
            services[name]["replicas"] = replicas + 1

    run.edit(change)


def _delete_behind_our_back(emulator: RunningEmulator, service_id: str) -> None:
    """Delete a Railway service through the API, as a teammate in the dashboard would."""
    response = httpx.post(
        emulator.railway_url,
        json={
            "query": "mutation serviceDelete($id: String!) { serviceDelete(id: $id) }",
            "variables": {"id": service_id},
        },
        headers={"Authorization": "Bearer teammate-token"},
        timeout=10,
    )
    response.raise_for_status()
    assert "errors" not in response.json(), response.json()
