"""Running the unchanged program (`__main__.py`) in-process under the engine's monitor.

The SDK is configured as the language host would configure it (project, stack, preview, config with its
secret keys), with `EngineMonitor` in place of the gRPC monitor; the program runs inside `run_in_stack`,
so its exports become the root stack's outputs. The project's modules are imported afresh for each run
and the caller's put back after, and SDK settings reset, so one process can run the program many times
(tests) as separate runs would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import runpy
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi.dynamic import dynamic as dynamic_module
from pulumi.runtime import mocks, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack

from localengine.monitor import EngineLog, EngineMonitor

# pulumi.dynamic.serialize_provider (3.272) wraps pickle._Pickler._batch_setitems on every dynamic resource
# and never restores it, so each registration nests one more wrapper; a process that registers ~1000
# dynamic resources (many runs in one test process) overflows the stack. Keep the original to put back.
_ORIGINAL_BATCH_SETITEMS = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]


def undo_sdk_pickler_patch() -> None:
    pickle._Pickler._batch_setitems = _ORIGINAL_BATCH_SETITEMS  # type: ignore[attr-defined]


@contextlib.contextmanager
def _provider_serialization_once_per_class() -> Iterator[None]:
    """During a run, `serialize_provider` undoes its pickler patch after every call, and serializes a
    provider without instance state once per class.

    The nesting above made each dynamic resource's serialization slower than the last (quadratic over a
    run: 200 services took 3.6x the time of 100). A provider instance with an empty `__dict__` pickles
    to the same bytes as any other of its class (dill pickles the class, its module's globals by reference),
    so the bytes are reused; a provider with state is serialized each time, as the SDK does.
    """
    real = dynamic_module.serialize_provider
    by_class: dict[type, str] = {}
    lock = threading.Lock()

    def serialize(provider: Any) -> str:
        stateless = not vars(provider)
        with lock:
            if stateless and type(provider) in by_class:
                return by_class[type(provider)]
            try:
                serialized: str = real(provider)
            finally:
                undo_sdk_pickler_patch()
            if stateless:
                by_class[type(provider)] = serialized
            return serialized

    dynamic_module.serialize_provider = serialize
    try:
        yield
    finally:
        dynamic_module.serialize_provider = real


# Never unloaded: the engine itself, the emulator (tests run one in-process) and the tests.
KEEP_PACKAGES = ("localengine", "emulator", "tests")


def _purge_project_modules(root: Path) -> dict[str, Any]:
    """Unload the project's modules so the run imports them afresh; returns what was unloaded."""
    venv = root / ".venv"
    unloaded = {}
    # The interpreter's own and installed modules are never the project's: skip them without resolving
    # their paths (a resolve per module is thousands of system calls per run).
    installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path or name.split(".")[0] in KEEP_PACKAGES or name == "__main__":
            continue
        if path.startswith(installed) and not str(root).startswith(installed):
            continue
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root) and not resolved.is_relative_to(venv):
            unloaded[name] = sys.modules.pop(name)
    return unloaded


@contextlib.contextmanager
def _fresh_project_modules(root: Path) -> Iterator[None]:
    """The run sees freshly imported project modules; afterwards the caller's modules are back, so objects
    it holds (classes, sentinels) still pickle by reference to the same module objects."""
    previous = _purge_project_modules(root)
    try:
        yield
    finally:
        _purge_project_modules(root)
        sys.modules.update(previous)


@contextlib.contextmanager
def _in_project(root: Path) -> Iterator[None]:
    old_cwd = os.getcwd()
    added = str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        if added and str(root) in sys.path:
            sys.path.remove(str(root))


def run_program(
    *,
    root: Path,
    main: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    monitor: EngineMonitor,
    log: EngineLog,
    preview: bool,
    parallel: int,
) -> None:
    """Run the program to completion; raises whatever the program (or a failed step) raised."""
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)
    settings.reset_options(project=project, stack=stack, preview=preview, organization="organization")
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=features,
            engine=log,
            project=project,
            stack=stack,
            dry_run=preview,
            organization="organization",
            callbacks=None,
            root_directory=str(root),
            parallel=parallel,
        )
    )
    set_all_config(dict(config), list(secret_keys))
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_unretrieved)
    previous_loop = _current_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=max(8, min(parallel, 64) * 4), thread_name_prefix="program")
    loop.set_default_executor(executor)
    entry = main if main.name.endswith(".py") else main / "__main__.py"
    try:
        with (
            _in_project(root),
            _fresh_project_modules(root),
            _provider_serialization_once_per_class(),
            log.program_output(),
        ):
            loop.run_until_complete(run_in_stack(lambda: _run_main(entry)))
    finally:
        # Pulumi lets every step already started finish and records it before the run stops: wait for the
        # steps in flight (the deployment starts no new one once one failed) while the loop is still open,
        # so their threads can hand back their results, before the loop and the provider host go away.
        monitor.deployment.wait_idle()
        executor.shutdown(wait=False, cancel_futures=True)
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        loop.close()
        asyncio.set_event_loop(previous_loop)
        settings.reset_options()
        set_all_config({}, [])
        undo_sdk_pickler_patch()


def _quiet_unretrieved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed step fails every Output that depends on it; the SDK leaves those futures unread, and
    asyncio would print each as "Future exception was never retrieved" with its traceback. The engine
    reports each failed step once from its own record, so these are dropped; anything else is shown."""
    message = str(context.get("message", ""))
    if "exception was never retrieved" in message:
        return
    loop.default_exception_handler(context)


def _run_main(entry: Path) -> Any:
    runpy.run_path(str(entry), run_name="__main__")


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None
