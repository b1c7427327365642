"""The interface between the core server and one vendor package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.core.clock import Clock


class VendorHost(Protocol):
    """What a vendor backend may ask of the server that hosts it. The app provides it; this module and the
    vendor packages never import the app, so the dependency runs one way (app -> vendor interface)."""

    clock: Clock

    @property
    def token(self) -> str | None: ...

    def vendor_option(self, vendor: str, key: str, default: Any = None) -> Any: ...


@dataclass
class EmuRequest:
    method: str
    path: str  # below the vendor's base URL, e.g. "/v1/projects"
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    raw_body: bytes = b""
    operation: str = ""  # resolved before handling (GraphQL operation name or OpenAPI operationId)
    effects: list[dict[str, Any]] = field(default_factory=list)  # vendor-specific injected faults
    raw_query: str = ""  # the query string as sent, for repeated keys (`services=a&services=b`)


@dataclass
class EmuResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class VendorBackend:
    """One vendor: its state (plain JSON-able data, so it persists) and its request handling."""

    name: str = ""
    prefix: str = ""  # e.g. "/railway/graphql/v2"

    def __init__(self, app: VendorHost) -> None:
        self.app = app
        self.reset()

    # state ------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Start empty, with whatever a fresh account has (an organization, a workspace)."""
        raise NotImplementedError

    def dump_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def public_state(self) -> dict[str, Any]:
        """What `GET /_emulator/state` shows: every object the vendor holds."""
        return self.dump_state()

    # requests ---------------------------------------------------------------------------------------
    def resolve_operation(self, request: EmuRequest) -> str:
        raise NotImplementedError

    def before(self, request: EmuRequest) -> EmuResponse | None:
        """Auth and rate limits; a response here ends the request."""
        return None

    def handle(self, request: EmuRequest) -> EmuResponse:
        raise NotImplementedError

    def decorate(self, request: EmuRequest, response: EmuResponse) -> None:
        """Headers every response carries (request ids, rate-limit headers)."""

    def fault_response(self, request: EmuRequest, status: int, body: Any) -> EmuResponse:
        """An injected fault, in the vendor's error shape unless a body was given."""
        return EmuResponse(status=status, body=body if body is not None else {"message": "injected fault"})

    def is_mutation(self, request: EmuRequest) -> bool:
        return request.method not in ("GET", "HEAD", "OPTIONS")
