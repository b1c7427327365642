"""Budgets of design.md that the local engine can show, measured against the in-process emulator.

    .venv/bin/python -m benchmarks.localengine_budgets [--stack prod] [--latency-ms 50]

Prints, for the stack: the wall time of a first `up` with a fixed latency added to every request, next to
the longest chain of dependent steps (the sum of step times along the longest dependency path, which is
what no amount of concurrency can shorten); then the API requests of a no-change `up` and `preview`
(budget: zero) and of `refresh` (budget: one read per resource).
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from emulator.core.app import Settings
from emulator.testing import running_emulator
from localengine.engine import Engine

REPO = Path(__file__).resolve().parents[1]


def longest_chain(engine: Engine, durations: dict[str, float]) -> tuple[float, list[str]]:
    resources = {r.urn: r for r in engine.store.load(engine._secrets()).resources}
    memo: dict[str, tuple[float, list[str]]] = {}

    def walk(urn: str) -> tuple[float, list[str]]:
        if urn in memo:
            return memo[urn]
        resource = resources.get(urn)
        best: tuple[float, list[str]] = (0.0, [])
        for dep in resource.dependencies if resource else []:
            candidate = walk(dep)
            if candidate[0] > best[0]:
                best = candidate
        memo[urn] = (best[0] + durations.get(urn, 0.0), [*best[1], urn])
        return memo[urn]

    return max((walk(urn) for urn in resources), key=lambda item: item[0], default=(0.0, []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, running_emulator(Settings(time_scale=0)) as emulator:
        os.environ.update(
            PLATFORM_STATE_DIR=state,
            PULUMI_CONFIG_PASSPHRASE=os.environ.get("PULUMI_CONFIG_PASSPHRASE", "local-emulator-only"),
            RAILWAY_API_URL=emulator.railway_url,
            SUPABASE_API_URL=emulator.supabase_url,
            NEON_API_URL=emulator.neon_url,
            RAILWAY_API_TOKEN="bench",
            SUPABASE_ACCESS_TOKEN="bench",
            NEON_API_KEY="bench",
        )
        emulator.app.settings.latency_ms = args.latency_ms

        def engine() -> Engine:
            return Engine(REPO, args.stack, out=io.StringIO())

        started = time.monotonic()
        first = engine().up()
        wall = time.monotonic() - started
        assert first.ok, first.errors
        requests = len(emulator.requests())
        durations = {e.urn: e.duration for e in first.events}
        chain, path = longest_chain(engine(), durations)
        print(f"stack {args.stack}: first up, {requests} API requests, {args.latency_ms:g} ms added to each")
        print(f"  wall time                      {wall:6.2f} s")
        print(f"  longest dependent chain        {chain:6.2f} s  ({len(path)} steps)")
        print(f"  ratio (budget <= 1.25)         {wall / chain if chain else float('nan'):6.2f}")
        print("  chain: " + " -> ".join(urn.rsplit("::", 1)[1] for urn in path))

        emulator.app.settings.latency_ms = 0
        emulator.clear_requests()
        started = time.monotonic()
        again = engine().up()
        overhead = time.monotonic() - started
        print(f"  fixed cost of a run (no-change up: program, provider host, state)  {overhead:6.2f} s")
        print(f"  ratio without that fixed cost  {(wall - overhead) / chain if chain else float('nan'):6.2f}")
        print(f"  no-change up: {len(emulator.requests())} API requests, changes {again.changes() or 'none'}")
        emulator.clear_requests()
        engine().up(preview=True)
        print(f"  no-change preview: {len(emulator.requests())} API requests")
        emulator.clear_requests()
        refreshed = engine().refresh()
        reads = sum(
            1 for e in refreshed.events if e.urn.split("::")[2].split("$")[-1].startswith("pulumi-python")
        )
        print(f"  refresh: {len(emulator.requests())} API requests for {reads} vendor resources")
        cleanup = engine()
        cleanup.set_protect("*", False)
        cleanup.destroy()


if __name__ == "__main__":
    main()
