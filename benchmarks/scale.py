"""Scale: `preview` and `up` of generated stacks with 25, 100 and 200 services.

    .venv/bin/python -m benchmarks.scale [--sizes 25 100 200] [--runs 3] [--skip-up]

Each stack file is generated (half web services with a health check and a domain, half workers, all on a
Neon database and Redis). Against one in-process emulator (time scale 0: every async transition completes
on the next poll, so the figures are the engine's and the providers' own cost, not the vendors' waits),
for each size it runs, each in a fresh process with `--parallel 32`: a first `preview`, a first `up`, a
no-change `preview` and a no-change `up`. It prints wall time (median of `--runs`) and CPU seconds, the
peak memory of the engine process and of its largest child (the dynamic-provider host, or a command
forked from the engine, which starts at the engine's size), and the API requests per service. Budgets:
time and memory grow at most linearly; a no-change preview of 200 services under 10 s; a first `up` of
100 services at most 6 requests per service. The emulator enforces the vendors' documented rate limits
(Railway's 50 requests per second of the Pro plan, Neon's 700 per minute, Supabase's 120 per minute per
endpoint; Railway's per-hour limit is not emulated, the pacer keeps to it too): no request may be
answered 429.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
# `--parallel` of each run: the in-process emulator (one event loop, on a busy shared machine) answers 32
# concurrent steps' requests well within the providers' 30 s read timeout; hundreds at once it does not.
PARALLEL = 32


def stack_document(services: int) -> dict[str, Any]:
    """A stack file with `services` services (alternately web and worker) on Neon and Redis."""
    defined: dict[str, Any] = {}
    for index in range(services):
        name = f"svc{index:03d}"
        if index % 2 == 0:
            defined[name] = {
                "kind": "web",
                "image": "ghcr.io/acme/api:1.0.0",
                "start": "node server.js",
                "port": 5000,
                "healthcheck": "/health",
                "env": {"NODE_ENV": "production"},
            }
        else:
            defined[name] = {
                "kind": "worker",
                "image": "ghcr.io/acme/api:1.0.0",
                "start": "node worker.js",
                "env": {"NODE_ENV": "production"},
            }
    return {
        "config": {
            "platform:app": "scale",
            "platform:railway": {"project": f"scale-{services}", "region": "us-west2"},
            "platform:database": {"engine": "neon", "region": "aws-us-west-2"},
            "platform:redis": {"memory": "256mb"},
            "platform:services": defined,
        }
    }


def write_stack_file(directory: Path, services: int) -> Path:
    path = directory / f"Pulumi.scale-{services}.yaml"
    path.write_text(yaml.safe_dump(stack_document(services), sort_keys=False))
    return path


# -- one run, in its own process ----------------------------------------------------------------------------
def run_one(stack: str, config_file: Path, operation: str) -> dict[str, Any]:
    import io

    from localengine.engine import Engine

    engine = Engine(REPO, stack, out=io.StringIO(), config_file=config_file)
    started = time.perf_counter()
    result = engine.up(preview=operation == "preview", parallel=PARALLEL)
    wall = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN is the largest waited-for child: the provider host.
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    engine_kib, host_kib = own.ru_maxrss, children.ru_maxrss
    return {
        "ok": result.ok,
        "errors": result.errors[:3],
        "wall": wall,
        # CPU seconds (engine + provider host): less noisy than wall time on a shared machine.
        "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
        "engine_mib": engine_kib / 1024,
        "host_mib": host_kib / 1024,
        "changes": result.changes(),
        "steps": len(result.events),
    }


def run_in_child(stack: str, config_file: Path, operation: str, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--child", stack, str(config_file), operation],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{operation} of {stack} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
        )
    report: dict[str, Any] = json.loads(lines[-1])
    if not report["ok"]:
        raise RuntimeError(f"{operation} of {stack} failed: {report['errors']}")
    return report


# -- the driver ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 200])
    parser.add_argument("--runs", type=int, default=3, help="runs of each preview (median reported)")
    parser.add_argument("--skip-up", action="store_true", help="previews only")
    parser.add_argument(
        "--child", nargs=3, metavar=("STACK", "CONFIG_FILE", "OPERATION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        stack, config_file, operation = args.child
        print(json.dumps(run_one(stack, Path(config_file), operation)))
        return 0

    from emulator.core.app import Settings
    from emulator.testing import running_emulator

    rows: list[dict[str, Any]] = []
    # The emulator enforces the vendors' documented limits (Railway Pro 50/s, Neon 700/min, Supabase
    # 120/min per endpoint): the runs must pace themselves to them and never be answered 429.
    vendor_limits = {
        "railway": {"rate_limit_per_second": 50},
        "neon": {"rate_limit_per_minute": 700},
        "supabase": {"rate_limit_per_minute": 120},
    }
    settings = Settings(time_scale=0, vendor_options=vendor_limits)
    with tempfile.TemporaryDirectory() as work, running_emulator(settings) as emulator:
        directory = Path(work)
        env = {
            **os.environ,
            "PLATFORM_STATE_DIR": str(directory / "state"),
            "PULUMI_CONFIG_PASSPHRASE": "local-emulator-only",
            "RAILWAY_API_URL": emulator.railway_url,
            "SUPABASE_API_URL": emulator.supabase_url,
            "NEON_API_URL": emulator.neon_url,
            "RAILWAY_API_TOKEN": "bench",
            "SUPABASE_ACCESS_TOKEN": "bench",
            "NEON_API_KEY": "bench",
            "PLATFORM_COMMANDS": "echo",
        }
        for size in args.sizes:
            stack = f"scale-{size}"
            config_file = write_stack_file(directory, size)

            def measured(
                operation: str, runs: int, stack: str = stack, config_file: Path = config_file
            ) -> dict[str, Any]:
                reports = []
                for _ in range(runs):
                    emulator.clear_requests()
                    report = run_in_child(stack, config_file, operation, env)
                    report["requests"] = len(emulator.requests())
                    report["status_429"] = sum(1 for r in emulator.requests() if r["status"] == 429)
                    reports.append(report)
                median = dict(reports[-1])
                median["wall"] = statistics.median(r["wall"] for r in reports)
                median["cpu"] = statistics.median(r["cpu"] for r in reports)
                median["walls"] = [r["wall"] for r in reports]
                return median

            row: dict[str, Any] = {"size": size, "first preview": measured("preview", args.runs)}
            if not args.skip_up:
                row["first up"] = measured("up", 1)
                row["no-change preview"] = measured("preview", args.runs)
                row["no-change up"] = measured("up", 1)
            rows.append(row)
            print_row(row, flush=True)
    print_summary(rows)
    return 0


def print_row(row: dict[str, Any], *, flush: bool = False) -> None:
    size = row["size"]
    print(f"{size} services:", flush=flush)
    for name, report in row.items():
        if name == "size":
            continue
        walls = ", ".join(f"{w:.1f}" for w in report.get("walls", [report["wall"]]))
        print(
            f"  {name:18s} {report['wall']:7.2f} s (runs {walls}; {report['cpu']:.1f} s CPU)  "
            f"engine {report['engine_mib']:6.0f} MiB  "
            f"host {report['host_mib']:5.0f} MiB  {report['requests']:5d} requests "
            f"({report['requests'] / size:.2f} per service, {report['status_429']} answered 429)  "
            f"{report['steps']} steps",
            flush=flush,
        )


def print_summary(rows: list[dict[str, Any]]) -> None:
    if len(rows) < 2:
        return
    base = rows[0]
    print(f"growth against {base['size']} services (linear = the size ratio):")
    for row in rows[1:]:
        ratio = row["size"] / base["size"]
        parts = [f"size x{ratio:.0f}"]
        for name in ("first preview", "no-change preview", "first up"):
            if name in row:
                parts.append(
                    f"{name} time x{row[name]['wall'] / base[name]['wall']:.1f} "
                    f"(CPU x{row[name]['cpu'] / base[name]['cpu']:.1f})"
                )
        parts.append(
            f"engine memory x{row['first preview']['engine_mib'] / base['first preview']['engine_mib']:.1f}"
        )
        print("  " + ", ".join(parts))
    for row in rows:
        if row["size"] == 200 and "no-change preview" in row:
            wall = row["no-change preview"]["wall"]
            print(f"no-change preview of 200 services: {wall:.1f} s (budget < 10 s)")
        if row["size"] == 100 and "first up" in row:
            per = row["first up"]["requests"] / 100
            print(f"first up of 100 services: {per:.2f} requests per service (budget <= 6)")


if __name__ == "__main__":
    sys.exit(main())
