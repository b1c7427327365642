"""Property values as the engine sees them ("wire values").

A wire value is plain JSON-able data in which a secret is the SDK's signature dict
(`{SECRET_SIG_KEY: SECRET_SIG, "value": ...}`) and an unknown (preview) is the `UNKNOWN` sentinel string,
exactly as they travel in a protobuf `Struct` between the SDK, the engine and providers. Keeping that form
everywhere means secrets stay marked wherever they are nested, as in the Pulumi engine's PropertyMap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = rpc.UNKNOWN
BLINDED = "[secret]"


# -- protobuf <-> wire ----------------------------------------------------------------------------------
def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return {key: _from_value(value) for key, value in struct.fields.items()}


def _from_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [_from_value(v) for v in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    return None


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in props.items() if v is not None})
    return struct


# -- secrets and unknowns -------------------------------------------------------------------------------
def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def make_secret(value: Any) -> Any:
    return value if is_secret(value) else {SIG_KEY: SECRET_SIG, "value": value}


def reveal(value: Any) -> Any:
    """The value with every secret marker removed (what a provider that does not accept secrets gets)."""
    return _replace_secrets(value, lambda secret: reveal(secret.get("value")))


def blind(value: Any) -> Any:
    """The value with every secret shown as `[secret]` (display, preview JSON)."""
    return _replace_secrets(value, lambda _secret: BLINDED)


def _replace_secrets(value: Any, replacement: Callable[[dict[str, Any]], Any]) -> Any:
    """`value` with each secret in it, at any depth, replaced by `replacement(secret)`."""
    if is_secret(value):
        return replacement(value)
    if isinstance(value, dict):
        return {k: _replace_secrets(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secrets(v, replacement) for v in value]
    return value


def contains_secret(value: Any) -> bool:
    return _contains(value, is_secret)


def contains_unknown(value: Any) -> bool:
    return _contains(value, lambda v: v == UNKNOWN)


def _contains(value: Any, test: Callable[[Any], bool]) -> bool:
    """Does `value`, or anything nested in it, pass `test`?"""
    if test(value):
        return True
    if isinstance(value, dict):
        return any(_contains(v, test) for v in value.values())
    if isinstance(value, list):
        return any(_contains(v, test) for v in value)
    return False


def annotate_secrets(outs: dict[str, Any], ins: Mapping[str, Any]) -> dict[str, Any]:
    """Copy secretness from inputs to same-named outputs, recursively (the engine's `annotateSecrets`)."""
    result = dict(outs)
    for key, in_value in ins.items():
        if key not in result:
            continue
        out_value = result[key]
        if is_secret(in_value):
            result[key] = make_secret(out_value)
        elif isinstance(in_value, dict) and isinstance(out_value, dict) and not is_secret(out_value):
            result[key] = annotate_secrets(out_value, in_value)
        elif isinstance(in_value, list) and isinstance(out_value, list) and len(in_value) == len(out_value):
            result[key] = [
                make_secret(o) if is_secret(i) else o for i, o in zip(in_value, out_value, strict=True)
            ]
    return result


def mark_secret_outputs(outs: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    result = dict(outs)
    for key in keys:
        if key in result and result[key] is not None:
            result[key] = make_secret(result[key])
    return result


# -- property paths (`a.b[0]["c.d"][*]`) ----------------------------------------------------------------
_PATH_TOKEN = re.compile(r'\[(\d+|\*)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.\[\]]+)')


def parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _PATH_TOKEN.match(path, pos)
        if not match or match.end() == pos:
            raise ValueError(f"invalid property path {path!r}")
        index, quoted, plain = match.groups()
        if index is not None:
            parts.append("*" if index == "*" else int(index))
        elif quoted is not None:
            parts.append(quoted.replace('\\"', '"'))
        else:
            parts.append(plain)
        pos = match.end()
    return parts


def format_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][\w$-]*", part):
            out += ("." if out else "") + part
        else:
            out += '["' + part.replace('"', '\\"') + '"]'
    return out


def path_contains(container: list[str | int], other: list[str | int]) -> bool:
    """Does `container` cover `other` (`*` matches any key or index at its level)?"""
    if len(container) > len(other):
        return False
    return all(c == "*" or c == o for c, o in zip(container, other, strict=False))


def reset_path(old: Mapping[str, Any], new: dict[str, Any], path: list[str | int]) -> dict[str, Any]:
    """`new` with the value at `path` taken from `old` (ignoreChanges). Missing in old: removed from new."""
    result = _copy(new)

    def walk(src: Any, dst: Any, parts: list[str | int]) -> None:
        head, rest = parts[0], parts[1:]
        if is_secret(src):
            src = src.get("value")
        if is_secret(dst):
            dst = dst.get("value")
        keys: list[Any]
        if head == "*":
            keys = list(range(len(dst))) if isinstance(dst, list) else list(dst or {})
        else:
            keys = [head]
        for key in keys:
            src_child = _get(src, key)
            if not rest:
                if src_child is _MISSING:
                    _remove(dst, key)
                else:
                    _set(dst, key, _copy(src_child))
            elif _get(dst, key) is not _MISSING and src_child is not _MISSING:
                walk(src_child, _get(dst, key), rest)

    walk(dict(old), result, path)
    return result


_MISSING = object()


def _get(container: Any, key: Any) -> Any:
    if isinstance(container, dict) and isinstance(key, str):
        return container.get(key, _MISSING)
    if isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
        return container[key]
    return _MISSING


def _set(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, dict) or (
        isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container)
    ):
        container[key] = value


def _remove(container: Any, key: Any) -> None:
    if isinstance(container, dict):
        container.pop(key, None)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- diffs ----------------------------------------------------------------------------------------------
@dataclass
class PropertyDiff:
    kind: str  # add, add-replace, delete, delete-replace, update, update-replace
    input_diff: bool = True

    def to_replace(self) -> PropertyDiff:
        if self.kind.endswith("-replace"):
            return self
        return PropertyDiff(f"{self.kind}-replace", self.input_diff)


def values_equal(old: Any, new: Any) -> bool:
    if is_secret(old) or is_secret(new):
        return values_equal(reveal(old), reveal(new)) and is_secret(old) == is_secret(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    return bool(old == new)


def detailed_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, PropertyDiff]:
    """Leaf-level diff of two property maps, keyed by property path (the engine's ObjectDiff, detailed)."""
    out: dict[str, PropertyDiff] = {}

    def walk(a: Any, b: Any, path: list[str | int]) -> None:
        if values_equal(a, b):
            return
        ua, ub = (a.get("value") if is_secret(a) else a), (b.get("value") if is_secret(b) else b)
        if b == UNKNOWN or a == UNKNOWN:
            out[format_path(path)] = PropertyDiff("update")
        elif isinstance(ua, dict) and isinstance(ub, dict) and path:
            for key in sorted(set(ua) | set(ub)):
                if key not in ub:
                    out[format_path([*path, key])] = PropertyDiff("delete")
                elif key not in ua:
                    out[format_path([*path, key])] = PropertyDiff("add")
                else:
                    walk(ua[key], ub[key], [*path, key])
        elif isinstance(ua, list) and isinstance(ub, list):
            for i in range(max(len(ua), len(ub))):
                if i >= len(ub):
                    out[format_path([*path, i])] = PropertyDiff("delete")
                elif i >= len(ua):
                    out[format_path([*path, i])] = PropertyDiff("add")
                else:
                    walk(ua[i], ub[i], [*path, i])
        else:
            out[format_path(path)] = PropertyDiff("update")

    for key in sorted(set(old) | set(new)):
        if key not in new:
            out[format_path([key])] = PropertyDiff("delete")
        elif key not in old:
            out[format_path([key])] = PropertyDiff("add")
        else:
            walk(old[key], new[key], [key])
    return out


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return sorted(
        k for k in set(old) | set(new) if k not in old or k not in new or not values_equal(old[k], new[k])
    )
