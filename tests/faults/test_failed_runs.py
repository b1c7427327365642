"""A failed run finishes what it started, records it, and prints each failure once (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.fault_matrix import (
    StackHarness,
    count_tracebacks,
    fault_environment,
    live_objects,
    stack_files,
)
from emulator.testing import RunningEmulator

pytestmark = pytest.mark.e2e


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip().startswith("error:")]


def test_a_failed_run_records_the_step_still_in_flight_and_prints_one_error(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    with fault_environment(emulator, tmp_path / "state"):
        harness = StackHarness("prod", stack_files()["prod"], tmp_path, emulator)
        emulator.inject(
            vendor="railway",
            operation="notificationRuleCreate",
            status=500,
            count=50,
            body={"errors": [{"message": "rules are down"}]},
        )
        emulator.inject(vendor="railway", operation="volumeCreate", latency_ms=3000, when="after")
        result, output = harness.up()
        assert not result.ok
        errors = _error_lines(output)
        assert len(errors) == 1, output
        assert (
            "notificationRuleCreate" in errors[0]
            and "HTTP 500" in errors[0]
            and "rules are down" in errors[0]
        )
        assert "alerts-events" in errors[0]  # the resource's URN
        assert count_tracebacks(output) == 0
        # The volume the vendor made was recorded, whether it finished before or after the failure.
        volumes = {v["id"] for v in live_objects(emulator)[("railway", "volumes")]}
        assert volumes and volumes <= harness.declared()[("railway", "volumes")]

        with emulator.app._lock:
            emulator.app.faults.clear()
        result, output = harness.up()
        assert result.ok, output
        assert {v["id"] for v in live_objects(emulator)[("railway", "volumes")]} == volumes
        destroyed, output = harness.destroy()
        assert destroyed.ok, output


def test_a_protected_resource_that_would_be_replaced_prints_one_error_in_a_few_lines(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    with fault_environment(emulator, tmp_path / "state"):
        harness = StackHarness("prod", stack_files()["prod"], tmp_path, emulator)
        result, output = harness.up()
        assert result.ok, output
        data = yaml.safe_load(harness.config_file.read_text())
        data["config"]["platform:database"]["region"] = "aws-us-east-2"  # replaces the Neon project
        harness.config_file.write_text(yaml.safe_dump(data, sort_keys=False))
        emulator.clear_requests()
        result, output = harness.up()
        assert not result.ok
        errors = _error_lines(output)
        assert len(errors) == 1 and "database-project" in errors[0] and "marked for protection" in output, (
            output
        )
        assert len(output.splitlines()) < 20, output
        assert count_tracebacks(output) == 0
        assert [
            r for r in emulator.requests() if r["method"] != "GET" and "mutation" in str(r["request"])
        ] == []
