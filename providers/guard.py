"""The base-stack guard of pull-request stacks: a PR stack never deletes or points at an object of its base.

A pull-request stack lives beside its base's objects (a Railway environment forked in the base's project,
a Neon branch in the base's project), so one wrong id would let it delete the base's. Two checks, both in
the providers so they hold under `pulumi up` as under the local engine:

- every dynamic resource of a PR stack carries the base's own object ids in the input `base_object_ids`
  (the program adds it to each one); `delete` refuses, before any request, when the object's id, or the
  environment, branch or Supabase project it acts in, is one of them, and `check` refuses a resource aimed
  at one;
- `PullRequestGuard`, which every vendor resource of the stack depends on, refuses in `check` (no request
  sent) a PR stack whose config names one of the base's object ids.

The ids of shared containers (the base's Railway project, its Neon project) are not in the list: a PR's
objects legitimately live in them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi import dynamic

BASE_IDS_KEY = "base_object_ids"
# Inputs that name where an object acts: deleting it there would touch the base when one of these is the
# base's (a Railway environment, a Neon branch, a Supabase project).
SCOPE_KEYS = ("environment_id", "branch_id", "project_ref")


class BaseObjectError(Exception):
    """An operation of a pull-request stack would touch an object of its base stack."""


def base_hits(id_: str | None, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(what, id) for each of the object's ids that belongs to the base."""
    owned = props.get(BASE_IDS_KEY) or {}
    if not isinstance(owned, Mapping):  # a plain list from older state
        owned = {str(v): "" for v in owned}
    hits = []
    if id_ and id_ in owned:
        hits.append(("id", id_))
    for key in SCOPE_KEYS:
        value = props.get(key)
        if isinstance(value, str) and value in owned:
            hits.append((key, value))
    return hits


def _describe(owned: Mapping[str, str], value: str) -> str:
    what = owned.get(value) if isinstance(owned, Mapping) else None
    return f"{value} ({what})" if what else value


def refuse_if_base(action: str, kind: str, id_: str | None, props: Mapping[str, Any]) -> None:
    hits = base_hits(id_, props)
    if hits:
        owned = props.get(BASE_IDS_KEY) or {}
        listed = ", ".join(f"{key} {_describe(owned, value)}" for key, value in hits)
        raise BaseObjectError(
            f"refusing to {action} {kind} {id_ or ''}: its {listed} belongs to the base stack; a "
            "pull-request stack only ever changes what it created itself".replace("  ", " ")
        )


def strip_guard(props: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    rest = {k: v for k, v in props.items() if k != BASE_IDS_KEY}
    return rest, props.get(BASE_IDS_KEY)


def _with_guard(result_props: Mapping[str, Any] | None, guard: Any) -> dict[str, Any]:
    out = dict(result_props or {})
    if guard is not None:
        out[BASE_IDS_KEY] = guard
    return out


def guard_provider_methods(cls: type, kind: str) -> None:
    """Wrap the CRUD methods `cls` defines itself so that `base_object_ids` is kept out of the resource's
    own input model, carried through its outputs, and enforced before `delete` (and in `check`)."""
    wrappers: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
        "check": _check,
        "diff": _diff,
        "create": _create,
        "update": _update,
        "read": lambda f: _read(f, kind),
        "delete": lambda f: _delete(f, kind),
    }
    for name, wrap in wrappers.items():
        method = cls.__dict__.get(name)
        if method is None or getattr(method, "_guarded", False):
            continue
        wrapped = wrap(method)
        wrapped._guarded = True  # type: ignore[attr-defined]
        setattr(cls, name, wrapped)


def _check(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def check(self: Any, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        rest, guard = strip_guard(news)
        if guard is None:
            return method(self, olds, news)
        old_rest = strip_guard(olds or {})[0]
        result = method(self, old_rest, rest)
        failures = list(result.failures or [])
        hits = base_hits(None, news)
        for key, value in hits:
            failures.append(
                dynamic.CheckFailure(
                    key, f"{value} belongs to the base stack; a pull-request stack never acts in it"
                )
            )
        return dynamic.CheckResult(_with_guard(result.inputs, guard), failures)

    return check


def _diff(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def diff(self: Any, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        # The base's ids are the guard's, not the object's: a change there changes nothing at the vendor.
        return method(self, id_, strip_guard(olds)[0], strip_guard(news)[0])

    return diff


def _create(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def create(self: Any, props: dict[str, Any]) -> dynamic.CreateResult:
        rest, guard = strip_guard(props)
        result = method(self, rest)
        return dynamic.CreateResult(result.id, _with_guard(result.outs, guard))

    return create


def _update(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def update(self: Any, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        rest, guard = strip_guard(news)
        result = method(self, id_, strip_guard(olds)[0], rest)
        return dynamic.UpdateResult(_with_guard(result.outs, guard))

    return update


def _read(method: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def read(self: Any, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        rest, guard = strip_guard(props)
        result = method(self, id_, rest)
        if not result.id:
            return result
        if not id_:
            # Found by name for a pending create: never one of the base's own objects.
            refuse_if_base("adopt", kind, result.id, props)
        inputs = getattr(result, "inputs", None)
        return dynamic.ReadResult(
            result.id,
            _with_guard(result.outs, guard),
            _with_guard(inputs, guard) if inputs is not None else None,
        )

    return read


def _delete(method: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def delete(self: Any, id_: str, props: dict[str, Any]) -> None:
        refuse_if_base("delete", kind, id_, props)
        rest, _ = strip_guard(props)
        method(self, id_, rest)

    return delete


# -- the config check -------------------------------------------------------------------------------------
class PullRequestGuardProvider(dynamic.ResourceProvider):
    """Refuses, in `check`, a pull-request stack whose config names one of its base's objects. Makes no
    request at all: create records the check, delete has nothing to undo."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        owned: Mapping[str, str] = news.get("base_object_ids") or {}
        config_ids: Mapping[str, str] = news.get("config_values") or {}
        stack_file = news.get("stack_file") or "the stack file"
        base = news.get("base_stack") or "the base stack"
        failures = [
            dynamic.CheckFailure(
                "config_values",
                f"{stack_file}: {key}: {value!r} is {base}'s own {owned[value]}; a pull-request stack makes "
                "its own objects and never uses its base's",
            )
            for key, value in sorted(config_ids.items())
            if isinstance(value, str) and value in owned
        ]
        return dynamic.CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        keys = ("base_object_ids", "config_values", "stack_file", "base_stack")
        return dynamic.DiffResult(changes=any(olds.get(k) != news.get(k) for k in keys))

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(f"pr-guard-{props.get('base_stack')}", props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(news)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass
class PullRequestGuardArgs:
    base_stack: pulumi.Input[str]
    stack_file: pulumi.Input[str]
    base_object_ids: pulumi.Input[Mapping[str, str]]
    """Every object id of the base this stack must never touch, with what it is."""
    config_values: pulumi.Input[Mapping[str, str]]
    """The stack's string config values by key path (`platform:railway.environmentId`)."""


class PullRequestGuard(dynamic.Resource, module="platform", name="PullRequestGuard"):
    def __init__(
        self, resource_name: str, args: PullRequestGuardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "base_stack": args.base_stack,
            "stack_file": args.stack_file,
            "base_object_ids": args.base_object_ids,
            "config_values": args.config_values,
        }
        super().__init__(PullRequestGuardProvider(), resource_name, props, opts)
