"""Neon dynamic resources: Project, Branch, Endpoint, Role, Database and a ConnectionUri lookup.

Type tokens are `pulumi-python:dynamic/neon:<Kind>`. What every provider here does (design.md, neon-api.md):
- `check` rejects before any request what the API would reject: compute sizes, the autoscaling range,
  suspend timeout, Postgres version, history retention, region. Plan limits depend on the account, so the
  API's own message reaches the user verbatim, prefixed with the object's name.
- Every mutating response's operations are polled to completion with backoff; a failed operation fails
  the step with its error. 423 Locked is retried by the HTTP layer.
- Mutations on one project are serialised inside the provider process: the provider host serves four
  calls at once, and Neon answers 423 to work scheduled while another operation runs.
- DELETE answered 204 or 404 is success; `read` returns nothing when the object is gone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, NoReturn
from urllib.parse import urlsplit

import pulumi
import pydantic
from pulumi import dynamic
from pydantic import Field, ValidationInfo, field_validator, model_validator

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
    resource_props,
    strip_provider,
    unless_gone,
    with_secret_outputs,
)
from providers.http import AmbiguousRequestError, ApiError
from providers.neon.client import API_KEY, API_URL, Json, NeonClient

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


class ProjectInputs(_ComputeInputs):
    name: str = Field(min_length=1, max_length=256)
    region_id: str = DEFAULT_REGION
    pg_version: int = Field(default=17, ge=MIN_PG_VERSION, le=MAX_PG_VERSION)
    # The point-in-time-restore window. Unset = Neon's default for the plan.
    history_retention_seconds: int | None = Field(default=None, ge=0, le=MAX_HISTORY_RETENTION_SECONDS)
    org_id: str | None = Field(default=None, pattern=ID_PATTERN)
    branch_name: str = Field(default="main", min_length=1, max_length=256)
    database_name: str = Field(default="neondb", min_length=1, max_length=63)
    role_name: str | None = Field(default=None, min_length=1, max_length=63)
    password_version: str | None = None

    @field_validator("region_id")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in REGIONS:
            raise ValueError(
                f"unknown Neon region {value!r}; Neon regions are: {', '.join(REGIONS)} "
                "(there is no Canadian region)"
            )
        return value

    @field_validator("password_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return _version_string(value)

    @model_validator(mode="after")
    def _default_role(self) -> ProjectInputs:
        if self.role_name is None:
            self.role_name = f"{self.database_name}_owner"
        return self


class BranchInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    # Unset = the project's default branch.
    parent_id: str | None = Field(default=None, pattern=ID_PATTERN)
    protected: bool = False
    # Neon deletes the branch at this time (RFC 3339, seconds precision): a pull request's safety net.
    expires_at: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
    )
    # `parent-data` (Neon's default) copies the parent's data; `schema-only` only its schema.
    init_source: Literal["parent-data", "schema-only"] | None = None


class EndpointInputs(_ComputeInputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    type: Literal["read_write", "read_only"] = "read_write"
    pooler_enabled: bool = False


class RoleInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=63)
    password_version: str | None = None

    @field_validator("password_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return _version_string(value)


class DatabaseInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    branch_id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=63)
    owner_name: str = Field(min_length=1, max_length=63)


class ConnectionUriInputs(_Inputs):
    project_id: str = Field(pattern=ID_PATTERN)
    database_name: str = Field(min_length=1, max_length=63)
    role_name: str = Field(min_length=1, max_length=63)
    # Unset = the project's default branch and that branch's read_write endpoint.
    branch_id: str | None = Field(default=None, pattern=ID_PATTERN)
    endpoint_id: str | None = Field(default=None, pattern=ID_PATTERN)
    # The role's password (pass `Role.password`): a new value re-reads the URIs after a rotation.
    password: str | None = None


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
                client = NeonClient(api_key, base_url, sleep=self.sleep)
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


@contextmanager
def _unless_missing(ambiguous: AmbiguousRequestError) -> Iterator[None]:
    """Looking up what an ambiguous create may have made: not there means the original error stands."""
    try:
        yield
    except ApiError as error:
        if error.is_not_found:
            raise ambiguous from None
        raise


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


# -- Project -----------------------------------------------------------------------------------------------
PROJECT_OUTPUTS = (
    "project_id",
    "default_branch_id",
    "default_endpoint_id",
    "host",
    "pooler_host",
    "port",
    "proxy_host",
    "password",
    "connection_uri",
    "pooled_connection_uri",
)
PROJECT_SECRETS = ("password", "connection_uri", "pooled_connection_uri")
COMPUTE_KEYS = ("autoscaling_min_cu", "autoscaling_max_cu", "suspend_timeout_seconds")


class ProjectProvider(NeonProvider):
    """A Neon project with its default branch, read_write endpoint, owner role and database."""

    Inputs = ProjectInputs
    kind = "project"
    replace_keys = frozenset(
        {"region_id", "pg_version", "org_id", "branch_name", "database_name", "role_name"}
    )
    vendor_default_keys = frozenset({"history_retention_seconds", "org_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ProjectInputs = _inputs(ProjectInputs, props)
        client = self.client()
        body: Json = {
            "name": inputs.name,
            "region_id": inputs.region_id,
            "pg_version": inputs.pg_version,
            "default_endpoint_settings": _compute_body(inputs),
            "branch": {
                "name": inputs.branch_name,
                "database_name": inputs.database_name,
                "role_name": inputs.role_name,
            },
            "store_passwords": True,
        }
        if inputs.history_retention_seconds is not None:
            body["history_retention_seconds"] = inputs.history_retention_seconds
        if inputs.org_id is not None:
            body["org_id"] = inputs.org_id
        with about(self.kind, inputs.name):
            try:
                created = client.create_project(body)
            except AmbiguousRequestError as error:
                raise NeonResourceError(
                    f"{error}. Look for a project named {inputs.name!r} in the Neon console before "
                    "running again: it may have been created"
                ) from error
            project_id = created["project"]["id"]
            try:
                with project_lock(project_id):
                    self.wait_for_operations(
                        project_id, created.get("operations"), f"neon project {inputs.name}"
                    )
                outs = self._outputs_from_created(inputs, created)
            except Exception as error:
                note = _cleanup(lambda: client.delete_project(project_id), f"project {project_id}")
                raise_with_note(error, note)
        return dynamic.CreateResult(project_id, outs)

    def _outputs_from_created(self, inputs: ProjectInputs, created: Json) -> dict[str, Any]:
        project = created["project"]
        endpoint = next(e for e in created["endpoints"] if e.get("type") == "read_write")
        role = next(r for r in created["roles"] if r["name"] == inputs.role_name)
        details = next(
            c
            for c in created["connection_uris"]
            if c["connection_parameters"]["role"] == inputs.role_name
            and c["connection_parameters"]["database"] == inputs.database_name
        )
        uri = details["connection_uri"]
        return {
            **_input_dump(inputs),
            **self._vendor_values(project),
            "project_id": project["id"],
            "default_branch_id": created["branch"]["id"],
            "default_endpoint_id": endpoint["id"],
            "host": endpoint["host"],
            "pooler_host": details["connection_parameters"].get("pooler_host")
            or pooler_host_of(endpoint["host"]),
            "port": POSTGRES_PORT,
            "proxy_host": project.get("proxy_host"),
            "password": role["password"],
            "connection_uri": uri,
            "pooled_connection_uri": pooled_uri_of(uri),
        }

    @staticmethod
    def _vendor_values(project: Json) -> dict[str, Any]:
        """Input values as the API holds them (for refresh and the vendor-default inputs)."""
        settings = project.get("default_endpoint_settings") or {}
        values: dict[str, Any] = {
            "name": project["name"],
            "region_id": project["region_id"],
            "pg_version": project["pg_version"],
            "history_retention_seconds": project.get("history_retention_seconds"),
            "org_id": project.get("org_id"),
        }
        if "autoscaling_limit_min_cu" in settings:
            values["autoscaling_min_cu"] = settings["autoscaling_limit_min_cu"]
        if "autoscaling_limit_max_cu" in settings:
            values["autoscaling_max_cu"] = settings["autoscaling_limit_max_cu"]
        if "suspend_timeout_seconds" in settings:
            values["suspend_timeout_seconds"] = settings["suspend_timeout_seconds"]
        return values

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: ProjectInputs = _inputs(ProjectInputs, news)
        changed = set(self.changed(olds, news))
        client = self.client()
        outs = {**strip_provider(olds)}
        subject = f"neon project {inputs.name}"
        with about(self.kind, inputs.name), project_lock(id_):
            patch: Json = {}
            if "name" in changed:
                patch["name"] = inputs.name
            compute_changed = bool(changed & set(COMPUTE_KEYS))
            if compute_changed:
                patch["default_endpoint_settings"] = _compute_body(inputs)
            if "history_retention_seconds" in changed:
                patch["history_retention_seconds"] = inputs.history_retention_seconds
            if patch:
                response = client.update_project(id_, patch)
                self.wait_for_operations(id_, response.get("operations"), subject)
            endpoint_id = olds.get("default_endpoint_id")
            if compute_changed and endpoint_id:
                # Project defaults apply to computes made later; the default compute follows them too.
                response = client.update_project_endpoint(id_, endpoint_id, _compute_body(inputs))
                self.wait_for_operations(id_, response.get("operations"), subject)
            if "password_version" in changed:
                response = client.reset_project_branch_role_password(
                    id_, olds["default_branch_id"], str(inputs.role_name)
                )
                self.wait_for_operations(id_, response.get("operations"), subject)
                outs["password"] = response["role"]["password"]
                uri = client.get_connection_uri(
                    id_,
                    database_name=inputs.database_name,
                    role_name=str(inputs.role_name),
                    branch_id=olds["default_branch_id"],
                )
                outs["connection_uri"] = uri
                outs["pooled_connection_uri"] = pooled_uri_of(uri)
            project = client.get_project(id_)
        outs.update(_input_dump(inputs))
        outs.update(self._vendor_values(project))
        outs["proxy_host"] = project.get("proxy_host")
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """One request: the project. Computed values (password, URIs) are kept from state."""
        project = unless_gone(lambda: self.client().get_project(id_))
        if project is None:
            return dynamic.ReadResult(None, {})
        outs = {
            **strip_provider(props),
            **self._vendor_values(project),
            "proxy_host": project.get("proxy_host"),
        }
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with about(self.kind, str(props.get("name", id_))), project_lock(id_):
            self.client().delete_project(id_)


# -- Branch ------------------------------------------------------------------------------------------------
BRANCH_OUTPUTS = ("branch_id", "default")


class BranchProvider(NeonProvider):
    Inputs = BranchInputs
    kind = "branch"
    replace_keys = frozenset({"project_id", "parent_id", "init_source"})
    vendor_default_keys = frozenset({"parent_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: BranchInputs = _inputs(BranchInputs, props)
        client = self.client()
        project_id = inputs.project_id
        body: Json = {"name": inputs.name, "protected": inputs.protected}
        if inputs.parent_id:
            body["parent_id"] = inputs.parent_id
        if inputs.expires_at:
            body["expires_at"] = inputs.expires_at
        if inputs.init_source:
            body["init_source"] = inputs.init_source
        with about(self.kind, inputs.name), project_lock(project_id):
            try:
                created = client.create_project_branch(project_id, body)
                branch = created["branch"]
            except AmbiguousRequestError:
                # It may have been made: use it if a branch by that name now exists.
                listed = client.list_project_branches(project_id, search=inputs.name)
                found = [b for b in listed if b["name"] == inputs.name]
                if len(found) != 1:
                    raise
                created, branch = {"operations": self.running_operations(project_id)}, found[0]
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon branch {inputs.name}",
                undo=lambda: client.delete_project_branch(project_id, branch["id"]),
                what=f"branch {branch['id']}",
            )
        return dynamic.CreateResult(branch["id"], self._outputs(inputs, branch))

    @staticmethod
    def _vendor_values(branch: Json) -> dict[str, Any]:
        return {
            "name": branch["name"],
            "protected": branch.get("protected", False),
            "parent_id": branch.get("parent_id"),
            "default": bool(branch.get("default", False)),
        }

    def _outputs(self, inputs: BranchInputs, branch: Json) -> dict[str, Any]:
        return {**_input_dump(inputs), **self._vendor_values(branch), "branch_id": branch["id"]}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: BranchInputs = _inputs(BranchInputs, news)
        client = self.client()
        with about(self.kind, inputs.name), project_lock(inputs.project_id):
            body: Json = {"name": inputs.name, "protected": inputs.protected}
            if inputs.expires_at or olds.get("expires_at"):
                body["expires_at"] = inputs.expires_at  # None clears it
            response = client.update_project_branch(inputs.project_id, id_, body)
            self.wait_for_operations(
                inputs.project_id, response.get("operations"), f"neon branch {inputs.name}"
            )
        return dynamic.UpdateResult(self._outputs(inputs, response["branch"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        branch = unless_gone(lambda: self.client().get_project_branch(props["project_id"], id_))
        if branch is None:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, {**strip_provider(props), **self._vendor_values(branch)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props.get("name", id_)),
            f"neon branch {id_}",
            lambda: self.client().delete_project_branch(project_id, id_),
        )


# -- Endpoint ----------------------------------------------------------------------------------------------
ENDPOINT_OUTPUTS = ("endpoint_id", "host", "pooler_host", "port", "proxy_host", "region_id")


class EndpointProvider(NeonProvider):
    Inputs = EndpointInputs
    kind = "endpoint"
    replace_keys = frozenset({"project_id", "branch_id", "type"})

    @staticmethod
    def _body(inputs: EndpointInputs) -> Json:
        return {**_compute_body(inputs), "pooler_enabled": inputs.pooler_enabled}

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: EndpointInputs = _inputs(EndpointInputs, props)
        client = self.client()
        project_id = inputs.project_id
        name = f"{inputs.type} endpoint on {inputs.branch_id}"
        body = {"branch_id": inputs.branch_id, "type": inputs.type, **self._body(inputs)}
        with about(self.kind, name), project_lock(project_id):
            try:
                created = client.create_project_endpoint(project_id, body)
                endpoint = created["endpoint"]
            except AmbiguousRequestError:
                if inputs.type != "read_write":
                    raise
                # A branch has at most one read_write endpoint: if one is there now, it is ours.
                found = [
                    e
                    for e in client.list_project_branch_endpoints(project_id, inputs.branch_id)
                    if e["type"] == "read_write"
                ]
                if not found:
                    raise
                created, endpoint = {"operations": self.running_operations(project_id)}, found[0]
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon {name}",
                undo=lambda: client.delete_project_endpoint(project_id, endpoint["id"]),
                what=f"endpoint {endpoint['id']}",
            )
        return dynamic.CreateResult(endpoint["id"], self._outputs(inputs, endpoint))

    @staticmethod
    def _vendor_values(endpoint: Json) -> dict[str, Any]:
        return {
            "autoscaling_min_cu": endpoint["autoscaling_limit_min_cu"],
            "autoscaling_max_cu": endpoint["autoscaling_limit_max_cu"],
            "suspend_timeout_seconds": endpoint["suspend_timeout_seconds"],
            "pooler_enabled": endpoint["pooler_enabled"],
            "type": endpoint["type"],
            "branch_id": endpoint["branch_id"],
        }

    def _outputs(self, inputs: EndpointInputs, endpoint: Json) -> dict[str, Any]:
        return {
            **_input_dump(inputs),
            **self._vendor_values(endpoint),
            "endpoint_id": endpoint["id"],
            "host": endpoint["host"],
            "pooler_host": pooler_host_of(endpoint["host"]),
            "port": POSTGRES_PORT,
            "proxy_host": endpoint.get("proxy_host"),
            "region_id": endpoint.get("region_id"),
        }

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: EndpointInputs = _inputs(EndpointInputs, news)
        client = self.client()
        with about(self.kind, id_), project_lock(inputs.project_id):
            response = client.update_project_endpoint(inputs.project_id, id_, self._body(inputs))
            self.wait_for_operations(inputs.project_id, response.get("operations"), f"neon endpoint {id_}")
        return dynamic.UpdateResult(self._outputs(inputs, response["endpoint"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        endpoint = unless_gone(lambda: self.client().get_project_endpoint(props["project_id"], id_))
        if endpoint is None:
            return dynamic.ReadResult(None, {})
        outs = {
            **strip_provider(props),
            **self._vendor_values(endpoint),
            "host": endpoint["host"],
            "pooler_host": pooler_host_of(endpoint["host"]),
        }
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            id_,
            f"neon endpoint {id_}",
            lambda: self.client().delete_project_endpoint(project_id, id_),
        )


# -- Role --------------------------------------------------------------------------------------------------
ROLE_OUTPUTS = ("password", "protected")
ROLE_SECRETS = ("password",)


class RoleProvider(NeonProvider):
    """A Postgres role on a branch. Any change of `password_version` rotates the password in place."""

    Inputs = RoleInputs
    kind = "role"
    replace_keys = frozenset({"project_id", "branch_id", "name"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: RoleInputs = _inputs(RoleInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):
            try:
                created = client.create_project_branch_role(project_id, branch_id, inputs.name)
                role = created["role"]
            except AmbiguousRequestError as ambiguous:
                # It may have been made: if the role exists now, it is ours; its password can be revealed.
                with _unless_missing(ambiguous):
                    role = client.get_project_branch_role(project_id, branch_id, inputs.name)
                role["password"] = client.get_project_branch_role_password(project_id, branch_id, inputs.name)
                created = {"operations": self.running_operations(project_id)}
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon role {inputs.name}",
                undo=lambda: client.delete_project_branch_role(project_id, branch_id, inputs.name),
                what=f"role {inputs.name}",
            )
        outs = {
            **_input_dump(inputs),
            "password": role["password"],
            "protected": bool(role.get("protected", False)),
        }
        return dynamic.CreateResult(f"{project_id}/{branch_id}/{inputs.name}", outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: RoleInputs = _inputs(RoleInputs, news)
        outs = {**strip_provider(olds), **_input_dump(inputs)}
        if "password_version" in self.changed(olds, news):
            client = self.client()
            with about(self.kind, inputs.name), project_lock(inputs.project_id):
                response = client.reset_project_branch_role_password(
                    inputs.project_id, inputs.branch_id, inputs.name
                )
                # The old password stays valid until the last operation finishes.
                self.wait_for_operations(
                    inputs.project_id, response.get("operations"), f"neon role {inputs.name}"
                )
            outs["password"] = response["role"]["password"]
        return dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """One request: the role. The password is kept from state (reads never return it)."""
        role = unless_gone(
            lambda: self.client().get_project_branch_role(
                props["project_id"], props["branch_id"], props["name"]
            )
        )
        if role is None:
            return dynamic.ReadResult(None, {})
        outs = {**strip_provider(props), "protected": bool(role.get("protected", False))}
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props["name"]),
            f"neon role {props['name']}",
            lambda: self.client().delete_project_branch_role(project_id, props["branch_id"], props["name"]),
        )


# -- Database ----------------------------------------------------------------------------------------------
DATABASE_OUTPUTS = ("database_id",)


class DatabaseProvider(NeonProvider):
    """A Postgres database on a branch; rename and owner change happen in place."""

    Inputs = DatabaseInputs
    kind = "database"
    replace_keys = frozenset({"project_id", "branch_id"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: DatabaseInputs = _inputs(DatabaseInputs, props)
        client = self.client()
        project_id, branch_id = inputs.project_id, inputs.branch_id
        with about(self.kind, inputs.name), project_lock(project_id):
            try:
                created = client.create_project_branch_database(
                    project_id, branch_id, inputs.name, inputs.owner_name
                )
                database = created["database"]
            except AmbiguousRequestError as ambiguous:
                with _unless_missing(ambiguous):
                    database = client.get_project_branch_database(project_id, branch_id, inputs.name)
                created = {"operations": self.running_operations(project_id)}
            self.wait_or_undo(
                project_id,
                created.get("operations"),
                f"neon database {inputs.name}",
                undo=lambda: client.delete_project_branch_database(project_id, branch_id, inputs.name),
                what=f"database {inputs.name}",
            )
        return dynamic.CreateResult(str(database["id"]), self._outputs(inputs, database))

    @staticmethod
    def _vendor_values(database: Json) -> dict[str, Any]:
        return {"name": database["name"], "owner_name": database["owner_name"], "database_id": database["id"]}

    def _outputs(self, inputs: DatabaseInputs, database: Json) -> dict[str, Any]:
        return {**_input_dump(inputs), **self._vendor_values(database)}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: DatabaseInputs = _inputs(DatabaseInputs, news)
        changed = self.changed(olds, news)
        patch: Json = {k: getattr(inputs, k) for k in ("name", "owner_name") if k in changed}
        client = self.client()
        with about(self.kind, inputs.name), project_lock(inputs.project_id):
            response = client.update_project_branch_database(
                inputs.project_id, inputs.branch_id, str(olds["name"]), patch
            )
            self.wait_for_operations(
                inputs.project_id, response.get("operations"), f"neon database {inputs.name}"
            )
        return dynamic.UpdateResult(self._outputs(inputs, response["database"]))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        client = self.client()
        project_id, branch_id = props["project_id"], props["branch_id"]
        try:
            database: Json | None = client.get_project_branch_database(project_id, branch_id, props["name"])
        except ApiError as error:
            if not error.is_not_found:
                raise
            # Renamed outside Pulumi? Databases keep their id.
            listed = unless_gone(lambda: client.list_project_branch_databases(project_id, branch_id))
            if listed is None:
                return dynamic.ReadResult(None, {})
            database = next((d for d in listed if str(d["id"]) == id_), None)
        if database is None or str(database["id"]) != id_:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, {**strip_provider(props), **self._vendor_values(database)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        self.delete_and_wait(
            project_id,
            str(props["name"]),
            f"neon database {props['name']}",
            lambda: self.client().delete_project_branch_database(
                project_id, props["branch_id"], props["name"]
            ),
        )


# -- ConnectionUri -----------------------------------------------------------------------------------------
CONNECTION_OUTPUTS = ("connection_uri", "pooled_connection_uri", "host", "pooler_host", "port")
CONNECTION_SECRETS = ("connection_uri", "pooled_connection_uri", "password")


class ConnectionUriProvider(NeonProvider):
    """A lookup (no Neon object of its own): the direct and pooled URIs for a role and database."""

    Inputs = ConnectionUriInputs
    kind = "connection URI"
    replace_keys = frozenset({"project_id", "branch_id", "endpoint_id", "database_name", "role_name"})

    def _fetch(self, inputs: ConnectionUriInputs) -> dict[str, Any]:
        uri = self.client().get_connection_uri(
            inputs.project_id,
            database_name=inputs.database_name,
            role_name=inputs.role_name,
            branch_id=inputs.branch_id,
            endpoint_id=inputs.endpoint_id,
        )
        host = host_of(uri)
        return {
            **_input_dump(inputs),
            "connection_uri": uri,
            "pooled_connection_uri": pooled_uri_of(uri),
            "host": host,
            "pooler_host": pooler_host_of(host),
            "port": POSTGRES_PORT,
        }

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, props)
        with about(self.kind, f"{inputs.role_name}@{inputs.database_name}"):
            outs = self._fetch(inputs)
        branch = inputs.branch_id or "default"
        endpoint = inputs.endpoint_id or "rw"
        id_ = f"{inputs.project_id}/{branch}/{endpoint}/{inputs.database_name}/{inputs.role_name}"
        return dynamic.CreateResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, news)
        with about(self.kind, f"{inputs.role_name}@{inputs.database_name}"):
            return dynamic.UpdateResult(self._fetch(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        inputs: ConnectionUriInputs = _inputs(ConnectionUriInputs, props)
        outs = unless_gone(lambda: self._fetch(inputs))
        if outs is None:
            return dynamic.ReadResult(None, {})
        return self.read_result(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to delete: the URIs belong to the role and database."""


# -- the Pulumi resources ----------------------------------------------------------------------------------
@dataclass
class ProjectArgs:
    """A Neon project. `region_id`, `pg_version`, `org_id` and the default branch/database/role names
    cannot change (a change replaces the project, and its data with it)."""

    name: pulumi.Input[str]
    region_id: pulumi.Input[str] | None = None  # default aws-us-east-2
    pg_version: pulumi.Input[int] | None = None  # 14-18, default 17
    autoscaling_min_cu: pulumi.Input[float] | None = None  # default 0.25
    autoscaling_max_cu: pulumi.Input[float] | None = None  # default 0.25
    suspend_timeout_seconds: pulumi.Input[int] | None = None  # -1 never, 0 Neon's default (300 s)
    history_retention_seconds: pulumi.Input[int] | None = None  # restore window; unset = plan default
    org_id: pulumi.Input[str] | None = None
    branch_name: pulumi.Input[str] | None = None  # default "main"
    database_name: pulumi.Input[str] | None = None  # default "neondb"
    role_name: pulumi.Input[str] | None = None  # default "<database_name>_owner"
    password_version: pulumi.Input[str] | None = None  # change to rotate the owner's password


class Project(dynamic.Resource, module="neon", name="Project"):
    name: pulumi.Output[str]
    region_id: pulumi.Output[str]
    pg_version: pulumi.Output[int]
    history_retention_seconds: pulumi.Output[int]
    database_name: pulumi.Output[str]
    role_name: pulumi.Output[str]
    project_id: pulumi.Output[str]
    default_branch_id: pulumi.Output[str]
    default_endpoint_id: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]
    proxy_host: pulumi.Output[str]
    password: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ProjectProvider(),
            resource_name,
            resource_props(args, PROJECT_OUTPUTS),
            with_secret_outputs(opts, PROJECT_SECRETS),
        )


@dataclass
class BranchArgs:
    project_id: pulumi.Input[str]
    name: pulumi.Input[str]
    parent_id: pulumi.Input[str] | None = None  # default: the project's default branch; change replaces
    protected: pulumi.Input[bool] | None = None
    expires_at: pulumi.Input[str] | None = None  # RFC 3339: Neon deletes the branch then
    init_source: pulumi.Input[str] | None = None  # parent-data (default) or schema-only; change replaces


class Branch(dynamic.Resource, module="neon", name="Branch"):
    project_id: pulumi.Output[str]
    name: pulumi.Output[str]
    parent_id: pulumi.Output[str]
    protected: pulumi.Output[bool]
    branch_id: pulumi.Output[str]
    default: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: BranchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(BranchProvider(), resource_name, resource_props(args, BRANCH_OUTPUTS), opts)


@dataclass
class EndpointArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    type: pulumi.Input[str] | None = None  # "read_write" (default, one per branch) or "read_only"; replaces
    autoscaling_min_cu: pulumi.Input[float] | None = None
    autoscaling_max_cu: pulumi.Input[float] | None = None
    suspend_timeout_seconds: pulumi.Input[int] | None = None
    pooler_enabled: pulumi.Input[bool] | None = None


class Endpoint(dynamic.Resource, module="neon", name="Endpoint"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    type: pulumi.Output[str]
    autoscaling_min_cu: pulumi.Output[float]
    autoscaling_max_cu: pulumi.Output[float]
    suspend_timeout_seconds: pulumi.Output[int]
    pooler_enabled: pulumi.Output[bool]
    endpoint_id: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]
    proxy_host: pulumi.Output[str]
    region_id: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: EndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(EndpointProvider(), resource_name, resource_props(args, ENDPOINT_OUTPUTS), opts)


@dataclass
class RoleArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    name: pulumi.Input[str]
    password_version: pulumi.Input[str] | None = None  # change (to anything) to rotate the password in place


class Role(dynamic.Resource, module="neon", name="Role"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    password_version: pulumi.Output[str]
    password: pulumi.Output[str]
    protected: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: RoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            RoleProvider(),
            resource_name,
            resource_props(args, ROLE_OUTPUTS),
            with_secret_outputs(opts, ROLE_SECRETS),
        )


@dataclass
class DatabaseArgs:
    project_id: pulumi.Input[str]
    branch_id: pulumi.Input[str]
    name: pulumi.Input[str]
    owner_name: pulumi.Input[str]


class Database(dynamic.Resource, module="neon", name="Database"):
    project_id: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    name: pulumi.Output[str]
    owner_name: pulumi.Output[str]
    database_id: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(DatabaseProvider(), resource_name, resource_props(args, DATABASE_OUTPUTS), opts)


@dataclass
class ConnectionUriArgs:
    project_id: pulumi.Input[str]
    database_name: pulumi.Input[str]
    role_name: pulumi.Input[str]
    branch_id: pulumi.Input[str] | None = None  # default: the project's default branch
    endpoint_id: pulumi.Input[str] | None = None  # default: the branch's read_write endpoint
    password: pulumi.Input[str] | None = None  # pass Role.password so a rotation re-reads the URIs


class ConnectionUri(dynamic.Resource, module="neon", name="ConnectionUri"):
    project_id: pulumi.Output[str]
    database_name: pulumi.Output[str]
    role_name: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    endpoint_id: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]
    host: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: ConnectionUriArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            ConnectionUriProvider(),
            resource_name,
            resource_props(args, CONNECTION_OUTPUTS),
            with_secret_outputs(opts, CONNECTION_SECRETS),
        )


__all__ = [
    "COMPUTE_SIZES",
    "MAX_AUTOSCALING_CU",
    "MAX_AUTOSCALING_RANGE_CU",
    "MAX_HISTORY_RETENTION_SECONDS",
    "MAX_PG_VERSION",
    "MAX_SUSPEND_TIMEOUT_SECONDS",
    "MIN_PG_VERSION",
    "REGIONS",
    "Branch",
    "BranchArgs",
    "BranchProvider",
    "ConnectionUri",
    "ConnectionUriArgs",
    "ConnectionUriProvider",
    "Database",
    "DatabaseArgs",
    "DatabaseProvider",
    "Endpoint",
    "EndpointArgs",
    "EndpointProvider",
    "NeonOperationError",
    "NeonProvider",
    "NeonResourceError",
    "Project",
    "ProjectArgs",
    "ProjectProvider",
    "Role",
    "RoleArgs",
    "RoleProvider",
]
