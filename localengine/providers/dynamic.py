"""The SDK's dynamic-provider server, run and called as the Pulumi engine does.

`python -u -m pulumi.dynamic` (cwd = project directory, this interpreter; run through `host_main` for more
than the SDK's four worker threads) prints the port it serves on;
we call it with `provider_pb2_grpc.ResourceProviderStub`. `Configure` gets the whole stack config in
`args` (namespaced keys, string values). The server answers `acceptSecrets: False`, so secrets are
removed before every call and put back on the results by name (the engine's `annotateSecrets`). Its
stderr is read line by line: `[progress] ...` lines go to the progress callback, `[created-id] ...` lines
(the id a running create got from the vendor, see `host_channel`) to `on_created_id`, the rest to the log.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from localengine.props import annotate_secrets, from_struct, make_secret, reveal, to_struct
from localengine.providers import CheckFailure, DiffResult, ProviderError, ReadResult
from localengine.providers.host_channel import parse_created_id

PROGRESS_PREFIX = "[progress] "
_ENGINE_ROOT = str(Path(__file__).resolve().parents[2])
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 1024 * 1024 * 400)]


def _error_message(exc: grpc.RpcError) -> str:
    """The exception the provider raised, whole: the server sends the full traceback, and an exception's
    message may span lines (a pydantic ValidationError names each field on its own line)."""
    details = exc.details() if hasattr(exc, "details") else str(exc)
    lines = [line for line in (details or "").strip().splitlines() if line.strip()]
    if not lines:
        return "provider call failed"
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if not starts:
        return "\n".join(lines).strip()
    # After the last traceback header come its frames (indented), then the exception and its message.
    body = lines[starts[-1] + 1 :]
    first = next((i for i, line in enumerate(body) if not line.startswith(" ")), len(body) - 1)
    return "\n".join(line.rstrip() for line in body[first:]).strip()


def _host_env(project_dir: Path, project: str, env: dict[str, str] | None) -> dict[str, str]:
    host_env = dict(os.environ if env is None else env)
    host_env["PULUMI_PROJECT"] = project
    host_env["PYTHONPATH"] = os.pathsep.join(
        [
            str(project_dir),
            *[p for p in host_env.get("PYTHONPATH", "").split(os.pathsep) if p],
            _ENGINE_ROOT,  # last: for `localengine.providers.host_main` only
        ]
    )
    return host_env


# A module defines a dynamic resource when a class of it derives from `dynamic.Resource`.
_DYNAMIC_RESOURCE = re.compile(r"^class \w+\((?:pulumi\.)?dynamic\.Resource\b", re.MULTILINE)
_NOT_PROJECT_CODE = frozenset({".venv", "venv", "node_modules", "tests", ".git", ".state"})


@functools.lru_cache(maxsize=8)
def dynamic_resource_modules(project_dir: Path) -> tuple[str, ...]:
    """The project's modules that define dynamic resources (a text scan: nothing is imported), for the
    host to import while it waits for its first call (see `host_main`)."""
    found: list[str] = []
    for directory, subdirectories, files in os.walk(project_dir):
        subdirectories[:] = sorted(
            d for d in subdirectories if d not in _NOT_PROJECT_CODE and not d.startswith(".")
        )
        for file in sorted(files):
            if not file.endswith(".py"):
                continue
            path = Path(directory, file)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if _DYNAMIC_RESOURCE.search(text):
                parts = path.relative_to(project_dir).with_suffix("").parts
                found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return tuple(found)


def _spawn_host(
    project_dir: Path, project: str, env: dict[str, str] | None, workers: int
) -> subprocess.Popen[bytes]:
    warm = dynamic_resource_modules(project_dir)
    return subprocess.Popen(
        # The SDK's server with more than its four threads (see `host_main`).
        [sys.executable, "-u", "-m", "localengine.providers.host_main", str(workers), *warm],
        cwd=project_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_host_env(project_dir, project, env),
    )


# Host processes started ahead of their DynamicProviderHost (see `prespawn`), by project directory and name.
_PRESPAWNED: dict[tuple[str, str], tuple[subprocess.Popen[bytes], dict[str, str], int]] = {}
_PRESPAWN_LOCK = threading.Lock()


def prespawn(project_dir: Path, project: str, *, env: dict[str, str] | None, workers: int) -> None:
    """Start the provider host's process now, before the stack's config and state are read and the program
    is imported, so its own start-up (a second or more of imports) is over when the first dynamic step
    needs it. The next `DynamicProviderHost` of the same project adopts it; one left over is stopped when
    a later one does not match, and at exit."""
    key = (str(project_dir), project)
    with _PRESPAWN_LOCK:
        if key in _PRESPAWNED:
            return
        process = _spawn_host(project_dir, project, env, workers)
        _PRESPAWNED[key] = (process, _host_env(project_dir, project, env), workers)


def _adopt_prespawned(
    project_dir: Path, project: str, env: dict[str, str] | None, workers: int
) -> subprocess.Popen[bytes] | None:
    with _PRESPAWN_LOCK:
        entry = _PRESPAWNED.pop((str(project_dir), project), None)
    if entry is None:
        return None
    process, spawned_env, spawned_workers = entry
    if (
        process.poll() is None
        and spawned_env == _host_env(project_dir, project, env)
        and spawned_workers == workers
    ):
        return process
    _stop(process)
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@atexit.register
def _stop_prespawned() -> None:
    with _PRESPAWN_LOCK:
        left = [process for process, _, _ in _PRESPAWNED.values()]
        _PRESPAWNED.clear()
    for process in left:
        _stop(process)


class DynamicProviderHost:
    def __init__(
        self,
        project_dir: Path,
        project: str,
        config: dict[str, str],
        secret_keys: list[str],
        *,
        on_progress: Callable[[str], None],
        on_log: Callable[[str], None],
        env: dict[str, str] | None = None,
        workers: int = 64,
    ) -> None:
        self.project_dir = project_dir
        self.workers = workers
        self.project = project
        self.config = config
        self.secret_keys = set(secret_keys)
        self.on_progress = on_progress
        self.on_log = on_log
        self.env = env
        # (urn, id) of a create still running whose provider reported the id the vendor returned.
        self.on_created_id: Callable[[str, str], None] | None = None
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._channel: grpc.Channel | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def _ensure_started(self) -> provider_pb2_grpc.ResourceProviderStub:
        with self._lock:
            if self._stub is not None:
                return self._stub
            process = _adopt_prespawned(self.project_dir, self.project, self.env, self.workers)
            if process is None:
                process = _spawn_host(self.project_dir, self.project, self.env, self.workers)
            assert process.stdout is not None and process.stderr is not None
            threading.Thread(target=self._pump_stderr, args=(process,), daemon=True).start()
            line = process.stdout.readline().decode().strip()
            if not line.isdigit():
                process.kill()
                raise ProviderError(f"the dynamic provider host did not start (it printed {line!r})")
            self._process = process
            self._channel = grpc.insecure_channel(f"127.0.0.1:{line}", options=_GRPC_OPTIONS)
            stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
            args = struct_pb2.Struct()
            args.update(
                {k: (make_secret(v) if k in self.secret_keys else v) for k, v in sorted(self.config.items())}
            )
            try:
                stub.Configure(
                    provider_pb2.ConfigureRequest(args=args, acceptSecrets=True, acceptResources=True),
                    wait_for_ready=True,
                    timeout=60,
                )
            except grpc.RpcError as exc:
                process.kill()
                raise ProviderError(
                    f"configuring the dynamic provider failed: {_error_message(exc)}"
                ) from None
            self._stub = stub
            return stub

    def start_soon(self) -> None:
        """Start the host in the background, so its start-up (about half a second of imports) overlaps the
        program's instead of delaying the first dynamic step; a failure here is raised again by the first
        call that needs the host."""

        def start() -> None:
            with contextlib.suppress(ProviderError, grpc.RpcError, OSError):
                self._ensure_started()

        threading.Thread(target=start, name="provider-host-start", daemon=True).start()

    def _pump_stderr(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        for raw in iter(process.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            if line.startswith(PROGRESS_PREFIX):
                self.on_progress(line[len(PROGRESS_PREFIX) :])
            elif (created := parse_created_id(line)) is not None:
                if self.on_created_id is not None:
                    self.on_created_id(*created)
            elif line.strip():
                self.on_log(line)

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._stub = None
            self._process = None

    def _call(self, method: str, request: Any) -> Any:
        stub = self._ensure_started()
        try:
            return getattr(stub, method)(request)
        except grpc.RpcError as exc:
            raise ProviderError(_error_message(exc)) from None

    # -- the provider interface ----------------------------------------------------------------------------
    def check(
        self, urn: str, olds: dict[str, Any] | None, news: dict[str, Any], seed: bytes
    ) -> tuple[dict[str, Any], list[CheckFailure]]:
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=urn, olds=to_struct(reveal(olds or {})), news=to_struct(reveal(news)), randomSeed=seed
            ),
        )
        inputs = annotate_secrets(from_struct(response.inputs), news)
        failures = [CheckFailure(f.property, f.reason) for f in response.failures]
        return inputs, failures

    def diff(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
        ignore_changes: list[str],
    ) -> DiffResult:
        response = self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=urn,
                olds=to_struct(reveal(old_outputs)),
                news=to_struct(reveal(news)),
                old_inputs=to_struct(reveal(old_inputs)),
                ignoreChanges=ignore_changes,
            ),
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_NONE: "none",
            provider_pb2.DiffResponse.DIFF_SOME: "some",
        }.get(response.changes, "unknown")
        return DiffResult(
            changes=changes,
            replaces=list(response.replaces),
            changed_keys=list(response.diffs),
            detailed_diff=None,
            delete_before_replace=response.deleteBeforeReplace,
        )

    def create(self, urn: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=to_struct(reveal(news)))
        )
        return response.id, annotate_secrets(from_struct(response.properties), news)

    def read(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> ReadResult:
        response = self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=id_, urn=urn, properties=to_struct(reveal(outputs)), inputs=to_struct(reveal(inputs))
            ),
        )
        if not response.id:
            return ReadResult("")
        new_inputs = None
        if response.HasField("inputs") and response.inputs.fields:
            new_inputs = annotate_secrets(from_struct(response.inputs), inputs)
        return ReadResult(
            response.id, annotate_secrets(from_struct(response.properties), outputs), new_inputs
        )

    def update(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn,
                olds=to_struct(reveal(old_outputs)),
                news=to_struct(reveal(news)),
                old_inputs=to_struct(reveal(old_inputs)),
            ),
        )
        return annotate_secrets(from_struct(response.properties), news)

    def delete(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=id_, urn=urn, properties=to_struct(reveal(outputs)), old_inputs=to_struct(reveal(inputs))
            ),
        )
