"""The local engine hosting a policy pack on the fixture program: config defaults reach the rules, Remediate
changes what the provider gets, Analyze never sees `__*` keys, a mandatory violation fails preview and stops
that resource in `up`, AnalyzeStack runs on the outputs, and the pack's process ends with the run."""

from __future__ import annotations

import json
from pathlib import Path

from localengine.engine import Engine
from localengine.policy import PackSpec
from tests.localengine.conftest import FixtureStack

PACK = Path(__file__).parent / "fixtures" / "policy_pack"


def engine(stack: FixtureStack, log: Path, config: Path | None = None) -> Engine:
    stack.output.seek(0)
    stack.output.truncate()
    return Engine(
        stack.root, stack.stack, out=stack.output, event_log=log, policy_packs=[PackSpec(PACK, config)]
    )


def policy_events(log: Path) -> list[tuple[str, str, str]]:
    events = [json.loads(line) for line in log.read_text().splitlines()]
    return sorted(
        (
            e["policyEvent"]["policyName"],
            e["policyEvent"].get("resourceUrn", "").rsplit("::", 1)[-1],
            e["policyEvent"]["enforcementLevel"],
        )
        for e in events
        if "policyEvent" in e
    )


def test_preview_fails_on_a_mandatory_violation_and_up_stops_only_that_resource(
    fixture_stack: FixtureStack, tmp_path: Path
) -> None:
    fixture_stack.things(
        {"name": "small", "size": 3}, {"name": "big", "size": 50}, {"name": "us", "region": "us"}
    )
    log = tmp_path / "events.jsonl"

    preview = engine(fixture_stack, log).up(preview=True)
    assert not preview.ok and preview.errors == ["1 mandatory policy violation"]
    out = fixture_stack.output.getvalue()
    assert "❌ toy@v1.2.3 (local: " in out
    assert "- [mandatory]  small-things  (pulumi-python:dynamic/toycloud:Thing: big)" in out
    # the schema's default reached the rule (numbers travel as protobuf doubles, as with the CLI)
    assert "thing 'big' has size 50.0, more than 10.0" in out, out
    # AnalyzeStack ran on the preview's outputs; no rule saw `__provider`
    assert policy_events(log) == [("at-most-two", "", "advisory"), ("small-things", "big", "mandatory")]
    assert fixture_stack.cloud()["objects"] == {}

    result = engine(fixture_stack, log).up()
    assert not result.ok
    assert any("big: mandatory policy violation (small-things)" in e for e in result.errors), result.errors
    made = fixture_stack.objects_by_name()
    assert "big" not in made
    assert made["us"]["region"] == "eu"  # remediated before the provider's create


def test_a_config_file_sets_levels_and_options(fixture_stack: FixtureStack, tmp_path: Path) -> None:
    fixture_stack.things({"name": "big", "size": 50})
    config = tmp_path / "toy.json"
    config.write_text(json.dumps({"all": "advisory", "small-things": {"max": 100}}))
    log = tmp_path / "events.jsonl"
    result = engine(fixture_stack, log, config).up()
    assert result.ok, fixture_stack.output.getvalue()
    assert policy_events(log) == []
    assert "✅ toy@v1.2.3" in fixture_stack.output.getvalue()
    summary = [
        json.loads(line)["summaryEvent"] for line in log.read_text().splitlines() if "summaryEvent" in line
    ]
    assert summary[-1]["PolicyPacks"] == {"toy": "v1.2.3"}


def test_the_pack_process_ends_with_the_run(fixture_stack: FixtureStack, tmp_path: Path) -> None:
    import localengine.policy as policy_module

    started = []
    original = policy_module.PolicyPack.start

    def spy(self: policy_module.PolicyPack, **kwargs: object) -> None:
        original(self, **kwargs)  # type: ignore[arg-type]
        started.append(self.process)

    policy_module.PolicyPack.start = spy  # type: ignore[method-assign]
    try:
        fixture_stack.things({"name": "a"})
        assert engine(fixture_stack, tmp_path / "events.jsonl").up(preview=True).ok
    finally:
        policy_module.PolicyPack.start = original  # type: ignore[method-assign]
    (process,) = started
    assert process is not None and process.poll() is not None
