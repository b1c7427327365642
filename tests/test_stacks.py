"""Every stack file, at the root and under examples/, builds under Pulumi mocks through the real
`__main__.py`; and the stacks say what the seeds ask, within what the vendors can give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stack_config import parse_stack_config
from tests.mocks import REPO_ROOT, Recorder, reveal, run_main

STACK_FILES = sorted(REPO_ROOT.glob("Pulumi.*.yaml")) + sorted(REPO_ROOT.glob("examples/*/Pulumi.*.yaml"))
SECRET_WORDS = ("webhook", "password", "token", "secret", "dsn", "key")


def stack_name(path: Path) -> str:
    return path.name.split(".")[1]


def label(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def load(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The stack's config as the CLI would hand it over: `secure:` values decrypted (here: fakes)."""
    config: dict[str, Any] = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    secret_keys: list[str] = []

    def decrypt(key: str, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"secure"}:
            secret_keys.append(key)
            return "https://fake.example/secret"
        if isinstance(value, dict):
            return {k: decrypt(key, v) for k, v in value.items()}
        if isinstance(value, list):
            return [decrypt(key, v) for v in value]
        return value

    return {k: decrypt(k, v) for k, v in config.items()}, secret_keys


def with_required_secrets(config: dict[str, Any], secret_keys: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Give required external secrets a value, as `pulumi config set --secret --path` would."""
    secrets = dict(config.get("platform:secrets") or {})
    given = False
    for name, spec in secrets.items():
        if isinstance(spec, dict) and spec.get("external") and spec.get("required", True):
            secrets[name] = f"fake-{name.lower()}"
            given = True
    if not given:
        return config, secret_keys
    return {**config, "platform:secrets": secrets}, [*secret_keys, "platform:secrets"]


def build(path: Path) -> Recorder:
    config, secret_keys = with_required_secrets(*load(path))
    return run_main(config=config, secret_keys=secret_keys, stack=stack_name(path))


def test_there_are_stacks_for_the_reference_app_and_every_seed() -> None:
    names = {label(p) for p in STACK_FILES}
    assert {"Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"} <= names
    for seed in ("nestsync", "sentia", "omnistack", "kars"):
        assert any(n.startswith(f"examples/{seed}/") for n in names), seed


@pytest.mark.parametrize("path", STACK_FILES, ids=label)
def test_every_stack_builds_under_mocks(path: Path) -> None:
    rec = build(path)
    config, _ = with_required_secrets(*load(path))
    services = config.get("platform:services") or {}
    for name in services:
        assert rec.named(f"{name}-service").type == "pulumi-python:dynamic/railway:Service"
        assert rec.named(f"{name}-instance").type == "pulumi-python:dynamic/railway:ServiceInstance"
    if "platform:database" in config:
        assert rec.named("database").type == "platform:components:Database"


@pytest.mark.parametrize("path", STACK_FILES, ids=label)
def test_no_stack_file_holds_a_secret_in_plain_text(path: Path) -> None:
    config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}

    def walk(where: str, value: Any) -> None:
        if isinstance(value, dict):
            if set(value) == {"secure"}:
                return
            for k, v in value.items():
                walk(f"{where}.{k}", v)
            return
        leaf = where.rsplit(".", 1)[-1].lower()
        if isinstance(value, str) and any(word in leaf for word in SECRET_WORDS):
            pytest.fail(f"{label(path)}: {where} holds a plain-text value")

    for key, value in config.items():
        walk(key, value)
    # And it parses once its required external secrets are set (as secret config).
    filled, _ = with_required_secrets(config, [])
    parse_stack_config(filled, stack=stack_name(path), secret_keys=["platform:secrets"])


def test_examples_are_stack_files_of_the_root_program_not_projects_of_their_own() -> None:
    # The CLI refuses a project whose `main` is outside its folder; examples run with --config-file.
    assert not list(REPO_ROOT.glob("examples/*/Pulumi.yaml"))
    assert all(p.parent.parent == REPO_ROOT / "examples" for p in STACK_FILES if "examples" in p.parts)


# -- what the stacks say ---------------------------------------------------------------------------------
def test_prod_differs_from_dev_as_the_seed_lists() -> None:
    dev, prod = build(REPO_ROOT / "Pulumi.dev.yaml"), build(REPO_ROOT / "Pulumi.prod.yaml")
    dev_db, prod_db = dev.named("database-project"), prod.named("database-project")
    assert (prod_db.plain("autoscaling_min_cu"), prod_db.plain("autoscaling_max_cu")) == (0.5, 4)
    assert prod_db.plain("history_retention_seconds") == 30 * 86400 and prod_db.protect
    assert not dev_db.protect
    assert reveal(prod.named("web-instance").inputs)["regions"] == {"us-west2": 2}
    assert reveal(dev.named("web-instance").inputs)["regions"] == {"us-west2": 1}
    assert "--maxmemory 2gb" in prod.named("redis-instance").plain("start_command")
    assert "--appendonly yes" in prod.named("redis-instance").plain("start_command")
    assert prod.of_type("railway:NotificationRule") and not dev.of_type("railway:NotificationRule")


def test_nestsync_keeps_its_data_in_canada_and_its_api_in_the_nearest_railway_region() -> None:
    path = REPO_ROOT / "examples/nestsync/Pulumi.prod.yaml"
    config, secret_keys = load(path)
    config["platform:secrets"] = {
        "SENTRY_DSN": "fake-sentry_dsn"
    }  # as `config set --secret --path` leaves it
    rec = run_main(config=config, secret_keys=[*secret_keys, "platform:secrets"], stack="prod")
    assert rec.named("database-project").plain("region") == "ca-central-1"
    assert reveal(rec.named("api-instance").inputs)["regions"] == {"us-east4-eqdc4a": 2}
    variables = rec.named("api-service").plain("variables")
    assert variables["TZ"] == "America/Toronto" and variables["SENTRY_DSN"] == "fake-sentry_dsn"
    assert {"SUPABASE_URL", "SUPABASE_ANON_KEY", "DATABASE_URL"} <= set(variables)


def test_omnistack_runs_postgres_16_and_migrates_inside_railway() -> None:
    rec = build(REPO_ROOT / "examples/omnistack/Pulumi.prod.yaml")
    assert rec.named("database-service").plain("image").endswith("postgres-ssl:16")
    api = reveal(rec.named("api-instance").inputs)
    assert api["pre_deploy_command"] == ["alembic upgrade head"]
    assert (api["restart_policy_type"], api["restart_policy_max_retries"]) == ("ON_FAILURE", 3)
    assert api["healthcheck_path"] == "/api/v1/public/health"
    assert reveal(rec.named("cleanup-instance").inputs)["cron_schedule"] == "0 4 * * *"
    assert rec.of_type("railway:TcpProxy") == []


def test_kars_has_its_custom_domains_and_a_proxied_database_for_migrations() -> None:
    rec = build(REPO_ROOT / "examples/kars/Pulumi.prod.yaml")
    domains = sorted(r.plain("domain") for r in rec.of_type("railway:CustomDomain"))
    assert domains == ["api.kars.example", "kars.example", "www.kars.example"]
    backend = reveal(rec.named("backend-instance").inputs)
    assert (backend["healthcheck_path"], backend["restart_policy_max_retries"]) == ("/api/health", 10)
    assert rec.named("backend-domain").plain("target_port") == 3001
    assert rec.named("database-service").plain("image").endswith("postgres-ssl:15")
    assert rec.named("database-proxy").plain("application_port") == 5432
    assert "DATABASE_URL" not in rec.named("frontend-service").plain("variables")


def test_migrations_run_before_any_service_is_created() -> None:
    rec = build(REPO_ROOT / "Pulumi.prod.yaml")
    migration = rec.named("web-migrate-command")
    for name in ("web-service", "worker-service", "web-instance", "worker-instance"):
        assert migration.urn in rec.named(name).dependencies, name
