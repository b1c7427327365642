"""The program's wiring under mocks: how commands run (auto, per stack, env override), what each service
receives, and the outputs the stack exports."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mocks import Recorder, is_secret, reveal, run_main

CONFIG: dict[str, Any] = {
    "platform:app": "acme",
    "platform:railway": {"project": "acme-prod"},
    "platform:database": {"engine": "neon", "region": "aws-us-west-2"},
    "platform:redis": {"memory": "512mb"},
    "platform:services": {
        "web": {
            "kind": "web",
            "image": "ghcr.io/acme/api:1",
            "port": 5000,
            "healthcheck": "/health",
            "secrets": ["JWT_SECRET"],
            "migrate": "npm run migrate",
        },
        "static": {"kind": "web", "image": "nginx:1", "port": 80, "uses": []},
    },
}


@pytest.fixture(autouse=True)
def _real_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RAILWAY_API_URL", "NEON_API_URL", "SUPABASE_API_URL", "PLATFORM_COMMANDS"):
        monkeypatch.delenv(name, raising=False)


def build(**extra: Any) -> Recorder:
    return run_main(config={**CONFIG, **extra}, stack="prod")


def test_against_the_real_apis_commands_run() -> None:
    rec = build()
    assert rec.named("web-migrate-command").plain("create") == "npm run migrate"
    assert rec.named("web-smoke").plain("create").startswith("curl ")


def test_against_another_endpoint_auto_commands_only_echo() -> None:
    rec = build(**{"railway:apiUrl": "http://127.0.0.1:8080/railway/graphql/v2"})
    assert rec.named("web-migrate-command").plain("create").startswith("echo ")
    assert rec.named("web-smoke").plain("create").startswith("echo ")


def test_a_stack_can_choose_per_command() -> None:
    rec = build(**{"platform:commands": {"migrations": "run", "smoke": "skip"}})
    assert rec.named("web-migrate-command").plain("create") == "npm run migrate"
    assert [r.name for r in rec.of_type("command:local:Command")] == ["web-migrate-command"]


def test_the_environment_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_COMMANDS", "skip")
    assert build(**{"platform:commands": "run"}).of_type("command:local:Command") == []


def test_services_receive_database_redis_and_secrets_as_secret_variables() -> None:
    rec = build()
    web = rec.named("web-service")
    assert is_secret(web.inputs["variables"])
    variables = web.plain("variables")
    assert variables["DATABASE_URL"].startswith("postgresql://") and "pooler" in variables["DATABASE_URL"]
    assert variables["REDIS_URL"] == "redis://default:generated-redis-password@redis.railway.internal:6379"
    assert variables["JWT_SECRET"] == "generated-secrets-jwt-secret"
    assert variables["PORT"] == "5000"


def test_uses_narrows_what_a_service_is_wired_to() -> None:
    assert reveal(build().named("static-service").inputs["variables"]) == {"PORT": "80"}


def test_a_service_without_a_health_check_gets_no_smoke_check() -> None:
    assert "static-smoke" not in build().names()


def test_given_secret_config_replaces_generation() -> None:
    rec = run_main(
        config={**CONFIG, "platform:secrets": {"JWT_SECRET": "from-config"}},
        secret_keys=["platform:secrets"],
        stack="prod",
    )
    assert rec.of_type("RandomPassword") and "secrets-jwt-secret" not in rec.names()
    assert rec.named("web-service").plain("variables")["JWT_SECRET"] == "from-config"


def test_railway_events_without_a_channel_are_refused() -> None:
    from stack_config import StackConfigError

    with pytest.raises(StackConfigError, match=r"platform:alerts: Railway events need a channel"):
        build(**{"platform:alerts": {"rules": []}})
