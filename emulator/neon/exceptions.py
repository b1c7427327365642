"""Neon's errors: an HTTP status plus a `GeneralError` body `{code, message, request_id}`.

Messages are the real API's where they are known (neon-api.md §4: 423, 404 "<kind> not found", the
history-retention 400, 412 "Storing passwords is disabled"); the others are ours, in the same style.
"""

from __future__ import annotations

LOCKED_MESSAGE = "project already has running conflicting operations, scheduling of new ones is prohibited"


class NeonError(Exception):
    status = 400

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status

    def body(self, request_id: str) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "request_id": request_id}


class BadRequest(NeonError):
    status = 400


class Unauthorized(NeonError):
    status = 401


class NotFound(NeonError):
    status = 404

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} not found")


class Conflict(NeonError):
    status = 409


class PreconditionFailed(NeonError):
    status = 412


class Unprocessable(NeonError):
    status = 422


class Locked(NeonError):
    status = 423

    def __init__(self) -> None:
        super().__init__(LOCKED_MESSAGE)


class TooManyRequests(NeonError):
    status = 429

    def __init__(self) -> None:
        super().__init__("too many requests")
