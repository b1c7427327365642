"""What every dynamic provider here shares: credentials from `configure()`, pydantic-backed `check`, a pure
`diff`, progress while waiting, and polling with backoff.

The provider contract (design.md) in brief: credentials come from `configure()` only and never reach the
pickled provider; `check` reports every failing field and tolerates unknown values; `diff` is pure and lists
what the API cannot change as `replaces`; `create` removes what it made before failing; outputs are the
inputs plus what the API computed; `read` returns nothing when the object is gone; `delete` treats "already
gone" as success.

Pending creates (`providers/pending_create.py`): a `read` with an EMPTY id, or with the engine's
`__pending_create` key in its properties (`{"started": ISO time}`), resolves a create the last run left
unfinished. With no id the provider looks up what its create may have made (`find_created`: by the
vendor's unique key, else by name/shape made at or after `started`), refuses when more than one object
matches, and answers an empty id when nothing does (the engine then creates); with an id (the one the create
reported through `report_created_id` as soon as the vendor returned it) it finishes the waits create would
have done (`resolve_created`) and answers the outputs create would have. A resource whose create is
idempotent (`create_is_idempotent`: settings, variables, the one dashboard of an environment) answers "not
found", and the create runs again without making a second object.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pulumi
import pydantic
from pulumi import dynamic
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers.backoff import backoff_scale
from providers.guard import guard_provider_methods
from providers.http import ApiError, Secret
from providers.pending_create import PendingCreate, refuse_many, without_marker

PROVIDER_KEY = "__provider"
UNKNOWN = rpc.UNKNOWN

# Every provider's input model: unknown keys refused, and errors never echo the value they refused (pydantic
# puts `input_value=...` in an error's text by default, which would print a password into `pulumi up`).
INPUTS_CONFIG = pydantic.ConfigDict(extra="forbid", hide_input_in_errors=True)

progress_log = logging.getLogger("platform.progress")

T = TypeVar("T")


class CredentialsMissingError(Exception):
    pass


@dataclass(frozen=True)
class Setting:
    """A provider setting read in `configure()`: stack config key first, then an environment variable."""

    config_key: str
    env_var: str
    default: str | None = None
    secret: bool = False

    def read(self, config: dynamic.Config | None) -> str | None:
        value = None
        if config is not None:
            value = config.get(self.config_key)
        if not value:
            value = os.environ.get(self.env_var)
        return value or self.default

    def read_number(self, config: dynamic.Config | None) -> float | None:
        """The setting as a positive number (a rate limit), or None when unset; anything else is an error
        naming the key."""
        value = self.read(config)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = 0.0
        if number <= 0:
            raise ValueError(f"{self.config_key} / {self.env_var}: expected a positive number, got {value!r}")
        return number

    def missing_message(self) -> str:
        how = f"pulumi config set {'--secret ' if self.secret else ''}{self.config_key} <value>"
        return f"{self.config_key} is not set: run `{how}` in the stack, or export {self.env_var}"


class PlatformProvider(dynamic.ResourceProvider):
    """Base class. Subclasses declare `Inputs` (pydantic), `replace_keys` and implement CRUD.

    Nothing is stored on the instance at construction, and whatever `configure()` puts there is dropped
    when the provider is pickled, so no credential can reach Pulumi state.
    """

    serialize_as_secret_always = False
    Inputs: ClassVar[type[pydantic.BaseModel]]
    replace_keys: ClassVar[frozenset[str]] = frozenset()
    # Inputs the diff ignores (e.g. a rotation trigger handled in update is still a change; this is for
    # values that are only ever output).
    delete_before_replace: ClassVar[bool] = False
    # A create that only sets what its parent holds (settings, variables, the environment's one dashboard):
    # run again after an interruption it makes no second object, so a pending create is created again.
    create_is_idempotent: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _resolve_pending_creates_in_read(cls)
        # Pull-request stacks: `base_object_ids` is handled here for every provider (providers/guard.py).
        guard_provider_methods(cls, cls.__name__.removesuffix("Provider"))

    # -- pending creates (see the module docstring) ------------------------------------------------------
    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        """The ids of the objects this resource's create may have made, for `read` with an empty id:
        by the vendor's unique key, else only what was made since `pending.started`."""
        raise NotImplementedError(
            f"{type(self).__name__} cannot look up what an interrupted create made; find it at the vendor "
            "and import it"
        )

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """The outputs of object `id_`, made by an interrupted create, as the create would have answered
        them (after the waits it would have done); by default what `read` answers."""
        return read(id_, props)

    def describe_created(self, props: Mapping[str, Any]) -> str:
        kind = type(self).__name__.removesuffix("Provider")
        name = props.get("name")
        return f"{kind} {name!r}" if isinstance(name, str) else kind

    def _resolve_pending_create(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        if not id_:
            if self.create_is_idempotent:
                return dynamic.ReadResult(None, {})
            found = list(dict.fromkeys(str(i) for i in self.find_created(props, pending)))
            refuse_many(found, self.describe_created(props))
            if not found:
                return dynamic.ReadResult(None, {})
            id_ = found[0]
            report_progress(self.describe_created(props), f"found {id_}, made by the interrupted create")
        return self.resolve_created(id_, props, pending, read)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    # -- check -----------------------------------------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        return check_with_model(self.Inputs, news)

    # -- diff ------------------------------------------------------------------------------------------
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        return diff_inputs(
            olds,
            news,
            keys=self.Inputs.model_fields.keys(),
            replace_keys=self.replace_keys,
            delete_before_replace=self.delete_before_replace,
        )


def _resolve_pending_creates_in_read(cls: type) -> None:
    """Wrap the `read` that `cls` defines itself: an empty id or the engine's pending-create key resolves a
    pending create (`PlatformProvider._resolve_pending_create`); any other read is the resource's own."""
    method = cls.__dict__.get("read")
    if method is None or getattr(method, "_resolves_pending_creates", False):
        return

    @functools.wraps(method)
    def read(self: PlatformProvider, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        pending = PendingCreate.from_props(props)
        if pending is None and id_:
            return method(self, id_, props)
        rest = without_marker(props)
        return self._resolve_pending_create(
            id_, rest, pending or PendingCreate(), lambda i, p: method(self, i, p)
        )

    read._resolves_pending_creates = True  # type: ignore[attr-defined]
    cls.read = read  # type: ignore[attr-defined]


guard_provider_methods(PlatformProvider, "resource")


def contains_unknown(value: Any) -> bool:
    # The dynamic-provider server deserializes the engine's unknown sentinel into `pulumi.output.Unknown`
    # instances (deserialize_properties(..., keep_unknowns=True)); the bare sentinel string is accepted too.
    if value == UNKNOWN or isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def strip_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def format_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def check_with_model(model: type[pydantic.BaseModel], news: Mapping[str, Any]) -> dynamic.CheckResult:
    """Validate inputs through `model`, reporting every failing field.

    Fields whose value is still unknown (preview) are not judged, and neither are cross-field rules while
    anything is unknown. With no failures and nothing unknown, the canonical (normalised) inputs are returned.
    """
    props = strip_provider(news)
    unknown_keys = {k for k, v in props.items() if contains_unknown(v)}
    try:
        validated = model.model_validate(props)
    except pydantic.ValidationError as exc:
        failures = []
        for err in exc.errors():
            loc = err.get("loc", ())
            if loc and loc[0] in unknown_keys:
                continue
            if not loc and unknown_keys:
                continue
            failures.append(dynamic.CheckFailure(format_loc(loc) or "inputs", _clean_message(err)))
        return dynamic.CheckResult(dict(props), failures)
    if unknown_keys:
        return dynamic.CheckResult(dict(props), [])
    return dynamic.CheckResult(validated.model_dump(mode="json", exclude_none=True), [])


def _clean_message(err: Mapping[str, Any]) -> str:
    message = str(err.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def validate_or_raise(model: type[T], props: Mapping[str, Any]) -> T:
    """Parse props (already checked) into the typed inputs; used at the top of create/update."""
    assert issubclass(model, pydantic.BaseModel)
    return model.model_validate(strip_provider(props))


def diff_inputs(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    keys: Iterable[str],
    replace_keys: Iterable[str] = (),
    delete_before_replace: bool = False,
) -> dynamic.DiffResult:
    """Pure diff of the input keys. `olds` are the old outputs, which hold the old inputs."""
    replace = set(replace_keys)
    changed = [k for k in keys if _differs(olds.get(k), news.get(k))]
    replaces = [k for k in changed if k in replace]
    return dynamic.DiffResult(
        changes=bool(changed),
        replaces=replaces,
        delete_before_replace=delete_before_replace if replaces else None,
    )


def _differs(old: Any, new: Any) -> bool:
    if contains_unknown(new):
        return True
    return _normalise(old) != _normalise(new)


def _normalise(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    return [k for k in keys if _differs(olds.get(k), news.get(k))]


# -- progress and polling ---------------------------------------------------------------------------------
def report_progress(subject: str, message: str) -> None:
    """One progress line while a slow cloud operation runs.

    The dynamic-provider host has no engine connection, so the line goes to stderr, which `pulumi up` and
    our local engine both show; a logger is also fed for tests.
    """
    line = f"{subject}: {message}"
    progress_log.info(line)
    print(f"[progress] {line}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class PollPolicy:
    """How a wait polls.

    Until the vendor's typical duration (`expected`, when the wait knows one) is nearly over, polls back off
    from `initial_interval` by `factor` up to `max_interval`: few polls while the vendor is surely still
    working. From `(1 - precision) * expected` on (from the start when nothing is expected) the interval is
    at most `precision` of the time waited so far, and never under `min_interval`: the wait ends within
    `precision` (10%) or `min_interval` (1 s) of the vendor finishing, whichever is longer; one poll falls
    on `expected` itself. A vendor much faster than its typical duration is seen within one back-off
    interval.
    """

    initial_interval: float = 1.0
    max_interval: float = 15.0
    factor: float = 1.5
    timeout: float = 900.0
    precision: float = 0.1
    min_interval: float = 1.0


class WaitTimeoutError(Exception):
    pass


def next_poll_delay(
    policy: PollPolicy, elapsed: float, backoff: float, expected: float | None
) -> tuple[float, float]:
    """(seconds to sleep before the next poll, the back-off interval after it), `elapsed` seconds into a
    wait whose vendor usually takes `expected` seconds (None: unknown). See `PollPolicy`."""
    close = min(policy.max_interval, max(policy.min_interval, policy.precision * elapsed))
    if expected is None:
        return close, backoff
    dense_from = (1.0 - policy.precision) * expected
    if elapsed + backoff < dense_from:
        return backoff, min(policy.max_interval, backoff * policy.factor)
    if elapsed < dense_from:
        return dense_from - elapsed, backoff
    if elapsed < expected < elapsed + close:
        return expected - elapsed, backoff  # one poll right when the vendor usually finishes
    return close, backoff


def poll_schedule(policy: PollPolicy, expected: float | None, finish: float) -> list[float]:
    """The times (seconds into the wait, the first at 0) at which `poll_until` polls a vendor that finishes
    at `finish`; the last is the poll that sees it done. For tests and the benchmarks."""
    times, elapsed, backoff = [0.0], 0.0, policy.initial_interval
    while elapsed < finish:
        delay, backoff = next_poll_delay(policy, elapsed, backoff, expected)
        elapsed += delay
        times.append(elapsed)
    return times


def poll_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    subject: str,
    describe: Callable[[T], str],
    policy: PollPolicy = PollPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    expected: float | Callable[[T], float | None] | None = None,
) -> T:
    """Call `fetch` until `done(result)`, polling as `PollPolicy` says and reporting progress.

    `expected` is the vendor's typical duration of what is awaited, in seconds from the start of the wait,
    or a function of the last result giving it (e.g. by the deployment's source); None when unknown.
    `done` may raise to fail fast (e.g. on a terminal failure status). Raises WaitTimeoutError naming the
    subject and the last state seen when `policy.timeout` passes.
    """
    start = clock()
    backoff = policy.initial_interval
    polls = 0
    last_reported = None
    while True:
        value = fetch()
        polls += 1
        if done(value):
            return value
        state = describe(value)
        elapsed = clock() - start
        if state != last_reported or polls % 5 == 0:
            report_progress(subject, f"{state} ({elapsed:.0f}s elapsed)")
            last_reported = state
        typical = expected(value) if callable(expected) else expected
        delay, backoff = next_poll_delay(policy, elapsed, backoff, typical)
        if elapsed + delay > policy.timeout:
            raise WaitTimeoutError(
                f"{subject}: still {state} after {elapsed:.0f}s (timeout {policy.timeout:.0f}s)"
            )
        sleep(delay * backoff_scale())


def require_secret(setting: Setting, config: dynamic.Config | None) -> Secret:
    value = setting.read(config)
    if not value:
        raise CredentialsMissingError(setting.missing_message())
    return Secret(value)


def unless_gone(
    fetch: Callable[[], T], is_gone: Callable[[ApiError], bool] = lambda error: error.is_not_found
) -> T | None:
    """`fetch()`, or None when the API answers that the object does not exist, which `read` reports as
    gone; any other failure is raised."""
    try:
        return fetch()
    except ApiError as error:
        if is_gone(error):
            return None
        raise


# -- the Resource side ------------------------------------------------------------------------------------
def resource_props(args: Any, outputs: Iterable[str] = ()) -> dict[str, Any]:
    """A Resource's props: every field of its `<Kind>Args` dataclass, then each output as `None` (an
    output that is also an input keeps the input's value)."""
    # Not dataclasses.asdict: it deep-copies values, and Outputs do not survive a deep copy.
    props = {f.name: getattr(args, f.name) for f in dataclasses.fields(args)}
    for name in outputs:
        props.setdefault(name, None)
    return props


def with_secret_outputs(opts: pulumi.ResourceOptions | None, names: Iterable[str]) -> pulumi.ResourceOptions:
    """`opts` (or none) with `names` added to its `additional_secret_outputs`."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(names)))
