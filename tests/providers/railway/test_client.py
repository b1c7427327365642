"""RailwayClient over a mock transport: URL, headers, documents, null handling, errors and retry safety."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from providers.http import AmbiguousRequestError, Secret
from providers.railway.client import (
    CLEAR,
    DOCUMENTS,
    UNSAFE_OPERATIONS,
    RailwayApiError,
    RailwayClient,
    is_not_found,
    prepare_variables,
)

TOKEN = "rw_account_0123456789abcdef"
PROJECT_TOKEN = "rw_project_fedcba9876543210"


class Server:
    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self, **kwargs: Any) -> RailwayClient:
        kwargs.setdefault("token", Secret(TOKEN))
        return RailwayClient(
            api_url="https://backboard.example/graphql/v2",
            transport=httpx.MockTransport(self.handler),
            sleep=lambda _s: None,
            **kwargs,
        )

    def body(self, index: int = -1) -> dict[str, Any]:
        return dict(json.loads(self.requests[index].content))


def data(operation: str, value: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": {operation: value}})


def test_request_shape_url_headers_and_operation_name() -> None:
    server = Server(data("service", {"id": "s1", "name": "web", "projectId": "p1"}))
    service = server.client().service("s1")
    assert service["name"] == "web"
    request = server.requests[0]
    assert request.method == "POST"
    # The query string keeps Railway's Cloudflare edge from applying its 10 RPS limit.
    assert request.url.params["source"] == "platform-pulumi"
    assert request.url.path == "/graphql/v2"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Project-Access-Token" not in request.headers
    body = server.body()
    assert body["operationName"] == "service"
    assert body["query"] == DOCUMENTS["service"]
    assert body["variables"] == {"id": "s1"}


def test_project_token_is_sent_as_project_access_token_not_bearer() -> None:
    server = Server(data("variables", {"A": "1"}))
    client = server.client(token=None, project_token=Secret(PROJECT_TOKEN))
    assert client.variables(project_id="p", environment_id="e") == {"A": "1"}
    headers = server.requests[0].headers
    assert headers["Project-Access-Token"] == PROJECT_TOKEN
    assert "Authorization" not in headers


def test_client_needs_some_token() -> None:
    with pytest.raises(ValueError, match="token"):
        RailwayClient(api_url="https://x")


def test_unset_fields_are_omitted_and_clear_sends_null() -> None:
    server = Server(data("serviceInstanceUpdate", True))
    server.client().service_instance_update(
        service_id="s",
        environment_id="e",
        settings={"startCommand": "run", "healthcheckPath": None, "cronSchedule": CLEAR},
    )
    variables = server.body()["variables"]
    assert variables["input"] == {"startCommand": "run", "cronSchedule": None}
    assert "healthcheckPath" not in json.dumps(variables)


def test_service_create_omits_everything_not_given() -> None:
    server = Server(data("serviceCreate", {"id": "s1", "name": "web", "projectId": "p"}))
    server.client().service_create(project_id="p", name="web", image="nginx:1", variables={"PORT": "80"})
    assert server.body()["variables"] == {
        "input": {
            "projectId": "p",
            "name": "web",
            "source": {"image": "nginx:1"},
            "variables": {"PORT": "80"},
        }
    }
    assert "null" not in server.requests[0].content.decode()


def test_prepare_variables_nested() -> None:
    value = {"a": None, "b": {"c": None, "d": CLEAR, "e": [1, None]}, "f": CLEAR}
    assert prepare_variables(value) == {"b": {"d": None, "e": [1]}, "f": None}
    assert pickle.loads(pickle.dumps(CLEAR)) is CLEAR


def test_graphql_errors_in_200_become_api_errors() -> None:
    server = Server(
        httpx.Response(
            200,
            headers={"x-request-id": "rq-7"},
            json={
                "data": None,
                "errors": [{"message": "Project not found", "extensions": {"code": "NOT_FOUND"}}],
            },
        )
    )
    with pytest.raises(RailwayApiError) as caught:
        server.client().project("p-missing")
    error = caught.value
    assert error.message == "Project not found"
    assert error.operation == "project"
    assert error.request_id == "rq-7"
    assert error.code == "NOT_FOUND"
    assert error.is_not_found and is_not_found(error)
    assert not error.is_not_authorized


def test_not_authorized_is_recognisable_and_not_taken_for_gone() -> None:
    server = Server(httpx.Response(200, json={"errors": [{"message": "Not Authorized"}], "data": None}))
    with pytest.raises(RailwayApiError) as caught:
        server.client().service("s")
    assert caught.value.is_not_authorized
    assert not caught.value.is_not_found


def test_response_without_data_is_an_error() -> None:
    server = Server(httpx.Response(200, json={"data": {}}))
    with pytest.raises(RailwayApiError, match="no data"):
        server.client().service("s")


def test_http_error_with_graphql_body_keeps_the_message_and_reads_not_found() -> None:
    server = Server(httpx.Response(400, json={"errors": [{"message": "Service not found"}]}))
    with pytest.raises(RailwayApiError) as caught:
        server.client().service("s")
    assert caught.value.status == 400
    assert caught.value.is_not_found


class FailOnceServer(Server):
    """Answers the first request with a 500, then with success for whatever operation was asked."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) == 1:
            return httpx.Response(500, text="oops")
        name = json.loads(request.content)["operationName"]
        return data(name, {"id": "s"} if name == "service" else True)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.service("s"),
        lambda c: c.service_instance_update(service_id="s", environment_id="e", settings={"numReplicas": 2}),
        lambda c: c.variable_collection_upsert(project_id="p", environment_id="e", variables={"A": "1"}),
        lambda c: c.service_delete("s"),
    ],
    ids=["query", "update", "upsert", "delete"],
)
def test_queries_and_idempotent_mutations_are_retried_after_a_500(call: Any) -> None:
    server = FailOnceServer()
    call(server.client())
    assert len(server.requests) == 2


@pytest.mark.parametrize("operation", sorted(UNSAFE_OPERATIONS))
def test_creates_are_unsafe(operation: str) -> None:
    assert DOCUMENTS[operation].startswith("mutation")


def test_create_that_gets_500_is_not_repeated() -> None:
    server = Server(httpx.Response(500, text="oops"))
    with pytest.raises(AmbiguousRequestError) as caught:
        server.client().service_create(project_id="p", name="web")
    assert len(server.requests) == 1
    assert caught.value.operation == "serviceCreate"


def test_bare_429_is_retried() -> None:
    server = Server(httpx.Response(429, text="error code: 1015"), data("service", {"id": "s"}))
    server.client().service("s")
    assert len(server.requests) == 2


def test_token_is_never_shown() -> None:
    server = Server(httpx.Response(200, json={"errors": [{"message": f"bad token {TOKEN}"}]}))
    client = server.client()
    with pytest.raises(RailwayApiError) as caught:
        client.service("s")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(client)
    with pytest.raises(TypeError):
        pickle.dumps(client)


def test_documents_are_one_named_operation_named_after_its_root_field() -> None:
    for name, document in DOCUMENTS.items():
        head, _, rest = document.partition("{")
        assert head.split()[1].split("(")[0] == name
        assert rest.strip().startswith(f"{name}(") or rest.strip().startswith(f"{name} ")


def test_project_connection_edges_are_flattened() -> None:
    environments = {"edges": [{"node": {"id": "e1", "name": "production", "createdAt": "2026-01-01"}}]}
    server = Server(data("project", {"id": "p", "name": "x", "environments": environments}))
    project = server.client().project("p")
    assert project["environments"] == [{"id": "e1", "name": "production", "createdAt": "2026-01-01"}]
