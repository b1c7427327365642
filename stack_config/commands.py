"""The `platform:commands` section: migration and smoke-check commands."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    model_validator,
)

from stack_config.fields import Duration, DurationField, Model


class Commands(Model):
    """How the pulumi-command steps run: `run` for real, `echo` to print what would run, `skip`; `auto`
    (the default) runs them against the vendors' real APIs and echoes them against any other endpoint
    (the emulator)."""

    migrations: Literal["auto", "run", "echo", "skip"] = "auto"
    smoke: Literal["auto", "run", "echo", "skip"] = "auto"
    smoke_timeout: DurationField = Duration(300)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"migrations": data, "smoke": data}
        return data
