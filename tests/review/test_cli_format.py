"""The review of streams in the real CLI's format (built from Pulumi's published event types, see
cli_stream.py), of the same stream as the Automation API's event objects, and of `preview --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from review import review_events, review_text
from review.cli import main
from review.report import as_json, markdown
from tests.review import cli_stream
from tests.review.cli_stream import DATABASE_URN, LEAKED, REDIS_URN, VOLUME_URN, WEB_INSTANCE_URN


def test_fixture_values_follow_pulumis_property_value_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not cli_stream.PROPERTY_SCHEMA.exists():
        pytest.skip(f"{cli_stream.PROPERTY_SCHEMA} is absent (Pulumi's published schemas)")
    validator = jsonschema.Draft202012Validator(json.loads(cli_stream.PROPERTY_SCHEMA.read_text()))
    values = cli_stream.property_values(cli_stream.prod_stream())
    assert values
    for value in values:
        validator.validate(value)


def _sections(markdown_text: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    title = "head"
    for line in markdown_text.splitlines():
        if line.startswith("### "):
            title = line[4:]
        sections[title] = sections.get(title, "") + line + "\n"
    return sections


def test_destructive_names_the_replaced_database_and_the_deleted_redis_with_reasons() -> None:
    text, review = review_text(cli_stream.prod_stream().text())
    lines = text.splitlines()
    assert lines[0] == "<!-- pulumi-review project=platform stack=prod -->"
    assert lines[1].startswith("**🛑 Destructive**: `platform/prod` preview: 3 destructive changes")
    assert "`+-` 1 to replace" in lines[1] and "`-` 1 to delete" in lines[1]
    destructive = _sections(text)["Destructive changes"]
    by_urn = {f.urn: f for f in review.destructive}
    assert set(by_urn) == {DATABASE_URN, REDIS_URN, VOLUME_URN}
    database = by_urn[DATABASE_URN]
    assert (database.op, database.kind, database.protected) == ("replace", "Neon project", False)
    assert database.reasons[0] == '`region_id`: "aws-us-west-2" → "aws-us-east-2"'
    assert "**replace** `database-project` (Neon project); **protect is off**" in destructive
    redis = by_urn[REDIS_URN]
    assert (redis.op, redis.kind, redis.protected) == ("delete", "Railway Redis service", False)
    assert "the program no longer declares it" in redis.reasons
    # The protected volume never became a step: the engine refused it, and protect is what stops it.
    volume = by_urn[VOLUME_URN]
    assert (volume.op, volume.kind, volume.protected) == ("replace", "Railway volume", True)
    assert "**protect stops it**" in destructive.split("`redis-volume`")[1].splitlines()[0]


def test_policy_violations_are_a_table_and_protect_removal_is_risky() -> None:
    text, review = review_text(cli_stream.prod_stream().text())
    table = _sections(text)["Policy violations"]
    assert "| level | policy | resource | message |" in table
    assert (
        "| mandatory | `neon-history-retention` | `database-project` "
        "| Production keeps 30 days of history. Set it. |" in table
    )
    risky = {f.urn: f.reasons for f in review.risky}
    assert any("`protect` removed" in r for r in risky[DATABASE_URN])
    assert any("region changed" in r for r in risky[DATABASE_URN])


def test_replicas_lowered_only_is_risky() -> None:
    text, review = review_text(
        cli_stream.prod_stream(region_change=False, redis_delete=False, replicas=1, violation=False).text()
    )
    assert review.verdict == "risky" and not review.destructive
    assert text.splitlines()[1].startswith(
        "**⚠️ Risky**: `platform/prod` preview: 0 destructive changes, 1 risky"
    )
    assert [f.reasons for f in review.risky] == [["replicas lowered: `replicas` 2 → 1"]]
    assert "~ replicas: 2 → 1" in text
    raised = review_text(
        cli_stream.prod_stream(region_change=False, redis_delete=False, replicas=3, violation=False).text()
    )[1]
    assert raised.verdict == "changes" and not raised.risky


def test_no_change_is_one_line() -> None:
    stream = cli_stream.Stream()
    old = cli_stream.state(WEB_INSTANCE_URN, cli_stream.INSTANCE, {"replicas": 2}, id_="x")
    stream.step("same", WEB_INSTANCE_URN, cli_stream.INSTANCE, old=old, new=old)
    stream.summary({"same": 1})
    text, review = review_text(stream.text())
    assert review.verdict == "no-changes"
    assert text.splitlines() == [
        "<!-- pulumi-review project=platform stack=prod -->",
        "**✅ No changes**: `platform/prod` preview finds nothing to change (1 unchanged).",
    ]


def test_a_secret_never_appears_in_any_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = cli_stream.prod_stream()
    # The stack output turns plain: the review says so without showing it.
    stream.step(
        "update",
        cli_stream.urn("platform:components:WebService", cli_stream.SERVICE, "web-service"),
        cli_stream.SERVICE,
        old=cli_stream.state(
            "u", cli_stream.SERVICE, {"name": "web", "token": cli_stream.decrypted_secret(LEAKED)}
        ),
        new=cli_stream.state("u", cli_stream.SERVICE, {"name": "web", "token": LEAKED}),
        diffs=["token"],
    )
    events = tmp_path / "events.jsonl"
    events.write_text(stream.text())
    text, review = review_text(stream.text())
    assert any("`token` was secret and becomes plain text" in r for f in review.risky for r in f.reasons)
    outputs = [text, as_json(review)]
    for fmt in ("markdown", "json"):
        assert main([str(events), "--format", fmt]) == 0
        outputs.append(capsys.readouterr().out)
    for output in outputs:
        assert LEAKED not in output and "s3cr3t" not in output
        assert "ciphertext" not in output and str(len(LEAKED)) not in output.replace("2592000", "")
    assert "[secret]" in text


def test_automation_api_event_objects_give_the_same_review() -> None:
    events = pytest.importorskip("pulumi.automation.events")
    text = cli_stream.prod_stream().text()
    objects = [events.EngineEvent.from_json(json.loads(line)) for line in text.splitlines()]
    from_objects = review_events(objects)
    from_json = review_text(text)[1]
    assert markdown(from_objects) == markdown(from_json)
    assert from_objects.destructive and from_objects.violations


def test_preview_json_document_is_read_too() -> None:
    document = {
        "steps": [
            {
                "op": "replace",
                "urn": DATABASE_URN,
                "oldState": {"urn": DATABASE_URN, "custom": True, "type": cli_stream.NEON, "protect": True,
                             "inputs": {"region_id": "aws-us-west-2"}, "outputs": {"password": "[secret]"}},
                "newState": {"urn": DATABASE_URN, "custom": True, "type": cli_stream.NEON,
                             "inputs": {"region_id": "aws-us-east-2"}},
                "replaceReasons": ["region_id"],
                "detailedDiff": None,
            }
        ],
        "diagnostics": [],
        "duration": 1000,
        "changeSummary": {"replace": 1, "same": 3},
    }  # fmt: skip
    text, review = review_text(json.dumps(document))
    assert [(f.urn, f.protected) for f in review.destructive] == [(DATABASE_URN, False)]
    assert "carries no policy results" in text


def test_fail_on_exits_2_only_for_a_present_class(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    risky_only = tmp_path / "risky.jsonl"
    risky_only.write_text(
        cli_stream.prod_stream(region_change=False, redis_delete=False, replicas=1, violation=False).text()
    )
    assert main([str(risky_only), "--fail-on", "destructive", "--fail-on", "violations"]) == 0
    capsys.readouterr()
    assert main([str(risky_only), "--fail-on", "risky"]) == 2
    assert "risky present in platform/prod" in capsys.readouterr().err
    quiet = cli_stream.Stream()
    quiet.summary({"same": 0})
    (tmp_path / "quiet.jsonl").write_text(quiet.text())
    assert main([str(tmp_path / "quiet.jsonl"), "--fail-on", "destructive,risky,violations"]) == 0
    with pytest.raises(SystemExit) as wrong:
        main([str(risky_only), "--fail-on", "everything"])
    assert wrong.value.code == 1
    assert "--fail-on everything: expected one of destructive, violations, risky" in capsys.readouterr().err


def test_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sequence": 0, "timestamp": 1, "cancelEvent": {}}\nnot json\n')
    assert main([str(bad)]) == 1
    assert "line 2 is not JSON" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err
