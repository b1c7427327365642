"""pulumi-command's `command:local:Command`, locally.

`create` runs on create, `update` (or `create` again when `update` is empty) on an update, `delete` on
delete, each through `interpreter` (default `/bin/sh -c`) in `dir` with the process environment plus
`environment`; update and delete also get PULUMI_COMMAND_STDOUT/STDERR from the last run unless
`addPreviousOutputInEnv` is false. Outputs are the inputs plus `stdout`/`stderr` (one trailing newline
trimmed). A change to `triggers` replaces the resource: the SDK asks for it with
`replace_on_changes=["triggers[*]"]`, which the engine applies to this provider's detailed diff.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

from localengine.props import reveal
from localengine.providers import CheckFailure, LocalProvider, ProviderError

OUTPUT_KEYS = ("stdout", "stderr", "assets", "archive")


def _inputs_only(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in OUTPUT_KEYS}


class CommandProvider(LocalProvider):
    def check(
        self, urn: str, olds: dict[str, Any] | None, news: dict[str, Any], seed: bytes
    ) -> tuple[dict[str, Any], list[CheckFailure]]:
        failures = []
        interpreter = news.get("interpreter")
        if interpreter is not None and not isinstance(interpreter, list):
            failures.append(CheckFailure("interpreter", "must be a list of strings"))
        return dict(news), failures

    def compared(self, props: dict[str, Any]) -> dict[str, Any]:
        """Inputs only: the outputs a run adds (`stdout`, `stderr`, ...) never count as a change."""
        return _inputs_only(props)

    def _run(self, command: str, props: dict[str, Any], previous: dict[str, Any] | None) -> tuple[str, str]:
        plain = reveal(props)
        interpreter = plain.get("interpreter") or ["/bin/sh", "-c"]
        env = dict(os.environ)
        env.update({str(k): str(v) for k, v in (plain.get("environment") or {}).items()})
        if previous is not None and plain.get("addPreviousOutputInEnv", True):
            env["PULUMI_COMMAND_STDOUT"] = str(reveal(previous.get("stdout", "")))
            env["PULUMI_COMMAND_STDERR"] = str(reveal(previous.get("stderr", "")))
        completed = subprocess.run(
            [*interpreter, command],
            cwd=plain.get("dir") or None,
            env=env,
            input=(plain.get("stdin") or "").encode(),
            capture_output=True,
            check=False,
        )
        stdout = completed.stdout.decode(errors="replace").removesuffix("\n")
        stderr = completed.stderr.decode(errors="replace").removesuffix("\n")
        if completed.returncode != 0:
            raise ProviderError(
                f"exit status {completed.returncode}: running {command!r}:\n{stdout}\n{stderr}".rstrip()
            )
        return stdout, stderr

    def create(self, urn: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        outs = _inputs_only(news)
        command = reveal(news).get("create")
        if command:
            outs["stdout"], outs["stderr"] = self._run(command, news, None)
        return urn.rsplit("::", 1)[-1] + "-" + os.urandom(4).hex(), outs

    def update(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> dict[str, Any]:
        outs = _inputs_only(news)
        plain = reveal(news)
        command = plain.get("update") or plain.get("create")
        if command:
            outs["stdout"], outs["stderr"] = self._run(command, news, old_outputs)
        else:
            for key in ("stdout", "stderr"):
                if key in old_outputs:
                    outs[key] = old_outputs[key]
        return outs

    def delete(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        command = reveal(outputs).get("delete")
        if command:
            self._run(command, outputs, outputs)
