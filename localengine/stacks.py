"""`stack init [--copy-config-from BASE]` and `stack rm`, as the CLI's file backend does them.

`stack init NEW --copy-config-from BASE` writes `Pulumi.NEW.yaml` with BASE's whole config and a new
encryption salt, each `secure:` value decrypted with BASE's passphrase salt and encrypted again with
NEW's (the CLI re-encrypts when the two stacks' secrets managers differ, and with the passphrase provider
they always do), and creates NEW's empty state. `stack rm` refuses a stack that still has resources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from localengine.project import Project, ProjectError, read_stack_file
from localengine.secrets import PassphraseSecretsManager, passphrase_from_env
from localengine.state import Snapshot, StateStore


def _reencrypt(
    value: Any, old: PassphraseSecretsManager | None, new: PassphraseSecretsManager, key: str
) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            if old is None:
                raise ProjectError(f"config {key} is secret and the base stack file has no encryptionsalt")
            return {"secure": new.encrypt(old.decrypt(str(value["secure"])))}
        return {k: _reencrypt(v, old, new, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_reencrypt(v, old, new, key) for v in value]
    return value


def init_stack(
    project: Project, stack: str, *, copy_config_from: str | None = None, base_config_file: Path | None = None
) -> Path:
    """Create `stack` (its state and its settings file); return the settings file's path."""
    store = StateStore.for_stack(project.root, project.name, stack)
    if store.exists():
        raise ProjectError(f"stack '{stack}' already exists")
    target = project.stack_file(stack)
    manager = PassphraseSecretsManager.create(passphrase_from_env())
    document: dict[str, Any] = {"encryptionsalt": manager.state}
    if copy_config_from is not None:
        if copy_config_from == stack:
            raise ProjectError(f"--copy-config-from {copy_config_from}: a stack cannot copy itself")
        if base_config_file is not None:
            project.config_files[copy_config_from] = base_config_file.resolve()
        base_file = project.stack_file(copy_config_from)
        if not base_file.is_file():
            raise ProjectError(f"--copy-config-from {copy_config_from}: no settings file {base_file}")
        base = read_stack_file(project, copy_config_from)
        salt = base.get("encryptionsalt")
        base_manager = PassphraseSecretsManager.from_state(passphrase_from_env(), str(salt)) if salt else None
        config = {
            str(k): _reencrypt(v, base_manager, manager, str(k))
            for k, v in (base.get("config") or {}).items()
        }
        document["config"] = config
    elif target.is_file():
        existing = read_stack_file(project, stack)
        if existing.get("encryptionsalt"):
            manager = PassphraseSecretsManager.from_state(
                passphrase_from_env(), str(existing["encryptionsalt"])
            )
        document = {**existing, "encryptionsalt": manager.state}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(document, sort_keys=False, default_flow_style=False))
    store.save(Snapshot(), manager)
    return target


def remove_stack(project: Project, stack: str, *, force: bool = False, preserve_config: bool = False) -> None:
    """`pulumi stack rm`: the stack's state, and its settings file unless `preserve_config`."""
    store = StateStore.for_stack(project.root, project.name, stack)
    if not store.exists():
        raise ProjectError(f"no stack named '{stack}' found")
    data = json.loads(store.path.read_text())
    resources = ((data.get("checkpoint") or {}).get("latest") or {}).get("resources") or []
    if resources and not force:
        raise ProjectError(
            f"'{stack}' still has resources; removal rejected. Run `destroy --stack {stack}` first, or "
            "pass --force to remove the stack's state and leave its resources behind"
        )
    store.path.unlink()
    if not preserve_config:
        project.stack_file(stack).unlink(missing_ok=True)
