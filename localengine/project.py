"""The project (`Pulumi.yaml`) and its stacks' settings (`Pulumi.<stack>.yaml`), read as the CLI reads them.

Config keys are namespaced (`platform:services`, `railway:token`); a bare key belongs to the project.
Values reach the program as strings (objects and lists JSON-encoded, like `pulumi config`), `secure:`
values decrypted and marked secret, including `secure:` values nested in objects.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from localengine.secrets import PassphraseSecretsManager, SecretsError, passphrase_from_env


class ProjectError(Exception):
    pass


@dataclass
class Project:
    root: Path
    name: str
    main: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    # `--config-file`: use this file instead of Pulumi.<stack>.yaml (as `pulumi up --config-file`).
    config_files: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Project:
        root = root.resolve()
        path = root / "Pulumi.yaml"
        if not path.is_file():
            raise ProjectError(f"no Pulumi.yaml in {root}: run from the project directory or pass --cwd")
        data = yaml.safe_load(path.read_text()) or {}
        name = data.get("name")
        if not name:
            raise ProjectError(f"{path}: missing 'name'")
        main = (root / str(data.get("main") or "")).resolve()
        if Path(str(data.get("main") or "")).is_absolute():
            raise ProjectError(f"{path}: project 'main' must be a relative path")
        if not main.is_relative_to(root):
            # The Pulumi CLI refuses this too (getPwdMain): the program must live in the project.
            raise ProjectError(
                f"{path}: project 'main' must be a subfolder (main: {data.get('main')}); to run another "
                "project's stack files with this program, run from the program's project with "
                "--config-file <file> (as `pulumi up --config-file`)"
            )
        if main.is_dir():
            main = main / "__main__.py"
        defaults: dict[str, Any] = {}
        for key, spec in (data.get("config") or {}).items():
            full = namespaced(key, name)
            if isinstance(spec, dict) and ("default" in spec or "value" in spec):
                defaults[full] = spec.get("value", spec.get("default"))
            elif not isinstance(spec, dict):
                defaults[full] = spec
        return cls(root=root, name=name, main=main, defaults=defaults)

    def stack_file(self, stack: str) -> Path:
        return self.config_files.get(stack) or self.root / f"Pulumi.{stack}.yaml"


def namespaced(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


@dataclass
class StackConfig:
    """A stack's config, decrypted: `values` as the program gets them, `secret_keys` marked secret."""

    values: dict[str, str]
    secret_keys: list[str]
    encryption_salt: str | None

    def blinded(self) -> dict[str, str]:
        return {k: ("[secret]" if k in self.secret_keys else v) for k, v in sorted(self.values.items())}


def read_stack_file(project: Project, stack: str) -> dict[str, Any]:
    path = project.stack_file(stack)
    if not path.is_file():
        return {}
    data = parse_yaml_file(path)
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping")
    return data


def parse_yaml_file(path: Path) -> Any:
    """The file's YAML; a syntax error names the file and line (not a parser traceback)."""
    try:
        # libyaml's loader where PyYAML has it: the pure-Python one takes seconds on a 200-service stack file.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(path.read_text(), Loader=loader) or {}  # a safe loader either way
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{context}, {problem}" if context else problem
        raise ProjectError(f"{where}: invalid YAML: {detail}") from None


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return True
        return any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _decrypt_tree(value: Any, manager: PassphraseSecretsManager, key: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            try:
                return manager.decrypt(str(value["secure"]))
            except SecretsError as exc:
                raise ProjectError(f"config {key}: {exc}") from exc
        return {k: _decrypt_tree(v, manager, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt_tree(v, manager, key) for v in value]
    return value


def config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        # As the CLI hands them to programs: compact JSON, keys sorted (Go's encoding/json).
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if value is None:
        return ""
    return str(value)


def load_stack_config(project: Project, stack: str, manager: PassphraseSecretsManager | None) -> StackConfig:
    data = read_stack_file(project, stack)
    raw = {**{k: v for k, v in project.defaults.items()}, **(data.get("config") or {})}
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full = namespaced(str(key), project.name)
        if _has_secure(value):
            if manager is None:
                raise ProjectError(f"config {full} is secret and no passphrase is available to decrypt it")
            value = _decrypt_tree(value, manager, full)
            secret_keys.append(full)
        values[full] = config_string(value)
    return StackConfig(
        values=values, secret_keys=sorted(secret_keys), encryption_salt=data.get("encryptionsalt")
    )


def secrets_manager_for(project: Project, stack: str, state_salt: str | None) -> PassphraseSecretsManager:
    """The stack's secrets manager: the stack file's `encryptionsalt`, else the state's, else a new one.

    Raises PassphraseMissingError when no passphrase is set, like the CLI does.
    """
    passphrase = passphrase_from_env()
    salt = read_stack_file(project, stack).get("encryptionsalt") or state_salt
    if salt:
        return PassphraseSecretsManager.from_state(passphrase, str(salt))
    return PassphraseSecretsManager.create(passphrase)


# -- writing config ---------------------------------------------------------------------------------------
def set_config_value(
    project: Project, stack: str, key: str, value: str, *, secret: bool, path_key: bool = False
) -> None:
    """`pulumi config set [--secret] [--path] KEY VALUE`: edits only the key's own lines and keeps the rest
    of the file (comments included). With `path_key`, KEY is a property path into a structured value
    (`platform:secrets.SENTRY_DSN`)."""
    from localengine.props import parse_path

    parts: list[str | int] = parse_path(key) if path_key else [key]
    full = namespaced(str(parts[0]), project.name)
    path = project.stack_file(stack)
    text = path.read_text() if path.exists() else ""
    data = (yaml.safe_load(text) or {}) if text else {}
    leaf: Any = value
    if secret:
        salt = data.get("encryptionsalt")
        if salt:
            manager = PassphraseSecretsManager.from_state(passphrase_from_env(), str(salt))
        else:
            manager = PassphraseSecretsManager.create(passphrase_from_env())
            text = f"encryptionsalt: {manager.state}\n" + text
        leaf = {"secure": manager.encrypt(value)}
    if len(parts) > 1:
        if not secret:
            leaf = _typed_path_value(value)
        current = (data.get("config") or {}).get(full)
        if current is None:
            current = (data.get("config") or {}).get(parts[0])
        try:
            root: Any = _set_at_path(current, parts[1:], leaf)
        except ValueError as exc:
            raise ProjectError(f"{path.name}: config {key}: {exc}") from None
        dumped = yaml.safe_dump({full: root}, sort_keys=False, default_flow_style=False)
        entry = "".join(f"  {line}\n" for line in dumped.splitlines())
    elif secret:
        entry = f"  {full}:\n    secure: {leaf['secure']}\n"
    else:
        entry = f"  {full}: {json.dumps(value) if _needs_quotes(value) else value}\n"
    lines = text.splitlines(keepends=True)
    config_at = next((i for i, line in enumerate(lines) if re.match(r"^config:\s*(#.*)?$", line)), None)
    if config_at is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += ["config:\n", entry]
    else:
        start = None
        for i in range(config_at + 1, len(lines)):
            line = lines[i]
            if line.strip() and not line.startswith((" ", "\t")):
                break
            match = re.match(r"^(\s+)(['\"]?)([^'\":]+(?::[^'\":\s]+)?)\2:(\s|$)", line)
            if match and match.group(3) == full and start is None:
                start, indent = i, len(match.group(1))
                end = i + 1
                while end < len(lines) and (
                    not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
                ):
                    end += 1
                lines[start:end] = [entry]
                break
        if start is None:
            insert_at = config_at + 1
            while insert_at < len(lines) and (
                not lines[insert_at].strip() or lines[insert_at].startswith((" ", "\t"))
            ):
                insert_at += 1
            lines.insert(insert_at, entry)
    _atomic_write(path, "".join(lines))


def _typed_path_value(value: str) -> Any:
    """`config set --path` types the value as the CLI does: `true`/`false` become booleans and integers
    numbers; anything else stays a string."""
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    return value


def _set_at_path(container: Any, parts: list[str | int], leaf: Any) -> Any:
    """`container` with `leaf` set at `parts`, creating what is missing: a list where the next part is an
    index, a map where it is a key. A list index may be at most the list's length (appends there)."""
    head, rest = parts[0], parts[1:]
    if isinstance(head, int):
        if container is None:
            container = []
        if not isinstance(container, list):
            raise ValueError(f"[{head}] indexes a value that is not a list")
        if head > len(container):
            raise ValueError(f"list index {head} is out of range (the list has {len(container)} items)")
        child = container[head] if head < len(container) else None
        value = _set_at_path(child, rest, leaf) if rest else leaf
        if head == len(container):
            container.append(value)
        else:
            container[head] = value
        return container
    if container is None:
        container = {}
    if not isinstance(container, dict):
        raise ValueError(f"key {head!r} is set inside a value that is not a map")
    container[head] = _set_at_path(container.get(head), rest, leaf) if rest else leaf
    return container


def _needs_quotes(value: str) -> bool:
    try:
        parsed = yaml.safe_load(f"k: {value}")
    except yaml.YAMLError:
        return True
    return not isinstance(parsed, dict) or parsed.get("k") != value


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)
