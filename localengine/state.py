"""Per-stack state: one JSON file per stack, shaped like a Pulumi checkpoint (`apitype.CheckpointV3`).

Secret values are stored as `{SIG_KEY: SECRET_SIG, "ciphertext": "v1:..."}` (the JSON of the value,
encrypted by the stack's passphrase secrets manager), as Pulumi stores them. Every write goes to a temporary
file that is then renamed over the old one, so a reader never sees half a file; the engine writes after
every step, and records an operation as pending before it starts, so an interrupted run leaves a state the
next run can finish from.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localengine.props import SECRET_SIG, SIG_KEY, is_secret
from localengine.secrets import PassphraseSecretsManager

STATE_VERSION = 3
ENGINE_VERSION = "localengine"
# The keys of Pulumi's `apitype.ResourceV3` (sdk/go/common/apitype/core.go): nothing else is written, and
# an imported state with other keys is refused (Go's decoder would drop them without a word).
_RESOURCE_V3_KEYS = {
    "urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "external",
    "dependencies", "initErrors", "provider", "propertyDependencies", "pendingReplacement",
    "additionalSecretOutputs", "aliases", "customTimeouts", "importID", "retainOnDelete", "deletedWith",
    "created", "modified", "sourcePosition", "ignoreChanges", "replaceOnChanges",
}  # fmt: skip
RESOURCE_V3_KEYS = frozenset(_RESOURCE_V3_KEYS)


def magic_cookie(version: str) -> str:
    """The manifest's `magic`: the SHA-256 of its `version`, as Pulumi's `Manifest.NewMagic` computes it
    (pkg/resource/deploy/manifest.go); the CLI refuses a state whose cookie does not match."""
    return hashlib.sha256(version.encode()).hexdigest() if version else ""


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
        self._fragments = _FragmentCache()

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
        return deserialize_deployment(data.get("checkpoint", {}).get("latest") or {}, manager)

    def export(self) -> dict[str, Any]:
        """`pulumi stack export`: `{"version": 3, "deployment": ...}`, secrets left encrypted."""
        if not self.path.exists():
            raise StateError(f"stack '{self.stack}' has no state to export")
        latest = json.loads(self.path.read_text()).get("checkpoint", {}).get("latest") or {}
        return {"version": STATE_VERSION, "deployment": latest}

    def save(self, snapshot: Snapshot, manager: PassphraseSecretsManager) -> None:
        # Every step saves the whole state: each resource's part of the file is rendered (and its secrets
        # encrypted) once per change of it, not once per save, as Pulumi's caching crypter keeps an
        # unchanged secret's ciphertext from one checkpoint to the next.
        latest = serialize_deployment(Snapshot(pending_operations=snapshot.pending_operations), manager)
        latest["resources"] = _RESOURCES_MARK
        document = {"version": STATE_VERSION, "checkpoint": {"stack": self.stack, "latest": latest}}
        skeleton = json.dumps(document, indent=2)
        rendered = [self._fragments.render(r, manager) for r in snapshot.resources]
        items = ",\n".join(_RESOURCE_INDENT + text for text in rendered)
        listing = f"[\n{items}\n{_RESOURCE_INDENT[:-2]}]" if rendered else "[]"
        text = skeleton.replace(json.dumps(_RESOURCES_MARK), listing, 1)
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


# Where the resources go in the state file: `{version, checkpoint: {stack, latest: {resources: [ ... ]}}}`
# indented by two per level puts each resource at depth 4.
_RESOURCES_MARK = "\u0000resources\u0000"
_RESOURCE_INDENT = " " * 8


class _FragmentCache:
    """Each resource's JSON text in the state file (secrets encrypted), kept while the resource is unchanged.

    Steps replace a resource's `inputs`/`outputs` dicts rather than edit them, so a resource is unchanged
    while it is the same object with the same fields and the same dicts; anything else renders afresh."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[ResourceState, tuple[Any, ...], str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _signature(resource: ResourceState, manager: Any) -> tuple[Any, ...]:
        fields = tuple(
            (id(v), len(v)) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v
            for v in vars(resource).values()
        )
        return (id(manager), *fields)

    def render(self, resource: ResourceState, manager: PassphraseSecretsManager) -> str:
        signature = self._signature(resource, manager)
        with self._lock:
            cached = self._texts.get(id(resource))
        if cached is not None and cached[0] is resource and cached[1] == signature:
            return cached[2]

        def encrypt(value: Any) -> Any:
            return serialize_value(value, manager.encrypt)

        text = json.dumps(resource.to_json(encrypt), indent=2).replace("\n", "\n" + _RESOURCE_INDENT)
        with self._lock:
            self._texts[id(resource)] = (resource, signature, text)
        return text


class StateError(Exception):
    """A state that Pulumi would refuse (bad shape, bad magic cookie, broken ordering)."""


def _nop_crypter(text: str) -> str:
    """Pulumi's `config.NopEncrypter`/`NopDecrypter`: the "ciphertext" of a secret inside a secret."""
    return text


# -- Pulumi's serialized property values (pkg/resource/stack/deployment.go) --------------------------------
def serialize_value(value: Any, encrypt: Callable[[str], str] | None) -> Any:
    """A wire value as Pulumi writes it. A secret becomes `{sig, "ciphertext": ...}` holding the JSON of its
    serialized element; secrets nested in a secret are serialized with Pulumi's no-op encrypter (their
    "ciphertext" is their JSON), so they stay marked without being encrypted twice."""
    if is_secret(value):
        plaintext = json.dumps(serialize_value(value.get("value"), _nop_crypter))
        return {SIG_KEY: SECRET_SIG, "ciphertext": (encrypt or _nop_crypter)(plaintext)}
    if isinstance(value, dict):
        return {k: serialize_value(v, encrypt) for k, v in value.items()}
    if isinstance(value, list):
        return [serialize_value(v, encrypt) for v in value]
    return value


def deserialize_value(value: Any, decrypt: Callable[[str], str] | None) -> Any:
    """The inverse of `serialize_value` (also reads `plaintext` secrets, as Pulumi does, and the SDK's
    in-memory form `{sig, "value": ...}` that older local states hold)."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "value" in value and "ciphertext" not in value and "plaintext" not in value:
                return {SIG_KEY: SECRET_SIG, "value": deserialize_value(value["value"], _nop_crypter)}
            ciphertext, plaintext = value.get("ciphertext"), value.get("plaintext")
            if (ciphertext is None) == (plaintext is None):
                raise StateError(
                    "malformed secret value: one of `ciphertext` or `plaintext` must be supplied"
                )
            if plaintext is None:
                if decrypt is None:
                    raise StateError("the state holds secrets and no passphrase is available")
                plaintext = decrypt(str(ciphertext))
            return {SIG_KEY: SECRET_SIG, "value": deserialize_value(json.loads(plaintext), _nop_crypter)}
        return {k: deserialize_value(v, decrypt) for k, v in value.items()}
    if isinstance(value, list):
        return [deserialize_value(v, decrypt) for v in value]
    return value


def serialize_deployment(snapshot: Snapshot, manager: PassphraseSecretsManager) -> dict[str, Any]:
    """`apitype.DeploymentV3` of the snapshot: manifest with its magic cookie, secrets provider, resources
    (dependencies first) and the operations in flight."""

    def encrypt(value: Any) -> Any:
        return serialize_value(value, manager.encrypt)

    deployment: dict[str, Any] = {
        "manifest": {"time": now_iso(), "magic": magic_cookie(ENGINE_VERSION), "version": ENGINE_VERSION},
        "secrets_providers": {"type": "passphrase", "state": {"salt": manager.state}},
        "resources": [r.to_json(encrypt) for r in snapshot.resources],
    }
    if snapshot.pending_operations:
        deployment["pending_operations"] = [
            {"resource": p.resource.to_json(encrypt), "type": p.type} for p in snapshot.pending_operations
        ]
    return deployment


def deserialize_deployment(latest: dict[str, Any], manager: PassphraseSecretsManager | None) -> Snapshot:
    decrypt = manager.decrypt if manager is not None else None

    def decode(value: Any) -> Any:
        return deserialize_value(value, decrypt)

    resources = [ResourceState.from_json(r, decode) for r in latest.get("resources") or []]
    pending = [
        PendingOperation(ResourceState.from_json(p["resource"], decode), p["type"])
        for p in latest.get("pending_operations") or []
    ]
    salt = ((latest.get("secrets_providers") or {}).get("state") or {}).get("salt")
    return Snapshot(resources=resources, pending_operations=pending, secrets_state=salt)


def verify_deployment(deployment: dict[str, Any]) -> list[str]:
    """What Pulumi would refuse in a `DeploymentV3`: a magic cookie that is not the SHA-256 of the version,
    keys `ResourceV3` does not have, and the snapshot integrity rules (`snapshot.VerifyIntegrity`): every
    provider, parent and dependency recorded before its user, no URN twice (but for old copies marked
    `delete`). Empty when it is sound."""
    problems: list[str] = []
    manifest = deployment.get("manifest") or {}
    if manifest.get("magic", "") != magic_cookie(str(manifest.get("version", ""))):
        problems.append("the manifest's magic cookie is not the SHA-256 of its version")
    seen: set[str] = set()
    live: set[str] = set()
    for resource in deployment.get("resources") or []:
        urn = str(resource.get("urn", ""))
        unknown = sorted(set(resource) - RESOURCE_V3_KEYS)
        if unknown:
            problems.append(f"{urn}: keys Pulumi's ResourceV3 does not have: {', '.join(unknown)}")
        provider = str(resource.get("provider") or "")
        if provider:
            provider_urn = provider.rsplit("::", 1)[0]
            if provider_urn not in seen:
                problems.append(f"{urn}: its provider {provider_urn} is not recorded before it")
        parent = resource.get("parent")
        if parent and parent not in seen:
            problems.append(f"{urn}: its parent {parent} is not recorded before it")
        for dependency in resource.get("dependencies") or []:
            if dependency not in seen:
                problems.append(f"{urn}: its dependency {dependency} is not recorded before it")
        if not resource.get("delete"):
            if urn in live:
                problems.append(f"{urn}: recorded twice")
            live.add(urn)
        if not resource.get("custom") and resource.get("id"):
            problems.append(f"{urn}: has 'custom' false but non-empty ID")
        seen.add(urn)
    return problems
