"""The SDK's end-of-program wait (`pulumi.runtime.stack.wait_for_rpcs`) with `sdk_fixes` applied: it still
waits for every pending Output (those created meanwhile too) and re-raises a failed one, and it no longer
goes round once per Output that resolves (the quadratic part)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import settings, stack

import sdk_fixes


@pytest.fixture
def fixed_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The fix applied (undone after), and a list that counts the waits the SDK makes."""
    monkeypatch.setattr(stack, "asyncio", asyncio)
    assert sdk_fixes.wait_for_outputs_together()
    shim = stack.asyncio
    rounds: list[int] = []
    real_wait = shim.wait

    def counted(fs: Any, **kwargs: Any) -> Any:
        rounds.append(len(list(fs)) if isinstance(fs, list) else 0)
        return real_wait(fs, **kwargs)

    monkeypatch.setattr(shim, "wait", counted)
    monkeypatch.setattr(settings.SETTINGS, "outputs", set())
    yield rounds


def _run(main: Any) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def _resolving_one_per_tick(count: int, done: list[int]) -> list[asyncio.Task[None]]:
    async def resolve(index: int) -> None:
        for _ in range(index):
            await asyncio.sleep(0)
        done.append(index)

    return [asyncio.ensure_future(resolve(index)) for index in range(count)]


def test_applied_once_and_only_to_the_sdk_stack_module(fixed_wait: list[int]) -> None:
    shim = stack.asyncio
    assert shim is not asyncio and shim.Future is asyncio.Future
    assert sdk_fixes.wait_for_outputs_together()  # idempotent: no shim over the shim
    assert stack.asyncio is shim
    assert asyncio.wait is not shim.wait


def test_every_pending_output_is_awaited_in_one_round(fixed_wait: list[int]) -> None:
    done: list[int] = []

    async def main() -> None:
        settings.SETTINGS.outputs.update(_resolving_one_per_tick(300, done))
        await stack.wait_for_rpcs()

    _run(main)
    assert sorted(done) == list(range(300))
    # Unfixed, the SDK waits again after each resolution: about 300 rounds over a shrinking set.
    assert len(fixed_wait) <= 2


def test_outputs_created_while_waiting_are_awaited_too(fixed_wait: list[int]) -> None:
    done: list[str] = []

    async def main() -> None:
        async def late() -> None:
            await asyncio.sleep(0)
            done.append("late")

        async def first() -> None:
            await asyncio.sleep(0)
            settings.SETTINGS.outputs.add(asyncio.ensure_future(late()))
            done.append("first")

        settings.SETTINGS.outputs.add(asyncio.ensure_future(first()))
        await stack.wait_for_rpcs()

    _run(main)
    assert done == ["first", "late"]


def test_a_failed_output_is_raised_without_waiting_for_the_slow_ones(fixed_wait: list[int]) -> None:
    async def main() -> str:
        async def fails() -> None:
            await asyncio.sleep(0)
            raise ValueError("the apply failed")

        slow = asyncio.ensure_future(asyncio.sleep(30))
        settings.SETTINGS.outputs.update({asyncio.ensure_future(fails()), slow})
        try:
            await asyncio.wait_for(stack.wait_for_rpcs(), timeout=10)
        except ValueError as exc:
            return str(exc)
        finally:
            slow.cancel()
        return "no error"

    assert _run(main) == "the apply failed"
