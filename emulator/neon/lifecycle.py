"""Neon operations that change what a branch or a compute is rather than create one: set a branch as the
project's default, restore (reset) a branch from a source, start, suspend and restart a compute.

Choices where the spec is silent: a branch with `expires_at` cannot become the default (400, as the
default branch cannot expire); restore copies the source's roles and databases onto the branch (data is
not modelled), and with `preserve_under_name` the branch's previous state becomes a new branch of that
name, which takes over the branch's children and becomes the restored branch's parent (what `neonctl
branches restore` reads back as the "backup branch"). Starting an active compute, or suspending an idle
one, schedules nothing and answers the compute as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.neon.exceptions import BadRequest, Conflict

if TYPE_CHECKING:
    from emulator.neon.models import Json

Actions = list[tuple[str, str | None, str | None]]


class LifecycleModels:
    """Mixed into `NeonModels`, whose lookups, factories and scheduler these use."""

    state: Json

    if TYPE_CHECKING:

        def project(self, project_id: str) -> Json: ...
        def branch(self, project_id: str, branch_id: str) -> Json: ...
        def endpoint(self, project_id: str, endpoint_id: str) -> Json: ...
        def branches_of(self, project_id: str) -> list[Json]: ...
        def endpoints_of(self, project_id: str, branch_id: str | None = None) -> list[Json]: ...
        def roles_of(self, branch_id: str) -> list[Json]: ...
        def databases_of(self, branch_id: str) -> list[Json]: ...
        def require_idle(self, project_id: str) -> None: ...
        def schedule(self, project_id: str, actions: Actions) -> list[Json]: ...
        def stamp(self, at: float | None = None) -> str: ...
        def _new_branch(
            self, project: Json, name: str, parent: Json | None, protected: bool, *, init_source: str = ...
        ) -> Json: ...
        def _new_role(self, branch_id: str, name: str, password: str | None = None) -> Json: ...
        def _new_database(self, branch_id: str, name: str, owner: str) -> Json: ...

    # -- branches -----------------------------------------------------------------------------------
    def set_default_branch(self, project_id: str, branch_id: str) -> Json:
        from emulator.neon.models import public

        branch = self.branch(project_id, branch_id)
        self.require_idle(project_id)
        if branch.get("expires_at"):
            raise BadRequest("a branch with an expiration time cannot be the default branch")
        for other in self.branches_of(project_id):
            if other["default"] and other["id"] != branch_id:
                other["default"] = other["primary"] = False
                other["updated_at"] = self.stamp()
        branch["default"] = branch["primary"] = True
        branch["updated_at"] = self.stamp()
        return {"branch": public(branch), "operations": []}

    def restore_branch(self, project_id: str, branch_id: str, spec: Json) -> Json:
        from emulator.neon.models import public

        project = self.project(project_id)
        branch = self.branch(project_id, branch_id)
        source_id = spec.get("source_branch_id")
        if not isinstance(source_id, str) or not source_id:
            raise BadRequest(
                "invalid request: decode application/json: invalid: source_branch_id (field required)"
            )
        self.branch(project_id, source_id)
        point_in_time = spec.get("source_lsn") or spec.get("source_timestamp")
        preserve = spec.get("preserve_under_name") or None
        children = [b for b in self.branches_of(project_id) if b.get("parent_id") == branch_id]
        if source_id == branch_id and not point_in_time:
            raise BadRequest("restoring a branch to itself needs source_lsn or source_timestamp")
        if (children or source_id == branch_id) and not preserve:
            raise BadRequest(
                "preserve_under_name is required when the branch has children or is its own source"
            )
        if preserve is not None:
            if not isinstance(preserve, str) or len(preserve) > 256:
                raise BadRequest("invalid request: preserve_under_name must be at most 256 characters")
            if any(b["name"] == preserve for b in self.branches_of(project_id)):
                raise Conflict(f'branch already exists; branch_name:"{preserve}"')
        self.require_idle(project_id)
        endpoints = self.endpoints_of(project_id, branch_id)
        actions: Actions = [("suspend_compute", branch_id, e["id"]) for e in endpoints]
        if preserve is not None:
            parent = self.state["branches"].get(branch.get("parent_id") or "")
            backup = self._new_branch(project, preserve, parent, False)
            # A backup of a root branch is a root too, never a second default.
            backup["current_state"] = "ready"
            backup["default"] = backup["primary"] = False
            backup.pop("pending_state", None)
            for role in self.roles_of(branch_id):
                self._new_role(backup["id"], role["name"], role["_password"])
            for database in self.databases_of(branch_id):
                self._new_database(backup["id"], database["name"], database["owner_name"])
            for child in children:
                child["parent_id"] = backup["id"]
            branch["parent_id"] = backup["id"]
        # The branch now holds the source's roles and databases (its schema, at that point in time).
        if source_id != branch_id:
            source_roles = {r["name"]: r["_password"] for r in self.roles_of(source_id)}
            source_databases = [(d["name"], d["owner_name"]) for d in self.databases_of(source_id)]
            for table in ("roles", "databases"):
                self.state[table] = {
                    k: v for k, v in self.state[table].items() if v["branch_id"] != branch_id
                }
            for name, password in source_roles.items():
                self._new_role(branch_id, name, password)
            for name, owner in source_databases:
                self._new_database(branch_id, name, owner)
        actions.append(("create_timeline", branch_id, None))
        actions += [("start_compute", branch_id, e["id"]) for e in endpoints]
        branch["last_reset_at"] = branch["updated_at"] = self.stamp()
        if isinstance(spec.get("source_timestamp"), str):
            branch["parent_timestamp"] = spec["source_timestamp"]
        if isinstance(spec.get("source_lsn"), str):
            branch["parent_lsn"] = spec["source_lsn"]
        return {"branch": public(branch), "operations": self.schedule(project_id, actions)}

    # -- computes -----------------------------------------------------------------------------------
    def start_endpoint(self, project_id: str, endpoint_id: str) -> Json:
        return self._compute_action(project_id, endpoint_id, ["start_compute"], "active")

    def suspend_endpoint(self, project_id: str, endpoint_id: str) -> Json:
        return self._compute_action(project_id, endpoint_id, ["suspend_compute"], "idle")

    def restart_endpoint(self, project_id: str, endpoint_id: str) -> Json:
        return self._compute_action(project_id, endpoint_id, ["suspend_compute", "start_compute"], "active")

    def _compute_action(self, project_id: str, endpoint_id: str, steps: list[str], target: str) -> Json:
        from emulator.neon.models import public

        endpoint = self.endpoint(project_id, endpoint_id)
        self.require_idle(project_id)
        if endpoint.get("disabled") and target == "active":
            raise BadRequest("the compute endpoint is disabled; enable it before starting it")
        if len(steps) == 1 and endpoint["current_state"] == target:
            return {"endpoint": public(endpoint), "operations": []}
        endpoint["pending_state"] = target
        endpoint["updated_at"] = self.stamp()
        if target == "idle":
            endpoint["suspended_at"] = self.stamp()
        actions: Actions = [(step, endpoint["branch_id"], endpoint_id) for step in steps]
        return {"endpoint": public(endpoint), "operations": self.schedule(project_id, actions)}


def check_endpoint_name(value: Any) -> str:
    """An endpoint's optional `name`: 1 to 64 characters."""
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise BadRequest("invalid request: endpoint name must be 1 to 64 characters")
    return value
