"""The fault matrix (benchmarks/fault_matrix.py) as tests: sampled by default, every case with FAULTS_FULL=1.

Each case is one stack through `up` (faults injected on some of its operations), a second `up` when the
first failed (faults cleared), a check that the vendor holds exactly what state records (no orphan, no
duplicate), then `destroy` (faults injected on some of its operations) and a second `destroy` when the first
failed, which must leave the emulator empty. The sampled cases cover every mutating operation of the three
stacks with a lost answer (each request's connection cut after the vendor acted, all of a stack's at once),
every stack's transient faults at once, and one permanent fault in each phase.

The selected cases run together in worker processes (FAULTS_WORKERS, default 2) before the first of these
tests; each test then reports its own case.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.fault_matrix import (
    DEFAULT_STACKS,
    KINDS,
    STACK_OPERATIONS,
    STACK_TEARDOWN_OPERATIONS,
    Case,
    Outcome,
    all_cases,
    every_operation,
    run_cases,
)

pytestmark = pytest.mark.e2e

FULL = os.environ.get("FAULTS_FULL") == "1"
CASES = all_cases(DEFAULT_STACKS, full=FULL)


def test_the_sample_covers_every_operation_with_a_lost_answer() -> None:
    sampled = all_cases(DEFAULT_STACKS, full=False)
    lost = {op for case in sampled if case.kind == "lost" for op in case.failed}
    assert lost == every_operation()
    # Creates and updates of `up`, deletes of `destroy`, of Railway, Neon and Supabase.
    assert len(every_operation()) == 28
    assert {vendor for vendor, _ in every_operation()} == {"railway", "neon", "supabase"}
    assert {case.kind for case in sampled} == {"lost", "transient", "permanent"}
    permanent = [case for case in sampled if case.kind == "permanent"]
    assert permanent and all(case.operations and case.teardown for case in permanent)


def test_the_full_matrix_runs_every_kind_for_every_operation_on_its_own() -> None:
    full = all_cases(DEFAULT_STACKS, full=True)
    for kind in KINDS:
        cases = [case for case in full if case.kind == kind]
        ups = [op for case in cases for op in case.operations]
        downs = [op for case in cases for op in case.teardown]
        assert all(len(case.operations) <= 1 and len(case.teardown) <= 1 for case in cases)
        assert sorted(ups) == sorted({op for ops in STACK_OPERATIONS.values() for op in ops})
        assert sorted(downs) == sorted({op for ops in STACK_TEARDOWN_OPERATIONS.values() for op in ops})
    for case in full:  # each operation in a stack that sends it, in the phase that sends it
        assert set(case.operations) <= set(STACK_OPERATIONS[case.stack])
        assert set(case.teardown) <= set(STACK_TEARDOWN_OPERATIONS[case.stack])


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> dict[str, Outcome]:
    """The outcome of every case selected in this module, run together before the first is reported."""
    selected = [
        case
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.module is request.module
        for case in [getattr(getattr(item, "callspec", None), "params", {}).get("case")]
        if isinstance(case, Case)
    ]
    return {outcome.case.label: outcome for outcome in run_cases(selected)}


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_fault_case(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.label]
    assert outcome.problems == []
    assert (outcome.orphans, outcome.duplicates, outcome.left_after_destroy, outcome.tracebacks) == (
        0,
        0,
        0,
        0,
    )
    assert outcome.survived
