"""Supabase branching (preview environments), as the Management API's published spec has it.

A branch is a record on its parent project (`BranchResponse`) plus, for every branch but the default
one, a project of its own: its own 20-letter ref, database host, password and JWT secret, which
`GET /v1/branches/{ref}` reveals (`BranchDetailResponse`). The default branch (`is_default: true`) is
the parent project itself (its `project_ref` is the parent's ref).

Lifecycle (emulated time, one step per look at time scale 0): the branch's project comes up as any
project does (`preview_project_status` follows it) while the branch is `CREATING_PROJECT`; then the
branch is `RUNNING_MIGRATIONS`, `MIGRATIONS_PASSED` and finally `FUNCTIONS_DEPLOYED`, which is ready.
Delete (`force=true`, the default) takes the branch's project down at once; `force=false` sets
`deletion_scheduled_at` an hour ahead and the branch goes when the clock passes it.

Choices where the spec is silent: a second branch of the same name, or a second default branch, is 409
`{"message": ...}`; a branch of a branch is 400; a parent project that is not ACTIVE_HEALTHY is 400;
an unknown branch is 404 `Branch not found`.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from typing import TYPE_CHECKING, Any

from emulator.core.vendor import EmuRequest, EmuResponse
from emulator.supabase.exceptions import BadRequest, Conflict, NotFound
from emulator.supabase.models import iso, sha256_hex

if TYPE_CHECKING:
    from emulator.core.vendor import VendorHost
    from emulator.supabase.models import SupabaseState

# The branch statuses after its project is up, each as long as its `models.TIMINGS` entry.
BRANCH_STEPS: tuple[tuple[str, str], ...] = (
    ("RUNNING_MIGRATIONS", "branch_migrations_seconds"),
    ("MIGRATIONS_PASSED", "branch_functions_seconds"),
)
READY_STATUS = "FUNCTIONS_DEPLOYED"
DELETION_GRACE_SECONDS = 3600.0
BRANCH_INSTANCE_SIZES = frozenset(
    {
        "pico", "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
        "12xlarge", "16xlarge", "24xlarge", "24xlarge_optimized_memory", "24xlarge_optimized_cpu",
        "24xlarge_high_memory", "48xlarge", "48xlarge_optimized_memory", "48xlarge_optimized_cpu",
        "48xlarge_high_memory",
    }
)  # fmt: skip
RELEASE_CHANNELS = ("internal", "alpha", "beta", "ga", "withdrawn", "preview")
POSTGRES_ENGINES = ("15", "17", "17-oriole")
BRANCH_STATUSES = (
    "CREATING_PROJECT",
    "RUNNING_MIGRATIONS",
    "MIGRATIONS_PASSED",
    "MIGRATIONS_FAILED",
    "FUNCTIONS_DEPLOYED",
    "FUNCTIONS_FAILED",
)
REF_OR_UUID_RE = re.compile(r"^([a-z]{20}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
URI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")


def _password() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))


def public_branch(branch: dict[str, Any]) -> dict[str, Any]:
    """A branch record as `BranchResponse`: without the emulator's `_` fields."""
    return {k: v for k, v in branch.items() if not k.startswith("_")}


class BranchResponses:
    """The branch operations; mixed into `SupabaseResponses` (which provides the helpers below)."""

    app: VendorHost
    state: SupabaseState

    if TYPE_CHECKING:

        @property
        def clock(self) -> Any: ...

        def timings(self) -> dict[str, float]: ...

        def _project(self, params: dict[str, str], *, observe: bool = True) -> dict[str, Any]: ...

    # -- helpers ----------------------------------------------------------------------------------------
    def _sweep_branches(self, parent: dict[str, Any]) -> None:
        """Branches whose scheduled deletion time has passed go, with their projects."""
        now = self.clock.now()
        for branch in list(parent["branches"]):
            if branch.get("_delete_at") is not None and branch["_delete_at"] <= now:
                self._remove_branch(parent, branch)

    def _remove_branch(self, parent: dict[str, Any], branch: dict[str, Any]) -> None:
        parent["branches"].remove(branch)
        if branch["is_default"]:
            return
        project = self.state.projects.get(branch["project_ref"])
        if project is not None and project["status"] not in ("GOING_DOWN", "REMOVED"):
            self.state.start_transition(
                project, self.clock, "GOING_DOWN", [["REMOVED", self.timings()["delete_seconds"]]]
            )
            project["deleted"] = True

    def remove_all_branches(self, parent: dict[str, Any]) -> None:
        """The parent project goes (or branching is disabled): every branch goes with it."""
        for branch in list(parent["branches"]):
            self._remove_branch(parent, branch)

    def _branch_view(self, branch: dict[str, Any]) -> dict[str, Any]:
        """The branch as a client sees it now; looking moves its lifecycle on."""
        project = self.state.projects.get(branch["project_ref"])
        if project is None:
            return public_branch(branch)
        if not branch["is_default"]:
            self.state.observe(project, self.clock)
            project = self.state.projects.get(branch["project_ref"])
            if project is None:
                branch["preview_project_status"] = "REMOVED"
                return public_branch(branch)
        branch["preview_project_status"] = project["status"]
        if branch["status"] == "CREATING_PROJECT" and project["status"] == "ACTIVE_HEALTHY":
            self._branch_step(branch, BRANCH_STEPS[0][0])
        else:
            for index, (status, timing) in enumerate(BRANCH_STEPS):
                if branch["status"] != status:
                    continue
                branch["_observations"] += 1
                if self.clock.reached(
                    branch["_phase_started"], self.timings()[timing], branch["_observations"]
                ):
                    following = BRANCH_STEPS[index + 1][0] if index + 1 < len(BRANCH_STEPS) else READY_STATUS
                    self._branch_step(branch, following)
                break
        return public_branch(branch)

    def _branch_step(self, branch: dict[str, Any], status: str) -> None:
        branch["status"] = status
        branch["_phase_started"] = self.clock.now()
        branch["_observations"] = 0
        branch["updated_at"] = iso(self.clock.now())

    def _find_branch(self, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(parent project, branch) for a branch's project ref or (deprecated) its id."""
        if not REF_OR_UUID_RE.match(key):
            raise BadRequest("branch_id_or_ref must be a project ref or a branch id")
        for parent in list(self.state.projects.values()):
            self._sweep_branches(parent)
            for branch in parent["branches"]:
                if key in (branch["id"], branch["project_ref"]):
                    return parent, branch
        raise NotFound("Branch not found")

    def _check_body(self, body: dict[str, Any], *, create: bool) -> None:
        strings = ("branch_name", "git_branch", "region", "notify_url") if create else (
            "branch_name", "git_branch", "notify_url"
        )  # fmt: skip
        for key in strings:
            if key in body and not isinstance(body[key], str):
                raise BadRequest(f"{key} must be a string")
        for key in ("is_default", "persistent", "with_data", "request_review", "reset_on_push"):
            if key in body and not isinstance(body[key], bool):
                raise BadRequest(f"{key} must be a boolean value")
        if "branch_name" in body and not body["branch_name"]:
            raise BadRequest("branch_name should not be empty")
        if "notify_url" in body and not URI_RE.match(body["notify_url"]):
            raise BadRequest("notify_url must be a URL address")
        enums: tuple[tuple[str, Any], ...] = (
            ("desired_instance_size", BRANCH_INSTANCE_SIZES),
            ("release_channel", RELEASE_CHANNELS),
            ("postgres_engine", POSTGRES_ENGINES),
            ("status", BRANCH_STATUSES),
        )
        for key, allowed in enums:
            if key in body and body[key] not in allowed:
                raise BadRequest(f"{key} must be one of the following values: {', '.join(sorted(allowed))}")
        if "secrets" in body and (
            not isinstance(body["secrets"], dict)
            or not all(isinstance(v, str) for v in body["secrets"].values())
        ):
            raise BadRequest("secrets must be an object of strings")

    # -- operations -------------------------------------------------------------------------------------
    def list_branches(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        parent = self._project(params)
        self._sweep_branches(parent)
        return EmuResponse(status=200, body=[self._branch_view(b) for b in list(parent["branches"])])

    def get_branch_by_name(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        parent = self._project(params)
        self._sweep_branches(parent)
        for branch in parent["branches"]:
            if branch["name"] == params["name"]:
                return EmuResponse(status=200, body=self._branch_view(branch))
        raise NotFound("Branch not found")

    def create_branch(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        from emulator.supabase.responses import REGIONS

        parent = self._project(params)
        if not isinstance(req.body, dict):
            raise BadRequest("Request body must be a JSON object")
        body: dict[str, Any] = req.body
        if not isinstance(body.get("branch_name"), str):
            raise BadRequest("branch_name must be a string")
        self._check_body(body, create=True)
        if parent.get("parent_ref"):
            raise BadRequest("Cannot create a branch of a branch: use the main project's ref")
        if parent["status"] != "ACTIVE_HEALTHY":
            raise BadRequest(f"Project is not ready: its status is {parent['status']}")
        region = body.get("region", parent["region"])
        if region not in REGIONS:
            raise BadRequest(f"region must be one of the following values: {', '.join(REGIONS)}")
        self._sweep_branches(parent)
        name = body["branch_name"]
        if any(b["name"] == name for b in parent["branches"]):
            raise Conflict(f"A branch named {name} already exists")
        is_default = bool(body.get("is_default", False))
        if is_default and any(b["is_default"] for b in parent["branches"]):
            raise Conflict("The project already has a default branch")
        now = iso(self.clock.now())
        branch: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "name": name,
            "project_ref": parent["ref"],
            "parent_project_ref": parent["ref"],
            "is_default": is_default,
            "persistent": bool(body.get("persistent", False)),
            "status": "CREATING_PROJECT",
            "created_at": now,
            "updated_at": now,
            "with_data": bool(body.get("with_data", False)),
            "preview_project_status": parent["status"],
            "_phase_started": self.clock.now(),
            "_observations": 0,
        }
        for key in ("git_branch", "notify_url"):
            if key in body:
                branch[key] = body[key]
        if is_default:
            branch["status"] = READY_STATUS
        else:
            db_pass = _password()
            project = self.state.create_project(
                clock=self.clock,
                timings=self.timings(),
                name=name,
                organization_slug=parent["organization_slug"],
                region=str(region),
                db_pass=db_pass,
                instance_size=str(body.get("desired_instance_size") or "micro"),
            )
            project["parent_ref"] = parent["ref"]
            project["branch_db_pass"] = db_pass
            engine = str(body.get("postgres_engine") or "17")
            project["database"].update(
                postgres_engine=engine,
                release_channel=str(body.get("release_channel") or "ga"),
                version="15.8.1.085" if engine == "15" else project["database"]["version"],
            )
            for secret_name, value in (body.get("secrets") or {}).items():
                project["secrets"][secret_name] = {"digest": sha256_hex(value), "updated_at": now}
            branch["project_ref"] = project["ref"]
            branch["preview_project_status"] = project["status"]
        parent["branches"].append(branch)
        return EmuResponse(status=201, body=public_branch(branch))

    def get_branch(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        _parent, branch = self._find_branch(params["branch_id_or_ref"])
        self._branch_view(branch)
        project = self.state.projects.get(branch["project_ref"])
        if project is None:
            raise NotFound("Branch not found")
        database = project["database"]
        detail: dict[str, Any] = {
            "ref": project["ref"],
            "postgres_version": database["version"],
            "postgres_engine": database["postgres_engine"],
            "release_channel": database["release_channel"],
            "status": project["status"],
            "db_host": database["host"],
            "db_port": 5432,
            "db_user": "postgres",
            "jwt_secret": project["jwt_secret"],
        }
        if project.get("branch_db_pass"):
            detail["db_pass"] = project["branch_db_pass"]
        return EmuResponse(status=200, body=detail)

    def update_branch(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        parent, branch = self._find_branch(params["branch_id_or_ref"])
        if not isinstance(req.body, dict):
            raise BadRequest("Request body must be a JSON object")
        body: dict[str, Any] = req.body
        self._check_body(body, create=False)
        name = body.get("branch_name")
        if name is not None and name != branch["name"]:
            if any(b["name"] == name for b in parent["branches"]):
                raise Conflict(f"A branch named {name} already exists")
            branch["name"] = name
            project = self.state.projects.get(branch["project_ref"])
            if project is not None and not branch["is_default"]:
                project["name"] = name
        for key in ("git_branch", "persistent", "notify_url", "status"):
            if key in body:
                branch[key] = body[key]
        if body.get("request_review"):
            branch["review_requested_at"] = iso(self.clock.now())
        branch["updated_at"] = iso(self.clock.now())
        return EmuResponse(status=200, body=self._branch_view(branch))

    def delete_branch(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        parent, branch = self._find_branch(params["branch_id_or_ref"])
        force = req.query.get("force", "true").lower()
        if force not in ("true", "false"):
            raise BadRequest("force must be a boolean value")
        if branch["is_default"]:
            raise BadRequest("The default branch cannot be deleted; disable branching instead")
        if force == "true":
            self._remove_branch(parent, branch)
        else:
            moment = self.clock.now() + DELETION_GRACE_SECONDS
            branch["_delete_at"] = moment
            branch["deletion_scheduled_at"] = iso(moment)
        return EmuResponse(status=200, body={"message": "ok"})

    def disable_branching(self, req: EmuRequest, params: dict[str, str]) -> EmuResponse:
        parent = self._project(params)
        self.remove_all_branches(parent)
        return EmuResponse(status=200, body=None)
