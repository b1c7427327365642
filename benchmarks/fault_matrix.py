"""The fault matrix: every mutating request our stacks send, failed on purpose, and what the run made of it.

    .venv/bin/python -m benchmarks.fault_matrix [--full] [--stack dev --stack nestsync-prod ...]

For each stack, a clean `up` records the mutating operations it sends (vendor, operation). Then, for each
operation, the emulator's fault injection (`POST /_emulator/faults`) fails it in one of these ways:

- `transient`: 503 (`Retry-After: 0`) and then 429 before the vendor acts. The same `up` must succeed.
- `lost`: the vendor acts, then the connection is cut (`cut: true, when: after`). The same `up`, or the
  next, must succeed, with exactly the declared objects at the vendor (no duplicate, no orphan).
- `lost504`: the vendor acts, then the client sees 504.
- `permanent`: 500 before the call, every time. The `up` must fail with one clear error naming the
  resource (no traceback, no "Future exception was never retrieved"); the next `up`, faults cleared, must
  converge to exactly the declared objects.

After each case `destroy` must leave the emulator empty. The sampled matrix (the default, and what
`make test` runs) injects every operation's lost answer at once, in one run per stack; `--full` (or
FAULTS_FULL=1 in the tests) runs every kind for every operation on its own. The figures printed are the
ones the README quotes.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bad_configs import bad_config_figures
from emulator.core.app import Settings
from emulator.testing import RunningEmulator, running_emulator
from localengine.engine import Engine, Result
from localengine.project import Project, set_config_value

REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "fault-matrix"
# The stacks whose requests, together, cover every mutating operation the program sends.
DEFAULT_STACKS = ("prod", "nestsync-prod", "kars-prod")
KINDS = ("transient", "lost", "lost504", "permanent")
# What a clean `up` of each default stack sends that changes something (checked on every case: a fault
# injected for an operation the run never sent, or a mutating operation not listed here, fails the case).
STACK_OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "prod": (
        ("railway", "projectCreate"),
        ("neon", "createProject"),
        ("railway", "serviceCreate"),
        ("railway", "notificationRuleCreate"),
        ("railway", "volumeCreate"),
        ("railway", "volumeInstanceBackupScheduleUpdate"),
        ("railway", "serviceInstanceUpdate"),
        ("railway", "serviceInstanceLimitsUpdate"),
        ("railway", "serviceInstanceDeployV2"),
        ("railway", "observabilityDashboardCreate"),
        ("railway", "observabilityDashboardUpdate"),
        ("railway", "serviceDomainCreate"),
        ("railway", "customDomainCreate"),
    ),
    "nestsync-prod": (
        ("railway", "projectCreate"),
        ("railway", "notificationRuleCreate"),
        ("railway", "serviceCreate"),
        ("railway", "serviceInstanceUpdate"),
        ("railway", "serviceInstanceLimitsUpdate"),
        ("railway", "serviceInstanceDeployV2"),
        ("supabase", "v1-create-a-project"),
        ("supabase", "v1-apply-project-addon"),
        ("supabase", "v1-update-backup-schedule"),
        ("railway", "observabilityDashboardCreate"),
        ("railway", "observabilityDashboardUpdate"),
        ("railway", "customDomainCreate"),
        ("railway", "serviceDomainCreate"),
    ),
    "kars-prod": (
        ("railway", "projectCreate"),
        ("railway", "notificationRuleCreate"),
        ("railway", "serviceCreate"),
        ("railway", "volumeCreate"),
        ("railway", "volumeInstanceBackupScheduleUpdate"),
        ("railway", "serviceInstanceUpdate"),
        ("railway", "serviceInstanceLimitsUpdate"),
        ("railway", "serviceInstanceDeployV2"),
        ("railway", "tcpProxyCreate"),
        ("railway", "customDomainCreate"),
        ("railway", "serviceDomainCreate"),
    ),
}

# Engine resource type -> (vendor, emulator collection) of the objects a stack owns outright.
OWNED = {
    "pulumi-python:dynamic/railway:Project": ("railway", "projects"),
    "pulumi-python:dynamic/railway:Service": ("railway", "services"),
    "pulumi-python:dynamic/railway:ServiceDomain": ("railway", "serviceDomains"),
    "pulumi-python:dynamic/railway:CustomDomain": ("railway", "customDomains"),
    "pulumi-python:dynamic/railway:Volume": ("railway", "volumes"),
    "pulumi-python:dynamic/railway:TcpProxy": ("railway", "tcpProxies"),
    "pulumi-python:dynamic/railway:NotificationRule": ("railway", "notificationRules"),
    "pulumi-python:dynamic/neon:Project": ("neon", "projects"),
    "pulumi-python:dynamic/supabase:Project": ("supabase", "projects"),
}
SECRET_COMMAND = re.compile(
    r"pulumi config set (?:-s \S+ --config-file \S+ )?--secret --path '([^']+)' (\S+)"
)
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Future exception was never retrieved")


def stack_files() -> dict[str, Path]:
    files = {path.name.split(".")[1]: path for path in sorted(REPO.glob("Pulumi.*.yaml"))}
    for path in sorted(REPO.glob("examples/*/Pulumi.*.yaml")):
        files[f"{path.parent.name}-{path.name.split('.')[1]}"] = path
    return files


@dataclass(frozen=True)
class Case:
    stack: str
    kind: str
    operations: tuple[tuple[str, str], ...]  # (vendor, operation) failed in this case

    @property
    def label(self) -> str:
        ops = ",".join(op for _, op in self.operations)
        if len(self.operations) > 3:
            ops = f"{len(self.operations)} operations"
        return f"{self.stack}/{self.kind}/{ops}"


@dataclass
class Outcome:
    case: Case
    survived: bool = False
    orphans: int = 0
    duplicates: int = 0
    left_after_destroy: int = 0
    tracebacks: int = 0
    problems: list[str] = field(default_factory=list)


def live_objects(emulator: RunningEmulator) -> dict[tuple[str, str], list[dict[str, Any]]]:
    state = emulator.state()
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for vendor, collection in set(OWNED.values()):
        objects = state.get(vendor, {}).get(collection, [])
        items = objects.values() if isinstance(objects, dict) else objects
        out[(vendor, collection)] = [
            item
            for item in items
            if not (
                item.get("deletedAt") or item.get("status") in ("REMOVED", "DELETED") or item.get("deleted")
            )
        ]
    return out


def _object_id(item: dict[str, Any]) -> str:
    return str(item.get("ref") or item.get("id"))


class StackHarness:
    """One stack's settings copied to a scratch folder, its secrets set, and engine runs against it."""

    def __init__(self, name: str, source: Path, folder: Path, emulator: RunningEmulator) -> None:
        self.name = name
        self.emulator = emulator
        self.folder = folder
        self.config_file = folder / source.name
        shutil.copy(source, self.config_file)
        self.output = io.StringIO()
        project = Project.load(REPO)
        project.config_files[name] = self.config_file
        for line in source.read_text().splitlines():
            match = SECRET_COMMAND.search(line)
            if match and "(optional)" not in line:
                value = re.sub(r"<[^>]*>", "x1", match.group(2))
                set_config_value(project, name, match.group(1), value, secret=True, path_key=True)

    def engine(self) -> Engine:
        self.output = io.StringIO()
        return Engine(REPO, self.name, out=self.output, config_file=self.config_file)

    def up(self) -> tuple[Result, str]:
        result = self.engine().up()
        return result, self.output.getvalue()

    def destroy(self) -> tuple[Result, str]:
        engine = self.engine()
        engine.set_protect("*", False)
        result = engine.destroy()
        return result, self.output.getvalue()

    def declared(self) -> dict[tuple[str, str], set[str]]:
        engine = self.engine()
        resources = engine.store.load(engine._secrets()).resources
        out: dict[tuple[str, str], set[str]] = {key: set() for key in set(OWNED.values())}
        for r in resources:
            if r.type in OWNED and not r.delete and r.id:
                out[OWNED[r.type]].add(r.id)
        return out

    def reset_state(self) -> None:
        shutil.rmtree(Path(os.environ["PLATFORM_STATE_DIR"]), ignore_errors=True)


def mutating_operations(harness: StackHarness) -> list[tuple[str, str]]:
    """The (vendor, operation) pairs a clean `up` of the stack sends that change something, in order."""
    emulator = harness.emulator
    emulator.reset()
    harness.reset_state()
    result, output = harness.up()
    if not result.ok:
        raise RuntimeError(f"{harness.name}: a clean up failed:\n{output}")
    seen: list[tuple[str, str]] = []
    for request in emulator.requests():
        if not is_mutation(request):
            continue
        key = (request["vendor"], request["operation"])
        if key not in seen:
            seen.append(key)
    harness.destroy()
    return seen


def is_mutation(request: dict[str, Any]) -> bool:
    if request["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    if request["vendor"] == "railway":
        query = (request.get("request") or {}).get("query") or ""
        return str(query).lstrip().startswith("mutation")
    return True


def faults_for(case: Case) -> list[dict[str, Any]]:
    faults: list[dict[str, Any]] = []
    if case.kind == "transient":
        # Rate limits first (any request of the vendor), then two 503s on each operation: a request takes
        # every fault that matches it at once, so the two kinds are served to different requests.
        for vendor in sorted({vendor for vendor, _ in case.operations}):
            faults.append({"vendor": vendor, "status": 429, "retry_after": 0, "count": 2})
    for vendor, operation in case.operations:
        base = {"vendor": vendor, "operation": operation}
        if case.kind == "transient":
            faults.append({**base, "status": 503, "retry_after": 0, "count": 2})
        elif case.kind == "lost":
            faults.append({**base, "when": "after", "cut": True, "count": 1})
        elif case.kind == "lost504":
            faults.append({**base, "when": "after", "status": 504, "count": 1})
        elif case.kind == "permanent":
            faults.append({**base, "status": 500, "count": 1000, "body": {"message": "injected failure"}})
    return faults


def _clear_faults(emulator: RunningEmulator) -> None:
    with emulator.app._lock:
        emulator.app.faults.clear()


def count_tracebacks(output: str) -> int:
    return sum(output.count(marker) for marker in TRACEBACK_MARKERS)


def run_case(harness: StackHarness, case: Case) -> Outcome:
    outcome = Outcome(case)
    emulator = harness.emulator
    emulator.reset()
    harness.reset_state()
    for fault in faults_for(case):
        emulator.inject(**fault)
    first, output = harness.up()
    outcome.tracebacks += count_tracebacks(output)
    if case.kind == "transient" and not first.ok:
        outcome.problems.append(f"transient faults failed the run:\n{_tail(output)}")
    if case.kind == "permanent":
        if first.ok:
            outcome.problems.append("a permanent fault did not fail the run")
        else:
            errors = [line for line in output.splitlines() if line.strip().startswith("error:")]
            if not errors:
                outcome.problems.append(f"the failed run printed no error:\n{_tail(output)}")
    with emulator.app._lock:
        unsent = [(f.vendor, f.operation) for f in emulator.app.faults if f.operation is not None]
    if first.ok and unsent:
        outcome.problems.append(f"faults injected for operations the run never sent: {sorted(set(unsent))}")
    known = set(STACK_OPERATIONS.get(case.stack, case.operations))
    sent = {(r["vendor"], r["operation"]) for r in emulator.requests() if is_mutation(r)}
    if first.ok and sent - known:
        outcome.problems.append(f"mutating operations the matrix does not cover: {sorted(sent - known)}")
    _clear_faults(emulator)
    runs = [first]
    if not first.ok:
        second, output = harness.up()
        outcome.tracebacks += count_tracebacks(output)
        runs.append(second)
        if not second.ok:
            outcome.problems.append(f"the next run, faults cleared, failed:\n{_tail(output)}")
    declared = harness.declared()
    live = live_objects(emulator)
    for key, objects in live.items():
        ids = [_object_id(o) for o in objects]
        names: dict[str, int] = {}
        for o in objects:
            name = o.get("name") or o.get("domain") or o.get("mountPath")
            if name and key[1] in ("projects", "services", "customDomains"):
                names[f"{o.get('projectId', '')}/{name}"] = (
                    names.get(f"{o.get('projectId', '')}/{name}", 0) + 1
                )
        outcome.duplicates += sum(n - 1 for n in names.values() if n > 1)
        orphans = set(ids) - declared.get(key, set())
        outcome.orphans += len(orphans)
        if orphans:
            outcome.problems.append(f"{key[1]} at the vendor but not in state: {sorted(orphans)}")
        missing = declared.get(key, set()) - set(ids)
        if missing:
            outcome.problems.append(f"{key[1]} in state but gone at the vendor: {sorted(missing)}")
    if outcome.duplicates:
        outcome.problems.append(f"{outcome.duplicates} duplicate objects")
    destroyed, output = harness.destroy()
    outcome.tracebacks += count_tracebacks(output)
    if not destroyed.ok:
        outcome.problems.append(f"destroy failed:\n{_tail(output)}")
    left = live_objects(emulator)
    outcome.left_after_destroy = sum(len(v) for v in left.values())
    if outcome.left_after_destroy:
        outcome.problems.append(f"{outcome.left_after_destroy} objects left after destroy")
    if outcome.tracebacks:
        outcome.problems.append(f"{outcome.tracebacks} tracebacks printed")
    outcome.survived = not outcome.problems
    return outcome


def _tail(output: str, lines: int = 30) -> str:
    return "\n".join(output.splitlines()[-lines:])


def all_cases(stacks: tuple[str, ...], *, full: bool) -> list[Case]:
    """Sampled: per stack, every operation's lost answer at once (each request failed once). Full: every
    kind for every operation on its own, each operation in the first stack that sends it."""
    if not full:
        return [Case(stack, "lost", STACK_OPERATIONS[stack]) for stack in stacks]
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for stack in stacks:
        for operation in STACK_OPERATIONS[stack]:
            if operation not in seen:
                seen.add(operation)
                cases += [Case(stack, kind, (operation,)) for kind in KINDS]
    return cases


@contextmanager
def fault_environment(emulator: RunningEmulator, state_dir: Path) -> Iterator[None]:
    names = {
        "PLATFORM_STATE_DIR": str(state_dir),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "RAILWAY_API_URL": emulator.railway_url,
        "SUPABASE_API_URL": emulator.supabase_url,
        "NEON_API_URL": emulator.neon_url,
        "RAILWAY_API_TOKEN": "faults",
        "SUPABASE_ACCESS_TOKEN": "faults",
        "NEON_API_KEY": "faults",
    }
    previous = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_matrix(
    emulator: RunningEmulator, folder: Path, stacks: tuple[str, ...], *, full: bool
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with fault_environment(emulator, folder / "state"):
        harnesses: dict[str, StackHarness] = {}
        for case in all_cases(stacks, full=full):
            if case.stack not in harnesses:
                harnesses[case.stack] = StackHarness(case.stack, stack_files()[case.stack], folder, emulator)
            outcome = run_case(harnesses[case.stack], case)
            outcomes.append(outcome)
            print(f"  {'ok' if outcome.survived else 'FAILED':6} {case.label}", flush=True)
            for problem in outcome.problems:
                print("         " + problem.replace("\n", "\n         "), flush=True)
    return outcomes


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "faults survived": f"{sum(o.survived for o in outcomes)}/{len(outcomes)}",
        "operations covered": len({op for o in outcomes for op in o.case.operations}),
        "orphans": sum(o.orphans for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
        "left after destroy": sum(o.left_after_destroy for o in outcomes),
        "failed runs with tracebacks": sum(1 for o in outcomes if o.tracebacks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--full", action="store_true", help="every fault kind for every operation, one by one"
    )
    parser.add_argument(
        "--stack", action="append", help=f"stacks to run (default {', '.join(DEFAULT_STACKS)})"
    )
    args = parser.parse_args()
    stacks = tuple(args.stack or DEFAULT_STACKS)
    with tempfile.TemporaryDirectory() as folder, running_emulator(Settings(time_scale=0)) as emulator:
        outcomes = run_matrix(emulator, Path(folder), stacks, full=args.full)
        bad = bad_config_figures(Path(folder), emulator)
    print()
    for name, value in {**figures(outcomes), **bad}.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
