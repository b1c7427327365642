"""The fault matrix (benchmarks/fault_matrix.py) as tests: sampled by default, every case with FAULTS_FULL=1.

Each case is one stack through `up` (faults injected), a second `up` when the first failed (faults
cleared), a check that the vendor holds exactly what state records (no orphan, no duplicate), and `destroy`
leaving the emulator empty. The sampled cases cover every mutating operation the stacks send with a lost
answer (each request's connection cut after the vendor acted), all transient faults of the prod stack at
once, and one permanent fault.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.fault_matrix import (
    DEFAULT_STACKS,
    STACK_OPERATIONS,
    Case,
    StackHarness,
    all_cases,
    fault_environment,
    run_case,
    stack_files,
)
from emulator.testing import RunningEmulator

pytestmark = pytest.mark.e2e

FULL = os.environ.get("FAULTS_FULL") == "1"
CASES = all_cases(DEFAULT_STACKS, full=FULL)


def test_the_sample_covers_every_operation_with_a_lost_answer() -> None:
    lost = {op for case in CASES if case.kind == "lost" for op in case.operations}
    every = {op for operations in STACK_OPERATIONS.values() for op in operations}
    assert lost == every
    assert len(every) == 17


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_fault_case(case: Case, emulator: RunningEmulator, tmp_path: Path) -> None:
    with fault_environment(emulator, tmp_path / "state"):
        harness = StackHarness(case.stack, stack_files()[case.stack], tmp_path, emulator)
        outcome = run_case(harness, case)
    assert outcome.problems == []
    assert (outcome.orphans, outcome.duplicates, outcome.left_after_destroy, outcome.tracebacks) == (
        0,
        0,
        0,
        0,
    )
