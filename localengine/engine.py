"""The operations (`preview`, `up`, `refresh`, `destroy`, stack outputs) on one stack of the project."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pulumi

from localengine.deployment import (
    STACK_TYPE,
    UNBOUNDED,
    Deployment,
    EngineError,
    StepEvent,
    StepSkipped,
    make_urn,
    protected_message,
)
from localengine.digest import preview_digest
from localengine.display import Display, format_value
from localengine.events import EventLog, LoggedDisplay, make_display
from localengine.locking import StackLockedError, stack_lock
from localengine.monitor import EngineLog, EngineMonitor
from localengine.policy import PackSpec
from localengine.policy_hooks import analyze_stack, show_policies, start_policies
from localengine.program import run_program
from localengine.project import Project, StackConfig, load_stack_config, secrets_manager_for
from localengine.props import reveal
from localengine.providers import Provider, ProviderError
from localengine.providers.command import CommandProvider
from localengine.providers.dynamic import DynamicProviderHost, prespawn
from localengine.providers.random import RandomProvider
from localengine.secrets import PassphraseSecretsManager, passphrase_from_env
from localengine.stack_reference import stack_outputs_reader
from localengine.state import (
    STATE_VERSION,
    Snapshot,
    StateError,
    StateStore,
    deserialize_deployment,
    verify_deployment,
)


@dataclass
class Result:
    ok: bool
    events: list[StepEvent] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    digest: dict[str, Any] | None = None

    def changes(self) -> dict[str, int]:
        return {op: n for op, n in self.counts.items() if op != "same" and n}


class Engine:
    def __init__(
        self,
        root: Path,
        stack: str,
        *,
        out: TextIO | None = None,
        provider_env: dict[str, str] | None = None,
        config_file: Path | None = None,
        event_log: Path | None = None,
        policy_packs: list[PackSpec] | None = None,
    ) -> None:
        self.project = Project.load(root)
        self.event_log = EventLog(event_log) if event_log is not None else None
        self.policy_packs = list(policy_packs or [])
        if config_file is not None:
            self.project.config_files[stack] = config_file.resolve()
        self.stack = stack
        self.out = out or sys.stdout
        self.provider_env = provider_env
        self.store = StateStore.for_stack(self.project.root, self.project.name, stack)

    # -- shared set-up -------------------------------------------------------------------------------
    def _display(self, out: TextIO, *, preview: bool, show_sames: bool = False) -> Display:
        """The run's display; with `--event-log`, one that also writes the engine events."""
        return make_display(out, preview=preview, show_sames=show_sames, event_log=self.event_log)

    def _prelude(self, display: Display, config: StackConfig) -> None:
        if isinstance(display, LoggedDisplay):
            display.event_log.prelude(config.blinded())

    def _secrets(self) -> PassphraseSecretsManager:
        return secrets_manager_for(self.project, self.stack, self.store.secrets_state())

    def _load(self) -> tuple[PassphraseSecretsManager, StackConfig, Snapshot]:
        """The stack's secrets manager, its config (secrets decrypted) and its last saved state."""
        manager = self._secrets()
        config = load_stack_config(self.project, self.stack, manager)
        return manager, config, self.store.load(manager)

    @contextlib.contextmanager
    def _deployment(
        self,
        display: Display,
        manager: PassphraseSecretsManager,
        config: StackConfig,
        old: Snapshot,
        *,
        preview: bool,
        parallel: int,
        analyze: bool = False,
    ) -> Iterator[Deployment]:
        """A deployment from `old`, its providers running (the dynamic-provider host starting in the
        background), with `analyze` the policy packs too; on leaving, the host and the packs are closed and
        the display stopped."""
        policies = start_policies(self, display, config, preview=preview) if analyze else None
        host = DynamicProviderHost(
            self.project.root,
            self.project.name,
            config.values,
            config.secret_keys,
            on_progress=display.progress,
            on_log=display.log,
            env=self.provider_env,
            workers=host_workers(parallel),
        )
        host.start_soon()
        local: dict[str, Provider] = {"random": RandomProvider(), "command": CommandProvider()}

        def providers(package: str) -> Provider:
            if package == "pulumi-python":
                return host
            if package in local:
                return local[package]
            raise ProviderError(f"the local engine has no provider for package '{package}'")

        deployment = Deployment(
            project=self.project.name,
            stack=self.stack,
            old=old,
            providers=providers,
            preview=preview,
            parallel=parallel,
            sink=display,
            save=lambda snapshot: self.store.save(snapshot, manager),
            stack_outputs=stack_outputs_reader(self.project.root, self.project, self.stack),
        )
        deployment.analyzer = policies
        host.on_created_id = deployment.record_created_id
        try:
            yield deployment
        finally:
            host.close()
            if policies is not None:
                policies.close()
            display.stop()

    # -- up / preview ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, operation: str, preview: bool) -> Iterator[None]:
        """The stack's lock for a run that may change it. `preview` takes none, as Pulumi's file backend
        (pkg/backend/diy/backend.go: `Preview` calls no `Lock`, while `Update`, `Refresh`, `Destroy` and
        `Import` lock even when they only preview)."""
        if preview:
            yield
            return
        with stack_lock(self.project.root, self.project.name, self.stack, operation):
            yield

    def _refused(self, error: StackLockedError) -> Result:
        print(f"error: {error}", file=self.out, flush=True)
        return Result(ok=False, errors=[str(error)])

    def up(
        self,
        *,
        preview: bool = False,
        parallel: int = UNBOUNDED,
        json_output: bool = False,
        show_sames: bool = False,
        show_diff: bool = False,
    ) -> Result:
        try:
            with self._locked("update", preview):
                return self._up(
                    preview=preview,
                    parallel=parallel,
                    json_output=json_output,
                    show_sames=show_sames,
                    show_diff=show_diff,
                )
        except StackLockedError as error:
            return self._refused(error)

    def _up(
        self, *, preview: bool, parallel: int, json_output: bool, show_sames: bool, show_diff: bool
    ) -> Result:
        display = self._display(
            io.StringIO() if json_output else self.out, preview=preview, show_sames=show_sames
        )
        display.show_diff = show_diff
        # The provider host starts now, while config, state and the program load (see `prespawn`).
        prespawn(self.project.root, self.project.name, env=self.provider_env, workers=host_workers(parallel))
        manager, config, old = self._load()
        # The Outputs section shows how the stack's outputs change (a new stack's are listed plainly).
        display.old_outputs = next(
            (r.outputs for r in old.resources if r.type == STACK_TYPE and not r.delete), None
        )
        self._prelude(display, config)
        with self._deployment(
            display, manager, config, old, preview=preview, parallel=parallel, analyze=bool(self.policy_packs)
        ) as deployment:
            display.start(f"{'Previewing update' if preview else 'Updating'} ({self.stack}):")
            started = time.monotonic()
            program_error: BaseException | None = None
            try:
                with _config_file_named(self.project.config_files.get(self.stack)):
                    run_program(
                        root=self.project.root,
                        main=self.project.main,
                        project=self.project.name,
                        stack=self.stack,
                        config=config.values,
                        secret_keys=config.secret_keys,
                        monitor=EngineMonitor(deployment),
                        log=EngineLog(
                            display,
                            make_urn(
                                self.stack,
                                self.project.name,
                                "",
                                STACK_TYPE,
                                f"{self.project.name}-{self.stack}",
                            ),
                        ),
                        preview=preview,
                        parallel=parallel,
                    )
            except BaseException as exc:
                program_error = exc
            if program_error is None:
                deployment.finish()
                analyze_stack(deployment)
            else:
                deployment.save()
        # The stack's outputs as recorded: those the program registered, else (it failed before it could)
        # the last ones, as the Pulumi CLI keeps them.
        result = self._result(display, deployment, program_error, deployment.snapshot().outputs())
        if json_output:
            result.digest = preview_digest(
                deployment.events,
                config=config.blinded(),
                diagnostics=display.diagnostics,
                duration_seconds=time.monotonic() - started,
                show_sames=show_sames,
            )
            print(json.dumps(result.digest, indent=4), file=self.out, flush=True)
        return result

    def _result(
        self,
        display: Display,
        deployment: Deployment,
        program_error: BaseException | None,
        outputs: dict[str, Any] | None,
    ) -> Result:
        """After the run: its errors as diagnostics, the stack outputs (`None`: none to show, as on a
        destroy), the summary, and the result."""
        errors = self._report_errors(display, deployment, program_error)
        errors += show_policies(display, deployment)
        # A failed step stops the run before the program's stack outputs reach the engine, so the CLI shows
        # no Outputs section then; the recorded outputs stay in state and in the result.
        step_failed = any(not isinstance(e, StepSkipped) for e in deployment.errors)
        if outputs is not None and not step_failed:
            display.outputs(outputs)
        display.summary(failed=bool(errors))
        return Result(
            ok=not errors,
            events=deployment.events,
            outputs=outputs if outputs is not None else {},
            errors=errors,
            counts=dict(display.counts),
        )

    def _report_errors(
        self, display: Display, deployment: Deployment, program_error: BaseException | None
    ) -> list[str]:
        errors: list[str] = []
        for error in deployment.errors:
            if isinstance(error, StepSkipped):
                continue
            display.diagnostic("error", str(error), error.urn)
            errors.append(str(error))
        if program_error is not None and not errors:
            if isinstance(program_error, EngineError | pulumi.RunError):
                # A RunError is the program's own report (e.g. every problem of the stack config): the
                # CLI prints its message alone, without a traceback.
                message = str(program_error)
            else:
                trace = _program_traceback(program_error)
                message = f"Program failed with an unhandled exception:\n{trace}"
            display.diagnostic("error", message)
            errors.append(message)
        if errors:
            display.print()
        return errors

    # -- refresh -------------------------------------------------------------------------------------------
    def refresh(self, *, parallel: int = UNBOUNDED, preview_only: bool = False) -> Result:
        """Read every resource back; `preview_only` shows the drift and leaves the state as it was."""
        try:
            with self._locked("refresh", preview=False):  # locked even with --preview-only, as Pulumi
                return self._refresh(parallel=parallel, preview_only=preview_only)
        except StackLockedError as error:
            return self._refused(error)

    def _refresh(self, *, parallel: int, preview_only: bool) -> Result:
        display = self._display(self.out, preview=preview_only)
        manager, config, snapshot = self._load()
        self._prelude(display, config)
        with self._deployment(
            display, manager, config, snapshot, preview=preview_only, parallel=parallel
        ) as deployment:
            display.start(f"{'Previewing refresh' if preview_only else 'Refreshing'} ({self.stack}):")
            refreshed = deployment.refresh(snapshot.resources)
            if not preview_only:
                # Pending creates stay for the next `up` to resolve (they may have made an object).
                creates = [op for op in snapshot.pending_operations if op.type == "creating"]
                self.store.save(Snapshot(resources=refreshed, pending_operations=creates), manager)
        return self._result(display, deployment, None, Snapshot(resources=refreshed).outputs())

    # -- destroy -------------------------------------------------------------------------------------------
    def destroy(self, *, parallel: int = UNBOUNDED, preview: bool = False) -> Result:
        try:
            with self._locked("destroy", preview):
                return self._destroy(parallel=parallel, preview=preview)
        except StackLockedError as error:
            return self._refused(error)

    def _destroy(self, *, parallel: int, preview: bool) -> Result:
        display = self._display(self.out, preview=preview)
        manager, config, snapshot = self._load()
        self._prelude(display, config)
        display.start(f"{'Previewing destroy' if preview else 'Destroying'} ({self.stack}):")
        protected = [r for r in snapshot.resources if r.protect and not r.delete]
        if protected:
            display.stop()
            errors = [protected_message(r.urn) for r in protected]
            for r, message in zip(protected, errors, strict=True):
                display.diagnostic("error", message, r.urn)
            display.print()
            display.summary(failed=True)
            return Result(ok=False, errors=errors)
        with self._deployment(
            display, manager, config, snapshot, preview=preview, parallel=parallel
        ) as deployment:
            deployment.delete_in_order(list(snapshot.resources))
            if not preview:
                deployment.save()
        return self._result(display, deployment, None, None)

    # -- state ---------------------------------------------------------------------------------------------
    def outputs(self) -> dict[str, Any]:
        return self.store.load(self._secrets()).outputs()

    def export_state(self) -> dict[str, Any]:
        """`pulumi stack export`: the deployment as Pulumi's `UntypedDeployment`."""
        return self.store.export()

    def import_state(self, document: Any) -> None:
        """`pulumi stack import`: refuse what Pulumi would refuse (version, magic cookie, keys, ordering),
        decrypt with the document's own secrets provider and store it encrypted with this stack's."""
        if not isinstance(document, dict) or not isinstance(document.get("deployment"), dict):
            raise StateError('expected a stack export: {"version": 3, "deployment": {...}}')
        if document.get("version") != STATE_VERSION:
            raise StateError(f"unsupported deployment version {document.get('version')!r} (expected 3)")
        deployment = document["deployment"]
        problems = verify_deployment(deployment)
        if problems:
            raise StateError("the deployment cannot be imported:\n    " + "\n    ".join(problems))
        provider = deployment.get("secrets_providers") or {}
        salt = (provider.get("state") or {}).get("salt")
        if provider.get("type", "passphrase") != "passphrase":
            raise StateError(f"secrets provider {provider.get('type')!r} is not supported (only passphrase)")
        source = PassphraseSecretsManager.from_state(passphrase_from_env(), str(salt)) if salt else None
        snapshot = deserialize_deployment(deployment, source)
        self.store.save(snapshot, secrets_manager_for(self.project, self.stack, salt))

    def set_protect(self, urn: str, protect: bool) -> bool:
        manager = self._secrets()
        snapshot = self.store.load(manager)
        found = False
        for resource in snapshot.resources:
            if resource.urn == urn or urn == "*":
                resource.protect = protect
                found = True
        if found:
            self.store.save(snapshot, manager)
        return found


def host_workers(parallel: int) -> int:
    """Provider-host threads: one per step that may wait for a vendor at once, up to `parallel` (64 at most:
    beyond that, waits rarely overlap usefully and a slow endpoint sees a queue it may time out on)."""
    return max(8, min(parallel, 64))


CONFIG_FILE_ENV = "PLATFORM_CONFIG_FILE"


@contextlib.contextmanager
def _config_file_named(path: Path | None) -> Iterator[None]:
    """With `--config-file`, the program's config errors name that file (the program's stack_config reads
    the name from this variable)."""
    if path is None:
        yield
        return
    try:
        shown = str(path.relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    previous = os.environ.get(CONFIG_FILE_ENV)
    os.environ[CONFIG_FILE_ENV] = shown
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(CONFIG_FILE_ENV, None)
        else:
            os.environ[CONFIG_FILE_ENV] = previous


def _program_traceback(error: BaseException) -> str:
    """The traceback from the program's own frames on (the engine's and the SDK's frames left out)."""
    frames = traceback.extract_tb(error.__traceback__)
    skip = ("/localengine/", "/site-packages/pulumi/", "/asyncio/", "<frozen runpy>")
    kept = [f for f in frames if not any(part in f.filename for part in skip)]
    # No frame of the program's own (an error raised by the SDK or the engine): the error alone.
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(kept)] if kept else []
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def render_outputs(outputs: dict[str, Any], *, show_secrets: bool) -> dict[str, Any]:
    return {k: (reveal(v) if show_secrets else json.loads(json.dumps(_blind(v)))) for k, v in outputs.items()}


def _blind(value: Any) -> Any:
    from localengine.props import blind

    return blind(value)


__all__ = ["Engine", "Result", "format_value", "render_outputs"]
