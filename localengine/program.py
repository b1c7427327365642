"""Running the unchanged program (`__main__.py`) in-process under the engine's monitor.

The SDK is configured as the language host would configure it (project, stack, preview, config with its
secret keys), with `EngineMonitor` in place of the gRPC monitor; the program runs inside `run_in_stack`,
so its exports become the root stack's outputs. Modules of the project are unloaded first and SDK
settings reset after, so one process can run the program many times (tests) as separate runs would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi.runtime import mocks, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack

from localengine.monitor import EngineLog, EngineMonitor

# Never unloaded: the engine itself, the emulator (tests run one in-process) and the tests.
KEEP_PACKAGES = ("localengine", "emulator", "tests")


def _purge_project_modules(root: Path) -> None:
    venv = root / ".venv"
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path or name.split(".")[0] in KEEP_PACKAGES or name == "__main__":
            continue
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root) and not resolved.is_relative_to(venv):
            del sys.modules[name]


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
    _purge_project_modules(root)
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
    previous_loop = _current_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=max(8, min(parallel, 64) * 4), thread_name_prefix="program")
    loop.set_default_executor(executor)
    entry = main if main.name.endswith(".py") else main / "__main__.py"
    try:
        with _in_project(root):
            loop.run_until_complete(run_in_stack(lambda: _run_main(entry)))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        loop.close()
        executor.shutdown(wait=False, cancel_futures=True)
        asyncio.set_event_loop(previous_loop)
        settings.reset_options()
        set_all_config({}, [])


def _run_main(entry: Path) -> Any:
    runpy.run_path(str(entry), run_name="__main__")


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None
