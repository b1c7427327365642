"""What waits on what in the whole program (under mocks): nothing waits on what it does not need.

The apps' REDIS_URL and DATABASE_URL (Railway Postgres) come from the password and the service name, so no
app waits for Redis or the database to deploy; domains wait for their service, not its deployment; what
really needs a running deployment (the smoke check, a migration against Railway Postgres) still waits.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.mocks import Recorder, run_main

SERVICES: dict[str, Any] = {
    "web": {"kind": "web", "image": "ghcr.io/acme/api:1", "port": 5000, "healthcheck": "/health",
            "domains": ["app.acme.com"]},
    "worker": {"kind": "worker", "image": "ghcr.io/acme/api:1"},
}  # fmt: skip


@pytest.fixture(autouse=True)
def _real_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RAILWAY_API_URL", "NEON_API_URL", "SUPABASE_API_URL", "PLATFORM_COMMANDS"):
        monkeypatch.delenv(name, raising=False)


def build(database: dict[str, Any], services: dict[str, Any] = SERVICES) -> Recorder:
    config = {
        "platform:app": "acme",
        "platform:railway": {"project": "acme-prod"},
        "platform:database": database,
        "platform:redis": {"memory": "512mb", "persistence": "aof+rdb"},
        "platform:services": services,
    }
    return run_main(config=config, stack="prod")


def urns(rec: Recorder, *names: str) -> set[str]:
    return {rec.named(name).urn for name in names}


def test_apps_do_not_wait_for_redis_to_deploy() -> None:
    rec = build({"engine": "neon", "region": "aws-us-west-2"})
    redis = urns(rec, "redis-service", "redis-volume", "redis-instance")
    for name in ("web-service", "web-instance", "worker-service", "worker-instance"):
        assert not redis & set(rec.named(name).dependencies), name
    # REDIS_URL still reaches them, from the password.
    assert rec.named("redis-password").urn in rec.named("web-service").dependencies


def test_redis_deploys_after_its_volume() -> None:
    rec = build({"engine": "neon", "region": "aws-us-west-2"})
    assert rec.named("redis-volume").urn in rec.named("redis-instance").dependencies


def test_domains_wait_for_the_service_and_the_smoke_check_for_the_deployment() -> None:
    rec = build({"engine": "neon", "region": "aws-us-west-2"})
    instance, service = rec.named("web-instance").urn, rec.named("web-service").urn
    for name in ("web-domain", "web-domain-app-acme-com"):
        deps = set(rec.named(name).dependencies)
        assert service in deps and instance not in deps, name
    assert instance in rec.named("web-smoke").dependencies


def test_apps_do_not_wait_for_railway_postgres_to_deploy_but_the_migration_does() -> None:
    services = {**SERVICES, "web": {**SERVICES["web"], "migrate": "npm run migrate"}}
    rec = build({"engine": "railway", "public": True}, {"web": services["web"], "worker": SERVICES["worker"]})
    db_instance = rec.named("database-instance").urn
    assert db_instance not in rec.named("worker-service").dependencies
    assert db_instance in rec.named("web-migrate-command").dependencies
    # the web service waits for its migration (serviceCreate deploys at once), so for the database too
    assert rec.named("web-migrate-command").urn in rec.named("web-service").dependencies
