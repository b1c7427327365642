"""The `platform:pullRequest` section: this stack is a pull request's environment, forked from a base."""

from __future__ import annotations

import re

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
)

from stack_config.fields import Duration, DurationField, Model

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


_IMAGE_REF = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$")


class PullRequest(Model):
    """`platform:pullRequest`: this stack is one pull request's environment, forked from a base stack.

    The base stack's outputs are read through a StackReference; the stack makes only what the pull request
    needs beside the base's objects (a forked Railway environment, a database branch) and never touches an
    object of the base.
    """

    number: int = Field(ge=1, description="the pull request's number")
    base: str = Field("staging", description="the stack this pull request's environment is forked from")
    branch: str | None = Field(None, min_length=1, description="the pull request's git branch")
    image: str | None = Field(None, description="the image built for the pull request (image services)")
    expires: DurationField = Field(
        Duration(3 * 86400), description="Neon: the branch deletes itself this long after creation"
    )

    @field_validator("base")
    @classmethod
    def _base(cls, value: str, info: ValidationInfo) -> str:
        if not _STACK_NAME.match(value):
            raise ValueError(f"{value!r} is not a stack name")
        stack = (info.context or {}).get("stack")
        if stack is not None and value == stack:
            raise ValueError(f"{value!r} is this stack itself; a pull request forks another stack")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None and not _IMAGE_REF.match(value):
            raise ValueError(f"{value!r} is not an image reference (e.g. ghcr.io/acme/api:pr-7)")
        return value

    @field_validator("expires")
    @classmethod
    def _expires(cls, value: Duration) -> Duration:
        if not 3600 <= value.seconds <= 30 * 86400:
            raise ValueError("between 1h and 30d (Neon deletes the branch then)")
        return value
