"""RedisCache under Pulumi mocks: Redis image service, volume, password, memory, eviction, persistence."""

from __future__ import annotations

from typing import Any

import pytest

from components.redis_cache import RedisCache, RedisCacheArgs, redis_start_command
from tests.mocks import Recorder, is_secret, reveal, run, sink


def args(**changes: Any) -> RedisCacheArgs:
    base: dict[str, Any] = {
        "project_id": "proj-1",
        "environment_id": "env-1",
        "region": "us-west2",
        "maxmemory": "2gb",
        "maxmemory_gb": 2.0,
        "eviction": "allkeys-lru",
        "persistence": "aof+rdb",
    }
    return RedisCacheArgs(**{**base, **changes})


def build(**changes: Any) -> Recorder:
    def program() -> None:
        cache = RedisCache("redis", args(**changes))
        sink("url", cache.url)

    return run(program)


def test_redis_is_an_image_service_with_a_volume_and_an_instance() -> None:
    rec = build()
    children = {r.name: r.type.rsplit("/", 1)[-1] for r in rec.children_of(rec.named("redis"))}
    assert children == {
        "redis-password": "randomPassword:RandomPassword",
        "redis-service": "railway:Service",
        "redis-volume": "railway:Volume",
        "redis-instance": "railway:ServiceInstance",
    }
    assert rec.named("redis-service").plain("image") == "redis:7"
    assert rec.named("redis-volume").plain("mount_path") == "/data"


def test_the_password_reaches_redis_as_a_secret_variable_not_on_the_command_line() -> None:
    rec = build()
    service = rec.named("redis-service")
    assert is_secret(service.inputs["variables"])
    assert service.plain("variables") == {"REDIS_PASSWORD": "generated-redis-password"}
    assert "generated-redis-password" not in rec.named("redis-instance").plain("start_command")


def test_start_command_sets_memory_eviction_and_both_persistence_modes() -> None:
    command = reveal(build().named("redis-instance").inputs)["start_command"]
    assert '--requirepass \\"$REDIS_PASSWORD\\"' in command
    assert "--maxmemory 2gb" in command and "--maxmemory-policy allkeys-lru" in command
    assert "--appendonly yes" in command and "--save '3600 1 300 100 60 10000'" in command
    assert "--dir /data" in command


@pytest.mark.parametrize(
    ("persistence", "present", "absent"),
    [
        ("rdb", ["--save '3600", "--appendonly no"], ["--appendonly yes"]),
        ("aof", ["--save ''", "--appendonly yes"], ["--save '3600"]),
        ("none", ["--save ''", "--appendonly no"], ["--dir"]),
    ],
)
def test_persistence_flags(persistence: str, present: list[str], absent: list[str]) -> None:
    command = redis_start_command(args(persistence=persistence))
    assert all(p in command for p in present) and not any(a in command for a in absent)


def test_no_persistence_means_no_volume() -> None:
    assert build(persistence="none").of_type("railway:Volume") == []


def test_container_memory_leaves_room_above_maxmemory_and_deploys_after_the_volume() -> None:
    rec = build()
    instance = rec.named("redis-instance")
    assert instance.plain("memory_gb") == 3.0
    assert rec.named("redis-volume").urn in instance.dependencies


def test_url_is_private_and_secret() -> None:
    url = build().named("url").inputs["value"]
    assert is_secret(url)
    assert reveal(url) == "redis://default:generated-redis-password@redis.railway.internal:6379"
