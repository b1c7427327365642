"""Local commands the program runs through pulumi-command: database migrations and smoke checks.

Each runs where `pulumi up` runs. `mode` makes them harmless where that matters (against the emulator,
whose URLs and databases are not real): `run` runs the command, `echo` runs `echo` with what it would
have run, `skip` registers nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi_command import local

CommandMode = Literal["run", "echo", "skip"]


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


class Migration(pulumi.ComponentResource):
    """Runs the migration command once the database is ready; services deploy after it."""

    command: local.Command | None

    def __init__(self, name: str, args: MigrationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:components:Migration", name, None, opts)
        self.command = None
        if args.mode != "skip":
            create = args.command if args.mode == "run" else _echo("migration", args.command)
            self.command = local.Command(
                f"{name}-command",
                create=create,
                # Re-run on a new command, a new database (URL) or a new release (triggers).
                triggers=[args.command, pulumi.Output.secret(args.database_url), *args.triggers],
                environment={"DATABASE_URL": pulumi.Output.secret(args.database_url)},
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
        triggers=[url, *triggers],
        opts=pulumi.ResourceOptions(parent=owner, depends_on=list(depends_on)),
    )
