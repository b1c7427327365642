"""Pending creates resolved by the real providers against the emulator: a create the last run left
unfinished (killed, or its outcome unknown) is adopted by the next run, found by the id the provider
reported or by name, never made twice; one that was never made is created once."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import dynamic

from emulator.testing import RunningEmulator
from localengine.engine import Engine
from localengine.locking import cancel
from localengine.state import PendingOperation, ResourceState
from providers.neon.resources import ProjectProvider as NeonProjectProvider
from providers.railway.resources import ProjectProvider as RailwayProjectProvider
from providers.supabase.resources import ProjectProvider as SupabaseProjectProvider
from tests.localengine.conftest import FixtureStack

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "vendors"
TYPES = {
    "railway": "pulumi-python:dynamic/railway:Project",
    "neon": "pulumi-python:dynamic/neon:Project",
    "supabase": "pulumi-python:dynamic/supabase:Project",
}


class VendorStack:
    def __init__(self, root: Path, emulator: RunningEmulator) -> None:
        self.root = root
        self.emulator = emulator
        self.output = io.StringIO()

    def declare(self, **names: list[str]) -> None:
        config = {f"vendors:{vendor}": list(names.get(vendor, [])) for vendor in TYPES}
        (self.root / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))

    def engine(self) -> Engine:
        self.output = io.StringIO()
        return Engine(self.root, "dev", out=self.output)

    def up(self) -> Any:
        return self.engine().up()

    def urn(self, vendor: str, name: str) -> str:
        return f"urn:pulumi:dev::vendors::{TYPES[vendor]}::{name}"

    def write_pending_creates(self, started: str, *pending: tuple[str, str], id_: str = "") -> None:
        """As a killed run leaves them: `creating` operations with the time the create started."""
        engine = self.engine()
        manager = engine._secrets()
        snapshot = engine.store.load(manager)
        for vendor, name in pending:
            resource = ResourceState(self.urn(vendor, name), TYPES[vendor], True, id=id_, created=started)
            snapshot.pending_operations.append(PendingOperation(resource, "creating"))
        engine.store.save(snapshot, manager)

    def latest(self) -> dict[str, Any]:
        path = Path(os.environ["PLATFORM_STATE_DIR"]) / "stacks" / "vendors" / "dev.json"
        latest: dict[str, Any] = json.loads(path.read_text())["checkpoint"]["latest"]
        return latest

    def resource(self, vendor: str, name: str) -> dict[str, Any]:
        return next(r for r in self.latest()["resources"] if r["urn"] == self.urn(vendor, name))

    def named(self, vendor: str, name: str) -> list[str]:
        """The ids (refs) of the vendor's live projects of that name at the emulator."""
        projects = self.emulator.state()[vendor]["projects"]
        if isinstance(projects, dict):  # Supabase's, by ref
            projects = list(projects.values())
        return sorted(
            str(project.get("ref") or project["id"])
            for project in projects
            if project.get("name") == name and project.get("status") not in ("REMOVED", "GOING_DOWN")
        )

    def supabase_status(self, ref: str) -> str:
        return str(self.emulator.state()["supabase"]["projects"][ref]["status"])


@pytest.fixture
def vendor_stack(emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VendorStack:
    root = tmp_path / "vendors"
    shutil.copytree(FIXTURE, root)
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pending-creates")
    monkeypatch.setenv("RAILWAY_API_URL", emulator.railway_url)
    monkeypatch.setenv("SUPABASE_API_URL", emulator.supabase_url)
    monkeypatch.setenv("NEON_API_URL", emulator.neon_url)
    for token in ("RAILWAY_API_TOKEN", "SUPABASE_ACCESS_TOKEN", "NEON_API_KEY"):
        monkeypatch.setenv(token, "pending-token")
    stack = VendorStack(root, emulator)
    stack.declare()
    assert stack.up().ok, stack.output.getvalue()  # the stack exists, with nothing in it
    return stack


def configured(cls: type) -> Any:
    """A provider as the host makes it; credentials and URLs from the environment."""
    provider = cls()
    provider.configure(dynamic.ConfigureRequest(dynamic.Config({}, "platform")))
    return provider


def emulator_now(emulator: RunningEmulator) -> str:
    return datetime.fromtimestamp(emulator.app.clock.now(), UTC).isoformat()


def test_pending_creates_are_adopted_by_name_without_a_duplicate_and_one_never_made_is_created_once(
    vendor_stack: VendorStack, emulator: RunningEmulator
) -> None:
    railway = configured(RailwayProjectProvider).client()
    older = str(railway.project_create(name="orders")["id"])  # someone's older project of the same name
    emulator.app.clock.advance(600)
    started = emulator_now(emulator)
    # The killed run's creates reached the vendors; their answers never came back.
    made_railway = str(railway.project_create(name="orders")["id"])
    neon_body = {
        "name": "orders-db",
        "branch": {"name": "main", "database_name": "neondb", "role_name": "neondb_owner"},
    }
    made_neon = configured(NeonProjectProvider).client().create_project(neon_body)["project"]["id"]
    made_supabase = (
        configured(SupabaseProjectProvider)
        ._client()
        .create_project(
            name="orders-auth",
            organization_slug="platform-emulator",
            db_pass="a-long-enough-password-1",
            region="ca-central-1",
        )["ref"]
    )
    vendor_stack.write_pending_creates(
        started,
        ("railway", "orders"),
        ("railway", "never-made"),
        ("neon", "orders-db"),
        ("supabase", "orders-auth"),
    )

    vendor_stack.declare(railway=["orders", "never-made"], neon=["orders-db"], supabase=["orders-auth"])
    result = vendor_stack.up()
    text = vendor_stack.output.getvalue()
    assert result.ok, text
    assert text.count("interrupted while creating") == 4
    assert text.count("made by the interrupted create") >= 3

    assert vendor_stack.named("railway", "orders") == sorted([older, made_railway])  # no third one
    assert len(vendor_stack.named("railway", "never-made")) == 1  # not found: created, once
    assert vendor_stack.named("neon", "orders-db") == [made_neon]
    assert vendor_stack.named("supabase", "orders-auth") == [made_supabase]
    assert vendor_stack.resource("railway", "orders")["id"] == made_railway  # not the older one
    assert vendor_stack.resource("neon", "orders-db")["id"] == made_neon
    supabase = vendor_stack.resource("supabase", "orders-auth")
    assert supabase["id"] == made_supabase
    # The outputs are the ones create answers (the keys and URIs only create and resolve fetch).
    assert {"anon_key", "pooled_connection_uri", "database_host"} <= set(supabase["outputs"])
    assert {"password", "connection_uri", "default_branch_id"} <= set(
        vendor_stack.resource("neon", "orders-db")["outputs"]
    )
    assert "pending_operations" not in vendor_stack.latest()
    again = vendor_stack.up()
    assert again.ok and again.changes() == {}, vendor_stack.output.getvalue()


def test_a_pending_create_that_two_objects_could_be_is_refused_and_nothing_changes(
    vendor_stack: VendorStack, emulator: RunningEmulator
) -> None:
    railway = configured(RailwayProjectProvider).client()
    started = emulator_now(emulator)
    ids = sorted(str(railway.project_create(name="twice")["id"]) for _ in range(2))
    vendor_stack.write_pending_creates(started, ("railway", "twice"))
    vendor_stack.declare(railway=["twice"])

    result = vendor_stack.up()
    text = vendor_stack.output.getvalue()
    assert not result.ok
    assert "2 objects could be the one it made" in text and all(i in text for i in ids)
    assert "nothing was created" in text
    assert vendor_stack.named("railway", "twice") == ids
    pending = vendor_stack.latest()["pending_operations"]
    assert [p["resource"]["urn"] for p in pending] == [vendor_stack.urn("railway", "twice")]

    # The user removes the extra one; the next run adopts the other.
    railway.project_delete(ids[1])
    assert vendor_stack.up().ok, vendor_stack.output.getvalue()
    assert vendor_stack.resource("railway", "twice")["id"] == ids[0]
    assert vendor_stack.named("railway", "twice") == [ids[0]]


def test_a_run_killed_while_supabase_comes_up_leaves_the_reported_ref_and_the_next_run_adopts_it(
    vendor_stack: VendorStack, emulator: RunningEmulator
) -> None:
    # A few real seconds between the create's answer and ACTIVE_HEALTHY, to kill the run in.
    emulator.app.clock.time_scale = 1
    emulator.app.settings.vendor_options["supabase"] = {
        "project_unknown_seconds": 0.2,
        "project_ready_seconds": 6.0,
        "services_ready_seconds": 0.2,
    }
    vendor_stack.declare(supabase=["billing"])
    state = Path(os.environ["PLATFORM_STATE_DIR"]) / "stacks" / "vendors" / "dev.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localengine",
            "up",
            "--stack",
            "dev",
            "--yes",
            "--cwd",
            str(vendor_stack.root),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    reported: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while not reported:
            assert time.monotonic() < deadline and process.poll() is None
            latest = json.loads(state.read_text())["checkpoint"]["latest"]
            reported = next(
                (p for p in latest.get("pending_operations") or [] if p["resource"].get("id")), {}
            )
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    refs = vendor_stack.named("supabase", "billing")
    assert reported["type"] == "creating" and [reported["resource"]["id"]] == refs
    assert vendor_stack.supabase_status(refs[0]) != "ACTIVE_HEALTHY"
    assert cancel(vendor_stack.root, "vendors", "dev") is not None  # the killed run's lock

    result = vendor_stack.up()
    assert result.ok, vendor_stack.output.getvalue()
    assert f"adopted {refs[0]}" in vendor_stack.output.getvalue()
    assert vendor_stack.named("supabase", "billing") == refs  # no second project
    resource = vendor_stack.resource("supabase", "billing")
    assert resource["id"] == refs[0] and resource["outputs"]["status"] == "ACTIVE_HEALTHY"
    assert "pending_operations" not in vendor_stack.latest()


def test_a_create_whose_outcome_is_unknown_stays_pending_and_the_next_run_adopts_it(
    fixture_stack: FixtureStack,
) -> None:
    fixture_stack.things({"name": "a"}, **{"toycloud:outcomeUnknownAfterCreate": "a"})
    result = fixture_stack.up()
    text = fixture_stack.output.getvalue()
    assert not result.ok
    assert "outcome unknown:" in text and "the next run looks for what it made before creating it" in text
    latest = json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
    pending = latest["pending_operations"]
    assert [(p["type"], p["resource"]["urn"].rsplit("::", 1)[1]) for p in pending] == [("creating", "a")]
    assert pending[0]["resource"]["created"]  # when it started: what the lookup compares with

    fixture_stack.things({"name": "a"})
    result = fixture_stack.up()
    assert result.ok, fixture_stack.output.getvalue()
    assert [o["name"] for o in fixture_stack.cloud()["objects"].values()] == ["a"]  # made once
    assert [op for op, _ in fixture_stack.log()].count("create") == 1
    assert "pending_operations" not in json.loads(fixture_stack.state_text())["checkpoint"]["latest"]
