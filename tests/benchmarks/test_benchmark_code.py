"""A quick smoke of the benchmarks' own logic (the benchmarks themselves are slow and not part of the
suite): the generated scale stacks are valid stack files, and the vendor limit follows only the edges the
vendors impose, each at its vendor duration."""

from __future__ import annotations

import json

import pytest

from benchmarks.scale import stack_document
from benchmarks.vendor_timings import kind, largest_example, needs, vendor_limit
from localengine.state import ResourceState
from stack_config import parse_stack_config


@pytest.mark.parametrize("services", [1, 25])
def test_generated_scale_stacks_are_valid_stack_files(services: int) -> None:
    raw = {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_document(services)["config"].items()
    }
    config = parse_stack_config(raw, stack=f"scale-{services}")
    assert len(config.services) == services
    assert {s.kind for s in config.services.values()} == ({"web"} if services == 1 else {"web", "worker"})


def test_kinds_of_type_tokens() -> None:
    assert kind("pulumi-python:dynamic/railway:ServiceInstance") == "railway:ServiceInstance"
    assert kind("command:local:Command") == "Command"
    assert kind("random:index/randomPassword:RandomPassword") == "RandomPassword"


def urn(name: str) -> str:
    return f"urn:pulumi:prod::platform::t::{name}"


def resource(name: str, type_: str, *deps: str) -> ResourceState:
    return ResourceState(urn=urn(name), type=type_, custom=True, dependencies=[urn(d) for d in deps])


RAILWAY = "pulumi-python:dynamic/railway:"


def test_the_vendor_limit_follows_needed_edges_only() -> None:
    resources = [
        resource("db", "pulumi-python:dynamic/neon:Project"),
        resource("redis-service", RAILWAY + "Service"),
        resource("redis-instance", RAILWAY + "ServiceInstance", "redis-service"),
        resource("migrate", "command:local:Command", "db"),
        # the web service's edge to Redis's deployment is one the vendors do not impose
        resource("web-service", RAILWAY + "Service", "migrate", "db", "redis-instance"),
        resource("web-instance", RAILWAY + "ServiceInstance", "web-service"),
        resource("web-domain", RAILWAY + "ServiceDomain", "web-service"),
    ]
    durations = {urn("db"): 5.0, urn("redis-instance"): 22.0, urn("web-instance"): 22.0}
    limit, chain = vendor_limit(resources, durations)
    assert limit == 27.0
    assert chain == [urn("db"), urn("migrate"), urn("web-service"), urn("web-instance")]
    assert not needs("railway:Service", "railway:ServiceInstance")
    assert needs("railway:ServiceInstance", "railway:Volume")


def test_the_largest_example_is_one_of_the_examples() -> None:
    seed, _, env = largest_example().partition("-")
    assert seed in {"kars", "nestsync", "omnistack", "sentia"} and env
