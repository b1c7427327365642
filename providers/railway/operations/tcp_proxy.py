"""Railway TCP proxies: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    TCP_PROXY,
    Operations,
    register_document,
)

# TCP proxies
register_document(
    f"query tcpProxies($serviceId: String!, $environmentId: String!) "
    f"{{ tcpProxies(serviceId: $serviceId, environmentId: $environmentId) {{ {TCP_PROXY} }} }}"
)
register_document(
    "mutation tcpProxyCreate($input: TCPProxyCreateInput!) "
    f"{{ tcpProxyCreate(input: $input) {{ {TCP_PROXY} }} }}"
)
register_document("mutation tcpProxyDelete($id: String!) { tcpProxyDelete(id: $id) }")


class TcpProxyOperations(Operations):
    """RailwayClient's methods for TCP proxies."""

    def tcp_proxies(self, *, service_id: str, environment_id: str) -> list[dict[str, Any]]:
        return list(
            self.execute("tcpProxies", {"serviceId": service_id, "environmentId": environment_id}) or []
        )

    def tcp_proxy_create(
        self, *, service_id: str, environment_id: str, application_port: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "tcpProxyCreate",
            {
                "input": {
                    "serviceId": service_id,
                    "environmentId": environment_id,
                    "applicationPort": application_port,
                }
            },
        )
        return result

    def tcp_proxy_delete(self, tcp_proxy_id: str) -> bool:
        return bool(self.execute("tcpProxyDelete", {"id": tcp_proxy_id}))
