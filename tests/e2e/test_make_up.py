"""`make up`, then `make up` again, on a fresh clone: the emulator starts with its state in the clone's
`.state/`, the dev stack comes up, and the second run reuses the emulator and changes nothing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
def test_make_up_twice_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    # The clone shares this checkout's virtualenv (creating one is `make venv`'s job, tested by CI itself);
    # requirement files older than its stamp keep make from reinstalling.
    (clone / ".venv").symlink_to(REPO / ".venv")
    for name in ("requirements.txt", "requirements-dev.txt"):
        os.utime(clone / name, (0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "PLATFORM_", "EMULATOR_"))}
    for key in ("RAILWAY_API_URL", "SUPABASE_API_URL", "NEON_API_URL"):
        env.pop(key, None)
    env["EMULATOR_PORT"] = str(_free_port())
    try:
        first = subprocess.run(
            ["make", "up"], cwd=clone, env=env, capture_output=True, text=True, timeout=300
        )
        assert first.returncode == 0, first.stdout + first.stderr
        assert "started (state .state/emulator.json, time scale 0.01)" in first.stdout
        assert "using the local-only passphrase" in first.stdout
        assert "Updating (dev):" in first.stdout and " created" in first.stdout
        assert "Outputs:" in first.stdout and "[secret]" in first.stdout
        assert (clone / ".state" / "emulator.json").exists()
        assert (clone / ".state" / "stacks" / "platform" / "dev.json").exists()

        second = subprocess.run(
            ["make", "up"], cwd=clone, env=env, capture_output=True, text=True, timeout=300
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert " reused" in second.stdout
        resources = second.stdout.split("Resources:")[1]
        assert "created" not in resources and "updated" not in resources and "deleted" not in resources
        assert "unchanged" in resources
        print(first.stdout, second.stdout, sep="\n----\n")
    finally:
        subprocess.run(["make", "emulator-stop"], cwd=clone, env=env, capture_output=True, timeout=60)
