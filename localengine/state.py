"""Per-stack state: one JSON file per stack, shaped like a Pulumi checkpoint (`apitype.CheckpointV3`).

Secret values are stored as `{SIG_KEY: SECRET_SIG, "ciphertext": "v1:..."}` (the JSON of the value,
encrypted by the stack's passphrase secrets manager), as Pulumi stores them. Every write goes to a temporary
file that is then renamed over the old one, so a reader never sees half a file; the engine writes after
every step, and records an operation as pending before it starts, so an interrupted run leaves a state the
next run can finish from.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localengine.props import SECRET_SIG, SIG_KEY, is_secret
from localengine.secrets import PassphraseSecretsManager

STATE_VERSION = 3


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class ResourceState:
    urn: str
    type: str
    custom: bool
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    protect: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str = ""
    additional_secret_outputs: list[str] = field(default_factory=list)
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    delete: bool = False  # an old copy waiting to be deleted (replaced, create-before-delete)
    pending_replacement: bool = False
    aliases: list[str] = field(default_factory=list)
    created: str = ""
    modified: str = ""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def to_json(self, encrypt: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"urn": self.urn, "custom": self.custom}
        if self.delete:
            out["delete"] = True
        if self.id:
            out["id"] = self.id
        out["type"] = self.type
        if self.inputs:
            out["inputs"] = encrypt(self.inputs)
        if self.outputs:
            out["outputs"] = encrypt(self.outputs)
        optional = {
            "parent": self.parent,
            "protect": self.protect,
            "dependencies": self.dependencies,
            "provider": self.provider,
            "propertyDependencies": self.property_dependencies,
            "pendingReplacement": self.pending_replacement,
            "additionalSecretOutputs": self.additional_secret_outputs,
            "aliases": self.aliases,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "ignoreChanges": self.ignore_changes,
            "replaceOnChanges": self.replace_on_changes,
            "created": self.created,
            "modified": self.modified,
        }
        out.update({k: v for k, v in optional.items() if v})
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], decrypt: Any) -> ResourceState:
        return cls(
            urn=data["urn"],
            type=data["type"],
            custom=bool(data.get("custom")),
            id=data.get("id", ""),
            inputs=decrypt(data.get("inputs") or {}),
            outputs=decrypt(data.get("outputs") or {}),
            parent=data.get("parent", ""),
            protect=bool(data.get("protect")),
            dependencies=list(data.get("dependencies") or []),
            property_dependencies=dict(data.get("propertyDependencies") or {}),
            provider=data.get("provider", ""),
            additional_secret_outputs=list(data.get("additionalSecretOutputs") or []),
            retain_on_delete=bool(data.get("retainOnDelete")),
            ignore_changes=list(data.get("ignoreChanges") or []),
            replace_on_changes=list(data.get("replaceOnChanges") or []),
            delete_before_replace=bool(data.get("deleteBeforeReplace")),
            delete=bool(data.get("delete")),
            pending_replacement=bool(data.get("pendingReplacement")),
            aliases=list(data.get("aliases") or []),
            created=data.get("created", ""),
            modified=data.get("modified", ""),
        )


@dataclass
class PendingOperation:
    resource: ResourceState
    type: str  # creating, updating, deleting, reading


@dataclass
class Snapshot:
    resources: list[ResourceState] = field(default_factory=list)
    pending_operations: list[PendingOperation] = field(default_factory=list)
    secrets_state: str | None = None

    def by_urn(self) -> dict[str, ResourceState]:
        return {r.urn: r for r in self.resources if not r.delete}

    def outputs(self) -> dict[str, Any]:
        for resource in self.resources:
            if resource.type == "pulumi:pulumi:Stack" and not resource.delete:
                return resource.outputs
        return {}


def state_dir(project_root: Path) -> Path:
    configured = os.environ.get("PLATFORM_STATE_DIR")
    return Path(configured).resolve() if configured else project_root / ".state"


class StateStore:
    """Reads and writes one stack's state file."""

    def __init__(self, path: Path, stack: str) -> None:
        self.path = path
        self.stack = stack
        self._lock = threading.Lock()

    @classmethod
    def for_stack(cls, project_root: Path, project: str, stack: str) -> StateStore:
        return cls(state_dir(project_root) / "stacks" / project / f"{stack}.json", stack)

    def exists(self) -> bool:
        return self.path.exists()

    def secrets_state(self) -> str | None:
        if not self.path.exists():
            return None
        latest = json.loads(self.path.read_text()).get("checkpoint", {}).get("latest") or {}
        return ((latest.get("secrets_providers") or {}).get("state") or {}).get("salt")

    def load(self, manager: PassphraseSecretsManager | None) -> Snapshot:
        if not self.path.exists():
            return Snapshot()
        data = json.loads(self.path.read_text())
        latest = data.get("checkpoint", {}).get("latest") or {}

        def decrypt(value: Any) -> Any:
            if isinstance(value, dict):
                if value.get(SIG_KEY) == SECRET_SIG and "ciphertext" in value:
                    if manager is None:
                        raise ValueError("the state holds secrets and no passphrase is available")
                    plain = json.loads(manager.decrypt(value["ciphertext"]))
                    return {SIG_KEY: SECRET_SIG, "value": decrypt(plain)}
                return {k: decrypt(v) for k, v in value.items()}
            if isinstance(value, list):
                return [decrypt(v) for v in value]
            return value

        resources = [ResourceState.from_json(r, decrypt) for r in latest.get("resources") or []]
        pending = [
            PendingOperation(ResourceState.from_json(p["resource"], decrypt), p["type"])
            for p in latest.get("pending_operations") or []
        ]
        salt = ((latest.get("secrets_providers") or {}).get("state") or {}).get("salt")
        return Snapshot(resources=resources, pending_operations=pending, secrets_state=salt)

    def save(self, snapshot: Snapshot, manager: PassphraseSecretsManager) -> None:
        def encrypt(value: Any) -> Any:
            if is_secret(value):
                return {SIG_KEY: SECRET_SIG, "ciphertext": manager.encrypt(json.dumps(value.get("value")))}
            if isinstance(value, dict):
                return {k: encrypt(v) for k, v in value.items()}
            if isinstance(value, list):
                return [encrypt(v) for v in value]
            return value

        document = {
            "version": STATE_VERSION,
            "checkpoint": {
                "stack": self.stack,
                "latest": {
                    "manifest": {"time": now_iso(), "magic": "", "version": "localengine"},
                    "secrets_providers": {"type": "passphrase", "state": {"salt": manager.state}},
                    "resources": [r.to_json(encrypt) for r in snapshot.resources],
                    "pending_operations": [
                        {"resource": p.resource.to_json(encrypt), "type": p.type}
                        for p in snapshot.pending_operations
                    ],
                },
            },
        }
        text = json.dumps(document, indent=2)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "w") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
