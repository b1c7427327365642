"""The real program's stacks through the local engine with the pack, as `pulumi up|preview --policy-pack
policy --policy-pack-config policy/config/<stack>.json` runs them: each stack passes its own config (the
advisory warnings that remain are listed here and in the README), and stack files made wrong on purpose
fail with exactly the expected policies while nothing reaches a vendor.

Engine runs are the slow part, so a sample runs by default; PLATFORM_POLICY_ALL=1 runs every stack and
every wrong file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.testing import RunningEmulator
from localengine.cli import main
from tests.e2e.conftest import PASSPHRASE, REPO, stack_cases
from tests.localengine.test_event_log import read_events

ALL = os.environ.get("PLATFORM_POLICY_ALL") == "1"
SAMPLE_STACKS = {"prod", "nestsync-prod", "kars-prod"}  # the ones with a config of their own, and prod

# The advisory warnings each stack keeps under its own config (README, "Policy pack"), as
# (policy, resource name or "" for a stack policy).
KNOWN_ADVISORIES: dict[str, set[tuple[str, str]]] = {
    "staging": {("stateful-resources-protected", "database-project")},
    "kars-staging": {
        ("alerts-configured", ""),
        ("backups-retained", "database-volume"),
        ("no-public-database", "database-proxy"),
        ("stateful-resources-protected", "database-service"),
        ("stateful-resources-protected", "database-volume"),
    },
    "nestsync-staging": {("stateful-resources-protected", "database-project")},
    "omnistack-staging": {
        ("backups-retained", "database-volume"),
        ("stateful-resources-protected", "database-service"),
        ("stateful-resources-protected", "database-volume"),
    },
    "sentia-staging": {("stateful-resources-protected", "database-project")},
}


def policy_config(stack: str) -> Path:
    """`policy/config/<stack>.json` when the stack has its own, else the one of its environment."""
    own = REPO / "policy" / "config" / f"{stack}.json"
    return own if own.exists() else REPO / "policy" / "config" / f"{stack.rsplit('-', 1)[-1]}.json"


@pytest.fixture
def env(emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunningEmulator:
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RAILWAY_API_URL", emulator.railway_url)
    monkeypatch.setenv("SUPABASE_API_URL", emulator.supabase_url)
    monkeypatch.setenv("NEON_API_URL", emulator.neon_url)
    for token in ("RAILWAY_API_TOKEN", "SUPABASE_ACCESS_TOKEN", "NEON_API_KEY"):
        monkeypatch.setenv(token, "policy-token")
    return emulator


def run(command: str, stack: str, stack_file: Path, log: Path) -> tuple[int, list[dict[str, Any]]]:
    """The CLI's command with the pack; its exit code and the policy events of its event log."""
    argv = [command, "--stack", stack, "--cwd", str(REPO), "--config-file", str(stack_file)]
    argv += ["--policy-pack", str(REPO / "policy"), "--policy-pack-config", str(policy_config(stack))]
    argv += ["--event-log", str(log)] + (["--yes"] if command == "up" else [])
    code = main(argv)
    events = read_events(log)  # each event checked against Pulumi's apitype field names
    return code, [e["policyEvent"] for e in events if "policyEvent" in e]


def found(policy_events: list[dict[str, Any]], level: str) -> set[tuple[str, str]]:
    return {
        (e["policyName"], e.get("resourceUrn", "").rsplit("::", 1)[-1] if e.get("resourceUrn") else "")
        for e in policy_events
        if e["enforcementLevel"] == level
    }


@pytest.mark.parametrize(
    ("stack", "stack_file"),
    [
        pytest.param(
            name, path, id=name, marks=[] if ALL or name in SAMPLE_STACKS else [pytest.mark.skip("sampled")]
        )
        for name, path in stack_cases()
    ],
)
def test_every_stack_passes_its_own_policy_config(
    stack: str, stack_file: Path, env: RunningEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, events = run("preview", stack, stack_file, tmp_path / "events.jsonl")
    out = capsys.readouterr().out
    assert code == 0, out
    assert found(events, "mandatory") == set()
    assert found(events, "advisory") == KNOWN_ADVISORIES.get(stack, set()), out
    assert "Policies:" in out and "platform@v0.1.0 (local: " in out


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(config: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda config: config.pop(key)


SEVERITIES = {
    "web-replicas-minimum": "medium",
    "image-pinned": "medium",
    "stateful-resources-protected": "high",
    "data-residency": "high",
    "alerts-configured": "high",
    "redis-noeviction-with-queues": "high",
}
PROD = REPO / "Pulumi.prod.yaml"
NESTSYNC_PROD = REPO / "examples" / "nestsync" / "Pulumi.prod.yaml"
WRONG = [
    (
        "one-web-replica",
        PROD,
        _set("platform:services.web.replicas", 1),
        {("web-replicas-minimum", "web-instance")},
    ),
    (
        "unprotected-database",
        PROD,
        _set("platform:database.protect", False),
        {("stateful-resources-protected", "database-project")},
    ),
    (
        "latest-image",
        PROD,
        _set("platform:services.web.image", "ghcr.io/acme/api:latest"),
        {("image-pinned", "web-service")},
    ),
    (
        "supabase-outside-canada",
        NESTSYNC_PROD,
        _set("platform:database.region", "us-east-1"),
        {("data-residency", "database-project")},
    ),
    ("no-alerts", PROD, _drop("platform:alerts"), {("alerts-configured", "")}),
    (
        "allkeys-lru-with-a-worker",
        PROD,
        _set("platform:redis.eviction", "allkeys-lru"),
        {("redis-noeviction-with-queues", "redis-instance")},
    ),
]
SAMPLE_WRONG = {"one-web-replica", "supabase-outside-canada", "allkeys-lru-with-a-worker"}


@pytest.mark.parametrize(
    ("case", "source", "change", "expected"),
    [
        pytest.param(
            *case, id=case[0], marks=[] if ALL or case[0] in SAMPLE_WRONG else [pytest.mark.skip("sampled")]
        )
        for case in WRONG
    ],
)
def test_a_wrong_stack_file_fails_with_exactly_the_expected_policies_and_creates_nothing(
    case: str,
    source: Path,
    change: Callable[[dict[str, Any]], None],
    expected: set[tuple[str, str]],
    env: RunningEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack = source.parent.name + "-prod" if source.parent != REPO else "prod"
    stack_file = tmp_path / source.name
    shutil.copy(source, stack_file)
    data = yaml.safe_load(stack_file.read_text())
    change(data["config"])
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False))

    code, events = run("up", stack, stack_file, tmp_path / "events.jsonl")
    out = capsys.readouterr().out
    assert code == 1, out
    assert found(events, "mandatory") == expected, out
    assert env.requests() == []  # `up` stopped after its preview: no vendor saw a request
    assert "❌ platform@v0.1.0" in out and "Updating (" not in out
    for policy, resource in expected:
        assert f"- [mandatory] [severity: {SEVERITIES[policy]}]  {policy}" in out
        if resource:
            assert f": {resource})" in out
