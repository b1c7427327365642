"""The stack lock: two runs of one stack at once, a lock left by a killed run, and `cancel`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.fault_matrix import REPO, StackHarness, fault_environment, live_objects, stack_files
from emulator.testing import RunningEmulator
from localengine.cli import main as cli_main
from localengine.locking import StackLockedError, cancel, lock_path, read_lock, stack_lock


def test_a_second_holder_is_refused_at_once_naming_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path))
    with stack_lock(REPO, "platform", "dev", "update") as mine:
        with pytest.raises(StackLockedError) as refused, stack_lock(REPO, "platform", "dev", "update"):
            pass
        message = str(refused.value)
        assert f"pid {os.getpid()}" in message and mine.timestamp in message
        assert "python -m localengine cancel --stack dev" in message
        with stack_lock(REPO, "platform", "staging", "update"):  # another stack is not held
            pass
    assert read_lock(lock_path(REPO, "platform", "dev")) is None


def test_a_lock_left_by_a_dead_process_is_reported_as_such_and_cancel_clears_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = lock_path(REPO, "platform", "dev")
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "pid": dead.pid,
                "username": "ci",
                "hostname": os.uname().nodename,
                "timestamp": "2026-01-01T00:00:00Z",
            }
        )
    )
    with (
        pytest.raises(StackLockedError, match="no longer running") as refused,
        stack_lock(REPO, "platform", "dev", "update"),
    ):
        pass
    assert "cancel --stack dev" in str(refused.value)
    assert cli_main(["cancel", "--stack", "dev", "--cwd", str(REPO)]) == 0
    assert "cleared" in capsys.readouterr().out
    assert read_lock(path) is None
    assert cancel(REPO, "platform", "dev") is None


def _up_process(harness: StackHarness, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "localengine", "up", "--stack", harness.name, "--yes",
         "--config-file", str(harness.config_file)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.mark.e2e
def test_two_ups_started_together_one_runs_the_other_refuses_and_nothing_is_made_twice(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    with fault_environment(emulator, tmp_path / "state"):
        harness = StackHarness("dev", stack_files()["dev"], tmp_path, emulator)
        env = dict(os.environ)
        first, second = _up_process(harness, env), _up_process(harness, env)
        outputs = [p.communicate(timeout=300)[0] for p in (first, second)]
        codes = sorted([first.returncode, second.returncode])
        assert codes == [0, 1], outputs
        refused = next(o for o, p in zip(outputs, (first, second), strict=True) if p.returncode == 1)
        assert "the stack is currently locked" in refused and "pid" in refused and "since" in refused
        assert "Updating" not in refused  # refused before anything ran
        live = live_objects(emulator)
        assert len(live[("railway", "projects")]) == 1 and len(live[("neon", "projects")]) == 1

        # A run killed while it holds the lock: reported with how to clear it, and `cancel` clears it.
        killed = _up_process(harness, env)
        path = lock_path(REPO, "platform", "dev")
        deadline = time.monotonic() + 120
        while read_lock(path) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=60)
        assert read_lock(path) is not None
        result, output = harness.up()
        assert not result.ok and "no longer running" in output and "cancel --stack dev" in output
        assert cli_main(["cancel", "--stack", "dev", "--cwd", str(REPO)]) == 0
        result, output = harness.up()
        assert result.ok, output
        assert len(live_objects(emulator)[("railway", "projects")]) == 1
        destroyed, output = harness.destroy()
        assert destroyed.ok, output


@pytest.mark.e2e
def test_a_preview_takes_no_lock_but_refresh_preview_only_does_as_pulumis_file_backend(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    with fault_environment(emulator, tmp_path / "state"):
        harness = StackHarness("dev", stack_files()["dev"], tmp_path, emulator)
        with stack_lock(REPO, "platform", "dev", "update"):
            engine = harness.engine()
            previewed = engine.up(preview=True)
            assert previewed.ok, harness.output.getvalue()
            engine = harness.engine()
            refused = engine.refresh(preview_only=True)
            assert not refused.ok and "the stack is currently locked" in harness.output.getvalue()
        assert live_objects(emulator)[("railway", "projects")] == []  # the preview made nothing
        refreshed = harness.engine().refresh(preview_only=True)  # the lock released, it runs
        assert refreshed.ok, harness.output.getvalue()
