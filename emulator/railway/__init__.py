"""The Railway emulator: Railway's public GraphQL API (`POST /railway/graphql/v2`) over in-memory state.

Documents are parsed, validated and executed with graphql-core against Railway's whole published schema,
read from `../shared/api/railway-schema.graphql` (or `--railway-schema FILE` / `RAILWAY_SCHEMA_FILE`), or
where that file is absent against `schema.graphql`, our own subset of it (`schema_source.py` says how the
choice is made and what an unmodelled field answers). Root fields resolve in `responses.py`, state and
its rules live in `models.py`. Behaviour a client can tell apart from Railway's:

- Auth: `Authorization: Bearer <token>` (an account/workspace token: any non-empty token, or only the
  emulator's `--token`) or `Project-Access-Token: <token>` (a token made by `projectTokenCreate`, good for
  that project's one environment). A refused token is a GraphQL error "Not Authorized", HTTP 200,
  `data: null`; `regions` answers without a token.
- A missing object is a GraphQL error "<Kind> not found" (e.g. "Project not found"), HTTP 200.
- A document that does not parse or validate, or whose variables do not coerce, gets HTTP 400 with
  `{"errors": [{"message", "locations", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED" |
  "GRAPHQL_PARSE_FAILED" | "BAD_USER_INPUT"}}]}` (what Apollo-style servers send; Railway's exact status
  for these is not documented).
- Rate limits per token: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds)
  on every response; past the limit HTTP 429 with `Retry-After` (integer seconds) and `{"data": null}`.
  The limit is the vendor option `rate_limit_per_second` (`POST /_emulator/settings {"vendors":
  {"railway": {"rate_limit_per_second": 5}}}`), default 1000.
- Deployments move INITIALIZING → BUILDING → DEPLOYING → SUCCESS in emulated time (time scale 0: done on
  the next look). An injected fault with `effect: "deployment_failed"` (or `"deployment_crashed"`) on the
  operation that starts a deployment makes that deployment end FAILED (or CRASHED).
"""

from __future__ import annotations

import functools
import hashlib
import math
import pickle
import re
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from emulator.core.ratelimit import RateLimiter, Verdict
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend
from emulator.railway import environment_changes  # noqa: F401  (registers the staged-changes resolvers)
from emulator.railway.exceptions import HttpError, NotAuthorized
from emulator.railway.models import RailwayModel
from emulator.railway.responses import MUTATIONS, OBJECT_FIELDS, PUBLIC_FIELDS, QUERIES, Context, Principal
from emulator.railway.schema_source import (
    SUBSET_FILE,
    SchemaChoice,
    absent_value,
    choose_schema,
    fallback_field_resolver,
    not_emulated,
    read_sdl,
)

QUOTED_NAME = re.compile(r"'([^'\s]*)'")
SCHEMA_FILE = SUBSET_FILE  # the emulator's own subset SDL (see schema_source for what is served)
DEFAULT_RATE_LIMIT_PER_SECOND = 1000

__all__ = ["RailwayBackend", "choose_schema", "load_schema"]


def _root_resolver(function: Any, name: str, is_mutation: bool) -> Any:
    def resolve(_root: Any, info: Any, **args: Any) -> Any:
        ctx: Context = info.context
        if ctx.principal is None and name not in PUBLIC_FIELDS:
            raise NotAuthorized()
        if not is_mutation:
            return function(ctx, **args)
        # A failed mutation changes nothing: restore the state as it was before this field ran.
        snapshot = pickle.dumps(ctx.model.data, pickle.HIGHEST_PROTOCOL)
        try:
            return function(ctx, **args)
        except Exception:
            ctx.model.data = pickle.loads(snapshot)
            raise

    return resolve


def _unmodelled_root_resolver(name: str, is_mutation: bool) -> Any:
    def resolve(_root: Any, info: Any, **_args: Any) -> Any:
        ctx: Context = info.context
        if ctx.principal is None:
            raise NotAuthorized()
        if is_mutation:
            raise not_emulated(f"Mutation.{name}")
        return absent_value(info.return_type, f"Query.{name}")

    return resolve


@functools.cache
def load_schema(path: Path = SUBSET_FILE) -> GraphQLSchema:
    """The SDL at `path` (default: the emulator's own subset) with every modelled root field and computed
    object field bound to its resolver. The emulator's subset must model every root field it has; in
    Railway's published schema the others answer "not emulated" (see `schema_source`)."""
    subset = path == SUBSET_FILE
    # Railway's own SDL trips one of graphql-core's stricter interface checks (a deprecated `Team.id`
    # implementing `Node.id`), which says nothing about the documents clients send: take it as valid.
    schema = build_schema(read_sdl(path), assume_valid=not subset)
    for type_name, resolvers, is_mutation in (("Query", QUERIES, False), ("Mutation", MUTATIONS, True)):
        root = schema.get_type(type_name)
        assert isinstance(root, GraphQLObjectType)
        unbound = set(root.fields) - set(resolvers)
        if unbound and subset:
            raise RuntimeError(f"schema.graphql {type_name} fields without a resolver: {sorted(unbound)}")
        missing = set(resolvers) - set(root.fields)
        if missing:
            raise RuntimeError(f"{path}: {type_name} lacks the modelled fields {sorted(missing)}")
        for name in unbound:
            root.fields[name].resolve = _unmodelled_root_resolver(name, is_mutation)
        for name, function in resolvers.items():
            root.fields[name].resolve = _root_resolver(function, name, is_mutation)
    for type_name, fields in OBJECT_FIELDS.items():
        object_type = schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType), type_name
        for name, function in fields.items():
            object_type.fields[name].resolve = function
    return schema


def _first_operation(document: DocumentNode) -> OperationDefinitionNode | None:
    return next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None)


def _errors(errors: list[GraphQLError], code: str) -> list[dict[str, Any]]:
    formatted = []
    for error in errors:
        item: dict[str, Any] = dict(error.formatted)
        # graphql-core quotes names as 'name'; Railway's server (graphql-js) as "name".
        item["message"] = QUOTED_NAME.sub(r'"\1"', item["message"])
        item["extensions"] = {**(item.get("extensions") or {}), "code": code}
        formatted.append(item)
    return formatted


class RailwayBackend(VendorBackend):
    name = "railway"
    prefix = "/railway/graphql/v2"

    def __init__(self, app: Any) -> None:
        self.schema_choice: SchemaChoice = choose_schema(app.vendor_option("railway", "schema_file"))
        self.schema = load_schema(self.schema_choice.path)
        self.model = RailwayModel(app.clock)
        self._limiter: RateLimiter | None = None
        self._verdicts: dict[int, Verdict] = {}
        super().__init__(app)

    # -- state ------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.model.reset()
        if self._limiter:
            self._limiter.reset()

    def dump_state(self) -> dict[str, Any]:
        return self.model.dump()

    def load_state(self, state: dict[str, Any]) -> None:
        self.model.load(state)

    def public_state(self) -> dict[str, Any]:
        """Every object per kind, as lists (secrets such as registry passwords and token hashes left out)."""
        state = self.model.dump()
        for instance in state["serviceInstances"].values():
            if instance.get("registryCredentials"):
                instance["registryCredentials"] = {
                    "username": instance["registryCredentials"].get("username")
                }
        for token in state["projectTokens"].values():
            token.pop("tokenHash", None)
        return {table: list(rows.values()) for table, rows in state.items()}

    # -- requests ---------------------------------------------------------------------------------------
    def resolve_operation(self, request: EmuRequest) -> str:
        body = request.body if isinstance(request.body, dict) else {}
        if isinstance(body.get("operationName"), str) and body["operationName"]:
            return str(body["operationName"])
        try:
            document = parse(body.get("query") or "")
        except (GraphQLError, TypeError):
            return ""
        operation = _first_operation(document)
        if operation is None:
            return ""
        if operation.name:
            return operation.name.value
        first = next(iter(operation.selection_set.selections), None)
        return getattr(getattr(first, "name", None), "value", "") or ""

    def _principal(self, request: EmuRequest) -> Principal | None:
        project_token = request.headers.get("project-access-token", "").strip()
        if project_token:
            row = self.model.project_token(project_token)
            if row is None:
                return None
            key = hashlib.sha256(project_token.encode()).hexdigest()
            return Principal("project", key, row["projectId"], row["environmentId"], row)
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        if self.app.token is not None and token != self.app.token:
            return None
        return Principal("account", hashlib.sha256(token.encode()).hexdigest())

    def _rate_key(self, request: EmuRequest) -> str:
        raw = (
            request.headers.get("project-access-token") or request.headers.get("authorization") or "anonymous"
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def _limiter_now(self) -> RateLimiter:
        limit = int(self.app.vendor_option("railway", "rate_limit_per_second", DEFAULT_RATE_LIMIT_PER_SECOND))
        if self._limiter is None or self._limiter.limit != limit:
            self._limiter = RateLimiter(self.app.clock, limit, 1.0)
        return self._limiter

    def before(self, request: EmuRequest) -> EmuResponse | None:
        verdict = self._limiter_now().hit(self._rate_key(request))
        self._verdicts[id(request)] = verdict
        if not verdict.allowed:
            return EmuResponse(429, {"data": None}, {"Retry-After": str(verdict.retry_after)})
        return None

    def decorate(self, request: EmuRequest, response: EmuResponse) -> None:
        verdict = self._verdicts.pop(id(request), None)
        limiter = self._limiter_now()
        if verdict is None:
            limit, remaining, reset_at = limiter.limit, limiter.limit, self.app.clock.now() + limiter.window
        else:
            limit, remaining, reset_at = verdict.limit, verdict.remaining, verdict.reset_at
        response.headers.setdefault("X-RateLimit-Limit", str(limit))
        response.headers.setdefault("X-RateLimit-Remaining", str(remaining))
        response.headers.setdefault("X-RateLimit-Reset", str(math.ceil(reset_at)))

    def fault_response(self, request: EmuRequest, status: int, body: Any) -> EmuResponse:
        if body is not None:
            return EmuResponse(status, body)
        if status == 429:
            return EmuResponse(status, {"data": None})
        messages = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        message = messages.get(status, "Problem processing request")
        return EmuResponse(status, {"data": None, "errors": [{"message": message}]})

    def handle(self, request: EmuRequest) -> EmuResponse:
        try:
            return self._execute(request)
        except HttpError as error:
            return EmuResponse(error.status, error.body, error.headers)

    def _execute(self, request: EmuRequest) -> EmuResponse:
        if request.method != "POST":
            raise HttpError(405, {"errors": [{"message": "Only POST is supported"}]})
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
            raise HttpError(
                400,
                {
                    "errors": [
                        {"message": "Must provide query string.", "extensions": {"code": "BAD_REQUEST"}}
                    ]
                },
            )
        variables = body.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise HttpError(400, {"errors": [{"message": "Variables must be an object."}]})
        try:
            document = parse(body["query"])
        except GraphQLError as error:
            raise HttpError(400, {"errors": _errors([error], "GRAPHQL_PARSE_FAILED")}) from error
        problems = validate(self.schema, document)
        if problems:
            raise HttpError(400, {"errors": _errors(problems, "GRAPHQL_VALIDATION_FAILED")})
        verdict = self._verdicts.get(id(request))
        context = Context(
            model=self.model,
            principal=self._principal(request),
            effects=list(request.effects),
            rate_limit=(verdict.remaining, verdict.reset_at) if verdict else (0, self.app.clock.now()),
        )
        operation_name = body.get("operationName") if isinstance(body.get("operationName"), str) else None
        result = execute_sync(
            self.schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name or None,
            field_resolver=fallback_field_resolver,
        )
        if result.errors and result.data is None and all(not e.path for e in result.errors):
            # Variables that do not coerce, or no operation to run: the request never executed.
            raise HttpError(400, {"errors": _errors(list(result.errors), "BAD_USER_INPUT")})
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload = {"errors": [dict(e.formatted) for e in result.errors], "data": result.data}
        return EmuResponse(200, payload)
