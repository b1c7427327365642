"""The stack config model: what a stack file may say, and how each problem is reported."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stack_config import (
    NEON_REGIONS,
    RAILWAY_REGIONS,
    SUPABASE_REGIONS,
    Duration,
    Size,
    StackConfig,
    StackConfigError,
    parse_stack_config,
)

BASE: dict[str, Any] = {
    "platform:app": "acme",
    "platform:railway": {"project": "acme-prod", "region": "us-west2"},
    "platform:database": {
        "engine": "neon",
        "region": "aws-us-west-2",
        "postgres": 17,
        "compute": {"min": 0.5, "max": 4},
        "backups": {"retention": "30d"},
        "protect": True,
    },
    "platform:redis": {"memory": "2gb", "eviction": "allkeys-lru", "persistence": "aof+rdb"},
    "platform:services": {
        "web": {
            "kind": "web",
            "image": "ghcr.io/acme/api:1.4.2",
            "start": "node server.js",
            "port": 5000,
            "healthcheck": "/api/health",
            "replicas": 2,
            "resources": {"cpu": 1, "memory": "2gb"},
            "env": {"NODE_ENV": "production"},
            "secrets": ["JWT_SECRET", "SESSION_SECRET"],
            "domains": ["app.acme.com"],
            "migrate": "npm run migrate",
        },
        "worker": {
            "kind": "worker",
            "image": "ghcr.io/acme/api:1.4.2",
            "start": "node services/workers/index.js",
            "replicas": 2,
            "env": {"WORKER_CONCURRENCY": "5"},
        },
    },
    "platform:alerts": {
        "channels": {"email": ["oncall@acme.com"]},
        "rules": [{"metric": "error_rate", "above": "1%", "for": "5m", "severity": "critical"}],
    },
}


def parse(overrides: dict[str, Any] | None = None, *, stack: str = "prod", **kwargs: Any) -> StackConfig:
    raw = copy.deepcopy(BASE)
    for key, value in (overrides or {}).items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return parse_stack_config(raw, stack=stack, **kwargs)


def problems(overrides: dict[str, Any], **kwargs: Any) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        parse(overrides, **kwargs)
    return caught.value.problems


def with_service(**changes: Any) -> dict[str, Any]:
    services = copy.deepcopy(BASE["platform:services"])
    services["web"].update(changes)
    return {"platform:services": services}


def with_database(**changes: Any) -> dict[str, Any]:
    database = copy.deepcopy(BASE["platform:database"])
    database.update(changes)
    return {"platform:database": {k: v for k, v in database.items() if v is not None}}


# -- the example shape -------------------------------------------------------------------------------------
def test_the_issue_example_parses_into_typed_values() -> None:
    config = parse()
    web = config.services["web"]
    assert web.healthcheck is not None and web.healthcheck.path == "/api/health"
    assert web.resources is not None and web.resources.memory == Size(2 * 1024**3)
    assert web.migrate is not None and web.migrate.command == "npm run migrate"
    assert web.replicas_by_region("us-west2") == {"us-west2": 2}
    assert config.database is not None and config.database.history_retention_seconds == 30 * 86400
    assert config.redis is not None and config.redis.memory.redis() == "2gb"
    assert config.alerts is not None and config.alerts.rules[0].above == 1.0
    assert config.alerts.rules[0].for_ == Duration(300)


def test_json_encoded_values_as_pulumi_passes_them_parse_the_same() -> None:
    import json

    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in BASE.items()}
    assert parse_stack_config(raw, stack="prod") == parse()


def test_services_default_to_every_backing_service_and_uses_narrows_it() -> None:
    config = parse(with_service(uses=["database"]))
    assert config.service_uses("web") == ["database"]
    assert config.service_uses("worker") == ["database", "redis"]


# -- reporting -------------------------------------------------------------------------------------------
def test_each_problem_names_the_stack_file_and_key_path() -> None:
    found = problems(with_service(replicas=0), stack="prod")
    assert found == ["Pulumi.prod.yaml: platform:services.web.replicas: must be >= 1"]


def test_every_problem_is_reported_at_once() -> None:
    services = copy.deepcopy(BASE["platform:services"])
    services["web"]["replicas"] = 0
    services["worker"]["healthcheck"] = {"path": "health"}
    found = problems(
        {
            "platform:services": services,
            "platform:redis": {"memory": "lots"},
            "platform:database": {"engine": "neon", "region": "ca-central-1"},
        },
        stack="staging",
    )
    keys = [line.split(": ")[1] for line in found]
    assert keys == [
        "platform:services.web.replicas",
        "platform:services.worker.healthcheck.path",
        "platform:database.region",
        "platform:redis.memory",
    ]
    assert all(line.startswith("Pulumi.staging.yaml: ") for line in found)


def test_unknown_keys_suggest_the_nearest_known_one() -> None:
    found = problems({**with_service(replicaz=2), "platform:servics": {}})
    assert (
        "Pulumi.prod.yaml: platform:services.web.replicaz: is not a known key (did you mean replicas?)"
        in found
    )
    assert "Pulumi.prod.yaml: platform:servics: is not a known key (did you mean services?)" in found


def test_a_missing_required_key_is_named() -> None:
    assert problems({"platform:railway": None}) == ["Pulumi.prod.yaml: platform:railway: is required"]


def test_messages_never_echo_secret_values() -> None:
    found = problems(
        {"platform:alerts": {"channels": {"webhook": "http://hooks.example/t0ps3cret"}}},
        secret_keys=["platform:alerts"],
    )
    assert found == ["Pulumi.prod.yaml: platform:alerts.channels.webhook: must be an https:// URL"]
    assert not any("t0ps3cret" in line for line in found)


# -- regions: the truth about each vendor -------------------------------------------------------------------
def test_railway_has_no_canadian_region_and_the_error_lists_the_valid_ones() -> None:
    [line] = problems({"platform:railway": {"project": "p", "region": "ca-central-1"}})
    assert line.startswith(
        "Pulumi.prod.yaml: platform:railway.region: 'ca-central-1' is not a Railway region"
    )
    assert all(region in line for region in RAILWAY_REGIONS)
    assert "Railway has no Canadian region" in line


def test_neon_has_no_canadian_region() -> None:
    [line] = problems(with_database(region="aws-ca-central-1"))
    assert "platform:database.region" in line and "Neon has no Canadian region" in line
    assert all(region in line for region in NEON_REGIONS)


def test_supabase_accepts_ca_central_1() -> None:
    config = parse(
        with_database(
            engine="supabase",
            region="ca-central-1",
            organization="org",
            postgres=None,
            compute={"size": "small"},
            backups={"pointInTime": "7d"},
        )
    )
    assert config.database is not None and config.database.region == "ca-central-1"
    assert "ca-central-1" in SUPABASE_REGIONS


def test_a_service_region_outside_railway_is_an_error() -> None:
    [line] = problems(with_service(replicas={"us-west2": 1, "yyz": 1}))
    assert line.startswith("Pulumi.prod.yaml: platform:services.web.replicas: 'yyz' is not a Railway region")


# -- services ------------------------------------------------------------------------------------------
def test_replica_ranges_are_refused_because_railway_does_not_autoscale_replicas() -> None:
    [line] = problems(with_service(replicas={"min": 2, "max": 5}))
    assert "platform:services.web.replicas" in line and "fixed number of replicas" in line


def test_a_service_needs_exactly_one_source() -> None:
    [line] = problems(with_service(repo="acme/api"))
    assert (
        line == "Pulumi.prod.yaml: platform:services.web: give exactly one source: image, or repo (+ branch)"
    )


def test_workers_have_no_domains_and_cron_needs_one_replica() -> None:
    services = copy.deepcopy(BASE["platform:services"])
    services["worker"].update(domains=["w.acme.com"], cron="*/15 * * * *")
    found = problems({"platform:services": services})
    assert (
        "Pulumi.prod.yaml: platform:services.worker.domains: a worker has no public networking: "
        "domains apply to kind web" in found
    )
    assert any(
        line.startswith("Pulumi.prod.yaml: platform:services.worker.replicas: a cron worker")
        for line in found
    )


def test_wired_variables_cannot_be_set_by_hand() -> None:
    [line] = problems(with_service(env={"DATABASE_URL": "postgres://x"}))
    assert line.startswith("Pulumi.prod.yaml: platform:services.web: DATABASE_URL is set by the program")


def test_restart_policy_shorthand_and_retries_only_on_failure() -> None:
    assert parse(with_service(restart="ALWAYS")).services["web"].restart.railway_type == "ALWAYS"  # type: ignore[union-attr]
    [line] = problems(with_service(restart={"policy": "always", "maxRetries": 3}))
    assert "platform:services.web.restart" in line and "on_failure" in line


# -- databases: each engine's limits -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"postgres": 13}, "platform:database.postgres: 13: Neon runs Postgres 14 to 18"),
        (
            {"compute": {"min": 0.5, "max": 20}},
            "platform:database.compute.max: Neon autoscales only up to 16 CU",
        ),
        ({"compute": {"min": 0.25, "max": 10}}, "platform:database.compute: Neon's autoscaling range"),
        ({"compute": {"min": 0.3}}, "platform:database.compute.min: 0.3: Neon sizes are"),
        ({"backups": {"retention": "60d"}}, "platform:database.backups.retention: Neon keeps at most 30d"),
        ({"backups": {"schedule": ["daily"]}}, "platform:database.backups.schedule: does not apply to neon"),
        ({"public": True}, "platform:database.public: does not apply to neon"),
    ],
)
def test_neon_settings_it_cannot_honour_are_errors(changes: dict[str, Any], expected: str) -> None:
    [line] = problems(with_database(**changes))
    assert line.startswith(f"Pulumi.prod.yaml: {expected}")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"postgres": 15}, "platform:database.postgres: 15: Supabase's API has no version choice"),
        ({"backups": {"retention": "30d"}}, "platform:database.backups.retention: Supabase's daily-backup"),
        (
            {"backups": {"pointInTime": "10d"}},
            "platform:database.backups.pointInTime: Supabase's PITR add-on keeps",
        ),
        ({"compute": {"min": 1}}, "platform:database.compute.min: does not apply to supabase"),
        (
            {"backups": {"pointInTime": "7d"}, "compute": {"size": "micro"}},
            "platform:database.backups.pointInTime: Supabase's PITR add-on needs",
        ),
        ({"organization": None}, "platform:database.organization: is required for supabase"),
    ],
)
def test_supabase_settings_it_cannot_honour_are_errors(changes: dict[str, Any], expected: str) -> None:
    base = {
        "engine": "supabase",
        "region": "ca-central-1",
        "organization": "org",
        "postgres": None,
        "compute": {"size": "small"},
        "backups": {},
    }
    [line] = problems(with_database(**{**base, **changes}))
    assert line.startswith(f"Pulumi.prod.yaml: {expected}")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"backups": {"pointInTime": "7d"}},
            "platform:database.backups.pointInTime: Railway backs up volumes",
        ),
        ({"backups": {"retention": "120d"}}, "platform:database.backups.retention: Railway's longest backup"),
        (
            {"backups": {"retention": "30d", "schedule": ["daily"]}},
            "platform:database.backups.schedule: daily keep 6d, less than retention 30d",
        ),
        ({"compute": {"min": 1}}, "platform:database.compute.min: does not apply to railway"),
        ({"postgres": 18}, "platform:database.postgres: 18: Railway's Postgres images are 13 to 17"),
    ],
)
def test_railway_database_settings_it_cannot_honour_are_errors(
    changes: dict[str, Any], expected: str
) -> None:
    base: dict[str, Any] = {
        "engine": "railway",
        "region": None,
        "postgres": 16,
        "compute": {},
        "backups": {},
        "public": True,
    }
    [line] = problems(with_database(**{**base, **changes}))
    assert line.startswith(f"Pulumi.prod.yaml: {expected}")


def test_railway_backup_retention_picks_the_schedules_that_keep_it() -> None:
    def schedules(retention: str) -> list[str]:
        db = parse(
            with_database(
                engine="railway", region=None, compute={}, public=True, backups={"retention": retention}
            )
        ).database
        assert db is not None
        return db.railway_backup_schedules()

    assert schedules("6d") == ["daily"]
    assert schedules("30d") == ["daily", "weekly"]
    assert schedules("90d") == ["daily", "weekly", "monthly"]


def test_migrations_against_a_private_railway_database_are_refused() -> None:
    found = problems(with_database(engine="railway", region=None, compute={}, backups={}, public=False))
    assert any(
        line.startswith("Pulumi.prod.yaml: platform:services.web.migrate: migrations run where")
        for line in found
    )


# -- redis, alerts, secrets --------------------------------------------------------------------------------
def test_redis_persistence_accepts_either_order_and_rejects_unknown_policies() -> None:
    assert parse({"platform:redis": {"persistence": "rdb+aof"}}).redis.persistence == "aof+rdb"  # type: ignore[union-attr]
    [line] = problems({"platform:redis": {"eviction": "lru"}})
    assert line.startswith("Pulumi.prod.yaml: platform:redis.eviction: 'lru' is not a Redis eviction policy")


def test_evicting_redis_under_a_queue_worker_is_a_warning_not_an_error() -> None:
    warnings = parse().warnings()
    assert len(warnings) == 1 and "noeviction" in warnings[0]
    assert parse({"platform:redis": {"eviction": "noeviction"}}).warnings() == []


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"metric": "error_rate", "above": "1"}, "platform:alerts.rules[0].above: '1' is not a percentage"),
        ({"metric": "p95_latency", "above": "2"}, "platform:alerts.rules[0].above: '2' is not a duration"),
        (
            {"metric": "queue_depth", "above": "1000%"},
            "platform:alerts.rules[0].above: '1000%': queue_depth is a count",
        ),
        ({"metric": "latency", "above": "2s"}, "platform:alerts.rules[0].metric: must be one of"),
        (
            {"metric": "error_rate", "above": "1%", "for": "5x"},
            "platform:alerts.rules[0].for: '5x' is not a duration",
        ),
    ],
)
def test_alert_thresholds_are_checked_in_the_metrics_unit(rule: dict[str, Any], expected: str) -> None:
    found = problems({"platform:alerts": {"channels": {"email": ["a@b.co"]}, "rules": [rule]}})
    assert any(line.startswith(f"Pulumi.prod.yaml: {expected}") for line in found), found


def test_a_memory_alert_needs_the_limit_it_is_a_percentage_of() -> None:
    [line] = problems(
        {
            "platform:alerts": {
                "channels": {"email": ["a@b.co"]},
                "rules": [{"metric": "memory", "above": "85%"}],
            }
        }
    )
    assert line.startswith("Pulumi.prod.yaml: platform:services.worker.resources.memory: alerts.rules[0]")


def test_a_webhook_url_in_plain_text_is_refused() -> None:
    raw = {"platform:alerts": {"channels": {"webhook": "https://hooks.example/x"}}}
    [line] = problems(raw)
    assert line.startswith("Pulumi.prod.yaml: platform:alerts.channels.webhook: a webhook URL is a secret")
    assert parse(raw, secret_keys=["platform:alerts"]).alerts is not None


def test_a_secret_value_in_plain_text_is_refused_and_accepted_as_secret_config() -> None:
    raw = {"platform:secrets": {"JWT_SECRET": "s3cret"}}
    [line] = problems(raw)
    assert line.startswith("Pulumi.prod.yaml: platform:secrets: JWT_SECRET has a value in plain text")
    assert "s3cret" not in line
    config = parse(raw, secret_keys=["platform:secrets"])
    assert config.secrets["JWT_SECRET"].value is not None
    assert "s3cret" not in repr(config)


def test_a_required_external_secret_that_is_unset_is_an_error_naming_the_command() -> None:
    raw = {**with_service(secrets=["SENTRY_DSN"]), "platform:secrets": {"SENTRY_DSN": {"external": True}}}
    [line] = problems(raw)
    assert line == (
        "Pulumi.prod.yaml: platform:secrets.SENTRY_DSN: is not set: run "
        "`pulumi config set --secret --path 'platform:secrets.SENTRY_DSN' <value>`"
    )


def test_alerts_on_an_existing_project_need_its_workspace() -> None:
    [line] = problems({"platform:railway": {"projectId": "p-1", "environment": "staging"}})
    assert line.startswith("Pulumi.prod.yaml: platform:railway.workspaceId: Railway notification rules need")


def test_exactly_one_of_project_and_project_id() -> None:
    [line] = problems({"platform:railway": {"project": "a", "projectId": "b", "workspaceId": "w"}})
    assert line.startswith("Pulumi.prod.yaml: platform:railway: give exactly one of project")


# -- units ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "mb"), [("512mb", 512), ("2gb", 2048), ("1.5g", 1536), (2, 2048)])
def test_sizes(text: Any, mb: int) -> None:
    config = parse({"platform:redis": {"memory": text}})
    assert config.redis is not None and config.redis.memory.mb == mb
