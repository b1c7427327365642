"""The pack started the Pulumi CLI's way and spoken to over the analyzer protocol, with no local-engine code:
`python -u -m pulumi.policy <engine address> <pack dir>` in the pack's folder, the port read from its
stdout, then the `pulumirpc.Analyzer` service through the SDK's own generated stubs. One pack process
serves the whole module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

PACK = Path(__file__).resolve().parents[2] / "policy"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
POLICIES = {
    "stateful-resources-protected": "resource",
    "backups-retained": "resource",
    "web-replicas-minimum": "resource",
    "healthcheck-required": "resource",
    "image-pinned": "resource",
    "data-residency": "resource",
    "no-public-database": "resource",
    "restart-policy": "resource",
    "alerts-configured": "stack",
    "redis-noeviction-with-queues": "stack",
}
WEB_INSTANCE = (
    "urn:pulumi:prod::platform::platform:components:WebService$pulumi-python:dynamic/railway:ServiceInstance"
    "::web-instance"
)


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    env = {
        **os.environ,
        "PULUMI_CONFIG": json.dumps({"platform:app": "acme"}),
        "PULUMI_PROJECT": "platform",
        "PULUMI_STACK": "prod",
        "PULUMI_DRY_RUN": "true",
        "PULUMI_ORGANIZATION": "organization",
    }
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(PACK)],
        cwd=PACK,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            process.kill()
            pytest.fail(f"the pack printed {line!r}, not a port; stderr: {process.communicate()[1].decode()}")
        with grpc.insecure_channel(f"127.0.0.1:{line}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, **policies: tuple[int, dict[str, Any]]) -> None:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, properties) in policies.items():
        request.policyConfig[name].enforcementLevel = level
        request.policyConfig[name].properties.update(properties)
    stub.Configure(request)


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def analyze(stub: analyzer_pb2_grpc.AnalyzerStub, type_: str, urn: str, props: dict[str, Any]) -> list[Any]:
    request = analyzer_pb2.AnalyzeRequest(
        type=type_,
        urn=urn,
        name=urn.rsplit("::", 1)[-1],
        properties=struct(props),
        options=analyzer_pb2.AnalyzerResourceOptions(protect=False),
    )
    return list(stub.Analyze(request).diagnostics)


def test_get_analyzer_info_lists_every_policy_with_its_level_and_config_schema(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "platform" and info.supportsConfig
    assert {p.name for p in info.policies} == set(POLICIES)
    for policy in info.policies:
        assert policy.description, policy.name
        assert policy.enforcementLevel == analyzer_pb2.ADVISORY, policy.name  # the pack's default
        kind = (
            analyzer_pb2.POLICY_TYPE_STACK
            if POLICIES[policy.name] == "stack"
            else analyzer_pb2.POLICY_TYPE_RESOURCE
        )
        assert policy.policy_type == kind, policy.name
        schema = json_format.MessageToDict(policy.configSchema)
        assert schema["properties"], policy.name
        assert all("default" in p for p in schema["properties"].values()), (policy.name, schema)
    by_name = {p.name: json_format.MessageToDict(p.configSchema) for p in info.policies}
    assert by_name["web-replicas-minimum"]["properties"]["min"]["default"] == 2
    assert by_name["backups-retained"]["properties"]["minDays"]["default"] == 7
    assert set(by_name["data-residency"]["properties"]) == {"railway", "neon", "supabase", "notes"}


def test_a_mandatory_violation_names_the_resource(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    configure(analyzer, **{"web-replicas-minimum": (analyzer_pb2.MANDATORY, {"min": 2})})
    props = {"regions": {"us-west2": 1}, "service_id": UNKNOWN, "healthcheck_path": "/health"}
    (diagnostic,) = analyze(analyzer, "pulumi-python:dynamic/railway:ServiceInstance", WEB_INSTANCE, props)
    assert diagnostic.policyName == "web-replicas-minimum"
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "web-instance" in diagnostic.message and "1 replica" in diagnostic.message
    props["regions"] = {"us-west2": 2}
    assert analyze(analyzer, "pulumi-python:dynamic/railway:ServiceInstance", WEB_INSTANCE, props) == []


def test_an_unknown_value_is_reported_as_undecided_and_a_secret_is_seen_unwrapped(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, **{"image-pinned": (analyzer_pb2.MANDATORY, {"forbiddenTags": ["latest"]})})
    service = f"{WEB_INSTANCE.split('$')[0]}$pulumi-python:dynamic/railway:Service::web-service"
    found = analyze(analyzer, "pulumi-python:dynamic/railway:Service", service, {"image": UNKNOWN})
    (undecided,) = [d for d in found if d.policyName == "image-pinned"]
    assert "can't run policy 'image-pinned'" in undecided.message and "during preview" in undecided.message
    assert undecided.enforcementLevel == analyzer_pb2.ADVISORY
    secret_image = {**SECRET, "value": "ghcr.io/acme/api:latest"}
    found = analyze(analyzer, "pulumi-python:dynamic/railway:Service", service, {"image": secret_image})
    (violation,) = [d for d in found if d.enforcementLevel == analyzer_pb2.MANDATORY]
    assert violation.policyName == "image-pinned" and "'web-service'" in violation.message


def test_analyze_stack_checks_the_stack_rules(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    configure(
        analyzer,
        **{
            "redis-noeviction-with-queues": (analyzer_pb2.MANDATORY, {"eviction": "noeviction"}),
            "alerts-configured": (analyzer_pb2.DISABLED, {}),
        },
    )
    prefix = "urn:pulumi:prod::platform::platform:components:"
    request = analyzer_pb2.AnalyzeStackRequest()
    request.resources.add(
        type="pulumi-python:dynamic/railway:ServiceInstance",
        urn=f"{prefix}RedisCache$pulumi-python:dynamic/railway:ServiceInstance::redis-instance",
        name="redis-instance",
        properties=struct({"start_command": "redis-server --maxmemory-policy allkeys-lru"}),
    )
    request.resources.add(
        type="pulumi-python:dynamic/railway:ServiceInstance",
        urn=f"{prefix}Worker$pulumi-python:dynamic/railway:ServiceInstance::worker-instance",
        name="worker-instance",
        properties=struct({"replicas": 1}),
    )
    diagnostics = list(analyzer.AnalyzeStack(request).diagnostics)
    assert [(d.policyName, d.urn.rsplit("::", 1)[-1]) for d in diagnostics] == [
        ("redis-noeviction-with-queues", "redis-instance")
    ]
    assert diagnostics[0].enforcementLevel == analyzer_pb2.MANDATORY
