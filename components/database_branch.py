"""DatabaseBranch: a pull request's own database, made from its base stack's.

- Neon: a branch of the base's default branch (its data as of now) with its own read_write endpoint and
  its own role, expiring a few days ahead as a safety net should the pull request's stack never be
  destroyed.
- Supabase: a preview branch of the base project (`persistent: false`), waited for until ready; it has
  its own project ref, database and password.
- Railway: a new, empty Postgres service in the pull request's forked environment (a service created in
  a fork exists only there), under a name of its own beside the base's copied, never-deployed one.

Its outputs match `Database`'s, so services are wired to either the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pulumi

from components.database import Database, DatabaseArgs
from providers import neon, supabase


@dataclass
class DatabaseBranchArgs:
    engine: Literal["neon", "supabase", "railway"]
    name: str
    """Name of the branch (Neon, Supabase) or of the Railway service, e.g. `pr-7`."""
    # Neon
    neon_project_id: pulumi.Input[str] | None = None
    neon_parent_branch_id: pulumi.Input[str] | None = None
    database_name: pulumi.Input[str] | None = None
    role_name: str | None = None
    expires_in_seconds: float = 3 * 86400
    min_cu: float | None = None
    max_cu: float | None = None
    # Supabase
    supabase_parent_ref: pulumi.Input[str] | None = None
    git_branch: str | None = None
    # Railway
    railway: DatabaseArgs | None = None
    """The new Postgres service's settings (project, forked environment, region, size)."""


class DatabaseBranch(pulumi.ComponentResource):
    connection_uri: pulumi.Output[str]
    pooled_connection_uri: pulumi.Output[str]
    external_uri: pulumi.Output[str | None]
    host: pulumi.Output[str]
    branch: pulumi.Output[str]
    """What the pull request's comment names: the Neon branch id, the Supabase branch ref, the service."""

    def __init__(
        self, name: str, args: DatabaseBranchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:components:DatabaseBranch", name, None, opts)
        self.extra_variables: dict[str, pulumi.Output[str]] = {}
        self.secret_extra_variables: dict[str, pulumi.Output[str]] = {}
        {"neon": self._neon, "supabase": self._supabase, "railway": self._railway}[args.engine](name, args)
        self.register_outputs(
            {
                "engine": args.engine,
                "branch": self.branch,
                "host": self.host,
                "connection_uri": self.connection_uri,
                "pooled_connection_uri": self.pooled_connection_uri,
            }
        )

    def _neon(self, name: str, args: DatabaseBranchArgs) -> None:
        if args.neon_project_id is None or args.neon_parent_branch_id is None or args.database_name is None:
            raise ValueError(f"{name}: a Neon branch needs the base's project, default branch and database")
        child = pulumi.ResourceOptions(parent=self)
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=args.expires_in_seconds)
        branch = neon.Branch(
            f"{name}-branch",
            neon.BranchArgs(
                project_id=args.neon_project_id,
                name=args.name,
                parent_id=args.neon_parent_branch_id,
                expires_at=expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ),
            # Set once at creation: a later `up` must not push the deadline (nor send a request for it).
            pulumi.ResourceOptions(parent=self, ignore_changes=["expires_at"]),
        )
        endpoint = neon.Endpoint(
            f"{name}-endpoint",
            neon.EndpointArgs(
                project_id=args.neon_project_id,
                branch_id=branch.id,
                autoscaling_min_cu=args.min_cu,
                autoscaling_max_cu=args.max_cu,
            ),
            child,
        )
        role = neon.Role(
            f"{name}-role",
            neon.RoleArgs(
                project_id=args.neon_project_id,
                branch_id=branch.id,
                name=args.role_name or args.name.replace("-", "_"),
            ),
            child,
        )
        uri = neon.ConnectionUri(
            f"{name}-uri",
            neon.ConnectionUriArgs(
                project_id=args.neon_project_id,
                database_name=args.database_name,
                role_name=role.name,
                branch_id=branch.id,
                endpoint_id=endpoint.id,
                password=role.password,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[endpoint, role]),
        )
        self.neon_branch, self.neon_endpoint, self.neon_role = branch, endpoint, role
        self.connection_uri = pulumi.Output.secret(uri.connection_uri)
        self.pooled_connection_uri = pulumi.Output.secret(uri.pooled_connection_uri)
        self.external_uri = self.connection_uri
        self.host = uri.host
        self.branch = branch.id

    def _supabase(self, name: str, args: DatabaseBranchArgs) -> None:
        if args.supabase_parent_ref is None:
            raise ValueError(f"{name}: a Supabase branch needs the base's project ref")
        branch = supabase.Branch(
            f"{name}-branch",
            supabase.BranchArgs(
                parent_ref=args.supabase_parent_ref,
                branch_name=args.name,
                git_branch=args.git_branch,
                persistent=False,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.supabase_branch = branch
        self.connection_uri = pulumi.Output.secret(branch.connection_uri)
        self.pooled_connection_uri = pulumi.Output.secret(branch.pooled_connection_uri)
        self.external_uri = self.connection_uri
        self.host = branch.database_host
        self.branch = branch.ref
        self.extra_variables = {"SUPABASE_URL": branch.api_url}
        self.secret_extra_variables = {
            "SUPABASE_ANON_KEY": pulumi.Output.secret(branch.anon_key),
            "SUPABASE_SERVICE_ROLE_KEY": pulumi.Output.secret(branch.service_role_key),
        }

    def _railway(self, name: str, args: DatabaseBranchArgs) -> None:
        if args.railway is None:
            raise ValueError(f"{name}: a Railway database needs its settings")
        database = Database(f"{name}-postgres", args.railway, pulumi.ResourceOptions(parent=self))
        self.railway_database = database
        self.connection_uri = database.connection_uri
        self.pooled_connection_uri = database.pooled_connection_uri
        self.external_uri = database.external_uri
        self.host = database.host
        self.branch = database.railway_service.id
