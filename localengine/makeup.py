"""`make up [STACK=dev]`: the emulator (started, or reused), then `up` of the stack against it.

    python -m localengine.makeup [--stack dev] [--port 4010] [--time-scale 0.01]
    python -m localengine.makeup --stop        # stop the emulator `make up` started

With EMULATOR_URL set, that running emulator is used. Otherwise the emulator started by an earlier
`make up` is reused while it answers, or one is started in the background with its objects in
`.state/emulator.json` (`PLATFORM_STATE_DIR` moves the whole state folder) and time scale 0.01, so a
Supabase project that takes two minutes at the vendor is up in about a second. The providers are pointed at
it (RAILWAY_API_URL, SUPABASE_API_URL, NEON_API_URL) with a placeholder token, never a real one. With no
PULUMI_CONFIG_PASSPHRASE(_FILE) set, the local-only passphrase below encrypts the emulator stacks' secrets.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from localengine.engine import Engine
from localengine.project import ProjectError
from localengine.secrets import PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, SecretsError
from localengine.state import state_dir

LOCAL_PASSPHRASE = "local-emulator-only"
EMULATOR_TOKEN = "local-emulator-token"
DEFAULT_PORT = 4010
DEFAULT_TIME_SCALE = 0.01


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_emulator/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_emulator(root: Path, port: int, time_scale: float) -> tuple[str, str]:
    """The emulator's URL, and how we got it (given, reused, started)."""
    given = os.environ.get("EMULATOR_URL")
    if given:
        url = given.rstrip("/")
        if not _healthy(url):
            raise SystemExit(f"error: EMULATOR_URL={url} does not answer {url}/_emulator/health")
        return url, "given by EMULATOR_URL"
    folder = state_dir(root)
    url_file = folder / "emulator.url"
    if url_file.exists():
        url = url_file.read_text().strip()
        if _healthy(url):
            return url, "reused"
    folder.mkdir(parents=True, exist_ok=True)
    if not _port_free(port):
        port = _free_port()
    log = (folder / "emulator.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "serve",
            "--port",
            str(port),
            "--state",
            str(folder / "emulator.json"),
            "--time-scale",
            str(time_scale),
        ],
        cwd=root,
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"error: the emulator did not start; see {folder / 'emulator.log'}")
        time.sleep(0.1)
    (folder / "emulator.pid").write_text(str(process.pid))
    url_file.write_text(url)
    return url, f"started (state {_relative(folder / 'emulator.json', root)}, time scale {time_scale:g})"


def stop_emulator(root: Path) -> int:
    folder = state_dir(root)
    pid_file = folder / "emulator.pid"
    if not pid_file.exists():
        print("no emulator started by `make up` is recorded")
        return 0
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        print(f"stopped the emulator (pid {pid})")
    except ProcessLookupError:
        print("the emulator had already stopped")
    pid_file.unlink(missing_ok=True)
    (folder / "emulator.url").unlink(missing_ok=True)
    return 0


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def use_emulator(url: str) -> None:
    """Point the providers at the emulator (placeholder tokens), and give the stacks a passphrase."""
    os.environ.update(
        {
            "RAILWAY_API_URL": f"{url}/railway/graphql/v2",
            "SUPABASE_API_URL": f"{url}/supabase",
            "NEON_API_URL": f"{url}/neon/api/v2",
            "RAILWAY_API_TOKEN": EMULATOR_TOKEN,
            "SUPABASE_ACCESS_TOKEN": EMULATOR_TOKEN,
            "NEON_API_KEY": EMULATOR_TOKEN,
        }
    )
    if PASSPHRASE_ENV not in os.environ and not os.environ.get(PASSPHRASE_FILE_ENV):
        os.environ[PASSPHRASE_ENV] = LOCAL_PASSPHRASE
        print(
            f"{PASSPHRASE_ENV} is not set: using the local-only passphrase '{LOCAL_PASSPHRASE}' "
            "(emulator stacks only)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localengine.makeup", description=__doc__)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", DEFAULT_PORT)))
    parser.add_argument("--time-scale", type=float, default=DEFAULT_TIME_SCALE)
    parser.add_argument("--cwd", type=Path, default=Path.cwd())
    parser.add_argument("--stop", action="store_true", help="stop the emulator an earlier `make up` started")
    args = parser.parse_args(argv)
    root = args.cwd.resolve()
    if args.stop:
        return stop_emulator(root)
    url, how = ensure_emulator(root, args.port, args.time_scale)
    print(f"emulator: {url} {how}")
    use_emulator(url)
    print()
    try:
        result = Engine(root, args.stack).up()
    except (ProjectError, SecretsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
