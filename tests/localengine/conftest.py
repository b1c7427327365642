"""A copy of the fixture project per test, its stack config written by the test, state in tmp."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from localengine.engine import Engine, Result

FIXTURE = Path(__file__).parent / "fixtures" / "project"
PASSPHRASE = "correct horse battery staple"


class FixtureStack:
    def __init__(self, root: Path, stack: str = "dev") -> None:
        self.root = root
        self.stack = stack
        self.cloud_path = root / "cloud.json"
        self.output = io.StringIO()
        self.config: dict[str, Any] = {"toycloud:path": str(self.cloud_path)}

    def configure(self, **values: Any) -> None:
        for key, value in values.items():
            self.config[key if ":" in key else f"fixture:{key}"] = value
        path = self.root / f"Pulumi.{self.stack}.yaml"
        data = yaml.safe_load(path.read_text()) if path.exists() else {}
        data = data or {}
        config = {
            k: v for k, v in (data.get("config") or {}).items() if isinstance(v, dict) and "secure" in v
        }
        config.update(self.config)
        data["config"] = config
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    def things(self, *specs: dict[str, Any], **more: Any) -> None:
        self.configure(things=list(specs), **more)

    def engine(self) -> Engine:
        self.output = io.StringIO()
        return Engine(self.root, self.stack, out=self.output)

    def up(self, **kwargs: Any) -> Result:
        return self.engine().up(**kwargs)

    def preview(self, **kwargs: Any) -> Result:
        return self.engine().up(preview=True, **kwargs)

    def cloud(self) -> dict[str, Any]:
        if not self.cloud_path.exists():
            return {"objects": {}, "log": []}
        return json.loads(self.cloud_path.read_text())

    def objects_by_name(self) -> dict[str, dict[str, Any]]:
        return {obj["name"]: obj for obj in self.cloud()["objects"].values()}

    def log(self, since: int = 0) -> list[tuple[str, str]]:
        return [(entry[0], entry[1]) for entry in self.cloud()["log"][since:] if entry[0] != "read"]

    def state_text(self) -> str:
        return (self.root / ".state" / "stacks" / "fixture" / f"{self.stack}.json").read_text()


@pytest.fixture
def fixture_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FixtureStack:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", ".state", "Pulumi.*.yaml"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(root / ".state"))
    return FixtureStack(root)


ThingSpec = Callable[..., dict[str, Any]]
