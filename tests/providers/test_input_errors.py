"""No provider's input validation can print a value it refused: a password or connection string given in the
wrong shape must not reach `pulumi up`'s output through a validation error."""

from __future__ import annotations

import inspect
from types import ModuleType

import pydantic
import pytest

import providers.neon.resources
import providers.railway.resources
import providers.supabase.resources

SENTINEL = "s3cr3t-Value-That-Must-Not-Print"


def _input_models(module: ModuleType) -> list[type[pydantic.BaseModel]]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, pydantic.BaseModel) and obj.__module__ == module.__name__
    ]


MODELS = [
    model
    for module in (providers.railway.resources, providers.neon.resources, providers.supabase.resources)
    for model in _input_models(module)
]


def test_every_vendor_has_input_models() -> None:
    modules = {m.__module__ for m in MODELS}
    assert {
        "providers.railway.resources",
        "providers.neon.resources",
        "providers.supabase.resources",
    } <= modules


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__.split('.')[1]}.{m.__name__}")
def test_validation_errors_never_echo_the_refused_value(model: type[pydantic.BaseModel]) -> None:
    # Every field given the secret in a shape most fields refuse, plus an unknown key holding it.
    payload: dict[str, object] = {name: {"nested": SENTINEL} for name in model.model_fields}
    payload["not_a_field"] = SENTINEL
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(payload)
    assert SENTINEL not in str(caught.value)
    assert SENTINEL not in repr(caught.value)
