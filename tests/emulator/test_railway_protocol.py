"""Railway emulator: auth, validation errors, rate limits, faults, operation names, state and its file."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.core.app import Settings
from emulator.railway import RailwayBackend
from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.railway_support import (
    PROJECT_CREATE,
    create_project,
    create_service,
    gql,
    gql_error,
    post,
)

PROJECT = "query project($id: String!) { project(id: $id) { id name } }"
ENVIRONMENT = "query environment($id: String!) { environment(id: $id) { id name } }"
TOKEN_CREATE = (
    "mutation projectTokenCreate($input: ProjectTokenCreateInput!) { projectTokenCreate(input: $input) }"
)


def test_missing_or_malformed_token_is_not_authorized_with_http_200(emulator: RunningEmulator) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = post(emulator, PROJECT_CREATE, {"input": {"name": "x"}}, headers=headers)
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["message"] == "Not Authorized"
    assert emulator.state()["railway"]["projects"] == []


def test_only_the_configured_token_is_accepted(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator.app.settings, "token", "the-one")
    wrong = gql_error(
        emulator, PROJECT_CREATE, {"input": {"name": "x"}}, headers={"Authorization": "Bearer other"}
    )
    assert wrong == "Not Authorized"
    right = gql(
        emulator, PROJECT_CREATE, {"input": {"name": "x"}}, headers={"Authorization": "Bearer the-one"}
    )
    assert right["projectCreate"]["name"] == "x"


def test_project_token_reaches_only_its_environment(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    staging = gql(
        emulator,
        "mutation environmentCreate($input: EnvironmentCreateInput!) "
        "{ environmentCreate(input: $input) { id } }",
        {"input": {"projectId": project_id, "name": "staging"}},
    )["environmentCreate"]["id"]
    other_project, _ = create_project(emulator, "other")
    token = gql(
        emulator,
        TOKEN_CREATE,
        {"input": {"projectId": project_id, "environmentId": production, "name": "ci"}},
    )["projectTokenCreate"]
    scoped = {"Project-Access-Token": token}
    assert gql(
        emulator, "query projectToken { projectToken { projectId environmentId } }", headers=scoped
    ) == {"projectToken": {"projectId": project_id, "environmentId": production}}
    assert gql(emulator, ENVIRONMENT, {"id": production}, headers=scoped)["environment"]["id"] == production
    assert gql_error(emulator, ENVIRONMENT, {"id": staging}, headers=scoped) == "Not Authorized"
    assert gql_error(emulator, PROJECT, {"id": other_project}, headers=scoped) == "Not Authorized"
    assert gql_error(emulator, PROJECT_CREATE, {"input": {"name": "y"}}, headers=scoped) == "Not Authorized"
    # An unknown project token is refused.
    assert gql_error(emulator, PROJECT, {"id": project_id}, headers={"Project-Access-Token": "nope"}) == (
        "Not Authorized"
    )
    # Within its environment it can work: create a service, which lands only in that environment.
    service_id = gql(
        emulator,
        "mutation serviceCreate($input: ServiceCreateInput!) { serviceCreate(input: $input) { id } }",
        {"input": {"projectId": project_id, "name": "from-ci"}},
        headers=scoped,
    )["serviceCreate"]["id"]
    instances = [i for i in emulator.state()["railway"]["serviceInstances"] if i["serviceId"] == service_id]
    assert [i["environmentId"] for i in instances] == [production]
    assert token not in str(emulator.state())


def test_document_that_does_not_validate_gets_400_with_graphql_errors(emulator: RunningEmulator) -> None:
    response = post(
        emulator, "query project($id: String!) { project(id: $id) { id nosuchfield } }", {"id": "x"}
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["message"] == 'Cannot query field "nosuchfield" on type "Project".'
    assert error["locations"] == [{"line": 1, "column": 53}]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    unknown_input = post(
        emulator, PROJECT_CREATE, {"input": {"name": "x", "region": "us-west2"}}
    )  # ProjectCreateInput has no region
    assert unknown_input.status_code == 400
    assert "region" in unknown_input.json()["errors"][0]["message"]
    syntax = post(emulator, "query { project(id: ", {})
    assert syntax.status_code == 400
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")
    missing_variable = post(emulator, PROJECT, {})
    assert missing_variable.status_code == 400
    assert "$id" in missing_variable.json()["errors"][0]["message"]
    assert emulator.state()["railway"]["projects"] == []


def test_rate_limit_headers_on_every_response_and_429_past_the_limit(emulator: RunningEmulator) -> None:
    httpx.post(
        f"{emulator.url}/_emulator/settings", json={"vendors": {"railway": {"rate_limit_per_second": 2}}}
    ).raise_for_status()
    query = "query regions { regions { name } }"
    first = post(emulator, query)
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert int(first.headers["X-RateLimit-Reset"]) > 0
    post(emulator, query)
    limited = post(emulator, query)
    assert limited.status_code == 429
    assert limited.json() == {"data": None}
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # The limit is per token.
    assert post(emulator, query, headers={"Authorization": "Bearer another"}).status_code == 200


def test_default_rate_limit_is_generous(emulator: RunningEmulator) -> None:
    statuses = {post(emulator, "query regions { regions { name } }").status_code for _ in range(30)}
    assert statuses == {200}


def test_injected_faults_are_graphql_shaped_and_before_faults_change_nothing(
    emulator: RunningEmulator,
) -> None:
    emulator.inject(vendor="railway", operation="projectCreate", status=500)
    failed = post(emulator, PROJECT_CREATE, {"input": {"name": "x"}})
    assert failed.status_code == 500
    assert failed.json()["data"] is None
    assert failed.json()["errors"][0]["message"]
    assert emulator.state()["railway"]["projects"] == []
    emulator.inject(vendor="railway", operation="projectCreate", status=429, retry_after=3)
    limited = post(emulator, PROJECT_CREATE, {"input": {"name": "x"}})
    assert (limited.status_code, limited.headers["Retry-After"], limited.json()) == (429, "3", {"data": None})
    emulator.inject(vendor="railway", operation="projectCreate", status=502, when="after")
    ambiguous = post(emulator, PROJECT_CREATE, {"input": {"name": "made-anyway"}})
    assert ambiguous.status_code == 502
    assert [p["name"] for p in emulator.state()["railway"]["projects"]] == ["made-anyway"]


def test_operation_name_is_the_named_operation_else_the_first_root_field(emulator: RunningEmulator) -> None:
    emulator.clear_requests()
    post(emulator, "query regions { regions { name } }")
    post(emulator, "{ regions { name } }")
    post(emulator, "query a { regions { name } } query b { regions { id } }", operation_name="b")
    logged = emulator.requests("railway")
    assert [r["operation"] for r in logged] == ["regions", "regions", "b"]
    assert logged[0]["request"]["query"] == "query regions { regions { name } }"
    assert logged[0]["status"] == 200


def test_public_state_lists_every_kind_and_is_empty_after_deletes(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    create_service(emulator, project_id, source={"image": "nginx"}, variables={"A": "1"})
    state = emulator.state()["railway"]
    assert {
        "workspaces",
        "projects",
        "environments",
        "services",
        "serviceInstances",
        "variables",
        "deployments",
        "serviceDomains",
        "customDomains",
        "tcpProxies",
        "volumes",
        "volumeInstances",
        "backupSchedules",
        "notificationRules",
        "projectTokens",
    } <= set(state)
    assert all(isinstance(rows, list) for rows in state.values())
    assert [p["id"] for p in state["projects"]] == [project_id]
    assert [v["values"] for v in state["variables"]] == [{"A": "1"}]
    gql(emulator, "mutation projectDelete($id: String!) { projectDelete(id: $id) }", {"id": project_id})
    after = emulator.state()["railway"]
    assert {kind: rows for kind, rows in after.items() if rows and kind != "workspaces"} == {}
    del production


def test_state_survives_a_restart_with_a_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    settings = Settings(time_scale=0, state_file=state_file)
    with running_emulator(settings, (RailwayBackend,)) as first:
        project_id, production = create_project(first, "durable")
        service_id = create_service(first, project_id, source={"image": "nginx"}, variables={"KEY": "v"})
    assert state_file.exists()
    with running_emulator(Settings(time_scale=0, state_file=state_file), (RailwayBackend,)) as second:
        assert gql(second, PROJECT, {"id": project_id})["project"] == {"id": project_id, "name": "durable"}
        read = gql(
            second,
            "query variables($projectId: String!, $environmentId: String!, $serviceId: String) "
            "{ variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, "
            "unrendered: true) }",
            {"projectId": project_id, "environmentId": production, "serviceId": service_id},
        )
        assert read["variables"] == {"KEY": "v"}


def test_me_and_workspace_report_the_rate_limit_budget(emulator: RunningEmulator) -> None:
    me = gql(
        emulator, "query me { me { email workspaces { id name } apiTokenRateLimit { remainingPoints } } }"
    )["me"]
    assert me["workspaces"] and me["apiTokenRateLimit"]["remainingPoints"] > 0
    workspace_id = me["workspaces"][0]["id"]
    project_id, _ = create_project(emulator)
    workspace = gql(
        emulator,
        "query workspace($workspaceId: String!) { workspace(workspaceId: $workspaceId) "
        "{ id projects { edges { node { id } } } } }",
        {"workspaceId": workspace_id},
    )["workspace"]
    assert [edge["node"]["id"] for edge in workspace["projects"]["edges"]] == [project_id]
    missing = gql_error(
        emulator,
        "query workspace($workspaceId: String!) { workspace(workspaceId: $workspaceId) { id } }",
        {"workspaceId": "00000000-0000-0000-0000-000000000000"},
    )
    assert missing == "Workspace not found"


def test_environment_config_shows_variable_values_only_when_decrypted(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    service_id = create_service(emulator, project_id, variables={"PASSWORD": "hunter2"})
    query = (
        "query environment($id: String!, $decrypt: Boolean) "
        "{ environment(id: $id) { config(decryptVariables: $decrypt) configEtag } }"
    )
    hidden = gql(emulator, query, {"id": production, "decrypt": False})["environment"]
    assert hidden["config"]["services"][service_id]["variables"] == {"PASSWORD": {}}
    assert "hunter2" not in str(hidden)
    shown = gql(emulator, query, {"id": production, "decrypt": True})["environment"]
    assert shown["config"]["services"][service_id]["variables"] == {"PASSWORD": {"value": "hunter2"}}
    assert shown["configEtag"] == hidden["configEtag"]


def test_project_token_delete_revokes_it(emulator: RunningEmulator) -> None:
    project_id, production = create_project(emulator)
    token = gql(
        emulator,
        TOKEN_CREATE,
        {"input": {"projectId": project_id, "environmentId": production, "name": "ci"}},
    )["projectTokenCreate"]
    token_id = emulator.state()["railway"]["projectTokens"][0]["id"]
    gql(
        emulator,
        "mutation projectTokenDelete($id: String!) { projectTokenDelete(id: $id) }",
        {"id": token_id},
    )
    assert gql_error(emulator, PROJECT, {"id": project_id}, headers={"Project-Access-Token": token}) == (
        "Not Authorized"
    )
