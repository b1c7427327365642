"""Local commands the program runs through pulumi-command: database migrations and smoke checks.

Each runs where `pulumi up` runs. `mode` makes them harmless where that matters (against the emulator,
whose URLs and databases are not real): `run` runs the command, `echo` runs `echo` with what it would
have run, `skip` registers nothing.

A command gets only what it needs, never the environment of the process that runs `pulumi up` (vendor
tokens, the config passphrase): its interpreter starts it under `env -i` with `PATH`, `HOME` and the
locale, plus its own variables (a migration's `DATABASE_URL` and the service's plain `env` from the stack
file).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi_command import local

CommandMode = Literal["run", "echo", "skip"]

# From the engine's environment, only what a shell needs to find programs and write text.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def isolated_interpreter(variables: Sequence[str] = ()) -> list[str]:
    """The Command's `interpreter`: `/bin/sh -c` under `env -i`, so the command (appended as the last
    argument, `$0` here) sees the passed-through basics and the named `variables` (set through the
    Command's `environment`) and nothing else."""
    names = [*PASSED_THROUGH, *(v for v in variables if v not in PASSED_THROUGH)]
    bad = [n for n in names if not _VARIABLE_NAME.match(n)]
    if bad:
        raise ValueError(f"not variable names: {bad}")
    kept = " ".join(f'{name}="${{{name}:-}}"' for name in names)
    return ["/bin/sh", "-c", f'exec env -i {kept} /bin/sh -c "$0"']


def _echo(what: str, command: str) -> str:
    return "echo " + shlex.quote(f"[commands: echo] {what} would run: {command}")


@dataclass
class MigrationArgs:
    command: str
    """E.g. `npm run migrate`; it sees the database as DATABASE_URL (direct, not pooled)."""
    database_url: pulumi.Input[str]
    """A connection string reachable from where `pulumi up` runs."""
    dir: str | None = None
    triggers: Sequence[pulumi.Input[Any]] = ()
    """Values whose change runs the migration again (e.g. the image the services deploy)."""
    mode: CommandMode = "run"
    variables: dict[str, str] | None = None
    """The service's own plain variables (its `env` in the stack file), which the migration also sees."""


class Migration(pulumi.ComponentResource):
    """Runs the migration command once the database is ready; services deploy after it."""

    command: local.Command | None

    def __init__(self, name: str, args: MigrationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:Migration", name, None, opts)
        self.command = None
        if args.mode != "skip":
            variables = dict(args.variables or {})
            environment: dict[str, pulumi.Input[str]] = {
                **variables,
                "DATABASE_URL": pulumi.Output.secret(args.database_url),
            }
            create = args.command if args.mode == "run" else _echo("migration", args.command)
            self.command = local.Command(
                f"{name}-command",
                create=create,
                interpreter=isolated_interpreter(list(environment)),
                # Re-run on a new command, a new database (URL) or a new release (triggers).
                triggers=[args.command, pulumi.Output.secret(args.database_url), *args.triggers],
                environment=environment,
                dir=args.dir,
                opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["stdout", "stderr"]),
            )
        self.register_outputs({"ran": args.mode == "run"})


def smoke_check_command(url: str, *, timeout_seconds: int) -> str:
    """curl with retries until the health URL answers 2xx/3xx, for at most `timeout_seconds`."""
    return " ".join(
        [
            "curl --fail --silent --show-error --location --output /dev/null",
            "--retry 1000 --retry-all-errors --retry-delay 5 --max-time 10",
            f"--retry-max-time {int(timeout_seconds)}",
            shlex.quote(url),
        ]
    )


def smoke_check(
    owner: pulumi.ComponentResource,
    name: str,
    url: pulumi.Input[str],
    *,
    mode: CommandMode,
    timeout_seconds: int,
    triggers: Sequence[pulumi.Input[Any]] = (),
    depends_on: Sequence[pulumi.Resource] = (),
) -> local.Command | None:
    """A child command of `owner` that requests `url` after each deployment."""
    if mode == "skip":
        return None
    create = pulumi.Output.from_input(url).apply(
        lambda u: (
            smoke_check_command(u, timeout_seconds=timeout_seconds)
            if mode == "run"
            else _echo("smoke check", smoke_check_command(u, timeout_seconds=timeout_seconds))
        )
    )
    return local.Command(
        f"{name}-smoke",
        create=create,
        interpreter=isolated_interpreter(),
        triggers=[url, *triggers],
        opts=pulumi.ResourceOptions(parent=owner, depends_on=list(depends_on)),
    )
