"""Budget: a Supabase project that takes two minutes to come up costs at most 20 polls.

Runs the Project provider's create against the in-process emulator at time scale 1 (the vendor's real
timings: about two minutes from POST to ACTIVE_HEALTHY). The provider's sleeps advance the emulator's
clock instead of waiting, so the run takes a second of wall time while the emulator sees the real
two minutes. Prints the figures; exits non-zero when the budget is exceeded.

    .venv/bin/python benchmarks/supabase_poll_budget.py [--ready-seconds 120] [--budget 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi import dynamic

from emulator.core.app import Settings
from emulator.supabase import DEFAULT_ORGANIZATION_SLUG
from emulator.testing import running_emulator
from providers.supabase.resources import ProjectProvider


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-seconds", type=float, default=120.0, help="emulated time to ACTIVE_HEALTHY")
    parser.add_argument("--budget", type=int, default=20, help="most polls allowed")
    args = parser.parse_args(argv)

    settings = Settings(
        time_scale=1.0, vendor_options={"supabase": {"project_ready_seconds": args.ready_seconds}}
    )
    with running_emulator(settings) as emulator:
        sleeps: list[float] = []

        def emulated_sleep(seconds: float) -> None:
            sleeps.append(seconds)
            emulator.app.clock.advance(seconds)

        provider = ProjectProvider()
        provider.configure(
            dynamic.ConfigureRequest(
                dynamic.Config(
                    {"supabase:accessToken": "sbp_benchmark", "supabase:apiUrl": emulator.supabase_url},
                    "bench",
                )
            )
        )
        provider.sleep = emulated_sleep
        provider.clock = emulator.app.clock.now
        props = {
            "organization_slug": DEFAULT_ORGANIZATION_SLUG,
            "name": "poll-budget",
            "region": "ca-central-1",
            "database_password": "benchmark-password",
        }
        started_emulated = emulator.app.clock.now()
        started_wall = time.perf_counter()
        outs = provider.create(provider.check({}, props).inputs).outs or {}
        wall = time.perf_counter() - started_wall
        emulated = emulator.app.clock.now() - started_emulated
        log = emulator.requests("supabase")

    polls = [r for r in log if r["operation"] == "v1-get-project"]
    statuses = [r["response"]["status"] for r in polls]
    print(f"project ready after      {emulated:7.1f} s emulated ({wall:.2f} s wall), status {outs['status']}")
    print(f"status polls             {len(polls):7d}   (budget {args.budget})")
    print(f"sleeps between polls     {', '.join(f'{s:.1f}' for s in sleeps)}")
    print(f"statuses seen            {' -> '.join(dict.fromkeys(statuses))}")
    print(f"all requests of create   {len(log):7d}   ({', '.join(sorted({r['operation'] for r in log}))})")
    within = len(polls) <= args.budget and outs["status"] == "ACTIVE_HEALTHY"
    print("within budget" if within else "OVER BUDGET")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
