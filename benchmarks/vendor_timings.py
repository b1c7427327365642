"""First `up` at the vendors' own timings, next to the vendor limit.

    .venv/bin/python -m benchmarks.vendor_timings [--stacks prod omnistack-prod] [--runs 1]

Runs a first `up` of each stack against the in-process emulator at time scale 1 (its vendor timings: a
Railway image deployment takes 22 s, a Neon project's operations 5 s, a Supabase project two minutes) and
prints the wall time next to the **vendor limit**: the longest chain of dependencies the vendors impose,
each step at the vendor's own duration. It is computed, not written down:

- the graph is the stack's dependency graph (from state after the run), keeping only the edges the vendor
  or the application needs (`NEEDED`: a service needs its project and its variables' sources, a
  deployment its service, volume and migration, a domain its service, a migration its database...); an
  edge the program has but the vendor does not impose does not lengthen the limit, it lengthens the run;
- each step's duration comes from the emulator's timing model for the objects the step made: a Railway
  deployment's stages, the Neon operations a project create scheduled, the Supabase project's time to
  ACTIVE_HEALTHY (and its services'); every other step is one request, counted as zero.

Budget: wall time at most 1.15x the vendor limit. The wall time includes the engine's fixed cost (program
start, provider host, state), printed too.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.core.app import Settings
from emulator.testing import RunningEmulator, running_emulator
from localengine.engine import Engine
from localengine.props import reveal
from localengine.state import ResourceState

REPO = Path(__file__).resolve().parents[1]
BUDGET = 1.15

# What each kind of resource really needs before it can be made (by type-token suffix). An edge of the
# program's graph counts toward the vendor limit only when its target's kind is listed for its source's.
RAILWAY_APP_INPUTS = {
    "Project",
    "Environment",
    "RandomPassword",
    "neon:Project",
    "supabase:Project",
    "Command",
}
NEEDED: dict[str, set[str]] = {
    "railway:Service": RAILWAY_APP_INPUTS,  # variables (DB URL, secrets) at creation; migration first
    "railway:ServiceInstance": {"Service", "Volume", "Command"},
    "railway:Volume": {"Service"},
    "railway:ServiceDomain": {"Service"},
    "railway:CustomDomain": {"Service"},
    "railway:TcpProxy": {"Service"},
    "railway:Variables": RAILWAY_APP_INPUTS,
    "railway:NotificationRule": {"Project", "Environment", "Service"},
    "railway:ObservabilityDashboard": {"Project", "Environment", "Service"},
    "railway:Environment": {"Project"},
    # a migration needs a running database; a smoke check the deployment and its domain
    "Command": {"neon:Project", "supabase:Project", "ServiceInstance", "TcpProxy", "ServiceDomain"},
    "supabase:Project": {"RandomPassword"},
}
SUPABASE_SETTINGS_NEED = {"supabase:Project"}


def kind(type_token: str) -> str:
    """`pulumi-python:dynamic/railway:Service` -> `railway:Service`; `command:local:Command` -> `Command`."""
    tail = type_token.rsplit("/", 1)[-1]
    return (
        tail
        if tail.count(":") == 1 and not type_token.startswith(("command:", "random:"))
        else tail.rsplit(":", 1)[-1]
    )


def needs(dependent: str, dependency: str) -> bool:
    wanted = NEEDED.get(dependent)
    if wanted is None and dependent.startswith("supabase:"):
        wanted = SUPABASE_SETTINGS_NEED
    if wanted is None and dependent.startswith("neon:"):
        wanted = {"neon:Project"}
    if not wanted:
        return False
    return dependency in wanted or dependency.rsplit(":", 1)[-1] in wanted


def vendor_durations(resources: list[ResourceState], emulator: RunningEmulator) -> dict[str, float]:
    """Seconds each step takes at the vendor, from the emulator's timing model (see the module docstring)."""
    railway = emulator.app.vendors["railway"].dump_state()
    neon = emulator.app.vendors["neon"].dump_state()
    supabase_ready = float(emulator.app.vendor_option("supabase", "project_ready_seconds", 120.0))
    supabase_services = float(emulator.app.vendor_option("supabase", "services_ready_seconds", 15.0))
    durations: dict[str, float] = {}
    for resource in resources:
        k, outputs = kind(resource.type), reveal(resource.outputs)
        if k == "railway:ServiceInstance" and outputs.get("deployment_id"):
            deployment = railway["deployments"].get(outputs["deployment_id"]) or {}
            durations[resource.urn] = sum(float(seconds) for _, seconds in deployment.get("stages", []))
        elif k == "neon:Project":
            ops = [op for op in neon["operations"].values() if op.get("project_id") == resource.id]
            if ops:
                first = min(op["_created"] for op in ops)
                created = [op for op in ops if op["_created"] == first]
                durations[resource.urn] = max(op["_start_after"] + op["_duration"] for op in created)
        elif k == "supabase:Project":
            durations[resource.urn] = supabase_ready
        elif k.startswith("supabase:"):
            durations[resource.urn] = supabase_services
    return durations


def vendor_limit(resources: list[ResourceState], durations: Mapping[str, float]) -> tuple[float, list[str]]:
    """The longest chain over the needed edges, with each step at its vendor duration."""
    by_urn = {r.urn: r for r in resources}
    memo: dict[str, tuple[float, list[str]]] = {}

    def walk(urn: str) -> tuple[float, list[str]]:
        if urn not in memo:
            resource = by_urn[urn]
            best: tuple[float, list[str]] = (0.0, [])
            for dep in resource.dependencies:
                if dep in by_urn and needs(kind(resource.type), kind(by_urn[dep].type)):
                    candidate = walk(dep)
                    if candidate[0] > best[0]:
                        best = candidate
            memo[urn] = (best[0] + durations.get(urn, 0.0), [*best[1], urn])
        return memo[urn]

    return max((walk(urn) for urn in by_urn), key=lambda item: item[0], default=(0.0, []))


def config_file_for(stack: str) -> Path | None:
    """`prod`: the repository's own stack; `<seed>-<env>`: examples/<seed>/Pulumi.<env>.yaml."""
    if (REPO / f"Pulumi.{stack}.yaml").is_file():
        return None
    seed, _, env = stack.partition("-")
    return REPO / "examples" / seed / f"Pulumi.{env}.yaml"


def largest_example() -> str:
    """The example stack with the most services (then the longest file)."""
    best: tuple[int, int, str] = (0, 0, "")
    for path in sorted((REPO / "examples").glob("*/Pulumi.*.yaml")):
        text = path.read_text()
        candidate = (text.count("kind:"), len(text), f"{path.parent.name}-{path.stem.split('.', 1)[1]}")
        best = max(best, candidate)
    return best[2]


def measure(stack: str, emulator: RunningEmulator, state_dir: Path) -> dict[str, Any]:
    os.environ["PLATFORM_STATE_DIR"] = str(state_dir / stack / str(time.monotonic_ns()))
    config_file = config_file_for(stack)

    def engine() -> Engine:
        return Engine(REPO, stack, out=io.StringIO(), config_file=config_file)

    started = time.monotonic()
    first = engine().up()
    wall = time.monotonic() - started
    if not first.ok:
        raise RuntimeError(f"{stack}: {first.errors}")
    resources = engine().store.load(engine()._secrets()).resources
    durations = vendor_durations(resources, emulator)
    limit, chain = vendor_limit(resources, durations)
    started = time.monotonic()
    engine().up()  # no change: the engine's fixed cost of a run
    fixed = time.monotonic() - started
    cleanup = engine()
    cleanup.set_protect("*", False)
    cleanup.destroy()
    return {"wall": wall, "limit": limit, "chain": chain, "durations": durations, "fixed": fixed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", nargs="+", default=None, help="default: prod and the largest example")
    parser.add_argument("--runs", type=int, default=1, help="first ups per stack (median reported)")
    args = parser.parse_args(argv)
    stacks = args.stacks or ["prod", largest_example()]
    within = True
    with tempfile.TemporaryDirectory() as state, running_emulator(Settings(time_scale=1.0)) as emulator:
        os.environ.update(
            PULUMI_CONFIG_PASSPHRASE=os.environ.get("PULUMI_CONFIG_PASSPHRASE", "local-emulator-only"),
            RAILWAY_API_URL=emulator.railway_url,
            SUPABASE_API_URL=emulator.supabase_url,
            NEON_API_URL=emulator.neon_url,
            RAILWAY_API_TOKEN="bench",
            SUPABASE_ACCESS_TOKEN="bench",
            NEON_API_KEY="bench",
        )
        for stack in stacks:
            runs = [measure(stack, emulator, Path(state)) for _ in range(args.runs)]
            wall = statistics.median(r["wall"] for r in runs)
            fixed = statistics.median(r["fixed"] for r in runs)
            last = runs[-1]
            ratio = wall / last["limit"] if last["limit"] else float("nan")
            within = within and ratio <= BUDGET
            walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
            print(f"stack {stack}: first up at the vendors' timings (emulator time scale 1)")
            print(f"  wall time            {wall:6.1f} s   (runs: {walls})")
            print(f"  vendor limit         {last['limit']:6.1f} s   ({len(last['chain'])} steps)")
            print(f"  ratio                {ratio:6.2f}     (budget <= {BUDGET})")
            print(f"  engine's fixed cost  {fixed:6.1f} s   (a no-change up: program, provider host, state)")
            steps = [
                f"{urn.rsplit('::', 1)[1]} ({last['durations'][urn]:.1f} s)"
                if last["durations"].get(urn)
                else urn.rsplit("::", 1)[1]
                for urn in last["chain"]
            ]
            print("  vendor chain: " + " -> ".join(steps))
    print("within budget" if within else "OVER BUDGET")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
