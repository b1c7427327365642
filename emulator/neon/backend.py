"""`NeonBackend`: the Neon API v2 under `/neon/api/v2`, plugged into the emulator core.

Per request: Bearer auth (401), the rate limit (429, `vendors.neon.rate_limit_per_minute`, default
generous), injected `operation_failed` effects, branches past their `expires_at` removed, observation of
the project's operations (only by the reads in `WAITING_READS`, and by a 423 answer), then the
operation's handler. Every response carries `X-Neon-Ret-Request-Id` (the caller's `X-Request-ID` if sent),
and every error body is a `GeneralError` `{code, message, request_id}`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from emulator.core.ratelimit import RateLimiter
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend
from emulator.neon import urls
from emulator.neon.exceptions import LOCKED_MESSAGE, NeonError, TooManyRequests, Unauthorized
from emulator.neon.models import NeonModels, public
from emulator.neon.responses import NeonResponses

if TYPE_CHECKING:
    from emulator.core.vendor import VendorHost

REQUEST_ID_HEADER = "X-Neon-Ret-Request-Id"
# Neon's documented limit is 700 requests a minute; the emulator's default stays out of the way of test
# suites and demos. Set `vendors.neon.rate_limit_per_minute` to exercise 429 handling.
DEFAULT_RATE_LIMIT_PER_MINUTE = 100_000


# The reads a client makes while it waits for operations: at time scale 0 only these move a project's
# operations on (one of them completes what is running), so a client that mutates again without waiting
# meets 423 Locked, as it would at Neon. A 423 answer counts as a look too: a client that retries on 423
# (neonctl, our providers) gets through on its next try.
WAITING_READS = frozenset(
    {
        "getProject",
        "listProjectOperations",
        "getProjectOperation",
        "listProjectBranches",
        "getProjectBranch",
        "listProjectBranchEndpoints",
        "listProjectEndpoints",
        "getProjectEndpoint",
    }
)


class NeonBackend(VendorBackend):
    name = "neon"
    prefix = "/neon/api/v2"

    def __init__(self, app: VendorHost) -> None:
        self.models = NeonModels(app)
        self.responses = NeonResponses(self.models)
        self.limiter = RateLimiter(app.clock, DEFAULT_RATE_LIMIT_PER_MINUTE, 60.0)
        super().__init__(app)

    # -- state --------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.models.reset()
        self.limiter.reset()

    def dump_state(self) -> dict[str, Any]:
        return self.models.state

    def load_state(self, state: dict[str, Any]) -> None:
        self.models.load(state)

    def public_state(self) -> dict[str, Any]:
        self.models.expire_branches()
        state = self.models.state
        return {
            "projects": [public(p) for p in state["projects"].values()],
            "branches": [public(b) for b in state["branches"].values()],
            "endpoints": [public(e) for e in state["endpoints"].values()],
            "roles": [public(r) for r in state["roles"].values()],
            "databases": [public(d) for d in state["databases"].values()],
            "operations": [public(o) for o in state["operations"].values()],
            "plan": self.models.plan_name,
        }

    # -- requests -----------------------------------------------------------------------------------------
    def resolve_operation(self, request: EmuRequest) -> str:
        found = urls.match(request.method, request.path)
        return found[0].operation_id if found else "unknown"

    @staticmethod
    def _request_id(request: EmuRequest) -> str:
        rid = request.headers.get("x-request-id")
        if not rid:
            rid = str(uuid.uuid4())
            request.headers["x-request-id"] = rid
        return rid

    def _error(self, request: EmuRequest, error: NeonError) -> EmuResponse:
        return EmuResponse(status=error.status, body=error.body(self._request_id(request)))

    def before(self, request: EmuRequest) -> EmuResponse | None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return self._error(
                request, Unauthorized("authorization header is missing or is not a Bearer token")
            )
        if self.app.token is not None and token.strip() != self.app.token:
            return self._error(request, Unauthorized("invalid API key"))
        self.limiter.limit = int(
            self.app.vendor_option("neon", "rate_limit_per_minute", DEFAULT_RATE_LIMIT_PER_MINUTE)
        )
        if not self.limiter.hit(token.strip()).allowed:
            return self._error(request, TooManyRequests())
        return None

    def handle(self, request: EmuRequest) -> EmuResponse:
        for effect in request.effects:
            if effect.get("effect") == "operation_failed":
                self.models.add_failure(effect)
        self.models.expire_branches()
        found = urls.match(request.method, request.path)
        if found is None:
            return self._error(request, NeonError("not found", status=404))
        route, params = found
        project_id = params.get("project_id")
        known = bool(project_id) and project_id in self.models.state["projects"]
        # With time passing (scale > 0) operations finish by the clock, whatever the request; at scale 0
        # only a waiting client's reads move them on.
        if known and (self.app.clock.time_scale > 0 or route.operation_id in WAITING_READS):
            self.models.observe(str(project_id))
        try:
            response: EmuResponse = getattr(self.responses, route.handler)(request, **params)
        except NeonError as error:
            if known and error.status == 423:
                # The client met the lock: a client that retries after it has waited, as Neon's do.
                self.models.observe(str(project_id))
            return self._error(request, error)
        return response

    def decorate(self, request: EmuRequest, response: EmuResponse) -> None:
        response.headers[REQUEST_ID_HEADER] = self._request_id(request)

    def fault_response(self, request: EmuRequest, status: int, body: Any) -> EmuResponse:
        if body is None:
            message = LOCKED_MESSAGE if status == 423 else "injected fault"
            body = {"code": "", "message": message, "request_id": self._request_id(request)}
        return EmuResponse(status=status, body=body)

    def is_mutation(self, request: EmuRequest) -> bool:
        return request.method not in ("GET", "HEAD", "OPTIONS")
