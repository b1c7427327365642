"""Each policy on hand-built resource arguments: the good case passes, the bad one names the resource.

Arguments are built as pulumi-policy builds them for a pack (props behind its unknown-checking proxy, the
config the engine reconciles from the schema's defaults and the given options), so a rule behaves here as
it does under `pulumi preview --policy-pack policy`.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policy import rules

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK = "urn:pulumi:prod::platform::"


def urn(type_: str, name: str, *components: str) -> str:
    return f"{STACK}{'$'.join([*components, type_])}::{name}"


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def defaults(policy: Any, **given: Any) -> dict[str, Any]:
    """The policy's config as the engine reconciles it: schema defaults, then what is given."""
    schema = policy.config_schema.properties if policy.config_schema else {}
    return {**{k: v["default"] for k, v in schema.items() if "default" in v}, **given}


def check(
    policy: ResourceValidationPolicy,
    type_: str,
    name: str,
    props: dict[str, Any],
    *components: str,
    protect: bool = False,
    **config: Any,
) -> list[str]:
    args = ResourceValidationArgs(
        type_,
        unknown_checking_proxy(props),
        urn(type_, name, *components),
        name,
        options(protect),
        None,
        defaults(policy, **config),
    )
    seen: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        seen.append(message)

    policy.validate(args, report)
    return seen


def resource(type_: str, name: str, props: dict[str, Any], *components: str) -> PolicyResource:
    return PolicyResource(
        type_,
        unknown_checking_proxy(props),
        urn(type_, name, *components),
        name,
        options(),
        None,
        None,
        [],
        {},
    )


def check_stack(policy: StackValidationPolicy, resources: list[PolicyResource], **config: Any) -> list[str]:
    seen: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        seen.append(message)

    policy.validate(StackValidationArgs(resources, defaults(policy, **config)), report)
    return seen


# -- stateful-resources-protected -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "name", "props", "components"),
    [
        (rules.NEON_PROJECT, "database-project", {"name": "acme-prod"}, (rules.DATABASE,)),
        (rules.SUPABASE_PROJECT, "database-project", {"region": "ca-central-1"}, (rules.DATABASE,)),
        (rules.RAILWAY_VOLUME, "database-volume", {"mount_path": "/var/lib/postgresql"}, (rules.DATABASE,)),
        (
            rules.RAILWAY_SERVICE,
            "database-service",
            {"image": "ghcr.io/x/postgres-ssl:16"},
            (rules.DATABASE,),
        ),
        (rules.RAILWAY_SERVICE, "pg", {"image": "postgres:16"}, ()),  # a database outside our component
    ],
)
def test_stateful_resources_must_be_protected(
    type_: str, name: str, props: dict[str, Any], components: tuple[str, ...]
) -> None:
    policy = rules.stateful_resources_protected
    assert check(policy, type_, name, props, *components, protect=True) == []
    (message,) = check(policy, type_, name, props, *components)
    assert f"'{name}'" in message and "protect" in message


def test_a_redis_volume_needs_protect_only_when_configured() -> None:
    policy = rules.stateful_resources_protected
    args = (rules.RAILWAY_VOLUME, "redis-volume", {"mount_path": "/data"}, rules.REDIS_CACHE)
    assert check(policy, *args) == []
    assert "'redis-volume'" in check(policy, *args, cacheVolumes=True)[0]
    # a web service is not stateful
    assert check(policy, rules.RAILWAY_SERVICE, "web-service", {"image": "a/b:1"}, rules.WEB_SERVICE) == []


# -- backups-retained -----------------------------------------------------------------------------------
def test_neon_history_covers_min_days() -> None:
    policy = rules.backups_retained
    seven_days = {"history_retention_seconds": 7 * 86400}
    assert check(policy, rules.NEON_PROJECT, "database-project", seven_days) == []
    (short,) = check(policy, rules.NEON_PROJECT, "database-project", {"history_retention_seconds": 86400})
    assert "'database-project'" in short and "1 days" in short and "7d" in short
    (unset,) = check(policy, rules.NEON_PROJECT, "database-project", {})
    assert "plan's default" in unset
    assert (
        check(policy, rules.NEON_PROJECT, "database-project", {"history_retention_seconds": 86400}, minDays=1)
        == []
    )


def test_supabase_pitr_or_daily_backups_cover_min_days() -> None:
    policy = rules.backups_retained
    assert (
        check(policy, rules.SUPABASE_BACKUP_POLICY, "database-backups", {"pitr_days": None}) == []
    )  # daily 7
    (message,) = check(policy, rules.SUPABASE_BACKUP_POLICY, "database-backups", {}, minDays=14)
    assert "'database-backups'" in message and "pointInTime to 14d" in message
    assert (
        check(policy, rules.SUPABASE_BACKUP_POLICY, "database-backups", {"pitr_days": 14}, minDays=14) == []
    )


def test_railway_database_volume_schedules_cover_min_days() -> None:
    policy = rules.backups_retained
    volume = (rules.RAILWAY_VOLUME, "database-volume")
    (daily,) = check(policy, *volume, {"backup_schedules": ["DAILY"]}, rules.DATABASE)
    assert "'database-volume'" in daily and "keep 6 days" in daily
    assert check(policy, *volume, {"backup_schedules": ["DAILY", "WEEKLY"]}, rules.DATABASE) == []
    assert "(none)" in check(policy, *volume, {}, rules.DATABASE)[0]
    # a Redis volume is not a database
    assert check(policy, rules.RAILWAY_VOLUME, "redis-volume", {}, rules.REDIS_CACHE) == []


# -- web-replicas-minimum -------------------------------------------------------------------------------
def test_web_services_run_min_replicas_in_total() -> None:
    policy = rules.web_replicas_minimum
    instance = (rules.RAILWAY_INSTANCE, "web-instance")
    assert (
        check(policy, *instance, {"regions": {"us-west2": 1, "us-east4-eqdc4a": 1}}, rules.WEB_SERVICE) == []
    )
    (message,) = check(policy, *instance, {"regions": {"us-west2": 1}}, rules.WEB_SERVICE)
    assert "'web'" in message and "web-instance" in message and "1 replica," in message
    assert "platform:services.web.replicas" in message
    assert check(policy, *instance, {}, rules.WEB_SERVICE, min=1) == []  # Railway's default of one
    assert check(policy, rules.RAILWAY_INSTANCE, "worker-instance", {"replicas": 1}, rules.WORKER) == []


# -- healthcheck-required -------------------------------------------------------------------------------
def test_web_services_have_a_health_check() -> None:
    policy = rules.healthcheck_required
    instance = (rules.RAILWAY_INSTANCE, "api-instance")
    assert check(policy, *instance, {"healthcheck_path": "/health"}, rules.WEB_SERVICE) == []
    (message,) = check(policy, *instance, {}, rules.WEB_SERVICE)
    assert "'api'" in message and "platform:services.api.healthcheck" in message
    assert check(policy, *instance, {}, rules.WEB_SERVICE, exempt=["api"]) == []
    assert check(policy, rules.RAILWAY_INSTANCE, "worker-instance", {}, rules.WORKER) == []


# -- image-pinned ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "image",
    ["ghcr.io/acme/api:1.4.2", "redis:7", "ghcr.io/acme/api@sha256:" + "a" * 64, "localhost:5000/api:2"],
)
def test_pinned_images_pass(image: str) -> None:
    assert check(rules.image_pinned, rules.RAILWAY_SERVICE, "web-service", {"image": image}) == []


@pytest.mark.parametrize(
    ("image", "says"),
    [
        ("ghcr.io/acme/api:latest", ":latest"),
        ("ghcr.io/acme/api", "no tag"),
        ("localhost:5000/api", "no tag"),
    ],
)
def test_unpinned_images_name_the_service(image: str, says: str) -> None:
    (message,) = check(rules.image_pinned, rules.RAILWAY_SERVICE, "web-service", {"image": image})
    assert "'web-service'" in message and says in message and "platform:services.web.image" in message


def test_a_service_built_from_a_repository_is_pinned_by_its_commit() -> None:
    assert check(rules.image_pinned, rules.RAILWAY_SERVICE, "web-service", {"repo": "acme/api"}) == []


# -- data-residency -------------------------------------------------------------------------------------
def test_stateful_resources_stay_in_allowed_regions() -> None:
    policy = rules.data_residency
    canada: dict[str, Any] = {
        "supabase": ["ca-central-1"],
        "railway": [],
        "notes": {"railway": "Railway has no Canadian region."},
    }
    supabase = (rules.SUPABASE_PROJECT, "database-project")
    assert check(policy, *supabase, {"region": "us-east-1"}) == []  # by default every region is allowed
    assert check(policy, *supabase, {"region": "ca-central-1"}, **canada) == []
    (message,) = check(policy, *supabase, {"region": "us-east-1"}, **canada)
    assert "'database-project'" in message and "'us-east-1'" in message and "ca-central-1" in message
    (railway,) = check(policy, rules.RAILWAY_VOLUME, "redis-volume", {"region": "us-east4-eqdc4a"}, **canada)
    assert "'redis-volume'" in railway and "Railway has no Canadian region." in railway
    neon = check(
        policy,
        rules.NEON_PROJECT,
        "database-project",
        {"region_id": "aws-us-west-2"},
        neon=["aws-eu-central-1"],
    )
    assert "'aws-us-west-2'" in neon[0]


# -- no-public-database ---------------------------------------------------------------------------------
def test_no_tcp_proxy_to_a_database_unless_allowed() -> None:
    policy = rules.no_public_database
    proxy = (rules.RAILWAY_TCP_PROXY, "database-proxy", {"application_port": 5432}, rules.DATABASE)
    (message,) = check(policy, *proxy)
    assert "'database-proxy'" in message and "platform:database.public" in message
    assert check(policy, *proxy, allow=["database-proxy"]) == []
    web_proxy = (rules.RAILWAY_TCP_PROXY, "game-proxy", {"application_port": 7777}, rules.WEB_SERVICE)
    assert check(policy, *web_proxy) == []


# -- restart-policy -------------------------------------------------------------------------------------
def test_web_services_do_not_use_restart_never() -> None:
    policy = rules.restart_policy
    instance = (rules.RAILWAY_INSTANCE, "web-instance")
    assert check(policy, *instance, {"restart_policy_type": "ON_FAILURE"}, rules.WEB_SERVICE) == []
    assert check(policy, *instance, {}, rules.WEB_SERVICE) == []  # Railway's default restarts on failure
    (message,) = check(policy, *instance, {"restart_policy_type": "NEVER"}, rules.WEB_SERVICE)
    assert "'web'" in message and "NEVER" in message and "platform:services.web.restart" in message


# -- alerts-configured (stack) --------------------------------------------------------------------------
def notification_rule(**props: Any) -> PolicyResource:
    return resource(
        rules.RAILWAY_NOTIFICATION_RULE, "alerts-events", props, "platform:components:AlertPolicy"
    )


def test_alerts_route_failed_and_crashed_deployments_to_a_channel() -> None:
    policy = rules.alerts_configured
    routed = notification_rule(event_types=["Deployment.failed", "Deployment.crashed"], emails=["a@b.c"])
    assert check_stack(policy, [routed]) == []
    (none,) = check_stack(policy, [])
    assert "Deployment.failed, Deployment.crashed" in none and "platform:alerts.channels" in none
    (partial,) = check_stack(policy, [notification_rule(event_types=["Deployment.failed"], emails=["a@b.c"])])
    assert "Deployment.crashed" in partial and "Deployment.failed" not in partial
    no_channel = notification_rule(event_types=["Deployment.failed", "Deployment.crashed"], emails=[])
    assert len(check_stack(policy, [no_channel])) == 1


# -- redis-noeviction-with-queues (stack) ---------------------------------------------------------------
def redis(policy: str) -> PolicyResource:
    start = f'/bin/sh -c "exec redis-server --maxmemory 2gb --maxmemory-policy {policy} --dir /data"'
    return resource(rules.RAILWAY_INSTANCE, "redis-instance", {"start_command": start}, rules.REDIS_CACHE)


def worker() -> PolicyResource:
    return resource(rules.RAILWAY_INSTANCE, "worker-instance", {"replicas": 1}, rules.WORKER)


def test_redis_with_a_worker_uses_noeviction() -> None:
    policy = rules.redis_noeviction_with_queues
    assert check_stack(policy, [redis("noeviction"), worker()]) == []
    assert check_stack(policy, [redis("allkeys-lru")]) == []  # no worker: a cache may evict
    (message,) = check_stack(policy, [redis("allkeys-lru"), worker()])
    assert "'redis-instance'" in message and "allkeys-lru" in message and "worker" in message
    assert "platform:redis.eviction to noeviction" in message


# -- unknowns -------------------------------------------------------------------------------------------
def test_a_value_unknown_in_preview_is_not_a_silent_pass() -> None:
    """pulumi-policy turns this into "can't run policy ... during preview" (tests/policy/test_protocol.py)."""
    with pytest.raises(UnknownValueError):
        check(rules.image_pinned, rules.RAILWAY_SERVICE, "web-service", {"image": UNKNOWN})
    with pytest.raises(UnknownValueError):
        check(
            rules.web_replicas_minimum,
            rules.RAILWAY_INSTANCE,
            "web-instance",
            {"regions": UNKNOWN},
            rules.WEB_SERVICE,
        )


def test_every_rule_has_a_config_schema_with_defaults_and_a_unique_name() -> None:
    names = [p.name for p in rules.POLICIES]
    assert len(names) == len(set(names)) == 10
    for policy in rules.POLICIES:
        assert policy.config_schema is not None and policy.config_schema.properties, policy.name
        for key, schema in policy.config_schema.properties.items():
            assert "default" in schema, (policy.name, key)
