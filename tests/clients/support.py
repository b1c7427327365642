"""Running the vendors' own clients against the emulator: where they are installed, an environment that
confines them to it (no telemetry, no update checks, a throw-away home), and the check that every
response they received validates against the vendor's published OpenAPI document."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import RunningEmulator
from tests.conftest import REPO_ROOT
from tests.contract.test_neon_contract import _openapi, _violations
from tests.contract.test_supabase_contract import validate_traffic

CLIENTS = REPO_ROOT / ".clients" / "node_modules"
NEONCTL = CLIENTS / "neonctl" / "bin" / "cli.js"
# The Supabase CLI's npm package ships its binary as a platform package; call it without the Node shim.
SUPABASE_CLI = CLIENTS / "@supabase" / "cli-linux-x64" / "bin" / "supabase"
TIMEOUT = 120
# A CLI start costs about a second (more on a loaded machine): by default the CLIs run the workflows our
# stacks need plus one error; VENDOR_CLIENTS_FULL=1 runs every step. The API clients always run all.
FULL = os.environ.get("VENDOR_CLIENTS_FULL") == "1"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not installed: `make vendor-clients` (part of `make test`) installs it")
    return path


def confined_env(home: Path, **extra: str) -> dict[str, str]:
    """Only what the clients need, and every vendor switch for telemetry and update checks off; any
    stray HTTP(S) request that honours a proxy goes to a closed local port."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "NO_COLOR": "1",
        "CI": "true",
        "DO_NOT_TRACK": "1",
        "SUPABASE_TELEMETRY_DISABLED": "1",
        "SUPABASE_NO_UPDATE_NOTIFIER": "1",
        "SUPABASE_NO_KEYRING": "1",
        "SUPABASE_HOME": str(home / ".supabase"),
        "NEON_DISABLE_ANALYTICS": "1",
        "NPM_CONFIG_UPDATE_NOTIFIER": "false",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def run_node_script(script: Path, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """A Node workflow script (one process for many steps: Node starts slowly); it prints one JSON object."""
    done = run(["node", str(script)], {**env, "NODE_PATH": str(CLIENTS)}, cwd)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout}\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def traffic(emulator: RunningEmulator, vendor: str) -> list[dict[str, Any]]:
    return emulator.requests(vendor)


def neon_violations(shared_api: Path, entries: list[dict[str, Any]]) -> list[str]:
    return _violations(_openapi(str(shared_api / "neon-openapi.json")), entries)


def supabase_violations(shared_api: Path, entries: list[dict[str, Any]]) -> list[str]:
    """Problems with the responses. The clients' own requests are theirs: supabase-management-js sends
    an array query as one comma-joined value (`services=auth,db`), which the document's exploded form
    does not describe, and the emulator accepts both, as Supabase does."""
    return [p for p in validate_traffic(shared_api, entries) if not p.startswith("request ")]
