"""A fix for the Pulumi Python SDK's end-of-program wait, applied by `__main__.py` (so under the Pulumi CLI
and the local engine alike).

When the program returns, the SDK (`pulumi.runtime.stack.wait_for_rpcs`, 3.2xx) waits for every Output
still pending with `asyncio.wait(pending, return_when=FIRST_COMPLETED)` in a loop: each time one of them
resolves it returns, then arms a callback on every remaining one again. A stack of 200 services keeps
about 3,000 Outputs pending while the engine answers its 800 registrations, so that loop is quadratic: it
took 22 of the 28 CPU seconds of a 200-service preview. Waiting with `FIRST_EXCEPTION` instead returns
once all of them are done, or at the first that failed, which the SDK then re-raises exactly as before
(it awaits every task in `done`, and goes round again for Outputs created meanwhile): the same outcome,
each Output armed once.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Iterable
from typing import Any

_MARK = "_platform_waits_for_outputs_together"


def _wait_together(
    fs: Iterable[asyncio.Future[Any]],
    *,
    timeout: float | None = None,
    return_when: str = asyncio.ALL_COMPLETED,
) -> Awaitable[tuple[set[asyncio.Future[Any]], set[asyncio.Future[Any]]]]:
    if return_when == asyncio.FIRST_COMPLETED:
        return_when = asyncio.FIRST_EXCEPTION
    return asyncio.wait(fs, timeout=timeout, return_when=return_when)


def wait_for_outputs_together() -> bool:
    """Make the SDK's end-of-program wait arm each pending Output once. Returns whether it was applied
    (an SDK without that module-level `asyncio` use is left alone). Idempotent."""
    from pulumi.runtime import stack

    current = getattr(stack, "asyncio", None)
    if getattr(current, _MARK, False):
        return True
    if current is not asyncio or not callable(getattr(stack, "wait_for_rpcs", None)):
        return False
    # Only the SDK's stack module sees this `asyncio`: everything in it is the real module's, but `wait`.
    shim = types.ModuleType("asyncio")
    shim.__dict__.update(asyncio.__dict__)
    shim.wait = _wait_together  # type: ignore[attr-defined]
    setattr(shim, _MARK, True)
    stack.asyncio = shim
    return True
