"""The local engine's side of pull-request stacks: `stack init --copy-config-from` (secrets re-encrypted
for the new stack), `stack rm`, and a StackReference resolved from the referenced stack's own state, as
the CLI's file backend resolves it (secrets stay secret; read, never deleted)."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import cast

import pytest
import yaml

from localengine.engine import Engine
from localengine.project import Project, ProjectError, load_stack_config, set_config_value
from localengine.props import SECRET_SIG, SIG_KEY
from localengine.secrets import PassphraseSecretsManager, passphrase_from_env
from localengine.stacks import init_stack, remove_stack

PROGRAM = """
import pulumi

config = pulumi.Config()
base = config.get("base")
if base:
    ref = pulumi.StackReference("base", stack_name=base)
    pulumi.export("fromBase", ref.get_output("plain"))
    pulumi.export("secretFromBase", ref.get_output("token"))
else:
    pulumi.export("plain", config.get("plain") or "hello")
    pulumi.export("token", config.require_secret("token"))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: refs\nruntime: python\n")
    (root / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pr-tests")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(root / ".state"))
    return root


def _engine(root: Path, stack: str) -> Engine:
    return Engine(root, stack, out=io.StringIO())


def test_copy_config_reencrypts_secrets_with_the_new_stacks_salt(project: Path) -> None:
    p = Project.load(project)
    set_config_value(p, "staging", "token", "s3cret", secret=True)
    set_config_value(p, "staging", "plain", "world", secret=False)

    path = init_stack(p, "pr-7", copy_config_from="staging")

    copied = yaml.safe_load(path.read_text())
    base = yaml.safe_load((project / "Pulumi.staging.yaml").read_text())
    assert copied["encryptionsalt"] != base["encryptionsalt"]
    assert copied["config"]["refs:token"]["secure"] != base["config"]["refs:token"]["secure"]
    manager = PassphraseSecretsManager.from_state(passphrase_from_env(), copied["encryptionsalt"])
    values = load_stack_config(p, "pr-7", manager).values
    assert values["refs:token"] == "s3cret" and values["refs:plain"] == "world"
    with pytest.raises(ProjectError, match="already exists"):
        init_stack(p, "pr-7", copy_config_from="staging")
    with pytest.raises(ProjectError, match="no settings file"):
        init_stack(p, "pr-9", copy_config_from="nowhere")


def test_stack_reference_reads_the_base_state_and_keeps_secrets_secret(project: Path) -> None:
    p = Project.load(project)
    set_config_value(p, "staging", "token", "s3cret", secret=True)
    assert _engine(project, "staging").up().ok
    init_stack(p, "pr-7", copy_config_from="staging")
    set_config_value(p, "pr-7", "base", "staging", secret=False)

    engine = _engine(project, "pr-7")
    result = engine.up()
    assert result.ok, cast(io.StringIO, engine.out).getvalue()
    outputs = engine.outputs()
    assert outputs["fromBase"] == "hello"
    assert outputs["secretFromBase"] == {
        SIG_KEY: SECRET_SIG,
        "value": "s3cret",
    }
    state = (project / ".state" / "stacks" / "refs" / "pr-7.json").read_text()
    assert "s3cret" not in state
    reference = next(
        r
        for r in json.loads(state)["checkpoint"]["latest"]["resources"]
        if r["type"] == "pulumi:pulumi:StackReference"
    )
    assert reference["id"] == "staging" and reference["outputs"]["secretOutputNames"] == ["token"]

    again = _engine(project, "pr-7").up()
    assert again.ok and again.changes() == {}
    assert _engine(project, "pr-7").destroy().ok
    assert _engine(project, "staging").outputs()["plain"] == "hello", "the base's state is only read"

    remove_stack(p, "pr-7")
    assert not (project / "Pulumi.pr-7.yaml").exists()
    with pytest.raises(ProjectError, match="still has resources"):
        remove_stack(p, "staging")


def test_a_reference_to_a_stack_without_state_fails_with_its_name(project: Path) -> None:
    p = Project.load(project)
    set_config_value(p, "pr-7", "base", "staging", secret=False)
    engine = _engine(project, "pr-7")
    result = engine.up()
    assert not result.ok
    assert 'unknown stack "staging"' in cast(io.StringIO, engine.out).getvalue()
