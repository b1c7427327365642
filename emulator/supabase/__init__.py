"""Emulated Supabase Management API, served under `/supabase` (paths `/v1/...` below it).

Bearer tokens, 20-letter project refs, the project lifecycle in emulated time, `{"message": ...}` errors,
and the rate limit of 120 requests per minute per token, scope (project or organization) and endpoint,
with `x-ratelimit-*` headers on every response. Vendor options (`POST /_emulator/settings {"vendors":
{"supabase": {...}}}`): `rate_limit_per_minute`, `strict_organizations` (refuse organizations other
than the one the account starts with), and the timings in `models.TIMINGS`.

Statuses the published document does not list (it lists success, 401, 403, 429 and 500 for most
operations), which the emulator answers as Supabase does (schemathesis lists them, tests/contract/
test_openapi_fuzz.py): 400 `{"message"}` for a request that fails validation (Supabase's NestJS
validation answers, seen in the recordings and the Terraform provider's issues); 404 `Project not
found` / `Branch not found` / `Cannot GET ...` for an unknown ref, branch or path; 405 for a known path
with another method; 409 for a second branch of the same name or a second default branch (the spec is
silent; see `branches.py`).
"""

from __future__ import annotations

import math
from typing import Any

from emulator.core.ratelimit import RateLimiter, Verdict
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend
from emulator.supabase.exceptions import SupabaseError, TooManyRequests, Unauthorized
from emulator.supabase.models import DEFAULT_ORGANIZATION, SupabaseState
from emulator.supabase.responses import SupabaseResponses
from emulator.supabase.urls import match, path_exists

DEFAULT_RATE_LIMIT = 120
RATE_WINDOW_SECONDS = 60.0
DEFAULT_ORGANIZATION_SLUG = DEFAULT_ORGANIZATION["slug"]
# Statuses answered beyond those the published document lists per operation (see the docstring).
UNDOCUMENTED_STATUSES = {
    400: "request validation failed",
    404: "unknown project, branch, organization or path",
    405: "known path, other method",
    409: "branch name or default branch already taken",
}


class SupabaseBackend(VendorBackend):
    name = "supabase"
    prefix = "/supabase"

    def reset(self) -> None:
        self.state = SupabaseState()
        self.limiter = RateLimiter(self.app.clock, DEFAULT_RATE_LIMIT, RATE_WINDOW_SECONDS)
        self.responses = SupabaseResponses(self.app, self.state)
        self._verdicts: dict[int, Verdict] = {}

    def dump_state(self) -> dict[str, Any]:
        return self.state.dump()

    def load_state(self, state: dict[str, Any]) -> None:
        self.state.load(state)

    def public_state(self) -> dict[str, Any]:
        return self.state.public()

    # -- requests -------------------------------------------------------------------------------------
    def resolve_operation(self, request: EmuRequest) -> str:
        found = match(request.method, request.path)
        return found[0] if found else "unknown"

    def _scope(self, request: EmuRequest) -> str:
        found = match(request.method, request.path)
        params = found[2] if found else {}
        if "ref" in params:
            return f"project:{params['ref']}"
        if "slug" in params:
            return f"organization:{params['slug']}"
        if request.operation == "v1-create-a-project" and isinstance(request.body, dict):
            return f"organization:{request.body.get('organization_slug')}"
        return "user"

    def before(self, request: EmuRequest) -> EmuResponse | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or (self.app.token and token != self.app.token):
            return self._error(Unauthorized("Unauthorized"))
        # 120 per minute per user, per scope (project or organization), per endpoint.
        self.limiter.limit = int(
            self.app.vendor_option("supabase", "rate_limit_per_minute", DEFAULT_RATE_LIMIT)
        )
        verdict = self.limiter.hit(f"{token}|{self._scope(request)}|{request.operation}")
        self._verdicts[id(request)] = verdict
        if not verdict.allowed:
            return self._error(
                TooManyRequests("Too Many Requests", headers={"Retry-After": str(verdict.retry_after)})
            )
        return None

    def handle(self, request: EmuRequest) -> EmuResponse:
        found = match(request.method, request.path)
        if found is None:
            if path_exists(request.path):
                return EmuResponse(status=405, body={"message": f"Cannot {request.method} {request.path}"})
            return EmuResponse(status=404, body={"message": f"Cannot {request.method} {request.path}"})
        _operation, handler, params = found
        try:
            return self.responses.dispatch(handler, request, params)
        except SupabaseError as exc:
            return self._error(exc)

    def decorate(self, request: EmuRequest, response: EmuResponse) -> None:
        verdict = self._verdicts.pop(id(request), None)
        limit = verdict.limit if verdict else self.limiter.limit
        remaining = verdict.remaining if verdict else limit
        reset = (
            max(0, math.ceil(verdict.reset_at - self.app.clock.now()))
            if verdict
            else int(RATE_WINDOW_SECONDS)
        )
        response.headers.setdefault("x-ratelimit-limit", str(limit))
        response.headers.setdefault("x-ratelimit-remaining", str(remaining))
        response.headers.setdefault("x-ratelimit-reset", str(reset))

    def fault_response(self, request: EmuRequest, status: int, body: Any) -> EmuResponse:
        default = {"message": "Too Many Requests" if status == 429 else "Internal Server Error"}
        return EmuResponse(status=status, body=body if body is not None else default)

    def _error(self, exc: SupabaseError) -> EmuResponse:
        return EmuResponse(status=exc.status, body=exc.body(), headers=dict(exc.headers))


__all__ = ["DEFAULT_ORGANIZATION_SLUG", "UNDOCUMENTED_STATUSES", "SupabaseBackend"]
