"""Reading a stack's config: every problem reported at once, each with its stack file and key path."""

from __future__ import annotations

import difflib
import json
import os
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pydantic import (
    BaseModel,
    ValidationError,
)

from providers.base import format_loc
from stack_config.fields import NAMESPACE, Problems
from stack_config.model import StackConfig


# -- loading -----------------------------------------------------------------------------------------------
class StackConfigError(pulumi.RunError):
    """All the problems of one stack's config, each with the stack file and key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack configuration:\n  " + "\n  ".join(problems))


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
    "literal_error": "must be one of {expected}",
}


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys the mapping at `loc[:-1]` accepts (for 'did you mean')."""
    current: Any = model
    parts = list(loc[:-1])
    while parts:
        part = parts.pop(0)
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (f.alias, n)), None)
        if field is None:
            return None
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        if origin is dict and parts:
            parts.pop(0)  # the mapping's own key (a service name, a secret name)
        elif origin is list and parts and isinstance(parts[0], int):
            parts.pop(0)
        current = _model_in(annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return None


def _model_in(annotation: Any) -> Any:
    """The model a field holds directly, optionally, or as dict values / list items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def describe_errors(exc: ValidationError, stack_file: str) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err.get("loc", ()))
        # A union of "model or shorthand" reports once per branch; keep the model's message only.
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("function-before",))))
        kind = err["type"]
        template = _MESSAGES.get(kind)
        ctx = err.get("ctx", {})
        if template:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        else:
            message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "extra_forbidden":
            known = _known_keys(StackConfig, loc)
            if known:
                close = difflib.get_close_matches(str(loc[-1]), known, n=1)
                message += f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        found = ctx.get("error")
        if isinstance(found, Problems):
            for sub, sub_message in found.items:
                path = ".".join(p for p in (format_loc(loc), sub) if p)
                problems.append(_line(stack_file, path, sub_message))
            continue
        problems.append(_line(stack_file, format_loc(loc), message))
    # The same message can arrive from several union branches.
    return list(dict.fromkeys(problems))


def _line(stack_file: str, path: str, message: str) -> str:
    return f"{stack_file}: {NAMESPACE}:{path}: {message}" if path else f"{stack_file}: {message}"


def _runtime_config() -> dict[str, Any]:
    """Every `platform:` key the Pulumi runtime holds for this stack (explicit config, then PULUMI_CONFIG)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return {k: v for k, v in merged.items() if k.startswith(f"{NAMESPACE}:")}


def _decode(value: Any) -> Any:
    """Pulumi hands the program every value as a string; objects and lists arrive JSON-encoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# Set by the local engine for `--config-file FILE`, so problems name the file the user gave.
CONFIG_FILE_ENV = "PLATFORM_CONFIG_FILE"


def stack_file_name(stack: str) -> str:
    """The stack settings file problems are reported against: `--config-file`'s, else Pulumi.<stack>.yaml."""
    return os.environ.get(CONFIG_FILE_ENV) or f"Pulumi.{stack}.yaml"


def parse_stack_config(raw: Mapping[str, Any], *, stack: str, secret_keys: Iterable[str] = ()) -> StackConfig:
    """Validate `platform:` config (keys with their namespace, values as Pulumi passes them)."""
    stack_file = stack_file_name(stack)
    data = {k.split(":", 1)[1]: _decode(v) for k, v in raw.items() if k.startswith(f"{NAMESPACE}:")}
    secret = set(secret_keys)
    context = {
        "alerts_secret": f"{NAMESPACE}:alerts" in secret,
        "secrets_secret": f"{NAMESPACE}:secrets" in secret,
        "stack": stack,
    }
    problems = []
    nested_colon = [k for k in data if ":" in k]
    for key in nested_colon:
        problems.append(f"{stack_file}: {NAMESPACE}:{key}: is not a known key")
        data.pop(key)
    try:
        config = StackConfig.model_validate(data, context=context)
    except ValidationError as exc:
        raise StackConfigError(problems + describe_errors(exc, stack_file)) from None
    if problems:
        raise StackConfigError(problems)
    return config


def load_stack_config() -> StackConfig:
    """Read and validate this stack's `platform:` config from the Pulumi runtime; log any warnings."""
    from pulumi.runtime import config as runtime_config

    raw = _runtime_config()
    secret_keys = [k for k in raw if runtime_config.is_config_secret(k)]
    secret_keys += [k for k in runtime_config.get_config_secret_keys_env() if k.startswith(f"{NAMESPACE}:")]
    config = parse_stack_config(raw, stack=pulumi.get_stack(), secret_keys=secret_keys)
    for warning in config.warnings():
        pulumi.log.warn(warning)
    return config
