"""The local engine's hot paths keep their behaviour: the RandomPassword hash is the real provider's
(bcrypt at Go's default cost 10, not Python's slower 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def _state_with(resources: list[Any]) -> Any:
    from localengine.state import Snapshot

    return Snapshot(resources=list(resources))


def test_state_file_renders_an_unchanged_resource_once_and_a_changed_one_afresh(tmp_path: Path) -> None:
    from localengine.secrets import PassphraseSecretsManager
    from localengine.state import ResourceState, StateStore, serialize_deployment

    manager = PassphraseSecretsManager.create("pass")
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cret"}
    stay = ResourceState(
        "urn:pulumi:dev::p::t:index:T::stay", "t:index:T", True, "1", {"a": 1}, {"pw": secret}
    )
    moves = ResourceState(
        "urn:pulumi:dev::p::t:index:T::moves", "t:index:T", True, "2", {"a": 1}, {"pw": secret}
    )
    store = StateStore(tmp_path / "dev.json", "dev")

    def on_disk() -> dict[str, Any]:
        latest = json.loads(store.path.read_text())["checkpoint"]["latest"]
        return {r["urn"].rsplit("::", 1)[-1]: r for r in latest["resources"]}

    store.save(_state_with([stay, moves]), manager)
    first = on_disk()
    moves.outputs = {"pw": secret, "url": "https://x"}  # a step gives it new outputs
    moves.modified = "2026-12-01T00:00:00.000000Z"
    store.save(_state_with([stay, moves]), manager)
    second = on_disk()
    # Unchanged: the same text, ciphertext included (a fresh encryption would differ: random nonce).
    assert second["stay"] == first["stay"]
    assert second["moves"]["outputs"]["url"] == "https://x"
    assert second["moves"]["outputs"]["pw"]["ciphertext"] != first["moves"]["outputs"]["pw"]["ciphertext"]
    assert second["moves"]["modified"] == "2026-12-01T00:00:00.000000Z"
    # What is read back is what an uncached render would have written.
    loaded = store.load(manager)
    expected = serialize_deployment(_state_with([stay, moves]), manager)["resources"]
    assert [r.to_json(lambda v: v) for r in loaded.resources] == [
        r.to_json(lambda v: v) for r in (stay, moves)
    ]
    assert [r["urn"] for r in expected] == [
        r["urn"] for r in json.loads(store.path.read_text())["checkpoint"]["latest"]["resources"]
    ]


def test_state_file_with_no_resources_is_still_a_valid_checkpoint(tmp_path: Path) -> None:
    from localengine.secrets import PassphraseSecretsManager
    from localengine.state import StateStore

    store = StateStore(tmp_path / "dev.json", "dev")
    store.save(_state_with([]), PassphraseSecretsManager.create("pass"))
    assert json.loads(store.path.read_text())["checkpoint"]["latest"]["resources"] == []


def test_a_write_starts_no_sooner_than_three_times_the_last_writes_cost_after_it() -> None:
    from localengine.statewriter import CoalescingSaver

    now = [0.0]
    slept: list[float] = []
    written: list[int] = []

    def write(snapshot: int) -> None:
        now[0] += 1.0  # each write costs one second
        written.append(snapshot)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    saver: CoalescingSaver[int] = CoalescingSaver(write, clock=lambda: now[0], sleep=sleep)
    saver.save(lambda: 1)
    assert slept == []  # the first write waits for nothing
    now[0] += 0.5
    saver.save(lambda: 2)
    assert slept == [2.5]  # 3 x 1 s after the last write ended, 0.5 s of which had passed
    now[0] += 10.0
    saver.save(lambda: 3)
    assert slept == [2.5]  # long enough ago: at once
    assert written == [1, 2, 3]


def test_the_provider_host_is_told_the_project_modules_that_define_dynamic_resources(tmp_path: Path) -> None:
    from localengine.providers.dynamic import dynamic_resource_modules

    (tmp_path / "pkg" / "inner").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "inner" / "thing.py").write_text(
        "from pulumi import dynamic\n\nclass Thing(dynamic.Resource, module='x', name='Thing'):\n    pass\n"
    )
    (tmp_path / "pkg" / "plain.py").write_text("class Plain(object):\n    pass\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "fake.py").write_text(
        "import pulumi\n\nclass F(pulumi.dynamic.Resource):\n    pass\n"
    )
    assert dynamic_resource_modules(tmp_path) == ("pkg.inner.thing",)
    # This project's own: every vendor's resource modules.
    found = dynamic_resource_modules(Path(__file__).resolve().parents[2])
    assert "providers.railway.resources.environment" in found
    assert "providers.neon.resources.project" in found
    assert "providers.supabase.resources.project" in found


def test_the_host_warms_the_modules_it_is_given_and_skips_one_that_fails(
    tmp_path: Path, monkeypatch: Any
) -> None:
    import sys

    from localengine.providers.host_main import warm

    (tmp_path / "warm_ok.py").write_text("VALUE = 1\n")
    (tmp_path / "warm_bad.py").write_text("raise RuntimeError('broken')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    warm(["warm_bad", "warm_ok"])
    assert "warm_ok" in sys.modules and "warm_bad" not in sys.modules
    sys.modules.pop("warm_ok", None)
