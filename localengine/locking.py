"""The stack lock: one run that changes a stack at a time, as the Pulumi CLI's file backend does.

The file backend keeps a lock file per running update under `.pulumi/locks/<org>/<project>/<stack>/`,
holding who took it (user, host, pid) and when, and refuses a second update naming them; `pulumi cancel`
deletes a lock left by a run that died. Here the lock is `<state dir>/locks/<project>/<stack>.json`, made
with `O_EXCL` so two runs started at the same instant cannot both take it; `up`, `refresh` and `destroy`
hold it for their whole length (a preview changes nothing and takes none); `python -m localengine cancel
--stack NAME` removes it.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from localengine.state import state_dir


class StackLockedError(Exception):
    """Another run holds the stack's lock (or a dead run left it)."""


@dataclass(frozen=True)
class LockInfo:
    path: Path
    user: str
    host: str
    pid: int
    timestamp: str
    operation: str
    token: str = ""

    @property
    def stale(self) -> bool:
        """The holder ran on this machine and its process is gone: a run that was killed."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def describe(self) -> str:
        who = f"{self.user}@{self.host} (pid {self.pid})"
        return f"{self.path}: {self.operation} by {who} since {self.timestamp}"


def lock_path(project_root: Path, project: str, stack: str) -> Path:
    return state_dir(project_root) / "locks" / project / f"{stack}.json"


def read_lock(path: Path) -> LockInfo | None:
    try:
        data = json.loads(path.read_text() or "{}")
    except FileNotFoundError:
        return None
    except ValueError:
        data = {}
    return LockInfo(
        path=path,
        user=str(data.get("username", "?")),
        host=str(data.get("hostname", "?")),
        pid=int(data.get("pid", 0) or 0),
        timestamp=str(data.get("timestamp", "?")),
        operation=str(data.get("operation", "update")),
        token=str(data.get("token", "")),
    )


def locked_message(info: LockInfo, stack: str) -> str:
    cancel = f"python -m localengine cancel --stack {stack}"
    if info.stale:
        return (
            f"the stack is locked by a run that is no longer running ({info.describe()}); if no other run "
            f"of stack '{stack}' is going on, clear the lock with `{cancel}` and run again"
        )
    return (
        f"the stack is currently locked by 1 lock(s). Either wait for the other process to end or delete "
        f"the lock file with `{cancel}`.\n  {info.describe()}"
    )


@contextlib.contextmanager
def stack_lock(project_root: Path, project: str, stack: str, operation: str) -> Iterator[LockInfo]:
    """Hold the stack's lock for the block; raises `StackLockedError` at once when another run has it."""
    path = lock_path(project_root, project, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {
        "pid": os.getpid(),
        "username": _user(),
        "hostname": socket.gethostname(),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "operation": operation,
        "token": uuid.uuid4().hex,
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        holder = read_lock(path)
        if holder is None:  # released meanwhile: the caller may simply run again
            raise StackLockedError(f"the stack '{stack}' was locked a moment ago; run again") from None
        raise StackLockedError(locked_message(holder, stack)) from None
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle)
    mine = read_lock(path)
    assert mine is not None
    try:
        yield mine
    finally:
        with contextlib.suppress(FileNotFoundError):
            current = read_lock(path)
            # `cancel` may have removed ours and another run taken it since: never delete theirs.
            if current is not None and current.token == mine.token:
                path.unlink()


def cancel(project_root: Path, project: str, stack: str) -> LockInfo | None:
    """`pulumi cancel`: remove the stack's lock; returns who held it (None: it was not locked)."""
    path = lock_path(project_root, project, stack)
    holder = read_lock(path)
    if holder is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return holder


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
