"""Broken stack files stop the real program before it registers anything, with every problem named."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import StackConfigError
from tests.mocks import FakeVendors, Recorder, run_main

GOOD: dict[str, Any] = {
    "platform:app": "acme",
    "platform:railway": {"project": "acme-prod"},
    "platform:database": {"engine": "neon", "region": "aws-us-west-2"},
    "platform:services": {
        "web": {"kind": "web", "image": "ghcr.io/acme/api:1", "port": 5000, "healthcheck": "/health"},
    },
}

BROKEN: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "replicas below one",
        {"platform:services": {"web": {"kind": "web", "image": "i", "replicas": 0}}},
        ["Pulumi.prod.yaml: platform:services.web.replicas: must be >= 1"],
    ),
    (
        "a Canadian Railway region",
        {"platform:railway": {"project": "acme-prod", "region": "ca-central-1"}},
        ["Pulumi.prod.yaml: platform:railway.region: 'ca-central-1' is not a Railway region"],
    ),
    (
        "a Canadian Neon region",
        {"platform:database": {"engine": "neon", "region": "aws-ca-central-1"}},
        ["Pulumi.prod.yaml: platform:database.region: 'aws-ca-central-1' is not a Neon region"],
    ),
    (
        "an unknown engine and a typo",
        {"platform:database": {"engine": "mysql", "regoin": "x"}},
        [
            "Pulumi.prod.yaml: platform:database.engine: must be one of 'neon', 'supabase' or 'railway'",
            "Pulumi.prod.yaml: platform:database.regoin: is not a known key (did you mean region?)",
        ],
    ),
    (
        "point-in-time recovery on Railway",
        {"platform:database": {"engine": "railway", "backups": {"pointInTime": "7d"}}},
        ["Pulumi.prod.yaml: platform:database.backups.pointInTime: Railway backs up volumes as snapshots"],
    ),
    (
        "a top-level typo and a bad size together",
        {"platform:servces": {}, "platform:redis": {"memory": "big"}},
        [
            "Pulumi.prod.yaml: platform:redis.memory: 'big' is not a size",
            "Pulumi.prod.yaml: platform:servces: is not a known key (did you mean services?)",
        ],
    ),
    (
        "a plaintext alert webhook",
        {"platform:alerts": {"channels": {"webhook": "https://hooks.example/x"}}},
        ["Pulumi.prod.yaml: platform:alerts.channels.webhook: a webhook URL is a secret"],
    ),
]


@pytest.mark.parametrize(("_what", "change", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_is_reported_with_file_and_key_path_and_registers_nothing(
    _what: str, change: dict[str, Any], expected: list[str]
) -> None:
    recorder = Recorder(FakeVendors())
    with pytest.raises(StackConfigError) as caught:
        run_main(config={**GOOD, **change}, stack="prod", recorder=recorder)
    assert len(caught.value.problems) == len(expected), caught.value.problems
    for line, start in zip(sorted(caught.value.problems), sorted(expected), strict=True):
        assert line.startswith(start), (line, start)
    assert recorder.registrations == []


def test_the_good_config_does_register() -> None:
    recorder = run_main(config=GOOD, stack="prod")
    assert "web-service" in recorder.names()
