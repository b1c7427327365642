"""Bad stack configs: each must fail with a clear error naming the file (and key or line) and send nothing.

    .venv/bin/python -m benchmarks.bad_configs

Runs `preview` and `up` of a copy of `Pulumi.dev.yaml`, broken one way at a time, against an in-process
emulator, and counts the cases that ended with a clear error (the file's name, no traceback, no "Program
failed with an unhandled exception") and no request to any vendor.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from emulator.core.app import Settings
from emulator.testing import RunningEmulator, running_emulator
from localengine.engine import Engine
from localengine.project import ProjectError

REPO = Path(__file__).resolve().parents[1]


def _service(config: dict[str, Any]) -> dict[str, Any]:
    services = config["platform:services"]
    return services[next(name for name, s in services.items() if s.get("kind") == "worker")]


def _cron(schedule: str) -> Callable[[dict[str, Any]], None]:
    def edit(config: dict[str, Any]) -> None:
        worker = _service(config)
        worker["cron"] = schedule
        worker["replicas"] = 1

    return edit


@dataclass(frozen=True)
class BadConfig:
    label: str
    expect: str  # a piece of the error the user must see
    edit: Callable[[dict[str, Any]], None] | None = None
    text: str | None = None  # the whole file, for syntax errors


CASES = (
    BadConfig("cron minute 61", "minute 61 is outside 0-59", _cron("61 * * * *")),
    BadConfig("cron hour 25", "hour 25 is outside 0-23", _cron("* 25 * * *")),
    BadConfig("cron step 0", "step /0 must be at least 1", _cron("*/0 * * * *")),
    BadConfig("unknown key", "platform:bogus: is not a known key", lambda c: c.update({"platform:bogus": 1})),
    BadConfig("bad app name", "platform:app", lambda c: c.update({"platform:app": "Not A Name"})),
    BadConfig(
        "replicas range",
        "replicas",
        lambda c: config_service(c).update({"replicas": "1-3"}),
    ),
    BadConfig(
        "YAML syntax",
        "Pulumi.bad.yaml:4:1: invalid YAML",
        text="config:\n  platform:app: acme\n  platform:railway: {project: [x\n",
    ),
)


def config_service(config: dict[str, Any]) -> dict[str, Any]:
    return next(iter(config["platform:services"].values()))


def run_bad_config(case: BadConfig, folder: Path, emulator: RunningEmulator) -> tuple[bool, str]:
    """(clear error and no request, what was printed)."""
    path = folder / "Pulumi.bad.yaml"
    if case.text is not None:
        path.write_text(case.text)
    else:
        data = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
        assert case.edit is not None
        case.edit(data["config"])
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    emulator.reset()
    out = io.StringIO()
    try:
        result = Engine(REPO, "bad", out=out, config_file=path).up()
        ok, printed = not result.ok, out.getvalue()
    except ProjectError as error:  # the CLI prints these as `error: ...`
        ok, printed = True, f"error: {error}"
    clear = (
        ok
        and case.expect in printed
        and str(path.name) in printed
        and "Traceback" not in printed
        and "unhandled exception" not in printed
    )
    return clear and not emulator.requests(), printed


def bad_config_figures(folder: Path, emulator: RunningEmulator | None = None) -> dict[str, str]:
    def run(emu: RunningEmulator) -> dict[str, str]:
        env = {
            "PLATFORM_STATE_DIR": str(folder / "bad-state"),
            "PULUMI_CONFIG_PASSPHRASE": "bad-configs",
            "RAILWAY_API_URL": emu.railway_url,
            "SUPABASE_API_URL": emu.supabase_url,
            "NEON_API_URL": emu.neon_url,
            "RAILWAY_API_TOKEN": "bad",
            "SUPABASE_ACCESS_TOKEN": "bad",
            "NEON_API_KEY": "bad",
        }
        previous = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            results = [run_bad_config(case, folder, emu)[0] for case in CASES]
        finally:
            for k, v in previous.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return {"bad configs with a clear error and no request": f"{sum(results)}/{len(results)}"}

    if emulator is not None:
        return run(emulator)
    with running_emulator(Settings(time_scale=0)) as emu:
        return run(emu)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, value in bad_config_figures(Path(folder)).items():
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
