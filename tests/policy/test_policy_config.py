"""Policy pack config as the CLI reconciles it (schema defaults, the pack's initial config, then the file;
`all` first), and a bad `--policy-pack-config` file: a clear error, naming the file and the policy, before
anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.testing import RunningEmulator
from localengine.cli import main
from localengine.policy import pair_specs
from localengine.policy_config import PolicyConfig, PolicyConfigError, PolicyMeta, parse_config, reconcile
from tests.e2e.conftest import PASSPHRASE, REPO

REPLICAS = PolicyMeta(
    name="web-replicas-minimum",
    enforcement_level="advisory",
    config_schema={"properties": {"min": {"type": "integer", "minimum": 1, "default": 2}}},
)
IMAGES = PolicyMeta(
    name="image-pinned",
    enforcement_level="mandatory",
    config_schema={
        "properties": {"forbiddenTags": {"type": "array", "items": {"type": "string"}, "default": ["latest"]}}
    },
)


def test_defaults_then_initial_config_then_the_file_with_all_first() -> None:
    initial = parse_config({"web-replicas-minimum": {"min": 3}}, "initial")
    given = parse_config({"all": "mandatory", "image-pinned": "advisory"}, "prod.json")
    result = reconcile([REPLICAS, IMAGES], initial, given, "prod.json")
    assert result["web-replicas-minimum"] == PolicyConfig("mandatory", {"min": 3})
    assert result["image-pinned"] == PolicyConfig("advisory", {"forbiddenTags": ["latest"]})
    untouched = reconcile([REPLICAS, IMAGES], {}, {}, "none")
    assert untouched["web-replicas-minimum"] == PolicyConfig("advisory", {"min": 2})
    assert untouched["image-pinned"].enforcement_level == "mandatory"


def test_every_problem_of_a_file_is_named() -> None:
    given = parse_config(
        {"web-replicas-minimum": {"min": "two"}, "web-replica-minimum": "mandatory"}, "p.json"
    )
    with pytest.raises(PolicyConfigError) as error:
        reconcile([REPLICAS, IMAGES], {}, given, "p.json")
    message = str(error.value)
    assert message.startswith("p.json: invalid policy pack configuration")
    assert "web-replicas-minimum.min: 'two' is not of type 'integer'" in message
    assert "web-replica-minimum: no such policy in this pack" in message
    with pytest.raises(
        PolicyConfigError, match=r"p.json: image-pinned: 'strict' is not a valid enforcement level"
    ):
        parse_config({"image-pinned": "strict"}, "p.json")
    with pytest.raises(PolicyConfigError, match="must be a string or object"):
        parse_config({"image-pinned": 3}, "p.json")


def test_config_flags_pair_with_pack_flags_by_position() -> None:
    specs = pair_specs([Path("a"), Path("b")], [Path("a.json"), Path("b.json")])
    assert [(s.path.name, s.config_file.name if s.config_file else None) for s in specs] == [
        ("a", "a.json"),
        ("b", "b.json"),
    ]
    with pytest.raises(PolicyConfigError, match="one config file per pack"):
        pair_specs([Path("a"), Path("b")], [Path("a.json")])


def test_a_bad_config_file_stops_the_run_before_anything_runs(
    emulator: RunningEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RAILWAY_API_URL", emulator.railway_url)
    bad = tmp_path / "prod.json"
    bad.write_text(json.dumps({"all": "mandatory", "web-replicas-minimum": {"min": 0}}))
    argv = ["up", "--yes", "--stack", "prod", "--cwd", str(REPO), "--policy-pack", str(REPO / "policy")]
    code = main([*argv, "--policy-pack-config", str(bad)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"error: {bad}: invalid policy pack configuration" in captured.err
    assert "web-replicas-minimum.min: 0 is less than the minimum of 1" in captured.err
    assert "Previewing update" not in captured.out  # the program never ran
    assert emulator.requests() == []
    assert not (tmp_path / "state").exists() or not list((tmp_path / "state").rglob("*.json"))
