"""Supabase dynamic resources (`pulumi-python:dynamic/supabase:<Kind>`): a project and its settings.

Each Resource has a typed `<Kind>Args` dataclass and one ResourceProvider. Credentials come from
`configure()` (`supabase:accessToken` / `SUPABASE_ACCESS_TOKEN`, `supabase:apiUrl` / `SUPABASE_API_URL`)
and never reach state. Settings resources wait until the project and the services they touch are healthy
before writing, because a project that has just reported ACTIVE_HEALTHY still refuses configuration for a
while (TF provider issue #239).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal, cast
from urllib.parse import quote

import httpx
import pulumi
import pydantic
from pulumi import dynamic
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from providers.adoption import create_or_adopt
from providers.base import (
    INPUTS_CONFIG,
    CredentialsMissingError,
    PlatformProvider,
    PollPolicy,
    Setting,
    changed_keys,
    check_with_model,
    poll_until,
    report_progress,
    require_secret,
    resource_props,
    strip_provider,
    unless_gone,
    validate_or_raise,
    with_secret_outputs,
)
from providers.http import DEFAULT_TIMEOUT, ApiError
from providers.pacing import supabase_limits
from providers.supabase.auth_keys import AUTH_CONFIG_KEYS, AUTH_SECRET_KEYS
from providers.supabase.client import (
    DEFAULT_API_URL,
    INSTANCE_SIZES,
    PASSWORD_PLACEHOLDER,
    PITR_DAYS,
    REGIONS,
    STATUS_ACTIVE,
    STATUS_FAILED,
    STATUS_GONE,
    VENDOR,
    SupabaseClient,
    selected_addon,
)
from providers.supabase.client import (
    PoolerConfig as PoolerObject,
)
from providers.supabase.client import (
    Project as ProjectObject,
)

ACCESS_TOKEN = Setting("supabase:accessToken", "SUPABASE_ACCESS_TOKEN", secret=True)
API_URL = Setting("supabase:apiUrl", "SUPABASE_API_URL", default=DEFAULT_API_URL)
REQUESTS_PER_MINUTE = Setting("supabase:requestsPerMinute", "SUPABASE_REQUESTS_PER_MINUTE")  # see pacing.py

# `PATCH .../database/password` has minLength 4; the same floor applies at create (TF validates it too).
MIN_PASSWORD_LENGTH = 4
DEFAULT_CREATE_TIMEOUT_SECONDS = 900.0
REF_PATTERN = r"^[a-z]{20}$"
DIRECT_PORT = 5432
DATABASE_NAME = "postgres"
DATABASE_USER = "postgres"


# How long a failed create waits for its project to become deletable (Supabase refuses while it comes up).
CLEANUP_TIMEOUT_SECONDS = 600.0


class ProjectFailedError(Exception):
    """The project reached a status it will not recover from on its own."""


# -- shared provider machinery -------------------------------------------------------------------------
class SupabaseProvider(PlatformProvider):
    """Credentials, the client, and the waits every Supabase resource shares.

    `sleep`, `clock`, `http_timeout` and `poll_policy` are class defaults that tests override per instance;
    like everything `configure()` sets, they never reach the pickled provider.
    """

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)
    http_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    # Backs off to 15 s, then polls at 10% of the time waited from 90% of the typical time on: a project
    # that takes two minutes to come up costs about 13 polls and is seen within 12 s of being ready.
    poll_policy: PollPolicy = PollPolicy(initial_interval=2.0, max_interval=15.0, factor=1.5, timeout=900.0)
    # Supabase: a new project is up "usually under two minutes"; its services start about 15 s after.
    typical_project_seconds: ClassVar[float] = 120.0
    typical_services_seconds: ClassVar[float] = 15.0
    # Services whose health a settings write waits for (settings resources override it).
    services: ClassVar[tuple[str, ...]] = ()

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        self._config = req.config
        self._api: SupabaseClient | None = None

    def _client(self) -> SupabaseClient:
        api = getattr(self, "_api", None)
        if api is not None:
            return api
        lock = self.__dict__.setdefault("_api_lock", threading.Lock())
        with lock:
            api = getattr(self, "_api", None)
            if api is None:
                config = getattr(self, "_config", None)
                token = require_secret(ACCESS_TOKEN, config)
                base_url = API_URL.read(config) or DEFAULT_API_URL
                api = SupabaseClient(
                    token=token,
                    base_url=base_url,
                    sleep=self.sleep,
                    timeout=self.http_timeout,
                    rate_limits=supabase_limits(REQUESTS_PER_MINUTE.read_number(config)),
                )
                self._api = api
            return api

    def _policy(self, timeout: float | None = None) -> PollPolicy:
        return self.poll_policy if timeout is None else replace(self.poll_policy, timeout=timeout)

    def _wait_for_project(
        self, api: SupabaseClient, ref: str, *, subject: str, timeout: float | None = None
    ) -> ProjectObject:
        """Poll until ACTIVE_HEALTHY; fail fast on a status the project will not leave by itself."""

        def fetch() -> ProjectObject:
            project = api.get_project(ref)
            if project is None:
                raise ProjectFailedError(f"{subject}: the project no longer exists (404)")
            return project

        def done(project: ProjectObject) -> bool:
            status = project["status"]
            if status in STATUS_FAILED:
                raise ProjectFailedError(f"{subject}: the project is {status}, it will not become healthy")
            return status == STATUS_ACTIVE

        return poll_until(
            fetch,
            done,
            subject=subject,
            describe=lambda p: p["status"],
            policy=self._policy(timeout),
            sleep=self.sleep,
            clock=self.clock,
            expected=self.typical_project_seconds,
        )

    def _wait_for_services(self, api: SupabaseClient, ref: str, *, subject: str) -> None:
        """The project healthy, then the services this resource writes to (`services`)."""
        self._wait_for_project(api, ref, subject=subject)
        if not self.services:
            return
        poll_until(
            lambda: api.get_services_health(ref, self.services),
            lambda health: bool(health) and all(h.get("status") == STATUS_ACTIVE for h in health),
            subject=subject,
            describe=lambda health: ", ".join(f"{h.get('name')} {h.get('status')}" for h in health),
            policy=self._policy(),
            sleep=self.sleep,
            clock=self.clock,
            expected=self.typical_services_seconds,
        )


def _primary_pooler(api: SupabaseClient, ref: str) -> PoolerObject | None:
    """The shared pooler's entry for the project's primary database (read replicas have their own)."""
    return next((p for p in api.get_pooler_config(ref) if p.get("database_type") == "PRIMARY"), None)


def _direct_uri(password: str, host: str) -> str:
    """The connection URI straight to the project's database (not through the pooler)."""
    return f"postgresql://{DATABASE_USER}:{quote(password, safe='')}@{host}:{DIRECT_PORT}/{DATABASE_NAME}"


def _check_ref(value: str) -> str:
    if not re.fullmatch(REF_PATTERN, value):
        raise ValueError("a Supabase project ref is exactly 20 lowercase letters (e.g. abcdefghijklmnopqrst)")
    return value


# -- Project -------------------------------------------------------------------------------------------
class ProjectInputs(BaseModel):
    model_config = INPUTS_CONFIG

    organization_slug: str = Field(pattern=r"^[\w-]+$")
    name: str = Field(min_length=1, max_length=256)
    region: str
    database_password: str = Field(min_length=MIN_PASSWORD_LENGTH)
    instance_size: str | None = None
    create_timeout_seconds: float = Field(default=DEFAULT_CREATE_TIMEOUT_SECONDS, gt=0)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in REGIONS:
            raise ValueError(f"unknown Supabase region {value!r}; valid regions: {', '.join(REGIONS)}")
        return value

    @field_validator("instance_size")
    @classmethod
    def _known_size(cls, value: str | None) -> str | None:
        if value is not None and value not in INSTANCE_SIZES:
            raise ValueError(f"unknown instance size {value!r}; valid sizes: {', '.join(INSTANCE_SIZES)}")
        return value


PROJECT_INPUT_KEYS = tuple(ProjectInputs.model_fields)


@dataclass
class ProjectArgs:
    organization_slug: pulumi.Input[str]
    """Organization slug (`GET /v1/organizations`); changing it replaces the project."""
    name: pulumi.Input[str]
    """Project name; changed in place."""
    region: pulumi.Input[str]
    """e.g. `ca-central-1`; changing it replaces the project (projects are region-bound)."""
    database_password: pulumi.Input[str]
    """Superuser password (pass a secret); a change rotates it in place."""
    instance_size: pulumi.Input[str] | None = None
    """Compute size (`nano`, `micro`, `small`, ...); changed in place through the compute add-on."""
    create_timeout_seconds: pulumi.Input[float] | None = None
    """How long create (and a resize) waits for ACTIVE_HEALTHY; default 900."""


class ProjectProvider(SupabaseProvider):
    Inputs = ProjectInputs
    replace_keys = frozenset({"organization_slug", "region"})

    # -- create ------------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = validate_or_raise(ProjectInputs, props)
        api = self._client()
        subject = f"Supabase project {inputs.name}"
        # The refs that exist before the POST, so an ambiguous failure adopts only a project it made.
        before = {p["ref"] for p in api.list_projects()}
        created: ProjectObject = create_or_adopt(
            lambda: api.create_project(
                name=inputs.name,
                organization_slug=inputs.organization_slug,
                db_pass=inputs.database_password,
                region=inputs.region,
                desired_instance_size=inputs.instance_size,
            ),
            lambda: self._made_by_us(api, inputs, before),
            f"Supabase project name {inputs.name!r} in organization {inputs.organization_slug!r}",
            sleep=self.sleep,
        )
        ref = created["ref"]
        subject = f"{subject} ({ref})"
        report_progress(subject, f"created, waiting for {STATUS_ACTIVE}")
        try:
            project = self._wait_for_project(api, ref, subject=subject, timeout=inputs.create_timeout_seconds)
            outs = self._outputs(api, inputs.model_dump(mode="json", exclude_none=True), project)
        except Exception as exc:
            self._remove_after_failed_create(api, ref, subject, exc)
            raise
        return dynamic.CreateResult(ref, outs)

    def _made_by_us(
        self, api: SupabaseClient, inputs: ProjectInputs, before: set[str]
    ) -> list[ProjectObject]:
        """After a create without a clear answer: the project of this name and organization that appeared
        since the POST was sent (names are unique per organization at Supabase only by convention)."""
        matches = [
            p
            for p in api.list_projects()
            if p["name"] == inputs.name
            and p["organization_slug"] == inputs.organization_slug
            and p["ref"] not in before
            and p["status"] not in STATUS_GONE
        ]
        if matches:
            report_progress(
                f"Supabase project {inputs.name}", f"adopted {matches[0]['ref']} made by that request"
            )
        return matches

    def _remove_after_failed_create(
        self, api: SupabaseClient, ref: str, subject: str, cause: Exception
    ) -> None:
        """All-or-nothing create: remove the half-made project, or say plainly that it is left."""
        try:
            self._delete_when_possible(api, ref, subject)
            report_progress(subject, f"create failed ({type(cause).__name__}); the project was deleted")
        except ApiError as exc:
            cause.add_note(
                f"The project {ref} could not be deleted after the failure ({exc.message}); it is not in "
                "Pulumi state, so delete it in the Supabase dashboard or with "
                f"`DELETE /v1/projects/{ref}` once it is ready."
            )

    def _delete_when_possible(self, api: SupabaseClient, ref: str, subject: str) -> None:
        """Delete a project we made, waiting while Supabase refuses because it is still coming up (a
        project whose status polls failed is not left behind untracked)."""
        deadline = self.clock() + CLEANUP_TIMEOUT_SECONDS
        wait = 2.0
        while True:
            try:
                api.delete_project(ref)
                return
            except ApiError as exc:
                if exc.is_not_found:
                    return
                if exc.status is not None and exc.status < 500 and exc.status not in (400, 409, 423):
                    raise
                if self.clock() + wait > deadline:
                    raise
                report_progress(subject, f"waiting to delete it ({exc.message})")
                self.sleep(wait)
                wait = min(wait * 2, 30.0)

    # -- outputs -------------------------------------------------------------------------------------------
    def _outputs(
        self, api: SupabaseClient, inputs: Mapping[str, Any], project: ProjectObject
    ) -> dict[str, Any]:
        ref = project["ref"]
        password = str(inputs["database_password"])
        encoded = quote(password, safe="")
        database: Mapping[str, Any] = project.get("database") or {}
        host = database.get("host") or ""
        keys = api.get_api_keys(ref, reveal=True)
        anon = next(
            (k.get("api_key") for k in keys if k.get("type") == "legacy" and k.get("name") == "anon"), None
        )
        service = next(
            (k.get("api_key") for k in keys if k.get("type") == "legacy" and k.get("name") == "service_role"),
            None,
        )
        primary = _primary_pooler(api, ref)
        if primary is None:
            raise ApiError(
                vendor=VENDOR, operation="v1-get-pooler-config", message=f"no PRIMARY pooler for {ref}"
            )
        pooled = primary["connection_string"].replace(PASSWORD_PLACEHOLDER, encoded)
        return {
            **inputs,
            "ref": ref,
            "organization_slug": project["organization_slug"],
            "name": project["name"],
            "region": project["region"],
            "status": project["status"],
            "api_url": f"https://{ref}.supabase.co",
            "anon_key": anon,
            "service_role_key": service,
            "database_host": host,
            "database_port": DIRECT_PORT,
            "database_name": DATABASE_NAME,
            "database_user": DATABASE_USER,
            "postgres_version": database.get("version"),
            "connection_uri": _direct_uri(password, host),
            "pooler_host": primary["db_host"],
            "pooler_port": primary["db_port"],
            "pooler_user": primary["db_user"],
            "pooled_connection_uri": pooled,
        }

    # -- update --------------------------------------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = validate_or_raise(ProjectInputs, news)
        api = self._client()
        subject = f"Supabase project {inputs.name} ({id_})"
        changed = changed_keys(olds, news, PROJECT_INPUT_KEYS)
        if "name" in changed:
            api.update_project(id_, name=inputs.name)
        if "database_password" in changed:
            self._wait_for_project(api, id_, subject=subject, timeout=inputs.create_timeout_seconds)
            api.update_database_password(id_, inputs.database_password)
            report_progress(subject, "database password rotated")
        if "instance_size" in changed and inputs.instance_size is not None:
            self._resize(api, id_, inputs, subject)
        project = self._wait_for_project(api, id_, subject=subject, timeout=inputs.create_timeout_seconds)
        outs = self._outputs(api, inputs.model_dump(mode="json", exclude_none=True), project)
        return dynamic.UpdateResult(outs)

    def _resize(self, api: SupabaseClient, ref: str, inputs: ProjectInputs, subject: str) -> None:
        size = inputs.instance_size
        if size == "nano":
            raise ValueError(
                f"{subject}: there is no `ci_nano` compute add-on, so a project cannot be resized to nano in "
                "place; choose micro or larger"
            )
        self._wait_for_project(api, ref, subject=subject, timeout=inputs.create_timeout_seconds)
        api.apply_project_addon(ref, addon_type="compute_instance", addon_variant=f"ci_{size}")
        report_progress(subject, f"resizing to {size}")
        # The project restarts (RESIZING) before it is healthy again.
        self._wait_for_project(api, ref, subject=subject, timeout=inputs.create_timeout_seconds)

    # -- read ----------------------------------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        api = self._client()
        project = api.get_project(id_)
        if project is None or project["status"] in STATUS_GONE:
            return dynamic.ReadResult(None, {})
        old = strip_provider(props)
        inputs: dict[str, Any] = {
            "organization_slug": project["organization_slug"],
            "name": project["name"],
            "region": project["region"],
            # Cannot be read back: the state's value stands.
            "database_password": old.get("database_password"),
            "create_timeout_seconds": old.get("create_timeout_seconds", DEFAULT_CREATE_TIMEOUT_SECONDS),
        }
        if old.get("instance_size") is not None:
            variant = selected_addon(api.list_project_addons(id_), "compute_instance")
            inputs["instance_size"] = variant.removeprefix("ci_") if variant else "nano"
        inputs = {k: v for k, v in inputs.items() if v is not None}
        have_keys = all(old.get(k) for k in ("anon_key", "service_role_key", "pooled_connection_uri"))
        if project["status"] == STATUS_ACTIVE and inputs.get("database_password") and not have_keys:
            outs = self._outputs(api, inputs, project)
        else:
            # Refresh costs one read (two with a managed size): keys and the pooler address do not change
            # under a project, so they stay as state has them, as they do while it is paused.
            outs = {**old, **inputs, "status": project["status"]}
            database: Mapping[str, Any] = project.get("database") or {}
            host = database.get("host")
            if host and host != old.get("database_host") and inputs.get("database_password"):
                outs["database_host"] = host
                outs["connection_uri"] = _direct_uri(str(inputs["database_password"]), host)
        return dynamic.ReadResult(id_, outs, inputs=inputs)

    # -- delete --------------------------------------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        api = self._client()
        subject = f"Supabase project {props.get('name', '')} ({id_})"

        def attempt() -> str:
            try:
                return "deleted" if api.delete_project(id_) else "gone"
            except ApiError as exc:
                # A project still provisioning answers 400 "Project not ready for deletion.".
                if exc.status == 400 and "not ready" in exc.message.lower():
                    return "not ready for deletion"
                raise

        poll_until(
            attempt,
            lambda outcome: outcome in ("deleted", "gone"),
            subject=subject,
            describe=lambda outcome: outcome,
            policy=self._policy(),
            sleep=self.sleep,
            clock=self.clock,
        )


class Project(dynamic.Resource, module="supabase", name="Project"):
    """A Supabase project (a Postgres database plus Auth, PostgREST, Storage...)."""

    organization_slug: pulumi.Output[str]
    name: pulumi.Output[str]
    region: pulumi.Output[str]
    database_password: pulumi.Output[str]
    instance_size: pulumi.Output[str | None]
    create_timeout_seconds: pulumi.Output[float]
    ref: pulumi.Output[str]
    status: pulumi.Output[str]
    api_url: pulumi.Output[str]
    anon_key: pulumi.Output[str]
    service_role_key: pulumi.Output[str]
    database_host: pulumi.Output[str]
    database_port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    database_user: pulumi.Output[str]
    postgres_version: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooler_host: pulumi.Output[str]
    pooler_port: pulumi.Output[int]
    pooler_user: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]

    SECRET_OUTPUTS: ClassVar[tuple[str, ...]] = (
        "database_password",
        "anon_key",
        "service_role_key",
        "connection_uri",
        "pooled_connection_uri",
    )
    OUTPUTS: ClassVar[tuple[str, ...]] = (
        "ref",
        "status",
        "api_url",
        "anon_key",
        "service_role_key",
        "database_host",
        "database_port",
        "database_name",
        "database_user",
        "postgres_version",
        "connection_uri",
        "pooler_host",
        "pooler_port",
        "pooler_user",
        "pooled_connection_uri",
    )

    def __init__(
        self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, self.OUTPUTS)
        super().__init__(
            ProjectProvider(), resource_name, props, with_secret_outputs(opts, self.SECRET_OUTPUTS)
        )


# -- settings resources: shared shape ------------------------------------------------------------------
class _SettingProvider(SupabaseProvider):
    """A per-project setting: `project_ref` replaces, writes wait for healthy services, reads that 404
    mean the project (and so the setting) is gone."""

    replace_keys = frozenset({"project_ref"})
    kind: ClassVar[str] = "setting"

    def _subject(self, ref: str) -> str:
        return f"Supabase {self.kind} for {ref}"

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Write the setting; return the computed outputs (merged over the inputs by the caller)."""
        raise NotImplementedError

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        """Current inputs as the API reports them (only what this resource manages)."""
        raise NotImplementedError

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        """Undo the setting on delete (back to the vendor default or what was there before)."""
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = validate_or_raise(self.Inputs, props)
        ref = cast(str, inputs.model_dump()["project_ref"])
        api = self._client()
        self._wait_for_services(api, ref, subject=self._subject(ref))
        computed = self._apply(api, ref, inputs, None)
        return dynamic.CreateResult(ref, {**self._dump(inputs), **computed})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = validate_or_raise(self.Inputs, news)
        ref = cast(str, inputs.model_dump()["project_ref"])
        api = self._client()
        self._wait_for_services(api, ref, subject=self._subject(ref))
        computed = self._apply(api, ref, inputs, strip_provider(olds))
        return dynamic.UpdateResult({**self._dump(inputs), **computed})

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        old = strip_provider(props)
        ref = old.get("project_ref") or id_
        api = self._client()
        current = unless_gone(lambda: self._fetch(api, ref, old))
        if current is None:
            return dynamic.ReadResult(None, {})
        merged = {**self._input_part(old), **current}
        inputs = {k: v for k, v in merged.items() if v is not None and k in self.Inputs.model_fields}
        return dynamic.ReadResult(id_, {**old, **current}, inputs=inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        old = strip_provider(props)
        ref = old.get("project_ref") or id_
        api = self._client()
        try:
            project = api.get_project(ref)
            if project is None or project["status"] in STATUS_GONE:
                return
            self._wait_for_services(api, ref, subject=self._subject(ref))
            self._restore(api, ref, old)
        except ApiError as exc:
            if exc.is_not_found:
                return
            raise

    def _dump(self, inputs: BaseModel) -> dict[str, Any]:
        return inputs.model_dump(mode="json", exclude_none=True)

    def _input_part(self, old: Mapping[str, Any]) -> dict[str, Any]:
        return {k: old[k] for k in self.Inputs.model_fields if k in old}


class _RefInputs(BaseModel):
    model_config = INPUTS_CONFIG

    project_ref: str

    @field_validator("project_ref")
    @classmethod
    def _ref(cls, value: str) -> str:
        return _check_ref(value)


# -- AuthConfig ----------------------------------------------------------------------------------------
def _auth_field(spec: Mapping[str, Any]) -> tuple[Any, Any]:
    base: Any = {"string": str, "boolean": bool, "integer": int, "number": float}[spec["type"]]
    if "enum" in spec:
        base = Literal[tuple(spec["enum"])]
    constraints: dict[str, Any] = {}
    if "minimum" in spec:
        constraints["ge"] = spec["minimum"]
    if "maximum" in spec:
        constraints["le"] = spec["maximum"]
    if "pattern" in spec and spec["type"] == "string":
        constraints["pattern"] = spec["pattern"]
    if spec["type"] == "string" and "maxLength" in spec:
        constraints["max_length"] = spec["maxLength"]
    annotation = base | None
    return (annotation, Field(default=None, **constraints))


AuthSettingsModel: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "AuthSettingsModel",
    __config__=ConfigDict(**INPUTS_CONFIG, strict=False),
    **{key: _auth_field(spec) for key, spec in AUTH_CONFIG_KEYS.items()},
)


class AuthConfigInputs(_RefInputs):
    settings: dict[str, Any] = Field(default_factory=dict)
    secret_settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("settings")
    @classmethod
    def _plain(cls, value: dict[str, Any]) -> dict[str, Any]:
        problems = [
            f"{key}: secret, so it belongs in secret_settings (the value would be stored in plain text)"
            for key in sorted(set(value) & AUTH_SECRET_KEYS)
        ]
        return _typed_auth(value, problems)

    @field_validator("secret_settings")
    @classmethod
    def _typed_secret(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _typed_auth(value, [])


def _typed_auth(value: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Check keys, JSON types and limits against `PATCH .../config/auth`; every problem at once."""
    parsed = None
    try:
        parsed = AuthSettingsModel.model_validate(dict(value))
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err.get("loc", ()))
            message = "unknown auth setting" if err.get("type") == "extra_forbidden" else err.get("msg")
            problems.append(f"{key}: {message}")
    if problems or parsed is None:
        raise ValueError("; ".join(problems))
    return cast(dict[str, Any], parsed.model_dump(mode="json", include=set(value)))


@dataclass
class AuthConfigArgs:
    project_ref: pulumi.Input[str]
    settings: pulumi.Input[Mapping[str, Any]] | None = None
    """Auth (GoTrue) settings by their API names, e.g. `{"site_url": ..., "jwt_exp": 3600}`. Only these
    keys are managed; others keep their values."""
    secret_settings: pulumi.Input[Mapping[str, Any]] | None = None
    """Secret auth settings (`smtp_pass`, `external_*_secret`, `hook_*_secrets`...). The API masks them on
    read, so they are applied but never compared with the server."""


class AuthConfigProvider(_SettingProvider):
    Inputs = AuthConfigInputs
    kind = "auth config"
    services = ("auth",)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        return check_with_model(self.Inputs, news)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        settings: dict[str, Any] = dict(inputs.settings)
        secrets: dict[str, Any] = dict(inputs.secret_settings)
        previous: dict[str, Any] = dict((olds or {}).get("previous_settings") or {})
        old_settings: dict[str, Any] = dict((olds or {}).get("settings") or {})
        current = api.get_auth_config(ref)
        # Remember what a newly managed key held, so delete (or dropping the key) puts it back.
        for key in settings:
            if key not in previous:
                previous[key] = current.get(key)
        changes: dict[str, Any] = {**settings, **secrets}
        for key in old_settings:
            if key not in settings and key in previous:
                changes[key] = previous.pop(key)
        if changes:
            api.update_auth_config(ref, changes)
        return {"previous_settings": previous}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_auth_config(ref)
        managed = old.get("settings") or {}
        return {"settings": {k: current.get(k) for k in managed}}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        previous = dict(old.get("previous_settings") or {})
        if previous:
            api.update_auth_config(ref, previous)


class AuthConfig(dynamic.Resource, module="supabase", name="AuthConfig"):
    """The project's Auth settings that the program sets (PATCH merges; other keys are left alone)."""

    project_ref: pulumi.Output[str]
    settings: pulumi.Output[dict[str, Any]]
    secret_settings: pulumi.Output[dict[str, Any]]
    previous_settings: pulumi.Output[dict[str, Any]]

    def __init__(
        self, resource_name: str, args: AuthConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("previous_settings",))
        super().__init__(
            AuthConfigProvider(), resource_name, props, with_secret_outputs(opts, ["secret_settings"])
        )


# -- PostgrestConfig -------------------------------------------------------------------------------------
POSTGREST_DEFAULTS: dict[str, Any] = {
    "db_schema": "public,graphql_public",
    "db_extra_search_path": "public, extensions",
    "max_rows": 1000,
}


class PostgrestConfigInputs(_RefInputs):
    db_schema: str | None = None
    db_extra_search_path: str | None = None
    max_rows: int | None = Field(default=None, ge=0, le=1_000_000)
    db_pool: int | None = Field(default=None, ge=0, le=1000)


POSTGREST_KEYS = ("db_schema", "db_extra_search_path", "max_rows", "db_pool")


@dataclass
class PostgrestConfigArgs:
    project_ref: pulumi.Input[str]
    db_schema: pulumi.Input[str] | None = None
    """Schemas the Data API exposes, comma-separated; an empty string disables the Data API."""
    db_extra_search_path: pulumi.Input[str] | None = None
    max_rows: pulumi.Input[int] | None = None
    db_pool: pulumi.Input[int] | None = None


class PostgrestConfigProvider(_SettingProvider):
    Inputs = PostgrestConfigInputs
    kind = "PostgREST config"
    services = ("rest",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        changes = {k: getattr(inputs, k) for k in POSTGREST_KEYS if getattr(inputs, k) is not None}
        # Keys no longer set go back to Supabase's defaults.
        for key in POSTGREST_KEYS:
            if olds and olds.get(key) is not None and key not in changes and key in POSTGREST_DEFAULTS:
                changes[key] = POSTGREST_DEFAULTS[key]
        if changes:
            api.update_postgrest_config(ref, changes)
        return {}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_postgrest_config(ref)
        return {k: current.get(k) for k in POSTGREST_KEYS if old.get(k) is not None}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        changes = {k: v for k, v in POSTGREST_DEFAULTS.items() if old.get(k) is not None}
        if changes:
            api.update_postgrest_config(ref, changes)


class PostgrestConfig(dynamic.Resource, module="supabase", name="PostgrestConfig"):
    """The Data API (PostgREST) settings the program sets."""

    project_ref: pulumi.Output[str]
    db_schema: pulumi.Output[str | None]
    db_extra_search_path: pulumi.Output[str | None]
    max_rows: pulumi.Output[int | None]
    db_pool: pulumi.Output[int | None]

    def __init__(
        self, resource_name: str, args: PostgrestConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(PostgrestConfigProvider(), resource_name, resource_props(args), opts)


# -- PostgresConfig ------------------------------------------------------------------------------------
_DURATION = r"^(-?[0-9]+(?:\.[0-9]+)?)(us|ms|s|min|h|d)?$"


class PostgresOverrides(BaseModel):
    """`UpdatePostgresConfigBody` without `restart_database` (additionalProperties: false)."""

    model_config = INPUTS_CONFIG

    effective_cache_size: str | None = None
    logical_decoding_work_mem: str | None = None
    maintenance_work_mem: str | None = None
    track_activity_query_size: str | None = None
    max_connections: int | None = Field(default=None, ge=1, le=262143)
    max_locks_per_transaction: int | None = Field(default=None, ge=10, le=2147483640)
    max_parallel_maintenance_workers: int | None = Field(default=None, ge=0, le=1024)
    max_parallel_workers: int | None = Field(default=None, ge=0, le=1024)
    max_parallel_workers_per_gather: int | None = Field(default=None, ge=0, le=1024)
    max_replication_slots: int | None = None
    max_slot_wal_keep_size: str | None = None
    max_standby_archive_delay: str | None = None
    max_standby_streaming_delay: str | None = None
    max_wal_size: str | None = None
    max_wal_senders: int | None = None
    max_worker_processes: int | None = Field(default=None, ge=0, le=262143)
    session_replication_role: Literal["origin", "replica", "local"] | None = None
    shared_buffers: str | None = None
    statement_timeout: str | None = Field(default=None, pattern=_DURATION)
    track_commit_timestamp: bool | None = None
    wal_keep_size: str | None = None
    wal_sender_timeout: str | None = Field(default=None, pattern=_DURATION)
    work_mem: str | None = None
    checkpoint_timeout: str | None = Field(default=None, pattern=_DURATION)
    hot_standby_feedback: bool | None = None


class PostgresConfigInputs(_RefInputs):
    settings: PostgresOverrides = Field(default_factory=PostgresOverrides)
    restart_database: bool | None = None


@dataclass
class PostgresConfigArgs:
    project_ref: pulumi.Input[str]
    settings: pulumi.Input[Mapping[str, Any]] | None = None
    """The complete set of Postgres overrides (e.g. `{"statement_timeout": "8s", "max_connections": 100}`);
    PUT replaces the whole set, so overrides made elsewhere are removed."""
    restart_database: pulumi.Input[bool] | None = None
    """Restart Postgres so settings that need a restart take effect."""


class PostgresConfigProvider(_SettingProvider):
    Inputs = PostgresConfigInputs
    kind = "Postgres config"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        overrides = inputs.settings.model_dump(mode="json", exclude_none=True)
        api.update_postgres_config(ref, overrides, restart_database=inputs.restart_database)
        return {}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        # GET returns only the overrides, which is exactly what this resource owns.
        return {"settings": api.get_postgres_config(ref)}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_postgres_config(ref, {})


class PostgresConfig(dynamic.Resource, module="supabase", name="PostgresConfig"):
    """The project's Postgres overrides, as one whole set."""

    project_ref: pulumi.Output[str]
    settings: pulumi.Output[dict[str, Any]]
    restart_database: pulumi.Output[bool | None]

    def __init__(
        self, resource_name: str, args: PostgresConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(PostgresConfigProvider(), resource_name, resource_props(args), opts)


# -- PoolerConfig --------------------------------------------------------------------------------------
class PoolerConfigInputs(_RefInputs):
    pool_mode: Literal["transaction", "session"] | None = None
    default_pool_size: int | None = Field(default=None, ge=0, le=3000)


@dataclass
class PoolerConfigArgs:
    project_ref: pulumi.Input[str]
    pool_mode: pulumi.Input[str] | None = None
    """`transaction` (port 6543, serverless clients) or `session`."""
    default_pool_size: pulumi.Input[int] | None = None


class PoolerConfigProvider(_SettingProvider):
    Inputs = PoolerConfigInputs
    kind = "pooler config"
    services = ("pooler",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        changes = {
            k: getattr(inputs, k)
            for k in ("pool_mode", "default_pool_size")
            if getattr(inputs, k) is not None
        }
        # A setting no longer managed goes back to the vendor default.
        if olds and olds.get("default_pool_size") is not None and inputs.default_pool_size is None:
            changes["default_pool_size"] = None
        if olds and olds.get("pool_mode") is not None and inputs.pool_mode is None:
            changes["pool_mode"] = "transaction"
        if changes:
            api.update_pooler_config(ref, changes)
        return self._computed(api, ref)

    def _computed(self, api: SupabaseClient, ref: str) -> dict[str, Any]:
        primary = _primary_pooler(api, ref)
        if primary is None:
            return {}
        return {"pooler_host": primary["db_host"], "pooler_port": primary["db_port"]}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        primary = _primary_pooler(api, ref)
        if primary is None:
            return {}
        current: dict[str, Any] = {"pooler_host": primary["db_host"], "pooler_port": primary["db_port"]}
        if old.get("pool_mode") is not None:
            current["pool_mode"] = primary.get("pool_mode")
        if old.get("default_pool_size") is not None:
            current["default_pool_size"] = primary.get("default_pool_size")
        return current

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_pooler_config(ref, {"pool_mode": "transaction", "default_pool_size": None})


class PoolerConfig(dynamic.Resource, module="supabase", name="PoolerConfig"):
    """The shared pooler (Supavisor) settings."""

    project_ref: pulumi.Output[str]
    pool_mode: pulumi.Output[str | None]
    default_pool_size: pulumi.Output[int | None]
    pooler_host: pulumi.Output[str]
    pooler_port: pulumi.Output[int]

    def __init__(
        self, resource_name: str, args: PoolerConfigArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("pooler_host", "pooler_port"))
        super().__init__(PoolerConfigProvider(), resource_name, props, opts)


# -- NetworkRestrictions ---------------------------------------------------------------------------------
ALLOW_ALL = ("0.0.0.0/0", "::/0")


_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        *("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16"),
        *("fc00::/7", "fe80::/10", "::1/128"),
    )
)


def _is_private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """RFC 1918 / unique-local, loopback and link-local blocks: addresses no client of Supabase has."""
    return any(
        network.version == private.version and network.subnet_of(private)  # type: ignore[arg-type]
        for private in _PRIVATE_NETWORKS
    )


def _canonical_cidrs(values: Sequence[str]) -> list[str]:
    v4: list[str] = []
    v6: list[str] = []
    problems = []
    for value in values:
        try:
            network = ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            problems.append(f"{value!r} is not a CIDR block ({exc})")
            continue
        if network.prefixlen and _is_private(network):
            problems.append(f"{value!r} is a private range, which cannot reach a Supabase database")
            continue
        (v4 if network.version == 4 else v6).append(str(network))
    if problems:
        raise ValueError("; ".join(problems))
    return list(dict.fromkeys(v4)) + list(dict.fromkeys(v6))


class NetworkRestrictionsInputs(_RefInputs):
    allowed_cidrs: list[str]

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return _canonical_cidrs(value)


@dataclass
class NetworkRestrictionsArgs:
    project_ref: pulumi.Input[str]
    allowed_cidrs: pulumi.Input[Sequence[pulumi.Input[str]]]
    """IPv4 and IPv6 blocks allowed to reach Postgres; `[]` blocks every address, `["0.0.0.0/0", "::/0"]`
    allows all (the default). Replaces both lists on every apply."""


class NetworkRestrictionsProvider(_SettingProvider):
    Inputs = NetworkRestrictionsInputs
    kind = "network restrictions"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        v4, v6 = _split(inputs.allowed_cidrs)
        result = api.apply_network_restrictions(ref, ipv4_cidrs=v4, ipv6_cidrs=v6)
        return {"status": result.get("status")}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_network_restrictions(ref)
        config = current.get("config") or {}
        cidrs = list(config.get("dbAllowedCidrs") or []) + list(config.get("dbAllowedCidrsV6") or [])
        return {"allowed_cidrs": cidrs, "status": current.get("status")}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.apply_network_restrictions(ref, ipv4_cidrs=[ALLOW_ALL[0]], ipv6_cidrs=[ALLOW_ALL[1]])


def _split(cidrs: Sequence[str]) -> tuple[list[str], list[str]]:
    v4 = [c for c in cidrs if ipaddress.ip_network(c).version == 4]
    v6 = [c for c in cidrs if ipaddress.ip_network(c).version == 6]
    return v4, v6


class NetworkRestrictions(dynamic.Resource, module="supabase", name="NetworkRestrictions"):
    """Which addresses may connect to the project's database."""

    project_ref: pulumi.Output[str]
    allowed_cidrs: pulumi.Output[list[str]]
    status: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: NetworkRestrictionsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("status",))
        super().__init__(NetworkRestrictionsProvider(), resource_name, props, opts)


# -- SslEnforcement ------------------------------------------------------------------------------------
class SslEnforcementInputs(_RefInputs):
    enforced: bool = True


@dataclass
class SslEnforcementArgs:
    project_ref: pulumi.Input[str]
    enforced: pulumi.Input[bool] = True
    """Reject database connections that do not use TLS."""


class SslEnforcementProvider(_SettingProvider):
    Inputs = SslEnforcementInputs
    kind = "SSL enforcement"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        result = api.update_ssl_enforcement(ref, database=inputs.enforced)
        return {"applied_successfully": bool(result.get("appliedSuccessfully"))}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        current = api.get_ssl_enforcement(ref)
        return {
            "enforced": bool((current.get("currentConfig") or {}).get("database")),
            "applied_successfully": bool(current.get("appliedSuccessfully")),
        }

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        api.update_ssl_enforcement(ref, database=False)


class SslEnforcement(dynamic.Resource, module="supabase", name="SslEnforcement"):
    """Whether the database accepts only TLS connections."""

    project_ref: pulumi.Output[str]
    enforced: pulumi.Output[bool]
    applied_successfully: pulumi.Output[bool]

    def __init__(
        self, resource_name: str, args: SslEnforcementArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("applied_successfully",))
        super().__init__(SslEnforcementProvider(), resource_name, props, opts)


# -- Secrets (edge-function environment) ----------------------------------------------------------------
def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class SecretsInputs(_RefInputs):
    secrets: dict[str, str]

    @field_validator("secrets")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        problems = []
        for name, secret in value.items():
            if name.startswith("SUPABASE_"):
                problems.append(f"{name}: names starting SUPABASE_ are reserved by Supabase")
            elif not name or len(name) > 256:
                problems.append(f"{name!r}: a secret name is 1 to 256 characters")
            if len(secret) > 24576:
                problems.append(f"{name}: a secret value is at most 24576 characters")
        if problems:
            raise ValueError("; ".join(problems))
        return value


@dataclass
class SecretsArgs:
    project_ref: pulumi.Input[str]
    secrets: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    """Edge-function secrets by name (values are secret; names starting `SUPABASE_` are reserved)."""


class SecretsProvider(_SettingProvider):
    Inputs = SecretsInputs
    kind = "edge-function secrets"
    services = ()

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        wanted: dict[str, str] = dict(inputs.secrets)
        old_secrets: dict[str, str] = dict((olds or {}).get("secrets") or {})
        removed = sorted(set(old_secrets) - set(wanted))
        if removed:
            api.delete_secrets(ref, removed)
        changed = {k: v for k, v in wanted.items() if old_secrets.get(k) != v}
        if changed:
            api.create_secrets(ref, changed)
        return {"digests": {name: sha256_hex(value) for name, value in wanted.items()}}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        server = {s.get("name"): s.get("value") for s in api.list_secrets(ref)}
        mine: dict[str, str] = dict(old.get("secrets") or {})
        # A value changed or removed elsewhere drops out, so the next update writes it again.
        kept = {name: value for name, value in mine.items() if server.get(name) == sha256_hex(value)}
        return {"secrets": kept, "digests": {name: server[name] for name in mine if name in server}}

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        names = sorted((old.get("secrets") or {}).keys())
        if names:
            api.delete_secrets(ref, names)


class Secrets(dynamic.Resource, module="supabase", name="Secrets"):
    """Edge-function secrets. Drift is found by comparing SHA-256 digests; values never leave state."""

    project_ref: pulumi.Output[str]
    secrets: pulumi.Output[dict[str, str]]
    digests: pulumi.Output[dict[str, str]]

    def __init__(
        self, resource_name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("digests",))
        super().__init__(SecretsProvider(), resource_name, props, with_secret_outputs(opts, ["secrets"]))


# -- BackupPolicy --------------------------------------------------------------------------------------
class BackupPolicyInputs(_RefInputs):
    pitr_days: int | None = None
    schedule_for: str | None = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")

    @field_validator("pitr_days")
    @classmethod
    def _days(cls, value: int | None) -> int | None:
        if value is not None and value not in PITR_DAYS:
            raise ValueError(
                f"point-in-time recovery keeps {', '.join(map(str, PITR_DAYS))} days; {value} is not offered"
            )
        return value


@dataclass
class BackupPolicyArgs:
    project_ref: pulumi.Input[str]
    pitr_days: pulumi.Input[int] | None = None
    """Point-in-time recovery window (7, 14 or 28 days, the `pitr_<days>` add-on); None turns PITR off.
    Supabase requires at least the Small compute size for PITR."""
    schedule_for: pulumi.Input[str] | None = None
    """Daily backup time, UTC, `HH:MM:SS`."""


class BackupPolicyProvider(_SettingProvider):
    Inputs = BackupPolicyInputs
    kind = "backup policy"
    services = ("db",)

    def _apply(
        self, api: SupabaseClient, ref: str, inputs: Any, olds: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        old_days = (olds or {}).get("pitr_days")
        if inputs.pitr_days is not None and (olds is None or inputs.pitr_days != old_days):
            api.apply_project_addon(ref, addon_type="pitr", addon_variant=f"pitr_{inputs.pitr_days}")
        elif inputs.pitr_days is None and old_days is not None:
            api.remove_project_addon(ref, f"pitr_{int(old_days)}")
        if inputs.schedule_for is not None:
            api.update_backup_schedule(ref, schedule_for=inputs.schedule_for)
        return {"pitr_enabled": inputs.pitr_days is not None}

    def _fetch(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> dict[str, Any]:
        variant = selected_addon(api.list_project_addons(ref), "pitr")
        days = int(variant.removeprefix("pitr_")) if variant else None
        current: dict[str, Any] = {"pitr_days": days, "pitr_enabled": days is not None}
        if old.get("schedule_for") is not None:
            schedule = api.get_backup_schedule(ref)
            current["schedule_for"] = (schedule or {}).get("schedule_for")
        return current

    def _restore(self, api: SupabaseClient, ref: str, old: Mapping[str, Any]) -> None:
        if old.get("pitr_days") is not None:
            # An add-on already removed is fine.
            unless_gone(lambda: api.remove_project_addon(ref, f"pitr_{int(old['pitr_days'])}"))


class BackupPolicy(dynamic.Resource, module="supabase", name="BackupPolicy"):
    """Point-in-time recovery (an add-on) and the daily backup schedule."""

    project_ref: pulumi.Output[str]
    pitr_days: pulumi.Output[int | None]
    pitr_enabled: pulumi.Output[bool]
    schedule_for: pulumi.Output[str | None]

    def __init__(
        self, resource_name: str, args: BackupPolicyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = resource_props(args, ("pitr_enabled",))
        super().__init__(BackupPolicyProvider(), resource_name, props, opts)


__all__ = [
    "ACCESS_TOKEN",
    "API_URL",
    "AuthConfig",
    "AuthConfigArgs",
    "AuthConfigProvider",
    "BackupPolicy",
    "BackupPolicyArgs",
    "BackupPolicyProvider",
    "CredentialsMissingError",
    "NetworkRestrictions",
    "NetworkRestrictionsArgs",
    "NetworkRestrictionsProvider",
    "PoolerConfig",
    "PoolerConfigArgs",
    "PoolerConfigProvider",
    "PostgresConfig",
    "PostgresConfigArgs",
    "PostgresConfigProvider",
    "PostgrestConfig",
    "PostgrestConfigArgs",
    "PostgrestConfigProvider",
    "Project",
    "ProjectArgs",
    "ProjectFailedError",
    "ProjectProvider",
    "Secrets",
    "SecretsArgs",
    "SecretsProvider",
    "SslEnforcement",
    "SslEnforcementArgs",
    "SslEnforcementProvider",
    "SupabaseProvider",
]
