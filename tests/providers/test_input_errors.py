"""No provider's input validation can print a value it refused: a password or connection string given in the
wrong shape must not reach `pulumi up`'s output through a validation error."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from types import ModuleType

import pydantic
import pytest

import providers.neon.resources
import providers.railway.resources
import providers.supabase.resources

SENTINEL = "s3cr3t-Value-That-Must-Not-Print"


def _modules_of(resources: ModuleType) -> list[ModuleType]:
    """A vendor's resources (a package of one module per object) and the vendor's shared base module."""
    vendor = resources.__name__.rsplit(".", 1)[0]
    path = getattr(resources, "__path__", [])
    prefix = f"{resources.__name__}."
    names = [resources.__name__, *(info.name for info in pkgutil.iter_modules(path, prefix))]
    if importlib.util.find_spec(f"{vendor}.base"):
        names.append(f"{vendor}.base")
    return [importlib.import_module(name) for name in names]


def _input_models(resources: ModuleType) -> list[type[pydantic.BaseModel]]:
    return [
        obj
        for module in _modules_of(resources)
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, pydantic.BaseModel) and obj.__module__ == module.__name__
    ]


MODELS = [
    model
    for module in (providers.railway.resources, providers.neon.resources, providers.supabase.resources)
    for model in _input_models(module)
]


def test_every_vendor_has_input_models() -> None:
    vendors = {m.__module__.split(".")[1] for m in MODELS}
    assert {"railway", "neon", "supabase"} <= vendors


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__.split('.')[1]}.{m.__name__}")
def test_validation_errors_never_echo_the_refused_value(model: type[pydantic.BaseModel]) -> None:
    # Every field given the secret in a shape most fields refuse, plus an unknown key holding it.
    payload: dict[str, object] = {name: {"nested": SENTINEL} for name in model.model_fields}
    payload["not_a_field"] = SENTINEL
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(payload)
    assert SENTINEL not in str(caught.value)
    assert SENTINEL not in repr(caught.value)
