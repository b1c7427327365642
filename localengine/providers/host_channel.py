"""The local engine's side channel from a running provider call to the engine: the created id.

The SDK's dynamic-provider server passes a provider's `create` its inputs only, never the URN, and answers
only when create returns. `host_main` wraps the server's `Create` so that, for the length of each call, its
thread knows the call's URN (`serving`); a provider calling `report_created_id(id)` then writes
`[created-id] <urn><TAB><id>` to stderr, which `DynamicProviderHost` reads line by line (as it reads progress)
and hands to the engine, which writes the id into the pending create in state at once.

Outside `host_main` (the Pulumi CLI's provider host, a test) no URN is set and reporting does nothing.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

CREATED_ID_PREFIX = "[created-id] "

_call = threading.local()


@contextlib.contextmanager
def serving(urn: str) -> Iterator[None]:
    """The current thread serves the Create call of `urn` (set by `host_main`)."""
    previous = getattr(_call, "urn", None)
    _call.urn = urn
    try:
        yield
    finally:
        _call.urn = previous


def report_created_id(id_: str) -> None:
    urn = getattr(_call, "urn", None)
    if not urn or not id_ or any(c in "\t\n\r" for c in id_):
        return
    print(f"{CREATED_ID_PREFIX}{urn}\t{id_}", file=sys.stderr, flush=True)


def parse_created_id(line: str) -> tuple[str, str] | None:
    """(urn, id) of a `[created-id]` line, else None."""
    if not line.startswith(CREATED_ID_PREFIX):
        return None
    parts = line[len(CREATED_ID_PREFIX) :].rstrip("\r\n").split("\t")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]
