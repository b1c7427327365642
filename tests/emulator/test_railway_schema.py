"""Railway emulator: it serves Railway's whole published schema (read from `../shared/api`), answers the
fields it does not model as Railway does for an object that has none, and says plainly what it does not
emulate; where the published file is absent it falls back to its own subset."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from emulator.railway import load_schema
from emulator.railway.schema_source import SCHEMA_ENV, SUBSET_FILE, choose_schema
from emulator.testing import RunningEmulator
from tests.emulator.railway_support import create_project, create_service, gql, post

UNMODELLED_FIELDS = (
    "query project($id: String!) { project(id: $id) { id name subscriptionType "
    "buckets { edges { node { id } } pageInfo { hasNextPage endCursor } } featureFlags team { id } "
    "services { edges { node { id featureFlags repoTriggers { edges { node { id } } } "
    "serviceInstances { edges { node { id edgeConfig { __typename } railpackInfo } } } "
    "} } } } }"
)
WITHOUT_NON_NULL_SCALAR = UNMODELLED_FIELDS.replace(" subscriptionType", "")


def test_the_published_schema_is_served_when_it_is_beside_the_repository(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    choice = emulator.app.vendors["railway"].schema_choice  # type: ignore[attr-defined]
    assert choice.published and choice.path == (shared_api / "railway-schema.graphql").resolve()


def test_unmodelled_fields_answer_empty_and_null_and_a_non_null_one_says_not_emulated(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    del shared_api
    project_id, _ = create_project(emulator)
    service_id = create_service(emulator, project_id)
    project = gql(emulator, WITHOUT_NON_NULL_SCALAR, {"id": project_id})["project"]
    assert project["buckets"] == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    assert project["featureFlags"] == [] and project["team"] is None
    [service] = project["services"]["edges"]
    assert service["node"]["id"] == service_id
    assert service["node"]["repoTriggers"] == {"edges": []}
    [instance] = service["node"]["serviceInstances"]["edges"]
    assert instance["node"]["edgeConfig"] is None and instance["node"]["railpackInfo"] is None

    # A non-null field with nothing to show is an error naming it (never a made-up value); valid still.
    response = post(emulator, UNMODELLED_FIELDS, {"id": project_id})
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    [error] = payload["errors"]
    assert error["message"].startswith("Project.subscriptionType is not emulated")
    assert error["extensions"]["code"] == "NOT_EMULATED"
    assert error["path"] == ["project", "subscriptionType"]


def test_an_unmodelled_mutation_is_a_graphql_error_not_a_validation_failure(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    del shared_api
    document = (
        "mutation webhookTest($url: String!, $payload: String!) { webhookTest(url: $url, payload: $payload) }"
    )
    response = post(emulator, document, {"url": "https://example.com", "payload": "{}"})
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    assert payload["errors"][0]["message"].startswith("Mutation.webhookTest is not emulated")
    assert payload["errors"][0]["extensions"]["code"] == "NOT_EMULATED"
    # Without a token it is refused as Railway refuses any call without one.
    refused = post(emulator, document, {"url": "https://example.com", "payload": "{}"}, headers={}).json()
    assert refused["errors"][0]["message"] == "Not Authorized"
    # An unmodelled query whose answer is a non-null object says so too.
    template = post(emulator, 'query { template(code: "postgres") { id } }').json()
    assert template["errors"][0]["extensions"]["code"] == "NOT_EMULATED"


def test_a_document_invalid_against_railway_is_still_refused_as_invalid(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    del shared_api
    response = post(emulator, 'query { project(id: "x") { notAField } }')
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_schema_choice_option_environment_default_and_subset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(SCHEMA_ENV, raising=False)
    assert choose_schema("subset").path == SUBSET_FILE and not choose_schema("subset").published
    sdl = tmp_path / "railway.graphql"
    sdl.write_text(SUBSET_FILE.read_text())
    assert choose_schema(str(sdl)).published and choose_schema(str(sdl)).path == sdl.resolve()
    monkeypatch.setenv(SCHEMA_ENV, str(sdl))
    assert choose_schema().path == sdl.resolve()
    monkeypatch.setenv(SCHEMA_ENV, str(tmp_path / "missing.graphql"))
    with pytest.raises(FileNotFoundError, match=r"missing\.graphql"):
        choose_schema()
    monkeypatch.setenv(SCHEMA_ENV, "subset")
    assert choose_schema().path == SUBSET_FILE


def test_the_subset_refuses_what_it_does_not_serve() -> None:
    """The fallback is honest about being a subset: a valid Railway field it lacks fails validation."""
    errors = validate(load_schema(SUBSET_FILE), parse(WITHOUT_NON_NULL_SCALAR))
    assert any("buckets" in e.message for e in errors)


def test_environment_variables_and_workspace_project_count_resolve_from_state(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    del shared_api
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, variables={"A": "${{shared.S}}", "B": "plain"})
    document = (
        "query e($id: String!) { environment(id: $id) { variables { edges { node { name serviceId "
        "isSealed references service { id } } } } } me { workspaces { projectCount } } }"
    )
    data = gql(emulator, document, {"id": production})
    nodes = [edge["node"] for edge in data["environment"]["variables"]["edges"]]
    assert nodes == [
        {
            "name": "A",
            "serviceId": service_id,
            "isSealed": False,
            "references": ["shared.S"],
            "service": {"id": service_id},
        },
        {
            "name": "B",
            "serviceId": service_id,
            "isSealed": False,
            "references": [],
            "service": {"id": service_id},
        },
    ]
    assert data["me"]["workspaces"] == [{"projectCount": 1}]


def test_stage_initial_changes_is_said_to_be_not_emulated(
    emulator: RunningEmulator, shared_api: Path
) -> None:
    del shared_api
    project_id, production = create_project(emulator)
    document = "mutation f($input: EnvironmentCreateInput!) { environmentCreate(input: $input) { id } }"
    variables = {
        "input": {
            "projectId": project_id,
            "name": "pr-2",
            "sourceEnvironmentId": production,
            "stageInitialChanges": True,
        }
    }
    before = emulator.state()["railway"]["environments"]
    payload = post(emulator, document, variables).json()
    assert payload["errors"][0]["extensions"]["code"] == "NOT_EMULATED"
    assert emulator.state()["railway"]["environments"] == before
