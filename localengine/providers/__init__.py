"""Resource providers as the engine calls them, on wire values (see `localengine.props`).

`DynamicProviderHost` runs the SDK's own dynamic-provider server (`python -m pulumi.dynamic`) and calls it
over gRPC; `random` and `command` are local implementations of pulumi-random and pulumi-command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from localengine.props import PropertyDiff, detailed_diff


class ProviderError(Exception):
    """A provider operation failed; `message` is what the user sees."""


@dataclass
class CheckFailure:
    property: str
    reason: str


@dataclass
class DiffResult:
    changes: str = "unknown"  # none, some, unknown
    replaces: list[str] = field(default_factory=list)
    changed_keys: list[str] = field(default_factory=list)
    detailed_diff: dict[str, PropertyDiff] | None = None
    delete_before_replace: bool = False


@dataclass
class ReadResult:
    id: str  # "" when the object is gone
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] | None = None


class Provider(Protocol):
    def check(
        self, urn: str, olds: dict[str, Any] | None, news: dict[str, Any], seed: bytes
    ) -> tuple[dict[str, Any], list[CheckFailure]]: ...

    def diff(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
        ignore_changes: list[str],
    ) -> DiffResult: ...

    def create(self, urn: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]: ...

    def read(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> ReadResult: ...

    def update(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> dict[str, Any]: ...

    def delete(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None: ...


class LocalProvider:
    """What the in-process providers (pulumi-random, pulumi-command) do alike: diff inputs here, path by path,
    and read back what state holds (random values live only there; a command's outputs are its last run's)."""

    # Any input change replaces the resource (pulumi-random's rule); otherwise a change is an update.
    every_change_replaces = False

    def compared(self, props: dict[str, Any]) -> dict[str, Any]:
        """The part of old inputs and new inputs that a diff compares."""
        return props

    def diff(
        self,
        urn: str,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
        ignore_changes: list[str],
    ) -> DiffResult:
        details = detailed_diff(self.compared(old_inputs), self.compared(news))
        if not details:
            return DiffResult(changes="none")
        keys = sorted({path.split(".")[0].split("[")[0] for path in details})
        if self.every_change_replaces:
            replaced = {path: diff.to_replace() for path, diff in details.items()}
            return DiffResult(changes="some", replaces=keys, changed_keys=keys, detailed_diff=replaced)
        return DiffResult(changes="some", changed_keys=keys, detailed_diff=details)

    def read(self, urn: str, id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, dict(outputs), dict(inputs))


def package_of(type_token: str) -> str:
    """`random:index/randomPassword:RandomPassword` -> `random`; provider types -> their package."""
    if type_token.startswith("pulumi:providers:"):
        return type_token.split(":", 2)[2]
    return type_token.split(":", 1)[0]
