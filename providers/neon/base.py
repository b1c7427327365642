"""What every Neon resource shares: compute limits and checks, the provider base class (per-project locks,
operation waits), and URI helpers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, NoReturn
from urllib.parse import urlsplit

import pydantic
from pulumi import dynamic
from pydantic import Field, ValidationInfo, field_validator

from providers.base import (
    INPUTS_CONFIG,
    PlatformProvider,
    PollPolicy,
    changed_keys,
    check_with_model,
    contains_unknown,
    diff_inputs,
    poll_until,
    require_secret,
    strip_provider,
)
from providers.http import ApiError
from providers.neon.client import API_KEY, API_URL, REQUESTS_PER_MINUTE, Json, NeonClient
from providers.pacing import neon_limits

# -- the API's rules, checked before any request -----------------------------------------------------------
# Neon compute sizes (docs "manage computes"): shared 0.25 and 0.5, every integer 1-16, even sizes 18-56.
COMPUTE_SIZES: tuple[float, ...] = (0.25, 0.5, *map(float, range(1, 17)), *map(float, range(18, 57, 2)))


MAX_AUTOSCALING_CU = 16.0


MAX_AUTOSCALING_RANGE_CU = 8.0


MAX_SUSPEND_TIMEOUT_SECONDS = 7 * 86400


MIN_PG_VERSION, MAX_PG_VERSION = 14, 18


# The longest history (point-in-time restore window) any plan keeps: 30 days (Scale).
MAX_HISTORY_RETENTION_SECONDS = 30 * 86400


# docs/introduction/regions (2025-08). Neon has no Canadian region.
REGIONS: tuple[str, ...] = (
    "aws-us-east-1",
    "aws-us-east-2",
    "aws-us-west-2",
    "aws-eu-central-1",
    "aws-eu-west-2",
    "aws-ap-southeast-1",
    "aws-ap-southeast-2",
    "aws-sa-east-1",
    "azure-eastus2",
    "azure-westus3",
    "azure-gwc",
)


DEFAULT_REGION = "aws-us-east-2"


POSTGRES_PORT = 5432


ID_PATTERN = r"^[a-z0-9-]{1,60}$"


OPERATION_OK = frozenset({"finished", "skipped"})


OPERATION_FAILED = frozenset({"failed", "error", "cancelled"})


def _check_compute_size(value: float, field: str) -> float:
    if value not in COMPUTE_SIZES:
        raise ValueError(
            f"{field} {value:g} is not a Neon compute size: use 0.25, 0.5, an integer from 1 to 16, "
            "or an even number from 18 to 56"
        )
    return value


def _check_autoscaling_max(value: float, info: ValidationInfo) -> float:
    _check_compute_size(value, "autoscaling_max_cu")
    low = info.data.get("autoscaling_min_cu")
    if low is None:  # the minimum failed on its own (or is unknown); nothing to compare with
        return value
    if value < low:
        raise ValueError(f"autoscaling_max_cu {value:g} is below autoscaling_min_cu {low:g}")
    if value != low and value > MAX_AUTOSCALING_CU:
        raise ValueError(
            f"autoscaling works only up to {MAX_AUTOSCALING_CU:g} CU (max {value:g}); "
            "for a larger fixed size set autoscaling_min_cu equal to autoscaling_max_cu"
        )
    if value - low > MAX_AUTOSCALING_RANGE_CU:
        raise ValueError(
            f"autoscaling range {low:g}-{value:g} CU is wider than Neon's maximum of "
            f"{MAX_AUTOSCALING_RANGE_CU:g} CU between minimum and maximum"
        )
    return value


class _Inputs(pydantic.BaseModel):
    model_config = INPUTS_CONFIG


class _ComputeInputs(_Inputs):
    autoscaling_min_cu: float = 0.25
    autoscaling_max_cu: float = 0.25
    # 0 = Neon's default (300 s); -1 = never suspend.
    suspend_timeout_seconds: int = Field(default=0, ge=-1, le=MAX_SUSPEND_TIMEOUT_SECONDS)

    @field_validator("autoscaling_min_cu")
    @classmethod
    def _min_size(cls, value: float) -> float:
        return _check_compute_size(value, "autoscaling_min_cu")

    @field_validator("autoscaling_max_cu")
    @classmethod
    def _max_size(cls, value: float, info: ValidationInfo) -> float:
        return _check_autoscaling_max(value, info)


def _version_string(value: Any) -> Any:
    """`password_version` is a free-form trigger: numbers are kept as their text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


# -- shared machinery --------------------------------------------------------------------------------------
class NeonOperationError(Exception):
    """A Neon operation ended failed, error or cancelled."""


class NeonResourceError(Exception):
    """An API failure, prefixed with the Neon object it concerns; the vendor's message is kept verbatim."""


_project_locks: dict[str, threading.RLock] = {}


_project_locks_guard = threading.Lock()


_client_guard = threading.Lock()


@contextmanager
def project_lock(project_id: str) -> Iterator[None]:
    """Serialise mutations on one Neon project within this process (the provider host runs 4 at once)."""
    with _project_locks_guard:
        lock = _project_locks.setdefault(project_id, threading.RLock())
    with lock:
        yield


@contextmanager
def about(kind: str, name: str) -> Iterator[None]:
    """Name the Neon object in API errors, keeping the vendor's message verbatim."""
    try:
        yield
    except ApiError as error:
        raise NeonResourceError(f"neon {kind} {name!r}: {error}") from error
    except NeonOperationError as error:
        raise NeonResourceError(f"neon {kind} {name!r}: {error}") from error


def pooler_host_of(host: str) -> str:
    """`ep-x-1.region.aws.neon.tech` -> `ep-x-1-pooler.region.aws.neon.tech`, as `pooled=true` gives."""
    first, _, rest = host.partition(".")
    if first.endswith("-pooler"):
        return host
    return f"{first}-pooler.{rest}" if rest else f"{first}-pooler"


def pooled_uri_of(uri: str) -> str:
    host = urlsplit(uri).hostname or ""
    return uri.replace(f"@{host}", f"@{pooler_host_of(host)}", 1) if host else uri


def host_of(uri: str) -> str:
    return urlsplit(uri).hostname or ""


class NeonProvider(PlatformProvider):
    """Base of the Neon providers: the client from `configure()`, operation waits, per-project locking."""

    # Inputs whose unset value means "the vendor's default": not compared when the new value is unset, and
    # the value the API chose is kept in the outputs.
    vendor_default_keys: ClassVar[frozenset[str]] = frozenset()
    kind: ClassVar[str] = "object"

    # Overridable per instance (tests); never pickled (PlatformProvider pickles to an empty state).
    poll_policy: PollPolicy = PollPolicy(initial_interval=0.5, max_interval=10.0, factor=1.5, timeout=1800.0)
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self._config = req.config
        self.__dict__.pop("_neon_client", None)

    def client(self) -> NeonClient:
        """Built on first use, so check and diff work without credentials."""
        with _client_guard:
            client: NeonClient | None = self.__dict__.get("_neon_client")
            if client is None:
                config = getattr(self, "_config", None)
                api_key = require_secret(API_KEY, config)
                base_url = API_URL.read(config) or ""
                limits = neon_limits(REQUESTS_PER_MINUTE.read_number(config))
                client = NeonClient(api_key, base_url, sleep=self.sleep, rate_limits=limits)
                self._neon_client = client
            return client

    # -- check / diff --------------------------------------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        props = strip_provider(news)
        if any(contains_unknown(v) for v in props.values()):
            # Defaults are filled in even while some inputs are unknown, so a preview does not mistake a
            # missing default for a change.
            for key, field in self.Inputs.model_fields.items():
                if key not in props and field.default is not None and not field.is_required():
                    props[key] = field.default
        return check_with_model(self.Inputs, props)

    def compared_keys(self, news: Mapping[str, Any]) -> list[str]:
        """The input keys a diff compares: all but the vendor-default ones left unset."""
        return [
            k for k in self.Inputs.model_fields if not (k in self.vendor_default_keys and news.get(k) is None)
        ]

    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        return changed_keys(olds, news, self.compared_keys(news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        return diff_inputs(
            olds,
            news,
            keys=self.compared_keys(news),
            replace_keys=self.replace_keys,
            delete_before_replace=self.delete_before_replace,
        )

    def read_result(self, id_: str, outs: dict[str, Any]) -> dynamic.ReadResult:
        """Refreshed outputs, and the inputs as they now stand (outputs hold every input)."""
        return dynamic.ReadResult(id_, outs, {k: outs.get(k) for k in self.Inputs.model_fields})

    # -- operations ----------------------------------------------------------------------------------------
    def running_operations(self, project_id: str) -> list[Json]:
        """The project's unfinished operations: what to wait for when a create's answer was lost."""
        listed = self.client().list_project_operations(project_id).get("operations", [])
        return [op for op in listed if op.get("status") not in OPERATION_OK | OPERATION_FAILED]

    def wait_for_operations(self, project_id: str, operations: list[Json] | None, subject: str) -> None:
        """Poll each operation until it leaves scheduling/running; raise on failed, error or cancelled."""
        client = self.client()
        for operation in operations or []:
            _raise_if_failed(operation)
            if operation.get("status") in OPERATION_OK:
                continue
            operation_id = str(operation["id"])

            def fetch(operation_id: str = operation_id) -> Json:
                return client.get_project_operation(project_id, operation_id)

            poll_until(
                fetch,
                _operation_done,
                subject=f"{subject}: {operation.get('action', 'operation')}",
                describe=lambda op: str(op.get("status")),
                policy=self.poll_policy,
                sleep=self.sleep,
            )

    def wait_or_undo(
        self,
        project_id: str,
        operations: list[Json] | None,
        subject: str,
        *,
        undo: Callable[[], Any],
        what: str,
    ) -> None:
        """Wait for a create's operations; if that fails, remove what the create made (all-or-nothing) and
        raise the failure, noting anything the removal left behind."""
        try:
            self.wait_for_operations(project_id, operations, subject)
        except Exception as error:
            raise_with_note(error, _cleanup(undo, what))

    def delete_and_wait(
        self, project_id: str, name: str, subject: str, delete: Callable[[], Json | None]
    ) -> None:
        """Delete an object inside a project and wait for the operations that remove it (none when the API
        says it was gone already)."""
        with about(self.kind, name), project_lock(project_id):
            response = delete()
            if response:
                self.wait_for_operations(project_id, response.get("operations"), subject)


def _raise_if_failed(operation: Json) -> None:
    status = operation.get("status")
    if status in OPERATION_FAILED:
        error = operation.get("error") or "no error message given"
        raise NeonOperationError(
            f"operation {operation.get('action')} ({operation.get('id')}) ended {status}: {error}"
        )


def _operation_done(operation: Json) -> bool:
    _raise_if_failed(operation)
    return operation.get("status") in OPERATION_OK


def _inputs(model: type[pydantic.BaseModel], props: Mapping[str, Any]) -> Any:
    """The typed inputs from checked inputs or from stored outputs (which hold the inputs too)."""
    return model.model_validate({k: v for k, v in props.items() if k in model.model_fields})


def _input_dump(inputs: pydantic.BaseModel) -> dict[str, Any]:
    return inputs.model_dump(mode="json")


def _compute_body(inputs: _ComputeInputs) -> Json:
    return {
        "autoscaling_limit_min_cu": inputs.autoscaling_min_cu,
        "autoscaling_limit_max_cu": inputs.autoscaling_max_cu,
        "suspend_timeout_seconds": inputs.suspend_timeout_seconds,
    }


def raise_with_note(error: Exception, note: str) -> NoReturn:
    """Re-raise a create's failure, adding what the undo left behind (if anything)."""
    if not note:
        raise error
    raise NeonOperationError(f"{error}{note}") from error


def _cleanup(action: Callable[[], Any], what: str) -> str:
    """Undo a half-made create; returns a note for the error when the undo itself fails."""
    try:
        action()
    except Exception as error:  # the original failure is what the user needs; say what was left behind
        return f" (and removing the half-created {what} failed: {error}; delete it by hand)"
    return ""


COMPUTE_KEYS = ("autoscaling_min_cu", "autoscaling_max_cu", "suspend_timeout_seconds")
