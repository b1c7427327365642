"""A pull-request stack's program under Pulumi mocks: what it registers beside its base (read through a
StackReference the mocks answer), and what it never registers."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from providers.guard import BASE_IDS_KEY
from tests.mocks import FakeVendors, Recorder, is_secret, reveal, run_main

BASE_OUTPUTS = {
    "pullRequestBase": {
        "railwayProjectId": "proj-staging",
        "railwayEnvironmentId": "env-staging",
        "services": {"web": "svc-web", "worker": "svc-worker"},
        "redisServiceId": "svc-redis",
        "database": {
            "engine": "neon",
            "neonProjectId": "neon-staging",
            "neonBranchId": "br-staging-main",
            "databaseName": "app",
            "roleName": "app",
        },
        "objectIds": {"env-staging": "Railway environment", "br-staging-main": "Neon branch"},
    }
}
CONFIG: dict[str, Any] = {
    "platform:app": "acme",
    "platform:railway": {"project": "acme-staging", "environment": "staging"},
    "platform:database": {"engine": "neon", "region": "aws-us-west-2"},
    "platform:redis": {"memory": "512mb"},
    "platform:services": {
        "web": {
            "kind": "web",
            "image": "ghcr.io/acme/api:1",
            "port": 5000,
            "healthcheck": "/health",
            "replicas": 3,
            "domains": ["app.acme.com"],
            "migrate": "npm run migrate",
        },
        "worker": {"kind": "worker", "image": "ghcr.io/acme/api:1"},
    },
    "platform:alerts": {"channels": {"email": ["a@acme.example"]}},
    "platform:pullRequest": {"number": 7, "image": "ghcr.io/acme/api:pr-7", "branch": "feature-x"},
}


class BaseStack(FakeVendors):
    """The mocks, plus the base stack's outputs for the StackReference and a Neon branch's URIs."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            return args.resource_id or args.name, {"name": args.name, "outputs": BASE_OUTPUTS}
        id_, outputs = super().new_resource(args)
        if args.typ.endswith("neon:ConnectionUri"):
            uri = "postgresql://app_pr_7:pw@ep-pr-7.neon.tech/app"
            outputs.update(
                connection_uri=rpc.wrap_rpc_secret(uri),
                pooled_connection_uri=rpc.wrap_rpc_secret(uri.replace("ep-pr-7", "ep-pr-7-pooler")),
                host="ep-pr-7.neon.tech",
            )
        if args.typ.endswith("neon:Role"):
            outputs.update(password=rpc.wrap_rpc_secret("pw"))
        return id_, outputs


@pytest.fixture(autouse=True)
def _emulated_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATFORM_COMMANDS", raising=False)


def _run() -> Recorder:
    return run_main(config=CONFIG, stack="pr-7", recorder=Recorder(BaseStack()))


def test_the_fork_the_branch_and_nothing_of_the_base_registered() -> None:
    rec = _run()
    env = rec.named("pr-environment")
    assert env.plain("source_environment_id") == "env-staging" and env.plain("project_id") == "proj-staging"
    assert env.plain("ephemeral") is True and env.plain("skip_initial_deploys") is True
    assert env.plain("name") == "pr-7"
    # The base owns the project, the app services, and the alerts: none of them is registered here.
    assert not rec.of_type("railway:Project") and not rec.of_type("railway:CustomDomain")
    assert not rec.of_type("railway:NotificationRule") and not rec.of_type("neon:Project")
    assert [s.plain("name") for s in rec.of_type("railway:Service")] == ["redis-pr-7"]
    branch = rec.named("database-branch")
    assert branch.plain("parent_id") == "br-staging-main" and branch.plain("expires_at")


def test_services_run_the_pr_image_with_one_replica_wired_to_the_branch() -> None:
    rec = _run()
    instance = rec.named("web-instance")
    assert instance.plain("service_id") == "svc-web"
    assert instance.plain("environment_id") == "pr-environment-id"
    assert instance.plain("source_image") == "ghcr.io/acme/api:pr-7"
    assert sum(instance.plain("regions").values()) == 1
    variables = rec.named("web-variables")
    assert is_secret(variables.inputs["variables"]) and variables.plain("skip_deploys") is True
    wired = variables.plain("variables")
    assert "ep-pr-7" in wired["DATABASE_URL"] and "redis-pr-7.railway.internal" in wired["REDIS_URL"]
    assert variables.urn in instance.dependencies, "variables are the PR's before the first deployment"
    assert rec.named("web-domain").plain("adopt_existing") is True


def test_every_vendor_resource_carries_the_base_ids_and_waits_for_the_guard() -> None:
    rec = _run()
    guard = rec.named("pr-guard")
    assert guard.plain("config_values")["platform:pullRequest.image"] == "ghcr.io/acme/api:pr-7"
    vendor = [r for r in rec.registrations if r.type.startswith("pulumi-python:dynamic/") and r is not guard]
    assert vendor
    for registration in vendor:
        assert reveal(registration.inputs[BASE_IDS_KEY]) == BASE_OUTPUTS["pullRequestBase"]["objectIds"]
        assert guard.urn in registration.dependencies, registration.name
