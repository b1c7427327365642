"""Supabase Project: its inputs model, provider, Args and Resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator

from providers.adoption import create_or_adopt
from providers.backoff import backoff_scale
from providers.base import (
    INPUTS_CONFIG,
    changed_keys,
    poll_until,
    report_progress,
    resource_props,
    strip_provider,
    validate_or_raise,
    with_secret_outputs,
)
from providers.http import ApiError
from providers.pending_create import PendingCreate, made_since_started, report_created_id
from providers.supabase.base import (
    CLEANUP_TIMEOUT_SECONDS,
    DATABASE_NAME,
    DATABASE_USER,
    DEFAULT_CREATE_TIMEOUT_SECONDS,
    DIRECT_PORT,
    MIN_PASSWORD_LENGTH,
    SupabaseProvider,
    _direct_uri,
    _primary_pooler,
)
from providers.supabase.client import (
    INSTANCE_SIZES,
    PASSWORD_PLACEHOLDER,
    REGIONS,
    STATUS_ACTIVE,
    STATUS_GONE,
    VENDOR,
    SupabaseClient,
    selected_addon,
)
from providers.supabase.client import (
    Project as ProjectObject,
)


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
        report_created_id(ref)
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
                self.sleep(wait * backoff_scale())
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

    # -- a pending create (see providers/pending_create.py) -------------------------------------------------
    def find_created(self, props: dict[str, Any], pending: PendingCreate) -> list[str]:
        # Names are unique per organization only by convention: one of this name made since the create
        # started is ours.
        inputs = validate_or_raise(ProjectInputs, props)
        same_name = [
            p
            for p in self._client().list_projects()
            if p["name"] == inputs.name
            and p["organization_slug"] == inputs.organization_slug
            and p["status"] not in STATUS_GONE
        ]
        return made_since_started(
            same_name, pending, f"Supabase project {inputs.name!r}", stamp="created_at", key="ref"
        )

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """Wait for ACTIVE_HEALTHY as create would have; the outputs as create answers them."""
        inputs = validate_or_raise(ProjectInputs, props)
        api = self._client()
        project = api.get_project(id_)
        if project is None or project["status"] in STATUS_GONE:
            return dynamic.ReadResult(None, {})
        subject = f"Supabase project {inputs.name} ({id_})"
        project = self._wait_for_project(api, id_, subject=subject, timeout=inputs.create_timeout_seconds)
        outs = self._outputs(api, inputs.model_dump(mode="json", exclude_none=True), project)
        return dynamic.ReadResult(id_, outs, inputs.model_dump(mode="json", exclude_none=True))

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
