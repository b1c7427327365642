"""RailwayEnvironment under Pulumi mocks: a new project, or an existing one (new or given environment)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.railway_environment import RailwayEnvironment, RailwayEnvironmentArgs
from tests.mocks import run


def test_a_new_project_gets_its_default_environment_named_as_asked() -> None:
    rec = run(
        lambda: RailwayEnvironment(
            "railway", RailwayEnvironmentArgs(project_name="acme-prod", environment_name="production")
        )
    )
    project = rec.named("railway-project")
    assert project.parent == rec.named("railway").urn
    assert project.plain("name") == "acme-prod" and project.plain("default_environment_name") == "production"
    assert rec.of_type("railway:Environment") == []


def test_protect_reaches_the_project() -> None:
    rec = run(lambda: RailwayEnvironment("railway", RailwayEnvironmentArgs(project_name="p", protect=True)))
    assert rec.named("railway-project").protect


def test_an_existing_project_gets_a_new_environment() -> None:
    seen: dict[str, Any] = {}

    def program() -> Any:
        scope = RailwayEnvironment(
            "railway", RailwayEnvironmentArgs(project_id="proj-9", environment_name="staging")
        )
        return pulumi.Output.all(scope.project_id, scope.environment_id).apply(lambda v: seen.update(ids=v))

    rec = run(program)
    env = rec.named("railway-environment")
    assert env.plain("project_id") == "proj-9" and env.plain("name") == "staging"
    assert rec.of_type("railway:Project") == []
    assert seen["ids"] == ["proj-9", "railway-environment-id"]


def test_an_existing_environment_registers_nothing_but_the_component() -> None:
    rec = run(
        lambda: RailwayEnvironment("railway", RailwayEnvironmentArgs(project_id="p", environment_id="e"))
    )
    assert rec.names() == ["railway"]


def test_both_or_neither_project_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one of project_name"):
        run(lambda: RailwayEnvironment("railway", RailwayEnvironmentArgs(project_name="a", project_id="b")))
