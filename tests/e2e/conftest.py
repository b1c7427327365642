"""End-to-end runs of the real program's stacks: local engine + in-process emulator (time scale 0).

Each stack's settings file is copied to a temporary folder (tests edit the copy for their changes) and
run from the repository root with `--config-file`; state goes to a temporary `PLATFORM_STATE_DIR`.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.testing import RunningEmulator
from localengine.engine import Engine, Result
from localengine.project import Project, set_config_value

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-passphrase"


def stack_cases() -> list[tuple[str, Path]]:
    cases = [(path.name.split(".")[1], path) for path in sorted(REPO.glob("Pulumi.*.yaml"))]
    for path in sorted(REPO.glob("examples/*/Pulumi.*.yaml")):
        cases.append((f"{path.parent.name}-{path.name.split('.')[1]}", path))
    return cases


def changed_vendor_objects(result: Result) -> dict[str, set[str]]:
    """Vendor objects changed, by op. (The program's smoke-test commands re-run on a deploy change; they
    are `command:local:Command`, not vendor objects.)"""
    out: dict[str, set[str]] = {}
    for event in result.events:
        if event.type.startswith("command:"):
            continue
        if event.op not in ("same", "create-replacement", "delete-replaced"):
            out.setdefault(event.op, set()).add(event.type.rsplit(":", 1)[-1])
    return out


class StackRun:
    def __init__(self, name: str, source: Path, folder: Path, emulator: RunningEmulator) -> None:
        self.name = name
        self.emulator = emulator
        self.config_file = folder / source.name
        shutil.copy(source, self.config_file)
        self.output = io.StringIO()
        self._set_required_secrets(source)

    def _set_required_secrets(self, source: Path) -> None:
        """Run the `pulumi config set --secret` commands the stack file asks for (placeholders filled)."""
        project = Project.load(REPO)
        project.config_files[self.name] = self.config_file
        self.secrets_set: list[str] = []
        for line in source.read_text().splitlines():
            match = SECRET_COMMAND.search(line)
            if match and "(optional)" not in line:
                value = re.sub(r"<[^>]*>", "x1", match.group(2))
                set_config_value(project, self.name, match.group(1), value, secret=True, path_key=True)
                self.secrets_set.append(match.group(1))

    def settings(self) -> dict[str, Any]:
        return yaml.safe_load(self.config_file.read_text())

    def edit(self, change: Any) -> None:
        data = self.settings()
        change(data["config"])
        self.config_file.write_text(yaml.safe_dump(data, sort_keys=False))

    def engine(self) -> Engine:
        self.output = io.StringIO()
        return Engine(REPO, self.name, out=self.output, config_file=self.config_file)

    def up(self, **kwargs: Any) -> Result:
        result = self.engine().up(**kwargs)
        assert result.ok, self.output.getvalue()
        return result


@pytest.fixture
def e2e_env(
    emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RAILWAY_API_URL", emulator.railway_url)
    monkeypatch.setenv("SUPABASE_API_URL", emulator.supabase_url)
    monkeypatch.setenv("NEON_API_URL", emulator.neon_url)
    for token in ("RAILWAY_API_TOKEN", "SUPABASE_ACCESS_TOKEN", "NEON_API_KEY"):
        monkeypatch.setenv(token, "e2e-token")
    yield emulator


# The stack headers' hints: `pulumi config set [-s STACK --config-file FILE] --secret --path 'KEY' VALUE`.
SECRET_COMMAND = re.compile(
    r"pulumi config set (?:-s \S+ --config-file \S+ )?--secret --path '([^']+)' (\S+)"
)
URN = re.compile(r"^urn:pulumi:[^:]+::[^:]+::[^:]+(:[^:]+)*(\$[^:]+(:[^:]+)*)*::[^:]+$")
