"""StackReference, as the CLI's file backend resolves it: the outputs of another stack of this state.

A `pulumi.StackReference` is a read of the built-in resource `pulumi:pulumi:StackReference` whose id is the
stack's name (`staging`, `<project>/staging` or `organization/<project>/staging`); the engine answers it
with that stack's last saved outputs, secrets kept secret, and names the secret ones in
`secretOutputNames`. The referenced stack's state is only read, never written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from localengine.project import Project, secrets_manager_for
from localengine.props import is_secret
from localengine.secrets import PassphraseSecretsManager, passphrase_from_env
from localengine.state import StateStore

StackOutputsReader = Callable[[str], dict[str, Any]]


class StackReferenceError(Exception):
    pass


def split_stack_name(reference: str, project: str) -> tuple[str, str]:
    """(project, stack) of a fully or partly qualified stack name."""
    parts = reference.split("/")
    if len(parts) == 1:
        return project, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    if len(parts) == 3 and parts[0] == "organization":
        return parts[1], parts[2]
    raise StackReferenceError(
        f"stack reference {reference!r}: use <stack>, <project>/<stack> or organization/<project>/<stack> "
        "(the file backend's organization is always `organization`)"
    )


def stack_outputs_reader(root: Path, project: Project, current_stack: str) -> StackOutputsReader:
    """A function that reads a referenced stack's properties as the engine's StackReference provider returns
    them: `{name, outputs, secretOutputNames}`."""

    def read(reference: str) -> dict[str, Any]:
        project_name, stack = split_stack_name(reference, project.name)
        if project_name == project.name and stack == current_stack:
            raise StackReferenceError(f"stack reference {reference!r}: a stack cannot reference itself")
        store = StateStore.for_stack(root, project_name, stack)
        if not store.exists():
            raise StackReferenceError(
                f'unknown stack "{reference}": it has no state here; run `up` of {stack} first'
            )
        # The state's own salt first: the referenced stack may have run with another settings file.
        salt = store.secrets_state()
        manager = (
            PassphraseSecretsManager.from_state(passphrase_from_env(), salt)
            if salt
            else secrets_manager_for(project, stack, None)
        )
        outputs = store.load(manager).outputs()
        return {
            "name": reference,
            "outputs": outputs,
            "secretOutputNames": sorted(k for k, v in outputs.items() if is_secret(v)),
        }

    return read
