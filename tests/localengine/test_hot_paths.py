"""The local engine's hot paths keep their behaviour: the RandomPassword hash is the real provider's
(bcrypt at Go's default cost 10, not Python's slower 12)."""

from __future__ import annotations

import bcrypt

from localengine.providers.random import RandomProvider

PASSWORD_URN = "urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw"


def test_password_hash_is_bcrypt_at_the_real_providers_cost() -> None:
    provider = RandomProvider()
    inputs, failures = provider.check(PASSWORD_URN, None, {"length": 24, "special": False}, b"")
    assert not failures
    _, outs = provider.create(PASSWORD_URN, inputs)
    assert outs["bcryptHash"].startswith("$2b$10$")
    assert bcrypt.checkpw(outs["result"].encode(), outs["bcryptHash"].encode())
