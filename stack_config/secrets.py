"""The `platform:secrets` section: generated and external secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
)

from stack_config.fields import Model


class GeneratedSecret(Model):
    length: int = Field(48, ge=16, le=256)
    special: bool = False
    rotation: str | None = Field(None, description="change this value to generate a new secret")


class ExternalSecret(Model):
    required: bool = True


class SecretSpec(Model):
    """How one secret variable gets its value: generated, or given as secret config."""

    value: SecretStr | None = None
    generate: GeneratedSecret | None = None
    external: ExternalSecret | None = None


def _secret_spec(value: Any) -> Any:
    if isinstance(value, str):
        return {"value": value}
    if isinstance(value, Mapping):
        if value.get("external"):
            return {"external": {k: v for k, v in value.items() if k != "external"}}
        return {"generate": value}
    return value


SecretSpecField = Annotated[SecretSpec, BeforeValidator(_secret_spec)]
