"""Steps: what the engine does with each registration, and the deletes at the end.

A `Deployment` receives registrations (from `EngineMonitor`, on the SDK's executor threads, so independent
resources arrive and run concurrently), decides each resource's step the way Pulumi's step generator does
(ignoreChanges, Check, Diff, replaceOnChanges, protect, create-before-delete or delete-before-replace),
runs it (bounded by `parallel`), records it in state at once, and returns the outputs to the program.
When the program is done, `finish()` deletes in reverse dependency order what it no longer declares and
the old copies of replaced resources.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from localengine.props import (
    UNKNOWN,
    PropertyDiff,
    changed_keys,
    detailed_diff,
    mark_secret_outputs,
    parse_path,
    path_contains,
    reset_path,
)
from localengine.providers import DiffResult, Provider, ProviderError, package_of
from localengine.state import PendingOperation, ResourceState, Snapshot, now_iso
from localengine.statewriter import CoalescingSaver
from localengine.step_diff import engine_detailed_diff

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PROVIDER_PREFIX = "pulumi:providers:"
UNBOUNDED = 2147483647
# The contract with providers for a pending create's `read` (providers/pending_create.py) and for a create
# whose outcome stayed unknown (providers/adoption.py, `CreateOutcomeUnknownError`): the same strings there.
PENDING_CREATE_KEY = "__pending_create"
OUTCOME_UNKNOWN_MARK = "outcome unknown:"


class EngineError(Exception):
    """A step failed; the message is for the user."""

    def __init__(self, message: str, urn: str = "") -> None:
        super().__init__(message)
        self.urn = urn


class StepSkipped(EngineError):
    """Not started because an earlier step failed (Pulumi lets in-flight steps finish, starts no new ones)."""


@dataclass
class Goal:
    type: str
    name: str
    custom: bool
    parent: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    provider: str = ""
    version: str = ""
    delete_before_replace: bool | None = None
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    retain_on_delete: bool = False
    alias_urns: list[str] = field(default_factory=list)


@dataclass
class StepEvent:
    op: str
    urn: str
    type: str
    old: ResourceState | None = None
    new: ResourceState | None = None
    diff_reasons: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    detailed_diff: dict[str, PropertyDiff] | None = None
    display_keys: list[str] = field(default_factory=list)
    duration: float = 0.0
    error: str = ""
    retained: bool = False


class Analyzer(Protocol):
    """Policy packs (`localengine.policy.PolicyHost`): the checked inputs of a resource, remediated; raises
    `EngineError` on a mandatory violation in `up`."""

    def analyze(
        self, urn: str, goal: Goal, inputs: dict[str, Any], provider: ResourceState | None
    ) -> dict[str, Any]: ...


class EventSink(Protocol):
    def step_started(self, op: str, urn: str, type_: str) -> None: ...

    def step_done(self, event: StepEvent) -> None: ...

    def diagnostic(self, severity: str, message: str, urn: str = "") -> None: ...


def qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def make_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's URN: a parent's qualified type prefixes its children's, except the root stack's."""
    if parent and qualified_type(parent) != STACK_TYPE:
        type_ = f"{qualified_type(parent)}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


class Deployment:
    def __init__(
        self,
        *,
        project: str,
        stack: str,
        old: Snapshot,
        providers: Callable[[str], Provider],
        preview: bool,
        parallel: int,
        sink: EventSink,
        save: Callable[[Snapshot], None],
        stack_outputs: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.stack_outputs = stack_outputs
        self.preview = preview
        self.providers = providers
        self.sink = sink
        self._saver: CoalescingSaver[Snapshot] = CoalescingSaver(save)
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0  # custom-resource steps started and not yet finished
        self._slots = threading.BoundedSemaphore(max(1, min(parallel, 10_000)))
        self.parallel = parallel
        self.olds: dict[str, ResourceState] = old.by_urn()
        self.old_order = [r.urn for r in old.resources if not r.delete]
        self.pending_deletes: list[ResourceState] = [r for r in old.resources if r.delete]
        self.news: dict[str, ResourceState] = {}
        self.registered: set[str] = set()
        self.pending_ops: list[PendingOperation] = []
        self.deleted: set[str] = set()  # old URNs deleted during the run (delete-before-replace)
        self.aliased: dict[str, str] = {}  # new URN -> old URN it took over
        self.alias_urns: dict[str, list[str]] = {}  # new URN -> the URNs it may have had before
        self.replaced_dependents: set[str] = set()  # old URNs replaced because a DBR replaced theirs
        self.dependent_replace_keys: dict[str, list[str]] = {}  # what their diff said forces it
        self.errors: list[EngineError] = []
        self.failed = False
        self.outputs: dict[str, Any] = {}
        self.events: list[StepEvent] = []
        self.analyzer: Analyzer | None = None
        self._interrupted = list(old.pending_operations)
        # Creates the last run started and never recorded: kept in state (Pulumi's pending_operations)
        # until this run resolves them, by adoption or by a create.
        self.pending_creates: dict[str, ResourceState] = {
            op.resource.urn: op.resource for op in old.pending_operations if op.type == "creating"
        }
        for op in self._interrupted:
            if op.type == "creating":
                sink.diagnostic(
                    "warning",
                    f"the last run was interrupted while creating {op.resource.urn} (a pending create): "
                    "the vendor may have made it. This run asks its provider for it (by name, or by the "
                    "id it was about to record) and adopts what it finds; it creates it only if not found",
                    op.resource.urn,
                )
            else:
                sink.diagnostic(
                    "info",
                    f"the last run was interrupted while {op.type} {op.resource.urn}; this run completes it",
                    op.resource.urn,
                )

    # -- state -----------------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            resources = list(self.news.values())
            taken = set(self.news) | self.deleted | set(self.aliased.values())
            resources += [self.olds[u] for u in self.old_order if u not in taken and u in self.olds]
            resources += self.pending_deletes
            carried = [PendingOperation(r, "creating") for r in self.pending_creates.values()]
            return Snapshot(resources=_ordered(resources), pending_operations=[*carried, *self.pending_ops])

    def save(self) -> None:
        if not self.preview:
            # Concurrent steps share one write of the latest state (see `statewriter`).
            self._saver.save(self.snapshot)

    def _emit(self, event: StepEvent) -> None:
        with self._lock:
            self.events.append(event)
        self.sink.step_done(event)

    def _fail(self, error: EngineError) -> EngineError:
        with self._lock:
            self.errors.append(error)
            if not self.preview:
                self.failed = True
        return error

    # -- registration ----------------------------------------------------------------------------------
    def register(self, goal: Goal) -> tuple[str, str, dict[str, Any]]:
        urn = make_urn(self.stack, self.project, goal.parent, goal.type, goal.name)
        with self._lock:
            if urn in self.registered:
                raise self._fail(
                    EngineError(f"Duplicate resource URN '{urn}'; try giving it a unique name", urn)
                )
            self.registered.add(urn)
            if self.failed:
                raise StepSkipped("skipped: an earlier step failed", urn)
            aliases = self._with_parent_aliases(goal)
            self.alias_urns[urn] = aliases
            old = self.olds.get(urn)
            if old is None:
                for alias in aliases:
                    if alias in self.olds and alias not in self.registered:
                        old = self.olds[alias]
                        self.aliased[urn] = alias
                        break
            if goal.custom:
                self._in_flight += 1
        if not goal.custom:
            return self._register_component(urn, goal, old)
        try:
            return self._register_custom(urn, goal, old)
        except EngineError as exc:
            raise self._fail(exc) from None
        except ProviderError as exc:
            raise self._fail(EngineError(str(exc), urn)) from None
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 3600.0) -> None:
        """Block until every step already started has finished and been recorded (after a failure, as
        Pulumi's engine does before it stops)."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def _with_parent_aliases(self, goal: Goal) -> list[str]:
        """The goal's alias URNs plus those it inherits: its URN under each URN its parent may have had
        (the engine does this for SDKs that send alias specs: rename, retype or re-parent a component
        and its children keep their state)."""
        aliases = list(goal.alias_urns)
        for parent_alias in self.alias_urns.get(goal.parent, []):
            for name in dict.fromkeys([goal.name, *(a.rsplit("::", 1)[-1] for a in goal.alias_urns)]):
                inherited = make_urn(self.stack, self.project, parent_alias, goal.type, name)
                if inherited not in aliases:
                    aliases.append(inherited)
        return aliases

    def read_stack_reference(
        self, *, name: str, parent: str, stack: str, dependencies: list[str]
    ) -> tuple[str, dict[str, Any]]:
        """A StackReference: the referenced stack's outputs, recorded in state as the CLI records a read
        (the engine's own resource: nothing to create, update or delete at a vendor)."""
        urn = make_urn(self.stack, self.project, parent, STACK_REFERENCE_TYPE, name)
        with self._lock:
            if urn in self.registered:
                raise self._fail(
                    EngineError(f"Duplicate resource URN '{urn}'; try giving it a unique name", urn)
                )
            self.registered.add(urn)
            old = self.olds.get(urn)
        if self.stack_outputs is None:
            raise self._fail(EngineError("this engine cannot read other stacks", urn))
        try:
            outputs = self.stack_outputs(stack)
        except Exception as exc:  # a missing or unreadable stack is the user's to fix: say which
            raise self._fail(EngineError(str(exc), urn)) from None
        new = ResourceState(
            urn=urn,
            type=STACK_REFERENCE_TYPE,
            custom=True,
            id=stack,
            inputs={"name": stack},
            outputs=outputs,
            parent=parent,
            dependencies=dependencies,
            created=old.created if old else now_iso(),
            modified=now_iso() if old is None or changed_keys(old.outputs, outputs) else old.modified,
        )
        with self._lock:
            self.news[urn] = new
        op = "same" if old is not None and not changed_keys(old.outputs, outputs) else "read"
        self._emit(StepEvent(op, urn, STACK_REFERENCE_TYPE, old=old, new=new))
        return urn, outputs

    def _new_state(self, urn: str, goal: Goal, old: ResourceState | None, provider_ref: str) -> ResourceState:
        return ResourceState(
            urn=urn,
            type=goal.type,
            custom=goal.custom,
            id=old.id if old else "",
            inputs=dict(goal.inputs),
            outputs=dict(old.outputs) if old else {},
            parent=goal.parent,
            protect=goal.protect,
            dependencies=list(goal.dependencies),
            property_dependencies={k: list(v) for k, v in goal.property_dependencies.items()},
            provider=provider_ref,
            additional_secret_outputs=list(goal.additional_secret_outputs),
            retain_on_delete=goal.retain_on_delete,
            ignore_changes=list(goal.ignore_changes),
            replace_on_changes=list(goal.replace_on_changes),
            created=old.created if old else now_iso(),
            modified=old.modified if old else now_iso(),
        )

    def _register_component(
        self, urn: str, goal: Goal, old: ResourceState | None
    ) -> tuple[str, str, dict[str, Any]]:
        new = self._new_state(urn, goal, old, "")
        with self._lock:
            self.news[urn] = new
        self._emit(StepEvent("same" if old else "create", urn, goal.type, old=old, new=new))
        return urn, "", {}

    def register_outputs(self, urn: str, outputs: dict[str, Any]) -> None:
        with self._lock:
            state = self.news.get(urn)
            if state is not None:
                state.outputs = dict(outputs)
            if urn.split("::")[-2] == STACK_TYPE:
                self.outputs = dict(outputs)
        self.save()

    def _default_provider(self, package: str, version: str) -> str:
        name = "default" + (("_" + version.replace(".", "_").replace("-", "_")) if version else "")
        urn = f"urn:pulumi:{self.stack}::{self.project}::{PROVIDER_PREFIX}{package}::{name}"
        with self._lock:
            if urn not in self.news:
                old = self.olds.get(urn)
                self.registered.add(urn)
                self.news[urn] = ResourceState(
                    urn=urn,
                    type=PROVIDER_PREFIX + package,
                    custom=True,
                    id=old.id if old else ("" if self.preview else str(uuid.uuid4())),
                    inputs={"version": version} if version else {},
                    outputs={"version": version} if version else {},
                    created=old.created if old else now_iso(),
                    modified=old.modified if old else now_iso(),
                )
            state = self.news[urn]
        return f"{urn}::{state.id or UNKNOWN}"

    def _register_custom(
        self, urn: str, goal: Goal, old: ResourceState | None
    ) -> tuple[str, str, dict[str, Any]]:
        if goal.type.startswith(PROVIDER_PREFIX):
            return self._register_explicit_provider(urn, goal, old)
        package = package_of(goal.type)
        provider_ref = goal.provider or self._default_provider(package, goal.version)
        provider = self.providers(package)
        news = dict(goal.inputs)
        if old is not None:
            for path in goal.ignore_changes:
                try:
                    news = reset_path(old.inputs, news, parse_path(path))
                except ValueError as exc:
                    raise EngineError(f"ignoreChanges: {exc}", urn) from None
        checked, failures = provider.check(urn, old.inputs if old else None, news, os.urandom(32))
        if failures:
            lines = [
                f"{goal.type} resource '{goal.name}': property {f.property} has a problem: {f.reason}"
                if f.property
                else f"{goal.type} resource '{goal.name}' has a problem: {f.reason}"
                for f in failures
            ]
            raise EngineError("\n".join(lines), urn)
        if self.analyzer is not None:
            checked = self.analyzer.analyze(
                urn, goal, checked, self.news.get(provider_ref.rsplit("::", 1)[0])
            )
        new = self._new_state(urn, goal, old, provider_ref)
        new.inputs = checked
        if old is None:
            return self._create(urn, goal, provider, new)
        if old.pending_replacement or urn in self.replaced_dependents:
            return self._recreate(urn, goal, provider, old, new)
        diff = self._diff(urn, goal, provider, old, checked)
        if diff.changes != "some":
            new.outputs = dict(old.outputs)
            with self._lock:
                self.news[urn] = new
            self._emit(StepEvent("same", urn, goal.type, old=old, new=new))
            return urn, old.id, new.outputs
        if diff.replaces:
            if goal.protect:
                raise EngineError(
                    f'unable to replace resource "{urn}"\nas it is currently marked for protection. To '
                    "unprotect the resource, remove the `protect` flag from the resource in your Pulumi "
                    "program and run `pulumi up`",
                    urn,
                )
            dbr = diff.delete_before_replace
            if goal.delete_before_replace is not None:
                dbr = goal.delete_before_replace or dbr
            return self._replace(urn, goal, provider, old, new, diff, dbr)
        return self._update(urn, goal, provider, old, new, diff)

    def _diff(
        self, urn: str, goal: Goal, provider: Provider, old: ResourceState, checked: dict[str, Any]
    ) -> DiffResult:
        if (
            old.provider
            and goal.provider
            and old.provider.rsplit("::", 1)[0] != goal.provider.rsplit("::", 1)[0]
        ):
            return DiffResult(changes="some", replaces=["provider"], changed_keys=["provider"])
        diff = provider.diff(urn, old.id, old.inputs, old.outputs, checked, goal.ignore_changes)
        if diff.changes == "unknown":
            keys = changed_keys(old.inputs, checked)
            if keys:
                diff.changes, diff.changed_keys = "some", keys
                diff.detailed_diff = detailed_diff(old.inputs, checked)
            else:
                diff.changes = "none"
        elif diff.changes == "some" and not diff.changed_keys:
            # A provider that says "changed" without saying what (dynamic providers): the engine's own
            # diff of the inputs gives the step its diffReasons.
            diff.changed_keys = changed_keys(old.inputs, checked)
        if diff.changes == "some" and goal.replace_on_changes:
            paths = [parse_path(p) for p in goal.replace_on_changes]
            if diff.detailed_diff is not None:
                diff.detailed_diff = {
                    p: (d.to_replace() if any(path_contains(rp, parse_path(p)) for rp in paths) else d)
                    for p, d in diff.detailed_diff.items()
                }
                for p, d in diff.detailed_diff.items():
                    key = str(parse_path(p)[0])
                    if d.kind.endswith("-replace") and key not in diff.replaces:
                        diff.replaces.append(key)
            for key in diff.changed_keys:
                if any(path_contains(rp, [key]) for rp in paths) and key not in diff.replaces:
                    diff.replaces.append(key)
        return diff

    def _change_event(
        self, op: str, goal: Goal, old: ResourceState, new: ResourceState, diff: DiffResult
    ) -> StepEvent:
        """The event of an update or a replace: what changed, what forces the replacement (nothing, on an
        update), and the keys the display shows."""
        return StepEvent(
            op,
            new.urn,
            goal.type,
            old=old,
            new=new,
            diff_reasons=list(diff.changed_keys),
            replace_reasons=list(diff.replaces),
            # A step the provider did not detail gets the inputs' property diff, replace keys marked.
            detailed_diff=diff.detailed_diff
            if diff.detailed_diff is not None
            else engine_detailed_diff(old.inputs, new.inputs, diff.replaces if op == "replace" else ()),
            display_keys=self._display_keys(old, new.inputs, diff),
        )

    def _display_keys(self, old: ResourceState, new_inputs: dict[str, Any], diff: DiffResult) -> list[str]:
        if diff.detailed_diff:
            keys = sorted(diff.detailed_diff)
        elif diff.changed_keys:
            keys = diff.changed_keys
        else:
            keys = changed_keys(old.inputs, new_inputs)
        return [k for k in keys if k != "__provider"]

    def _run_op(self, op: str, urn: str, type_: str, call: Callable[[], Any]) -> tuple[Any, float]:
        self.sink.step_started(op, urn, type_)
        started = time.monotonic()
        with self._slots:
            result = call()
        return result, time.monotonic() - started

    def _pending(self, resource: ResourceState, kind: str) -> PendingOperation:
        op = PendingOperation(resource, kind)
        with self._lock:
            self.pending_ops.append(op)
        self.save()
        return op

    def _done(self, op: PendingOperation) -> None:
        with self._lock:
            self.pending_ops = [p for p in self.pending_ops if p is not op]

    def _call_provider(
        self, op: str, event: StepEvent, pending: PendingOperation, call: Callable[[], Any]
    ) -> tuple[Any, float]:
        """Run the provider call of a step already marked pending in state. When it fails, the mark goes,
        state is saved, the step is shown with its error, and the error is raised as an `EngineError`."""
        try:
            return self._run_op(op, event.urn, event.type, call)
        except ProviderError as exc:
            message = str(exc)
            if pending.type == "creating" and OUTCOME_UNKNOWN_MARK in message:
                # The vendor may have made it: keep the pending create, so the next run looks for it
                # (`_adopt_pending_create`) instead of creating a second one.
                message += (
                    " (kept in state as a pending create: the next run looks for what it made before "
                    "creating it)"
                )
            else:
                self._done(pending)
            self.save()
            event.error = message
            self._emit(event)
            raise EngineError(message, event.urn) from None

    def _commit(
        self,
        pending: PendingOperation,
        new: ResourceState,
        event: StepEvent,
        duration: float,
        *,
        replaced: ResourceState | None = None,
    ) -> None:
        """A step's provider call succeeded: `new` takes the place of its pending mark in state (with the
        `replaced` old copy queued for deletion, create-before-delete), state is saved, the step shown."""
        with self._lock:
            self._done(pending)
            self.news[new.urn] = new
            if replaced is not None:
                self.pending_deletes.append(replace(replaced, delete=True))
        self.save()
        event.duration = duration
        self._emit(event)

    def _planned(self, new: ResourceState, event: StepEvent, id_: str) -> tuple[str, str, dict[str, Any]]:
        """A preview's step: `new` recorded with its inputs as its outputs (unknowns stay unknown), shown."""
        new.outputs = dict(new.inputs)
        with self._lock:
            self.news[new.urn] = new
        self._emit(event)
        return new.urn, id_, new.outputs

    def _create(
        self, urn: str, goal: Goal, provider: Provider, new: ResourceState
    ) -> tuple[str, str, dict[str, Any]]:
        event = StepEvent("create", urn, goal.type, new=new)
        if self.preview:
            return self._planned(new, event, "")
        if urn in self.pending_creates and self._adopt_pending_create(urn, goal, provider, new, event):
            return urn, new.id, new.outputs
        pending = self._pending(replace(new, outputs={}, created=now_iso()), "creating")
        (id_, outs), took = self._call_provider(
            "create", event, pending, lambda: provider.create(urn, new.inputs)
        )
        new.id = id_
        new.outputs = mark_secret_outputs(outs, goal.additional_secret_outputs)
        new.created = new.modified = now_iso()
        self._commit(pending, new, event, took)
        return urn, id_, new.outputs

    def _adopt_pending_create(
        self,
        urn: str,
        goal: Goal,
        provider: Provider,
        new: ResourceState,
        event: StepEvent,
        *,
        not_id: str = "",
    ) -> bool:
        """A create the last run left pending: ask the provider's `read` for what it may have made (see
        `providers/pending_create.py`): the id it reported, if any, else empty (the provider looks by name
        or unique key, adopting only what was made since the create started). Found: it is recorded as
        created (then updated where it differs from the program), and no second one is made. Not found: the
        caller creates it. A lookup that fails or is refused fails the step and keeps the pending create."""
        prior = self.pending_creates[urn]
        properties = dict(new.inputs)
        if prior.created:
            properties[PENDING_CREATE_KEY] = {"started": prior.created}
        try:
            result, took = self._run_op(
                "read", urn, goal.type, lambda: provider.read(urn, prior.id, new.inputs, properties)
            )
        except ProviderError as exc:
            event.error = (
                f"could not resolve the create the last run left pending: {exc}; nothing was created, and "
                "the pending create stays in state for the next run"
            )
            self._emit(event)
            raise EngineError(event.error, urn) from None
        with self._lock:
            self.pending_creates.pop(urn, None)
        if not result.id or (not_id and result.id == not_id):
            self.sink.diagnostic("info", "nothing made by the interrupted create was found; creating it", urn)
            return False
        new.id = result.id
        outputs = {k: v for k, v in result.outputs.items() if k != PENDING_CREATE_KEY}
        new.outputs = mark_secret_outputs(outputs, goal.additional_secret_outputs)
        new.created = new.modified = now_iso()
        self.sink.diagnostic("info", f"adopted {result.id}, made by the interrupted create", urn)
        with self._lock:
            self.news[urn] = new
        self.save()
        started = time.monotonic()
        try:
            self._complete_adopted(urn, goal, provider, new, result.inputs or dict(new.inputs))
        except ProviderError as exc:
            event.error = f"adopted {result.id}, but updating it to the program failed: {exc}"
            self._emit(event)
            raise EngineError(event.error, urn) from None
        event.duration = took + time.monotonic() - started
        self._emit(event)
        return True

    def _complete_adopted(
        self, urn: str, goal: Goal, provider: Provider, new: ResourceState, read_inputs: dict[str, Any]
    ) -> None:
        """An adopted object may differ from the program where the interrupted create had not got that far
        (settings it applies after the vendor made the object): update it now; a difference only a
        replacement can fix is left to the next run, with a warning."""
        diff = provider.diff(urn, new.id, read_inputs, new.outputs, new.inputs, goal.ignore_changes)
        if diff.changes != "some":
            return
        if diff.replaces:
            self.sink.diagnostic(
                "warning",
                f"the adopted {new.id} differs from the program in {', '.join(diff.replaces)}, which only a "
                "replacement changes; the next run replaces it",
                urn,
            )
            return
        pending = self._pending(new, "updating")
        try:
            outs = provider.update(urn, new.id, read_inputs, new.outputs, new.inputs)
        finally:
            self._done(pending)
        new.outputs = mark_secret_outputs(outs, goal.additional_secret_outputs)
        self.save()

    def record_created_id(self, urn: str, id_: str) -> None:
        """A running create's provider reported the id the vendor returned: it goes into the pending
        create in state at once, so a run killed during the wait that follows leaves it for the next run's
        `read`. A report that arrives after the create finished changes nothing."""
        with self._lock:
            op = next((p for p in self.pending_ops if p.type == "creating" and p.resource.urn == urn), None)
            if op is None or op.resource.id == id_:
                return
            op.resource.id = id_
        self.save()

    def _update(
        self,
        urn: str,
        goal: Goal,
        provider: Provider,
        old: ResourceState,
        new: ResourceState,
        diff: DiffResult,
    ) -> tuple[str, str, dict[str, Any]]:
        event = self._change_event("update", goal, old, new, diff)
        if self.preview:
            return self._planned(new, event, old.id)
        pending = self._pending(old, "updating")
        outs, took = self._call_provider(
            "update",
            event,
            pending,
            lambda: provider.update(urn, old.id, old.inputs, old.outputs, new.inputs),
        )
        new.outputs = mark_secret_outputs(outs, goal.additional_secret_outputs)
        new.modified = now_iso()
        self._commit(pending, new, event, took)
        return urn, old.id, new.outputs

    def _replace(
        self,
        urn: str,
        goal: Goal,
        provider: Provider,
        old: ResourceState,
        new: ResourceState,
        diff: DiffResult,
        delete_before_replace: bool,
    ) -> tuple[str, str, dict[str, Any]]:
        event = self._change_event("replace", goal, old, new, diff)
        new.id = ""
        new.created = new.modified = now_iso()
        dependents = self._dependents_to_replace(old) if delete_before_replace else []
        with self._lock:
            # Each is replaced when it registers (shown as replaced, as Pulumi shows them).
            self.replaced_dependents.update(d.urn for d in dependents)
        if self.preview:
            return self._planned(new, event, "")
        started = time.monotonic()
        if delete_before_replace:
            for dependent in dependents:
                self._delete_one(dependent, replacing=True)
            self._delete_one(old, replacing=True)
        if urn in self.pending_creates and self._adopt_pending_create(
            urn, goal, provider, new, event, not_id=old.id
        ):
            if not delete_before_replace:
                with self._lock:
                    self.pending_deletes.append(replace(old, delete=True))
                self.save()
            return urn, new.id, new.outputs
        pending = self._pending(replace(new, outputs={}, created=now_iso()), "creating")
        (id_, outs), _ = self._call_provider(
            "create-replacement", event, pending, lambda: provider.create(urn, new.inputs)
        )
        new.id = id_
        new.outputs = mark_secret_outputs(outs, goal.additional_secret_outputs)
        self._commit(
            pending,
            new,
            event,
            time.monotonic() - started,
            replaced=None if delete_before_replace else old,
        )
        return urn, id_, new.outputs

    def _recreate(
        self, urn: str, goal: Goal, provider: Provider, old: ResourceState, new: ResourceState
    ) -> tuple[str, str, dict[str, Any]]:
        """The replacement of a resource deleted first: a dependent of a delete-before-replace, or one the
        last run deleted and was interrupted before it created the replacement (`pendingReplacement`)."""
        keys = self.dependent_replace_keys.get(urn, [])
        event = StepEvent(
            "replace",
            urn,
            goal.type,
            old=old,
            new=new,
            diff_reasons=changed_keys(old.inputs, new.inputs),
            replace_reasons=list(keys),
            detailed_diff=engine_detailed_diff(old.inputs, new.inputs, keys),
            display_keys=[k for k in changed_keys(old.inputs, new.inputs) if k != "__provider"],
        )
        new.id = ""
        new.created = new.modified = now_iso()
        if self.preview:
            return self._planned(new, event, "")
        started = time.monotonic()
        if not old.pending_replacement:
            self._delete_one(old, replacing=True)
        if urn in self.pending_creates and self._adopt_pending_create(
            urn, goal, provider, new, event, not_id=old.id
        ):
            return urn, new.id, new.outputs
        pending = self._pending(replace(new, outputs={}, created=now_iso()), "creating")
        (id_, outs), _ = self._call_provider(
            "create-replacement", event, pending, lambda: provider.create(urn, new.inputs)
        )
        new.id = id_
        new.outputs = mark_secret_outputs(outs, goal.additional_secret_outputs)
        self._commit(pending, new, event, time.monotonic() - started)
        return urn, id_, new.outputs

    def _dependents_to_replace(self, root: ResourceState) -> list[ResourceState]:
        """Old resources that depend on `root` and would be replaced once its outputs change (the engine's
        calculateDependentReplacements): their diff is asked with those inputs unknown. Dependents first."""
        found: list[ResourceState] = []
        frontier = [root.urn]
        seen = {root.urn}
        while frontier:
            target = frontier.pop()
            for urn in self.old_order:
                candidate = self.olds.get(urn)
                if candidate is None or urn in seen or urn in self.news or not candidate.custom:
                    continue
                if target not in candidate.dependencies:
                    continue
                affected = [k for k, deps in candidate.property_dependencies.items() if target in deps]
                if not affected:
                    continue
                unknown_inputs = dict(candidate.inputs)
                for key in affected:
                    unknown_inputs[key] = UNKNOWN
                try:
                    diff = self.providers(package_of(candidate.type)).diff(
                        urn, candidate.id, candidate.inputs, candidate.outputs, unknown_inputs, []
                    )
                except ProviderError:
                    continue
                if diff.replaces:
                    with self._lock:
                        self.dependent_replace_keys[urn] = list(diff.replaces)
                    seen.add(urn)
                    found.append(candidate)
                    frontier.append(urn)
        return list(reversed(found))

    def _register_explicit_provider(
        self, urn: str, goal: Goal, old: ResourceState | None
    ) -> tuple[str, str, dict[str, Any]]:
        new = self._new_state(urn, goal, old, "")
        new.outputs = dict(goal.inputs)
        if old is None:
            new.id = "" if self.preview else str(uuid.uuid4())
            op = "create"
        else:
            op = "update" if changed_keys(old.inputs, goal.inputs) else "same"
        with self._lock:
            self.news[urn] = new
        self.save()
        self._emit(StepEvent(op, urn, goal.type, old=old, new=new))
        return urn, new.id, new.outputs

    # -- deletes ---------------------------------------------------------------------------------------
    def _delete_one(self, resource: ResourceState, *, replacing: bool = False) -> None:
        op_name = "delete-replaced" if replacing or resource.delete else "delete"
        event = StepEvent(
            op_name, resource.urn, resource.type, old=resource, retained=resource.retain_on_delete
        )
        if self.preview:
            with self._lock:
                self.deleted.add(resource.urn)
            self._emit(event)
            return
        took = 0.0
        if (
            resource.custom
            and not resource.retain_on_delete
            and not resource.type.startswith(PROVIDER_PREFIX)
            and not resource.pending_replacement  # already deleted (delete-before-replace)
            and resource.type != STACK_REFERENCE_TYPE
        ):
            pending = self._pending(resource, "deleting")
            provider = self.providers(package_of(resource.type))
            try:
                _, took = self._call_provider(
                    "delete",
                    event,
                    pending,
                    lambda: provider.delete(resource.urn, resource.id, resource.inputs, resource.outputs),
                )
            except EngineError as exc:
                # A delete fails the run here; a create's or an update's failure does so in `register`.
                raise self._fail(exc) from None
            self._done(pending)
        with self._lock:
            if any(r is resource for r in self.pending_deletes):
                self.pending_deletes = [r for r in self.pending_deletes if r is not resource]
            elif replacing and not resource.pending_replacement and resource.urn in self.olds:
                # Deleted ahead of its replacement: kept in state, marked, until the replacement exists
                # (Pulumi's pendingReplacement), so an interruption here loses nothing.
                self.olds[resource.urn] = replace(resource, pending_replacement=True)
            else:
                self.olds.pop(resource.urn, None)
                self.deleted.add(resource.urn)
        self.save()
        event.duration = took
        self._emit(event)

    def deletes_planned(self) -> list[ResourceState]:
        with self._lock:
            taken = set(self.news) | self.deleted | set(self.aliased.values())
            gone = [self.olds[u] for u in self.old_order if u not in taken and u in self.olds]
            return gone + list(self.pending_deletes)

    def finish(self) -> None:
        """After the program: delete what it no longer declares and the old copies of replaced resources."""
        if self.failed:
            self.save()
            return
        to_delete = self.deletes_planned()
        protected = [r for r in to_delete if r.protect and not r.delete]
        if protected:
            for resource in protected:
                self._fail(EngineError(protected_message(resource.urn), resource.urn))
            self.save()
            return
        self.delete_in_order(to_delete)
        self.save()

    def delete_in_order(self, resources: list[ResourceState]) -> None:
        """Delete `resources`, each only after everything among them that depends on it; independent
        ones concurrently."""
        remaining = list(resources)
        index_of = {id(r): i for i, r in enumerate(remaining)}
        blockers: dict[int, set[int]] = {i: set() for i in range(len(remaining))}
        for i, r in enumerate(remaining):
            for j, other in enumerate(remaining):
                if i != j and _depends_on(other, r.urn) and other.urn != r.urn:
                    blockers[i].add(j)
        done: set[int] = set()
        failed = threading.Event()
        with ThreadPoolExecutor(max_workers=max(1, min(self.parallel, 32))) as pool:
            running: dict[int, Any] = {}
            while len(done) < len(remaining) and not failed.is_set():
                ready = [
                    i
                    for i in range(len(remaining))
                    if i not in done and i not in running and blockers[i] <= done
                ]
                for i in ready:
                    running[i] = pool.submit(self._delete_one, remaining[i])
                if not running:
                    break
                finished = next(iter(_wait_any(running.values())))
                for i, future in list(running.items()):
                    if future is finished or future.done():
                        del running[i]
                        try:
                            future.result()
                            done.add(i)
                        except EngineError:
                            failed.set()
            for future in running.values():
                with contextlib.suppress(EngineError):
                    future.result()
        del index_of

    # -- refresh and destroy ---------------------------------------------------------------------------
    def refresh(self, resources: list[ResourceState]) -> list[ResourceState]:
        """Read every custom resource; drop what is gone; return the refreshed list (same order)."""
        results: dict[int, ResourceState | None] = {}

        def read(i: int, resource: ResourceState) -> None:
            if (
                not resource.custom
                or resource.type.startswith(PROVIDER_PREFIX)
                or resource.type == STACK_REFERENCE_TYPE
                or not resource.id
            ):
                results[i] = resource
                return
            provider = self.providers(package_of(resource.type))
            try:
                result, took = self._run_op(
                    "refresh",
                    resource.urn,
                    resource.type,
                    lambda: provider.read(resource.urn, resource.id, resource.inputs, resource.outputs),
                )
            except ProviderError as exc:
                self._fail(EngineError(str(exc), resource.urn))
                self._emit(StepEvent("refresh", resource.urn, resource.type, old=resource, error=str(exc)))
                results[i] = resource
                return
            if not result.id:
                results[i] = None
                self._emit(StepEvent("delete", resource.urn, resource.type, old=resource, duration=took))
                return
            outputs = mark_secret_outputs(result.outputs, resource.additional_secret_outputs)
            new = replace(
                resource,
                id=result.id,
                outputs=outputs,
                inputs=result.inputs if result.inputs is not None else resource.inputs,
            )
            keys = [k for k in changed_keys(resource.outputs, outputs) if k != "__provider"]
            results[i] = new
            self._emit(
                StepEvent(
                    "update" if keys else "same",
                    resource.urn,
                    resource.type,
                    old=resource,
                    new=new,
                    display_keys=keys,
                    duration=took,
                )
            )

        with ThreadPoolExecutor(max_workers=max(1, min(self.parallel, 32))) as pool:
            list(pool.map(lambda item: read(*item), enumerate(resources)))
        return [r for i in range(len(resources)) if (r := results.get(i)) is not None]


def protected_message(urn: str) -> str:
    return (
        f'resource "{urn}" cannot be deleted\nbecause it is protected. To unprotect the resource, either '
        "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or use the "
        f"command:\n`python -m localengine state unprotect '{urn}'` (`pulumi state unprotect` with the CLI)"
    )


def _depends_on(resource: ResourceState, urn: str) -> bool:
    if resource.parent == urn or urn in resource.dependencies:
        return True
    if resource.provider and resource.provider.rsplit("::", 1)[0] == urn:
        return True
    return any(urn in deps for deps in resource.property_dependencies.values())


def _wait_any(futures: Iterable[Any]) -> set[Any]:
    from concurrent.futures import FIRST_COMPLETED, wait

    done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
    return done


def _ordered(resources: list[ResourceState]) -> list[ResourceState]:
    """Dependencies (parents, providers, dependencies) before dependents, otherwise stable."""
    position = {id(r): i for i, r in enumerate(resources)}
    by_urn: dict[str, list[ResourceState]] = {}
    for r in resources:
        by_urn.setdefault(r.urn, []).append(r)
    out: list[ResourceState] = []
    placed: set[int] = set()
    visiting: set[int] = set()

    def place(r: ResourceState) -> None:
        if id(r) in placed or id(r) in visiting:
            return
        visiting.add(id(r))
        refs = [r.parent, *r.dependencies, r.provider.rsplit("::", 1)[0] if r.provider else ""]
        for ref in refs:
            for dep in by_urn.get(ref, []):
                if dep is not r and not dep.delete:
                    place(dep)
        visiting.discard(id(r))
        placed.add(id(r))
        out.append(r)

    for r in sorted(resources, key=lambda x: position[id(x)]):
        place(r)
    return out
