"""Migration under Pulumi mocks: the command runs against the database, and can echo or be skipped."""

from __future__ import annotations

from typing import Any

from components.commands import Migration, MigrationArgs
from tests.mocks import Recorder, is_secret, run


def build(**changes: Any) -> Recorder:
    base: dict[str, Any] = {
        "command": "npm run migrate",
        "database_url": "postgresql://u:p@h/db",
        "triggers": ["ghcr.io/acme/api:1.4.2"],
    }
    return run(lambda: Migration("web-migrate", MigrationArgs(**{**base, **changes})))


def test_migration_runs_the_command_with_the_database_url_as_a_secret() -> None:
    rec = build()
    command = rec.named("web-migrate-command")
    assert command.parent == rec.named("web-migrate").urn
    assert command.plain("create") == "npm run migrate"
    assert is_secret(command.inputs["environment"])
    assert command.plain("environment") == {"DATABASE_URL": "postgresql://u:p@h/db"}
    assert {"stdout", "stderr"} <= set(command.additional_secret_outputs)


def test_a_new_release_re_runs_the_migration() -> None:
    triggers = build().named("web-migrate-command").plain("triggers")
    assert "ghcr.io/acme/api:1.4.2" in triggers and "npm run migrate" in triggers


def test_echo_mode_never_runs_the_command() -> None:
    create = build(mode="echo").named("web-migrate-command").plain("create")
    assert create == "echo '[commands: echo] migration would run: npm run migrate'"


def test_skip_mode_registers_no_command() -> None:
    assert build(mode="skip").of_type("command:local:Command") == []
