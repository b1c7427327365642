"""Errors the emulated Supabase Management API answers with: a status and the vendor's `{"message": ...}`."""

from __future__ import annotations

from typing import Any


class SupabaseError(Exception):
    status = 500

    def __init__(
        self, message: str, status: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"message": self.message}


class BadRequest(SupabaseError):
    status = 400


class Unauthorized(SupabaseError):
    status = 401


class NotFound(SupabaseError):
    status = 404


class ProjectNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Project not found")


class Conflict(SupabaseError):
    status = 409


class TooManyRequests(SupabaseError):
    status = 429
