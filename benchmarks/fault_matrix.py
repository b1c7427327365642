"""The fault matrix: every mutating request our stacks send, failed on purpose, and what the run made of it.

    .venv/bin/python -m benchmarks.fault_matrix [--full] [--workers N] [--stack prod --stack kars-prod ...]

Each stack's mutating operations are listed below: what a clean `up` sends (creates and updates) and what
its `destroy` sends (deletes); every case checks that the runs sent no other. For an operation, the
emulator's fault injection (`POST /_emulator/faults`) fails it in one of these ways:

- `transient`: 429 (`Retry-After: 0`) and then 503s before the vendor acts. The same run must succeed.
- `lost`: the vendor acts, then the connection is cut (`cut: true, when: after`). The same run, or the
  next, must succeed, with exactly the declared objects at the vendor (no duplicate, no orphan).
- `lost504`: the vendor acts, then the client sees 504.
- `permanent`: 500 before the call, every time. The run must fail with one clear error naming the
  resource and the vendor's message (no traceback, no "Future exception was never retrieved"); the next
  run, faults cleared, must converge to exactly the declared objects (for `destroy`: to nothing).

A case fails operations of `up` and/or of `destroy`: the `up` phase (faults, a second `up` if the first
failed, the vendor compared with state) ends with the faults cleared before the `destroy` phase injects its
own; after the case the emulator must be empty. The sampled matrix (the default, and what `make test` runs)
injects every operation's lost answer at once, one case per stack, plus every stack's transient faults at
once and one permanent fault in each phase; `--full` (or FAULTS_FULL=1 in the tests) runs every kind for
every operation on its own (an `up` operation and a `destroy` operation of the same stack share a case).

Cases run in parallel worker processes (`--workers`, FAULTS_WORKERS; default 2), each with its own
in-process emulator and state folder, and with `PLATFORM_BACKOFF_SCALE=0.01` (providers/backoff.py): the
providers' own back-off and poll intervals shrink, the waits the vendor asks for (`Retry-After`) do not,
and the faults ask for none. The figures printed are the ones the README quotes.
"""

from __future__ import annotations

import argparse
import io
import itertools
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bad_configs import bad_config_figures
from emulator.core.app import Settings
from emulator.testing import RunningEmulator, running_emulator
from localengine.engine import Engine, Result
from localengine.project import Project, set_config_value
from localengine.providers import dynamic
from providers.backoff import BACKOFF_SCALE_ENV

REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "fault-matrix"
BACKOFF_SCALE = "0.01"
WORKERS_ENV = "FAULTS_WORKERS"
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
# What each stack's `destroy` sends (in the order of a clean run's first request of each).
STACK_TEARDOWN_OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "prod": (
        ("railway", "observabilityDashboardReset"),
        ("railway", "customDomainDelete"),
        ("railway", "notificationRuleDelete"),
        ("railway", "serviceDomainDelete"),
        ("railway", "volumeDelete"),
        ("railway", "serviceDelete"),
        ("railway", "projectDelete"),
        ("neon", "deleteProject"),
    ),
    "nestsync-prod": (
        ("railway", "customDomainDelete"),
        ("railway", "observabilityDashboardReset"),
        ("railway", "notificationRuleDelete"),
        ("railway", "serviceDelete"),
        ("supabase", "v1-remove-project-addon"),
        ("railway", "serviceDomainDelete"),
        ("railway", "projectDelete"),
        ("supabase", "v1-delete-a-project"),
    ),
    "kars-prod": (
        ("railway", "serviceDomainDelete"),
        ("railway", "notificationRuleDelete"),
        ("railway", "customDomainDelete"),
        ("railway", "serviceDelete"),
        ("railway", "volumeDelete"),
        ("railway", "tcpProxyDelete"),
        ("railway", "projectDelete"),
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
    operations: tuple[tuple[str, str], ...]  # (vendor, operation) of `up` failed in this case
    teardown: tuple[tuple[str, str], ...] = ()  # (vendor, operation) of `destroy` failed in this case

    @property
    def failed(self) -> tuple[tuple[str, str], ...]:
        return self.operations + self.teardown

    @property
    def label(self) -> str:
        def named(operations: tuple[tuple[str, str], ...]) -> str:
            if len(operations) > 3:
                return f"{len(operations)} operations"
            return ",".join(op for _, op in operations)

        phases = [f"up:{named(self.operations)}"] if self.operations else []
        phases += [f"destroy:{named(self.teardown)}"] if self.teardown else []
        return f"{self.stack}/{self.kind}/{'+'.join(phases)}"


@dataclass
class Outcome:
    case: Case
    survived: bool = False
    orphans: int = 0
    duplicates: int = 0
    left_after_destroy: int = 0
    tracebacks: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the case, for the benchmark's report


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


def is_mutation(request: dict[str, Any]) -> bool:
    if request["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    if request["vendor"] == "railway":
        query = (request.get("request") or {}).get("query") or ""
        return str(query).lstrip().startswith("mutation")
    return True


def faults_for(kind: str, operations: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    faults: list[dict[str, Any]] = []
    if kind == "transient":
        # Rate limits first (any request of the vendor), then two 503s on each operation: a request takes
        # every fault that matches it at once, so the two kinds are served to different requests.
        for vendor in sorted({vendor for vendor, _ in operations}):
            faults.append({"vendor": vendor, "status": 429, "retry_after": 0, "count": 2})
    for vendor, operation in operations:
        base = {"vendor": vendor, "operation": operation}
        if kind == "transient":
            faults.append({**base, "status": 503, "retry_after": 0, "count": 2})
        elif kind == "lost":
            faults.append({**base, "when": "after", "cut": True, "count": 1})
        elif kind == "lost504":
            faults.append({**base, "when": "after", "status": 504, "count": 1})
        elif kind == "permanent":
            faults.append({**base, "status": 500, "count": 1000, "body": {"message": INJECTED_MESSAGE}})
    return faults


INJECTED_MESSAGE = "injected failure"


def _clear_faults(emulator: RunningEmulator) -> None:
    with emulator.app._lock:
        emulator.app.faults.clear()


def count_tracebacks(output: str) -> int:
    return sum(output.count(marker) for marker in TRACEBACK_MARKERS)


def _error_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("error:")]


def _faulted_run(
    outcome: Outcome,
    harness: StackHarness,
    command: str,
    operations: tuple[tuple[str, str], ...],
    known: set[tuple[str, str]],
) -> None:
    """`command` (`up` or `destroy`) with the case's faults on `operations`, checked as the kind says; then,
    faults cleared, once more if it failed, which must succeed."""
    emulator = harness.emulator
    kind = outcome.case.kind if operations else "none"
    run = harness.up if command == "up" else harness.destroy
    emulator.clear_requests()
    for fault in faults_for(kind, operations):
        emulator.inject(**fault)
    result, output = run()
    outcome.tracebacks += count_tracebacks(output)
    if kind in ("transient", "none") and not result.ok:
        failed = "transient faults failed" if operations else "with no fault, failed"
        outcome.problems.append(f"`{command}` {failed}:\n{_tail(output)}")
    if kind == "permanent":
        if result.ok:
            outcome.problems.append(f"a permanent fault did not fail `{command}`")
        else:
            _check_errors(outcome, command, operations, output)
    if kind in ("lost", "lost504"):
        # A lost answer may fail the run, for the next to recover. Lost answers not served yet (operations
        # the failed run never reached) wait for the next run, so that every operation meets its own.
        while not result.ok and len(pending := _unserved(emulator)) > 0:
            result, output = run()
            outcome.tracebacks += count_tracebacks(output)
            if len(_unserved(emulator)) == len(pending):
                break  # no progress: the run fails before it reaches them
    if kind != "permanent" and (unserved := _unserved(emulator)):
        outcome.problems.append(f"`{command}` never sent the faulted operations {sorted(set(unserved))}")
    sent = {(r["vendor"], r["operation"]) for r in emulator.requests() if is_mutation(r)}
    if sent - known:
        outcome.problems.append(
            f"mutating operations of `{command}` the matrix does not cover: {sorted(sent - known)}"
        )
    _clear_faults(emulator)
    if not result.ok:
        result, output = run()
        outcome.tracebacks += count_tracebacks(output)
        if not result.ok:
            outcome.problems.append(f"the next `{command}`, faults cleared, failed:\n{_tail(output)}")


def _unserved(emulator: RunningEmulator) -> list[tuple[str, str | None]]:
    """The (vendor, operation) of each injected operation fault that no request has taken yet."""
    with emulator.app._lock:
        return [(f.vendor, f.operation) for f in emulator.app.faults if f.operation is not None]


def _check_errors(
    outcome: Outcome, command: str, operations: tuple[tuple[str, str], ...], output: str
) -> None:
    """A permanent fault: each failed resource printed once, and the injected operation's failure named
    with the vendor's status and message."""
    errors = _error_lines(output)
    if not errors:
        outcome.problems.append(f"the failed `{command}` printed no error:\n{_tail(output)}")
        return
    if len(errors) != len(set(errors)):
        outcome.problems.append(f"the failed `{command}` printed an error twice:\n{_tail(output)}")
    for _, operation in operations:
        if not any(operation in e and "HTTP 500" in e and INJECTED_MESSAGE in e for e in errors):
            outcome.problems.append(
                f"no error names {operation} with the vendor's status and message:\n{_tail(output)}"
            )


def _check_converged(outcome: Outcome, harness: StackHarness) -> None:
    """The vendor holds exactly what state records: no orphan, no duplicate, nothing recorded that is gone."""
    declared = harness.declared()
    live = live_objects(harness.emulator)
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


def run_case(harness: StackHarness, case: Case) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(case)
    emulator = harness.emulator
    emulator.reset()
    harness.reset_state()
    creates = set(STACK_OPERATIONS.get(case.stack, ()))
    deletes = set(STACK_TEARDOWN_OPERATIONS.get(case.stack, ()))
    # A create that fails half-way deletes what it made (all or nothing), so `up` may send deletes too.
    _faulted_run(outcome, harness, "up", case.operations, creates | deletes)
    _check_converged(outcome, harness)
    _faulted_run(outcome, harness, "destroy", case.teardown, deletes)
    left = live_objects(emulator)
    outcome.left_after_destroy = sum(len(v) for v in left.values())
    if outcome.left_after_destroy:
        outcome.problems.append(f"{outcome.left_after_destroy} objects left after destroy")
    if outcome.tracebacks:
        outcome.problems.append(f"{outcome.tracebacks} tracebacks printed")
    outcome.survived = not outcome.problems
    outcome.seconds = time.monotonic() - started
    return outcome


def _tail(output: str, lines: int = 30) -> str:
    return "\n".join(output.splitlines()[-lines:])


def every_operation(stacks: tuple[str, ...] = DEFAULT_STACKS) -> set[tuple[str, str]]:
    return {op for stack in stacks for op in STACK_OPERATIONS[stack] + STACK_TEARDOWN_OPERATIONS[stack]}


def all_cases(stacks: tuple[str, ...], *, full: bool) -> list[Case]:
    """Sampled: per stack, every operation's lost answer at once (each request failed once) and every
    operation's transient faults at once; and one permanent fault in each phase. Full: every kind for every
    operation on its own, each operation in the first stack that sends it, an `up` operation and a
    `destroy` operation of the same stack paired in one case."""
    if not full:
        first = stacks[0]
        return [
            Case(stack, kind, STACK_OPERATIONS[stack], STACK_TEARDOWN_OPERATIONS[stack])
            for kind in ("lost", "transient")
            for stack in stacks
        ] + [Case(first, "permanent", STACK_OPERATIONS[first][-1:], STACK_TEARDOWN_OPERATIONS[first][-1:])]
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for stack in stacks:
        ups = [op for op in STACK_OPERATIONS[stack] if op not in seen]
        downs = [op for op in STACK_TEARDOWN_OPERATIONS[stack] if op not in seen]
        seen.update(ups, downs)
        pairs = list(itertools.zip_longest(ups, downs))
        for kind in KINDS:
            cases += [Case(stack, kind, (up,) if up else (), (down,) if down else ()) for up, down in pairs]
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
        # The providers' own back-off and poll intervals, shortened (never a wait the vendor asks for).
        BACKOFF_SCALE_ENV: BACKOFF_SCALE,
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


def resolve_workers(workers: int | None = None) -> int:
    """Cases run at once: as asked, else FAULTS_WORKERS, else 2 (each case is mostly one CPU's work: the
    engine, the provider host and the emulator take turns)."""
    if workers is None:
        raw = os.environ.get(WORKERS_ENV, "").strip()
        try:
            workers = int(raw) if raw else 2
        except ValueError:
            raise ValueError(f"{WORKERS_ENV}={raw!r} is not a whole number") from None
    return max(1, workers)


# One worker process's emulator, scratch folder and stack harnesses (see `_start_worker`).
_WORKER: dict[str, Any] = {}


def _start_worker(bytecode: str | None) -> None:
    """A worker process's own emulator (in-process, a free port), state folder and environment; torn down
    when the process ends (multiprocessing runs no atexit hooks in a worker, hence the finalizer)."""
    if bytecode is not None:
        _keep_bytecode(bytecode)
    stack = ExitStack()
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fault-matrix-")))
    emulator = stack.enter_context(running_emulator(Settings(time_scale=0)))
    stack.enter_context(fault_environment(emulator, folder / "state"))
    # A provider host started ahead of a run that then failed early is stopped with the worker.
    stack.callback(dynamic._stop_prespawned)
    multiprocessing.util.Finalize(None, stack.close, exitpriority=10)
    _WORKER.update(folder=folder, emulator=emulator, harnesses={})


def _keep_bytecode(cache: str) -> None:
    """Where the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE), every run compiles again
    the program it re-imports and the provider host compiles the providers: a quarter of a case's CPU. The
    workers and their provider hosts keep theirs in the matrix's own scratch cache instead (the source tree
    is left alone)."""
    sys.dont_write_bytecode = False
    sys.pycache_prefix = cache
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache


def _run_in_worker(case: Case) -> Outcome:
    harnesses: dict[str, StackHarness] = _WORKER["harnesses"]
    if case.stack not in harnesses:
        folder = _WORKER["folder"] / case.stack
        folder.mkdir()
        harnesses[case.stack] = StackHarness(
            case.stack, stack_files()[case.stack], folder, _WORKER["emulator"]
        )
    return run_case(harnesses[case.stack], case)


def run_cases(
    cases: list[Case], *, workers: int | None = None, report: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """Every case's outcome, in the order given; `report` sees each as it ends. Cases share nothing (each
    worker process has its own emulator and state, and resets both before a case), so they run at once."""
    count = min(resolve_workers(workers), len(cases)) or 1
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads (emulator, pytest)
    outcomes: dict[int, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="fault-matrix-bytecode-") as cache:
        bytecode = (
            cache if sys.flags.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE") else None
        )
        with ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_start_worker, initargs=(bytecode,)
        ) as pool:
            futures = {pool.submit(_run_in_worker, case): index for index, case in enumerate(cases)}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[futures[future]] = outcome
                if report is not None:
                    report(outcome)
    return [outcomes[index] for index in range(len(cases))]


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "faults survived": f"{sum(o.survived for o in outcomes)}/{len(outcomes)}",
        "operations covered": len({op for o in outcomes for op in o.case.failed}),
        "orphans": sum(o.orphans for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
        "left after destroy": sum(o.left_after_destroy for o in outcomes),
        "failed runs with tracebacks": sum(1 for o in outcomes if o.tracebacks),
    }


def print_outcome(outcome: Outcome) -> None:
    status = "ok" if outcome.survived else "FAILED"
    print(f"  {status:6} {outcome.seconds:5.1f}s  {outcome.case.label}", flush=True)
    for problem in outcome.problems:
        print("         " + problem.replace("\n", "\n         "), flush=True)


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
    parser.add_argument(
        "--workers", type=int, default=None, help="cases run at once (default FAULTS_WORKERS, else 2)"
    )
    args = parser.parse_args()
    stacks = tuple(args.stack or DEFAULT_STACKS)
    cases = all_cases(stacks, full=args.full)
    started = time.monotonic()
    outcomes = run_cases(cases, workers=args.workers, report=print_outcome)
    elapsed = time.monotonic() - started
    with tempfile.TemporaryDirectory() as folder, running_emulator(Settings(time_scale=0)) as emulator:
        bad = bad_config_figures(Path(folder), emulator)
    print()
    for name, value in {**figures(outcomes), **bad}.items():
        print(f"{name}: {value}")
    print(f"cases: {len(cases)} in {elapsed:.0f}s with {resolve_workers(args.workers)} workers")


if __name__ == "__main__":
    main()
