"""AppSecrets under Pulumi mocks: generated with keepers for rotation, or given, always secret."""

from __future__ import annotations

import pytest

from components.app_secrets import AppSecrets, AppSecretsArgs, GeneratedSecretArgs
from tests.mocks import is_secret, run, sink


def test_generated_secrets_are_random_passwords_with_a_rotation_keeper() -> None:
    rec = run(
        lambda: AppSecrets(
            "secrets",
            AppSecretsArgs(
                generated={
                    "JWT_SECRET": GeneratedSecretArgs(length=64, rotation="2025-01"),
                    "SESSION_SECRET": GeneratedSecretArgs(),
                }
            ),
        )
    )
    jwt = rec.named("secrets-jwt-secret")
    assert jwt.type == "random:index/randomPassword:RandomPassword"
    assert jwt.parent == rec.named("secrets").urn
    assert (jwt.plain("length"), jwt.plain("special"), jwt.plain("keepers")) == (
        64,
        False,
        {"rotation": "2025-01"},
    )
    assert rec.named("secrets-session-secret").plain("keepers") == {"rotation": ""}


def test_given_and_generated_values_are_secret_outputs() -> None:
    def program() -> None:
        secrets = AppSecrets(
            "secrets", AppSecretsArgs(generated={"A": GeneratedSecretArgs()}, given={"B": "b"})
        )
        for key, value in secrets.values.items():
            sink(f"sink-{key}", value)

    rec = run(program)
    assert len(rec.of_type("RandomPassword")) == 1
    assert (
        is_secret(rec.named("sink-A").inputs["value"])
        and rec.named("sink-A").plain("value") == "generated-secrets-a"
    )
    assert is_secret(rec.named("sink-B").inputs["value"]) and rec.named("sink-B").plain("value") == "b"


def test_a_name_both_given_and_generated_is_refused() -> None:
    with pytest.raises(ValueError, match="both generated and given"):
        run(lambda: AppSecrets("s", AppSecretsArgs(generated={"A": GeneratedSecretArgs()}, given={"A": "x"})))
