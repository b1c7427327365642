"""The local engine's hot paths keep their behaviour: the RandomPassword hash is the real provider's
(bcrypt at Go's default cost 10, not Python's slower 12)."""

from __future__ import annotations

import bcrypt

from localengine.providers.random import RandomProvider

PASSWORD_URN = "urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw"


def test_password_hash_is_bcrypt_at_the_real_providers_cost() -> None:
    provider = RandomProvider()
    inputs, failures = provider.check(PASSWORD_URN, None, {"length": 24, "special": False}, b"")
    assert not failures
    _, outs = provider.create(PASSWORD_URN, inputs)
    assert outs["bcryptHash"].startswith("$2b$10$")
    assert bcrypt.checkpw(outs["result"].encode(), outs["bcryptHash"].encode())


def test_concurrent_saves_share_writes_and_each_returns_with_its_change_on_disk() -> None:
    import threading
    import time

    from localengine.statewriter import CoalescingSaver

    changes: list[int] = []
    lock = threading.Lock()
    disk: list[list[int]] = []
    first_write_may_end = threading.Event()

    def write(snapshot: list[int]) -> None:
        if not disk:
            first_write_may_end.wait(10)
        disk.append(snapshot)

    saver: CoalescingSaver[list[int]] = CoalescingSaver(write)
    seen_on_return: dict[int, list[int]] = {}

    def step(n: int) -> None:
        with lock:
            changes.append(n)
        saver.save(lambda: list(changes))
        seen_on_return[n] = list(disk[-1])

    threads = [threading.Thread(target=step, args=(0,))]
    threads[0].start()
    while not saver._writing:  # the first step is writing (held until released below)
        time.sleep(0.001)
    threads += [threading.Thread(target=step, args=(n,)) for n in range(1, 6)]
    for thread in threads[1:]:
        thread.start()
    while saver._requested < 6:
        time.sleep(0.001)
    first_write_may_end.set()
    for thread in threads:
        thread.join(10)
    assert all(n in seen_on_return[n] for n in range(6))  # each change was on disk when its save returned
    assert saver.writes == 2  # the five that asked during the first write shared one
    assert sorted(disk[-1]) == list(range(6))
