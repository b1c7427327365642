"""The registry of the GraphQL documents RailwayClient can send, the fragments they share, and the base
class of the per-object operation mixins."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DOCUMENTS: dict[str, str] = {}
_OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)")


def register_document(text: str) -> str:
    match = _OPERATION.match(text)
    if not match:
        raise ValueError(f"not a named operation: {text[:60]}")
    name = match.group(2)
    if name in DOCUMENTS:
        raise ValueError(f"two documents named {name}")
    DOCUMENTS[name] = " ".join(text.split())
    return name


def is_mutation(name: str) -> bool:
    return DOCUMENTS[name].startswith("mutation")


ENVIRONMENTS = "environments { edges { node { id name createdAt } } }"
SERVICE_DOMAIN = "id domain suffix targetPort environmentId serviceId createdAt"
CUSTOM_DOMAIN = (
    "id domain environmentId serviceId projectId targetPort status { verified verificationDnsHost "
    "verificationToken certificateStatus dnsRecords { hostlabel fqdn zone recordType requiredValue "
    "currentValue status purpose } }"
)
VOLUME_INSTANCE = "id volumeId environmentId serviceId mountPath region sizeMB state"
NOTIFICATION_RULE = "id workspaceId projectId eventTypes severities channels { id config } createdAt"
TCP_PROXY = "id applicationPort proxyPort domain environmentId serviceId"
DASHBOARD = (
    "id items { id displayConfig dashboardItem { id name description type "
    "config { httpMetric logsFilter measurements projectUsageProperties resourceIds } } }"
)


def nodes_of(connection: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (connection or {}).get("edges", []) if edge and edge.get("node")]


class Operations:
    """What every mixin relies on: `execute` sends one registered document (RailwayClient implements it)."""

    def execute(self, operation: str, variables: Mapping[str, Any] | None = None) -> Any:
        raise NotImplementedError
