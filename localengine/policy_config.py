"""A policy pack's configuration, reconciled as the Pulumi CLI does (`pkg/resource/analyzer/config.go`).

The `--policy-pack-config` file is JSON: each key a policy name (or `all`), each value an enforcement level
string or an object with an optional `enforcementLevel` and the policy's properties. Reconciled in order:
every policy's default level and its schema's defaults, then the pack's `initial_config`, then the file;
`all` sets every policy's level first, then the named policies apply. The result is validated against each
policy's config schema (JSON Schema, an object with the schema's `properties` and `required`); any problem
is an error naming the file and the policy, before anything runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyConfigError(Exception):
    """A policy pack's configuration is unusable; the message names the file and the policy."""


@dataclass
class PolicyConfig:
    enforcement_level: str = ""
    properties: dict[str, Any] | None = None


@dataclass
class PolicyMeta:
    """What GetAnalyzerInfo says of one policy."""

    name: str
    description: str = ""
    enforcement_level: str = "advisory"
    config_schema: dict[str, Any] | None = None  # {"properties": {...}, "required": [...]}
    severity: str = ""
    policy_type: str = "resource"
    display_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _level(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyConfigError(f"{where}: {value!r} is not a valid enforcement level; must be a string")
    if value not in LEVELS:
        raise PolicyConfigError(
            f"{where}: {value!r} is not a valid enforcement level (one of {', '.join(LEVELS)})"
        )
    return value


def parse_config(data: Any, source: str) -> dict[str, PolicyConfig]:
    """The policies' settings in a config document (`parsePolicyPackConfig`)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{source}: expected a JSON object of policy names")
    result: dict[str, PolicyConfig] = {}
    for key, value in data.items():
        where = f"{source}: {key}"
        if isinstance(value, str):
            result[key] = PolicyConfig(_level(value, where))
        elif isinstance(value, dict):
            properties = dict(value)
            level = ""
            if "enforcementLevel" in properties:
                level = _level(properties.pop("enforcementLevel"), f"{where}.enforcementLevel")
            if level or properties:
                result[key] = PolicyConfig(level, properties or None)
        else:
            raise PolicyConfigError(f"{where}: {value!r} is not a valid value; must be a string or object")
    return result


def load_config_file(path: Path) -> dict[str, PolicyConfig]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise PolicyConfigError(f"{path}: cannot read the policy pack config: {exc.strerror}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyConfigError(f"{path}: not valid JSON: {exc}") from None
    return parse_config(data, str(path))


def _defaults(policies: list[PolicyMeta]) -> dict[str, PolicyConfig]:
    result = {}
    for policy in policies:
        properties = {
            key: schema["default"]
            for key, schema in ((policy.config_schema or {}).get("properties") or {}).items()
            if isinstance(schema, dict) and "default" in schema
        }
        result[policy.name] = PolicyConfig(policy.enforcement_level, properties or None)
    return result


def _apply(result: dict[str, PolicyConfig], given: dict[str, PolicyConfig]) -> dict[str, PolicyConfig]:
    everything = given.get("all")
    if everything is not None and everything.enforcement_level:
        for name, config in result.items():
            result[name] = PolicyConfig(everything.enforcement_level, config.properties)
    for name, config in given.items():
        current = result.get(name, PolicyConfig())
        level = config.enforcement_level or current.enforcement_level
        properties = dict(current.properties) if current.properties is not None else None
        if config.properties:
            properties = {**(properties or {}), **config.properties}
        result[name] = PolicyConfig(level, properties)
    return result


def reconcile(
    policies: list[PolicyMeta],
    initial: dict[str, PolicyConfig],
    given: dict[str, PolicyConfig],
    source: str,
) -> dict[str, PolicyConfig]:
    """The configuration to send with Configure; raises `PolicyConfigError` listing every problem."""
    result = _apply(_apply(_defaults(policies), initial), given)
    known = {p.name for p in policies} | {"all"}
    problems = [f"{name}: no such policy in this pack" for name in given if name not in known]
    for policy in policies:
        if policy.config_schema is None:
            continue
        schema: dict[str, Any] = {"type": "object"}
        if policy.config_schema.get("properties"):
            schema["properties"] = policy.config_schema["properties"]
        if policy.config_schema.get("required"):
            schema["required"] = policy.config_schema["required"]
        config = result.get(policy.name)
        document = dict(config.properties or {}) if config else {}
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            path = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{policy.name}{'.' + path if path else ''}: {error.message}")
    if problems:
        raise PolicyConfigError(
            f"{source}: invalid policy pack configuration:\n" + "\n".join(f"  {p}" for p in problems)
        )
    return result
