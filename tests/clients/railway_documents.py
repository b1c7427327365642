"""Railway's own clients' GraphQL documents, sent to the emulator as those clients send them.

Railway's CLI cannot be pointed at another host, and the Terraform provider needs Terraform; but both
send fixed documents, kept with their sources in `../shared/api/railway-real-documents/` (read from there,
never copied). `RailwayClient` sends one of them with the variables and headers that client sends:

- the CLI (`railwayapp/cli`, graphql_client + `post_graphql_skip_none`): the file's text as the query,
  null variables left out (null tells Railway to clear a field), `Authorization: Bearer` for
  `RAILWAY_API_TOKEN` or `project-access-token` for `RAILWAY_TOKEN`, and an `x-source` header;
- the Terraform provider (genqlient): the wire document with its operation name, every declared variable
  sent (unset input fields omitted, `omitempty`), `Authorization: Bearer`, and the endpoint's
  `?source=terraform_provider_railway`.

Every response is checked against Railway's published schema: the document is executed against that
schema with a resolver that answers the response's own data, and must give back exactly that data with no
error (so each field has its schema type, nullability and enum values), or be an error answer in GraphQL's
shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import graphql
import httpx

from emulator.testing import RunningEmulator

CLI_VERSION = "5.43.1"  # the CLI release the documents were taken from (SOURCES.tsv)


@cache
def published_schema(path: Path) -> graphql.GraphQLSchema:
    # Railway's SDL trips one graphql-core interface check (a deprecated Team.id); it is Railway's schema.
    return graphql.build_schema(path.read_text(), assume_valid=True)


def _skip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _skip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_skip_none(v) for v in value]
    return value


def _answer_from_data(source: Any, info: graphql.GraphQLResolveInfo, **_: Any) -> Any:
    key = info.path.key
    return source.get(key) if isinstance(source, dict) else None


def check_against_schema(
    schema: graphql.GraphQLSchema, document: str, variables: dict[str, Any], payload: Any
) -> None:
    """`payload` is a response Railway could give to `document`: asserts, naming what is wrong."""
    assert isinstance(payload, dict) and set(payload) <= {"data", "errors", "extensions"}, payload
    for error in payload.get("errors") or []:
        assert isinstance(error.get("message"), str) and error["message"], error
    data = payload.get("data")
    if data is None:
        assert payload.get("errors"), f"no data and no errors: {payload}"
        return
    parsed = graphql.parse(document)
    assert not graphql.validate(schema, parsed)
    result = graphql.execute_sync(
        schema, parsed, root_value=data, variable_values=variables, field_resolver=_answer_from_data
    )
    if payload.get("errors"):
        # A partial answer: every field apart from the failed ones must still have its schema type.
        failed = [tuple(e.get("path") or ()) for e in payload["errors"]]
        for problem in result.errors or []:
            at = tuple(problem.path or ())
            assert any(at[: len(p)] == p or p[: len(at)] == at for p in failed), problem.message
        return
    assert not result.errors, [e.message for e in result.errors]
    assert result.data == data, f"response differs from its schema-typed reading:\n{data}\n{result.data}"


class RailwayClient:
    """Sends the documents of one client (`cli` or `terraform`) from `railway-real-documents/`."""

    def __init__(
        self, emulator: RunningEmulator, shared_api: Path, client: str, token: str | None = "client-token"
    ) -> None:
        assert client in ("cli", "terraform")
        self.emulator = emulator
        self.client = client
        self.folder = shared_api / "railway-real-documents" / client
        self.schema = published_schema(shared_api / "railway-schema.graphql")
        self.token = token
        self.project_token: str | None = None
        self.http = httpx.Client(timeout=10)
        self.sent: set[str] = set()

    def document(self, name: str) -> str:
        return (self.folder / f"{name}.graphql").read_text()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.client == "cli":
            headers["x-source"] = f"railway-cli/{CLI_VERSION}"
            headers["User-Agent"] = f"railway-cli/{CLI_VERSION}"
            if self.project_token is not None:
                headers["project-access-token"] = self.project_token
                return headers
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _url(self) -> str:
        if self.client == "terraform":
            return f"{self.emulator.railway_url}?source=terraform_provider_railway"
        return self.emulator.railway_url

    def post(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response body of document `name` (checked against the published schema)."""
        text = self.document(name)
        variables = dict(variables or {})
        body: dict[str, Any] = {"query": text}
        if self.client == "cli":
            body["variables"] = _skip_none(variables)
        else:
            operation = next(
                d for d in graphql.parse(text).definitions if isinstance(d, graphql.OperationDefinitionNode)
            )
            assert operation.name is not None
            declared = {v.variable.name.value for v in operation.variable_definitions or ()}
            assert set(variables) == declared, f"{name}: genqlient sends exactly {sorted(declared)}"
            body["variables"] = variables
            body["operationName"] = operation.name.value
        response = self.http.post(self._url(), json=body, headers=self._headers())
        assert response.status_code == 200, f"{name}: HTTP {response.status_code} {response.text}"
        payload: dict[str, Any] = response.json()
        check_against_schema(self.schema, text, body["variables"], payload)
        self.sent.add(name)
        return payload

    def data(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a successful answer."""
        payload = self.post(name, variables)
        assert not payload.get("errors"), f"{name}: {payload['errors']}"
        data: dict[str, Any] = payload["data"]
        return data

    def error(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The first GraphQL error of an answer that must fail."""
        payload = self.post(name, variables)
        assert payload.get("errors"), f"{name} should have failed: {payload}"
        first: dict[str, Any] = payload["errors"][0]
        return first

    def wait(self, check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        """Poll as the clients do, until `check()` holds (time scale 0 moves one step per look)."""
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.01)

    def unsent(self) -> set[str]:
        """Documents of this client never sent (every one of them must be exercised)."""
        return {p.stem for p in self.folder.glob("*.graphql")} - self.sent
