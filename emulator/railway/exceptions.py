"""Errors the Railway emulator answers with, shaped as Railway's backboard shapes them.

Railway reports almost everything (a missing object, a refused token, bad input a resolver catches) as a
GraphQL error: HTTP 200, `{"data": null, "errors": [{"message": ..., "locations": ..., "path": ...}]}`.
Only documents that do not parse or validate, and requests past the rate limit, get another HTTP status.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class RailwayError(GraphQLError):
    """A GraphQL error raised by a resolver; graphql-core adds `locations` and `path`."""

    def __init__(self, message: str, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message, extensions=extensions)


class NotAuthorized(RailwayError):
    """The token is missing, unknown, or (a project token) scoped to another project or environment."""

    def __init__(self) -> None:
        super().__init__("Not Authorized")


class NotFound(RailwayError):
    """`<Kind> not found`, as backboard words it (e.g. "Project not found")."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} not found")
        self.kind = kind


class InvalidInput(RailwayError):
    """Input the schema accepts but Railway refuses (an unknown region, a duplicate name...)."""


class HttpError(Exception):
    """Ends a request with a non-200 status and a body (validation failures, rate limits)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}
