"""Supabase `Branch` (`pulumi-python:dynamic/supabase:Branch`): a preview branch of a project, with a
database of its own (`POST /v1/projects/{ref}/branches`).

A branch is a project of its own (`project_ref`, 20 letters) made from its parent. Creation returns at
once; the branch's database comes up later, so create waits (with progress and back-off) until
`GET /v1/branches/{ref}` reports ACTIVE_HEALTHY and gives its host and credentials. A POST whose answer is
lost is never repeated blindly: the parent's branches are listed and the one by that name adopted.
Deleting uses `force=true` (at once, no grace hour). The id is the branch's project ref.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import pulumi
from pulumi import dynamic
from pydantic import BaseModel, Field, field_validator

from providers.adoption import OUTCOME_UNKNOWN, CreateOutcomeUnknownError
from providers.base import (
    INPUTS_CONFIG,
    changed_keys,
    poll_until,
    report_progress,
    resource_props,
    validate_or_raise,
    with_secret_outputs,
)
from providers.http import AmbiguousRequestError, ApiError
from providers.pending_create import PendingCreate, report_created_id
from providers.supabase.client import (
    INSTANCE_SIZES,
    REGIONS,
    STATUS_ACTIVE,
    STATUS_FAILED,
    VENDOR,
    SupabaseClient,
)
from providers.supabase.resources import DATABASE_NAME, DIRECT_PORT, REF_PATTERN, SupabaseProvider

# BranchResponse.status (deprecated but the only per-branch progress the API gives).
BRANCH_READY = frozenset({"FUNCTIONS_DEPLOYED"})
BRANCH_FAILED = frozenset({"MIGRATIONS_FAILED", "FUNCTIONS_FAILED"})
BRANCH_INPUT_KEYS = ("parent_ref", "branch_name", "git_branch", "persistent", "region", "instance_size")


class BranchFailedError(Exception):
    pass


class BranchInputs(BaseModel):
    model_config = INPUTS_CONFIG
    parent_ref: str = Field(pattern=REF_PATTERN, description="the project the branch is made from")
    branch_name: str = Field(min_length=1, max_length=256)
    git_branch: str | None = Field(default=None, min_length=1)
    persistent: bool = False
    region: str | None = None
    instance_size: str | None = None
    create_timeout_seconds: float = Field(default=900.0, gt=0, le=3 * 3600)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is not None and value not in REGIONS:
            raise ValueError(f"unknown Supabase region {value!r}; valid regions: {', '.join(REGIONS)}")
        return value

    @field_validator("instance_size")
    @classmethod
    def _known_size(cls, value: str | None) -> str | None:
        # Branch creation still lists `pico`, which new projects no longer take.
        if value is not None and value not in (*INSTANCE_SIZES, "pico"):
            raise ValueError(f"unknown instance size {value!r}; valid sizes: {', '.join(INSTANCE_SIZES)}")
        return value


class BranchProvider(SupabaseProvider):
    Inputs = BranchInputs
    replace_keys = frozenset({"parent_ref", "region", "instance_size"})

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = validate_or_raise(BranchInputs, props)
        api = self._client()
        subject = f"Supabase branch {inputs.branch_name} of {inputs.parent_ref}"
        body: dict[str, Any] = {"branch_name": inputs.branch_name, "persistent": inputs.persistent}
        if inputs.git_branch:
            body["git_branch"] = inputs.git_branch
        if inputs.region:
            body["region"] = inputs.region
        if inputs.instance_size:
            body["desired_instance_size"] = inputs.instance_size
        try:
            branch = api.create_branch(inputs.parent_ref, body)
        except AmbiguousRequestError as exc:
            branch = self._adopt(api, inputs, exc)
        ref = str(branch["project_ref"])
        report_created_id(ref)
        subject = f"{subject} ({ref})"
        report_progress(subject, f"created, waiting for {STATUS_ACTIVE}")
        try:
            detail = self._wait_ready(api, inputs, ref, subject, inputs.create_timeout_seconds)
        except Exception as exc:
            try:
                api.delete_branch(ref)
                report_progress(subject, f"create failed ({type(exc).__name__}); the branch was deleted")
            except ApiError as cleanup:
                exc.add_note(f"The branch {ref} could not be deleted after the failure ({cleanup.message}).")
            raise
        return dynamic.CreateResult(ref, self._outputs(inputs, branch, detail))

    def _adopt(self, api: SupabaseClient, inputs: BranchInputs, exc: AmbiguousRequestError) -> dict[str, Any]:
        """The POST may have made the branch: adopt the parent's branch of that name, or say it is absent."""
        report_progress(
            f"Supabase branch {inputs.branch_name}",
            f"create got no clear answer ({exc.message}); looking it up",
        )
        try:
            found = self._same_name(api, inputs)
        except Exception as lookup:
            raise CreateOutcomeUnknownError(
                f"Supabase branch {inputs.branch_name!r} of {inputs.parent_ref}: {OUTCOME_UNKNOWN} the "
                f"create's answer was lost ({exc}) and looking for what it made failed too ({lookup})"
            ) from exc
        if len(found) == 1:
            report_progress(f"Supabase branch {inputs.branch_name}", f"adopted {found[0].get('project_ref')}")
            return found[0]
        raise ApiError(
            vendor=VENDOR,
            operation="v1-create-a-branch",
            message=(
                f"the create request failed ambiguously ({exc.message}) and no branch named "
                f"{inputs.branch_name!r} appeared on {inputs.parent_ref}; nothing was created, run the "
                "update again"
            ),
            status=exc.status,
            request_id=exc.request_id,
        )

    @staticmethod
    def _same_name(api: SupabaseClient, inputs: BranchInputs) -> list[dict[str, Any]]:
        return [b for b in api.list_branches(inputs.parent_ref) if b.get("name") == inputs.branch_name]

    def find_created(self, props: dict[str, Any], _pending: PendingCreate) -> list[str]:
        # Branch names are unique in their parent project.
        inputs = validate_or_raise(BranchInputs, props)
        return [str(b["project_ref"]) for b in self._same_name(self._client(), inputs)]

    def resolve_created(
        self,
        id_: str,
        props: dict[str, Any],
        pending: PendingCreate,
        read: Callable[[str, dict[str, Any]], dynamic.ReadResult],
    ) -> dynamic.ReadResult:
        """Wait, as create would have, until the branch is ready; its outputs as create answers them."""
        inputs = validate_or_raise(BranchInputs, props)
        api = self._client()
        branch = next((b for b in api.list_branches(inputs.parent_ref) if b.get("project_ref") == id_), None)
        if branch is None:
            return dynamic.ReadResult(None, {})
        subject = f"Supabase branch {inputs.branch_name} of {inputs.parent_ref} ({id_})"
        detail = self._wait_ready(api, inputs, id_, subject, inputs.create_timeout_seconds)
        outs = self._outputs(inputs, branch, detail)
        return dynamic.ReadResult(id_, outs, inputs.model_dump(mode="json", exclude_none=True))

    def describe_created(self, props: Mapping[str, Any]) -> str:
        return f"Supabase branch {props.get('branch_name')!r} of {props.get('parent_ref')}"

    def _wait_ready(
        self, api: SupabaseClient, inputs: BranchInputs, ref: str, subject: str, timeout: float
    ) -> dict[str, Any]:
        """Until the branch's project is ACTIVE_HEALTHY with a database host and the branch itself is past
        its migrations (FUNCTIONS_DEPLOYED); fails fast on a failed project or failed migrations."""

        def fetch() -> dict[str, Any]:
            detail = api.get_branch_config(ref)
            if detail is None:
                raise BranchFailedError(f"{subject}: the branch no longer exists (404)")
            if detail.get("status") == STATUS_ACTIVE:
                branch = api.get_branch(inputs.parent_ref, inputs.branch_name) or {}
                detail = {**detail, "branch_status": branch.get("status")}
            return detail

        def done(detail: dict[str, Any]) -> bool:
            status = detail.get("status")
            if status in STATUS_FAILED:
                raise BranchFailedError(f"{subject}: the branch is {status}, it will not become healthy")
            if detail.get("branch_status") in BRANCH_FAILED:
                raise BranchFailedError(f"{subject}: {detail['branch_status']}")
            return (
                status == STATUS_ACTIVE
                and bool(detail.get("db_host"))
                and detail.get("branch_status") in BRANCH_READY
            )

        return poll_until(
            fetch,
            done,
            subject=subject,
            describe=lambda d: " ".join(str(d.get(k)) for k in ("status", "branch_status") if d.get(k)),
            policy=self._policy(timeout),
            sleep=self.sleep,
            clock=self.clock,
        )

    def _outputs(
        self, inputs: BranchInputs, branch: dict[str, Any], detail: dict[str, Any]
    ) -> dict[str, Any]:
        ref = str(detail.get("ref") or branch.get("project_ref"))
        user = str(detail.get("db_user") or "postgres")
        password = str(detail.get("db_pass") or "")
        host = str(detail["db_host"])
        port = int(detail.get("db_port") or DIRECT_PORT)
        uri = f"postgresql://{user}:{quote(password, safe='')}@{host}:{port}/{DATABASE_NAME}"
        # The branch's own API keys: a fork of the app must not keep talking to the parent's Auth.
        keys = self._client().get_api_keys(ref, reveal=True)
        legacy = {k.get("name"): k.get("api_key") for k in keys if k.get("type") == "legacy"}
        return {
            "anon_key": legacy.get("anon"),
            "service_role_key": legacy.get("service_role"),
            **inputs.model_dump(mode="json", exclude_none=True),
            "ref": ref,
            "branch_id": branch.get("id"),
            "status": detail.get("status"),
            "api_url": f"https://{ref}.supabase.co",
            "database_host": host,
            "database_port": port,
            "database_name": DATABASE_NAME,
            "database_user": user,
            "database_password": password,
            "connection_uri": uri,
            # Branches share the parent's pooler setup; the direct connection is what a preview needs.
            "pooled_connection_uri": uri,
        }

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = validate_or_raise(BranchInputs, news)
        api = self._client()
        changes: dict[str, Any] = {}
        if "branch_name" in changed_keys(olds, news, ("branch_name",)):
            changes["branch_name"] = inputs.branch_name
        if "git_branch" in changed_keys(olds, news, ("git_branch",)):
            changes["git_branch"] = inputs.git_branch
        if "persistent" in changed_keys(olds, news, ("persistent",)):
            changes["persistent"] = inputs.persistent
        branch = api.update_branch(id_, changes) if changes else {"id": olds.get("branch_id")}
        subject = f"Supabase branch {inputs.branch_name} ({id_})"
        detail = self._wait_ready(api, inputs, id_, subject, inputs.create_timeout_seconds)
        return dynamic.UpdateResult(self._outputs(inputs, {"project_ref": id_, **branch}, detail))

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        api = self._client()
        detail = api.get_branch_config(id_)
        if detail is None:
            return dynamic.ReadResult(None, {})
        inputs = validate_or_raise(
            BranchInputs, {k: v for k, v in props.items() if k in BranchInputs.model_fields}
        )
        listed = next((b for b in api.list_branches(inputs.parent_ref) if b.get("project_ref") == id_), None)
        if listed is not None:
            inputs = inputs.model_copy(
                update={
                    "branch_name": listed.get("name") or inputs.branch_name,
                    "git_branch": listed.get("git_branch", inputs.git_branch),
                    "persistent": bool(listed.get("persistent", inputs.persistent)),
                }
            )
        if not detail.get("db_host"):
            detail = {**detail, "db_host": props.get("database_host")}
        outs = self._outputs(inputs, listed or {"project_ref": id_, "id": props.get("branch_id")}, detail)
        return dynamic.ReadResult(id_, outs, inputs.model_dump(mode="json", exclude_none=True))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._client().delete_branch(id_)


@dataclass
class BranchArgs:
    parent_ref: pulumi.Input[str]
    """The project the branch is made from (its `ref`); change replaces."""
    branch_name: pulumi.Input[str]
    git_branch: pulumi.Input[str] | None = None
    persistent: pulumi.Input[bool] | None = None
    """False (default): a preview branch, paused when idle and meant to be deleted with its pull request."""
    region: pulumi.Input[str] | None = None
    instance_size: pulumi.Input[str] | None = None
    create_timeout_seconds: pulumi.Input[float] | None = None


class Branch(dynamic.Resource, module="supabase", name="Branch"):
    """A Supabase branch of a project, with its own database and connection strings."""

    parent_ref: pulumi.Output[str]
    branch_name: pulumi.Output[str]
    ref: pulumi.Output[str]
    branch_id: pulumi.Output[str]
    status: pulumi.Output[str]
    api_url: pulumi.Output[str]
    database_host: pulumi.Output[str]
    database_port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    database_user: pulumi.Output[str]
    database_password: pulumi.Output[str]
    anon_key: pulumi.Output[str]
    service_role_key: pulumi.Output[str]
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]

    SECRET_OUTPUTS: ClassVar[tuple[str, ...]] = (
        "anon_key",
        "service_role_key",
        "database_password",
        "connection_uri",
        "pooled_connection_uri",
    )
    OUTPUTS: ClassVar[tuple[str, ...]] = (
        "anon_key",
        "service_role_key",
        "ref",
        "branch_id",
        "status",
        "api_url",
        "database_host",
        "database_port",
        "database_name",
        "database_user",
        "database_password",
        "connection_uri",
        "pooled_connection_uri",
    )

    def __init__(
        self, resource_name: str, args: BranchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            BranchProvider(),
            resource_name,
            resource_props(args, self.OUTPUTS),
            with_secret_outputs(opts, self.SECRET_OUTPUTS),
        )
