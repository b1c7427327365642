"""The Neon Resource classes under Pulumi mocks: type tokens, registered inputs, secret outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import providers.neon as neon
from tests.mocks import run

EXAMPLES: dict[str, tuple[Any, Any, set[str]]] = {
    "Project": (
        neon.Project,
        neon.ProjectArgs(name="sentia-prod", autoscaling_min_cu=0.5, autoscaling_max_cu=4),
        {"password", "connection_uri", "pooled_connection_uri"},
    ),
    "Branch": (neon.Branch, neon.BranchArgs(project_id="p-1", name="staging"), set()),
    "Endpoint": (neon.Endpoint, neon.EndpointArgs(project_id="p-1", branch_id="br-1"), set()),
    "Role": (neon.Role, neon.RoleArgs(project_id="p-1", branch_id="br-1", name="app"), {"password"}),
    "Database": (
        neon.Database,
        neon.DatabaseArgs(project_id="p-1", branch_id="br-1", name="app", owner_name="app"),
        set(),
    ),
    "ConnectionUri": (
        neon.ConnectionUri,
        neon.ConnectionUriArgs(project_id="p-1", database_name="app", role_name="app", password="pw"),
        {"connection_uri", "pooled_connection_uri", "password"},
    ),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_type_token_inputs_and_secret_outputs(kind: str) -> None:
    cls, args, secrets = EXAMPLES[kind]

    def program() -> None:
        cls(f"my-{kind.lower()}", args)

    registration = run(program).named(f"my-{kind.lower()}")
    assert registration.type == f"pulumi-python:dynamic/neon:{kind}"
    assert set(registration.additional_secret_outputs) == secrets
    # Unset optional inputs are not sent; the set ones are.
    expected = {k: v for k, v in vars(args).items() if v is not None}
    assert {k: v for k, v in registration.inputs.items() if k in expected} == expected
    assert not any(v is None for v in registration.inputs.values())


def test_output_attributes_exist_for_the_database_component() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        project = neon.Project("p", neon.ProjectArgs(name="x"))
        uri = neon.ConnectionUri(
            "c", neon.ConnectionUriArgs(project_id="p-1", database_name="d", role_name="r")
        )
        for name in ("connection_uri", "pooled_connection_uri", "host", "port", "database_name", "role_name"):
            seen[f"project.{name}"] = getattr(project, name)
            seen[f"uri.{name}"] = getattr(uri, name)

    run(program)
    assert all(isinstance(value, pulumi.Output) for value in seen.values())
