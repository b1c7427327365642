"""Railway observability dashboards: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    DASHBOARD,
    Operations,
    nodes_of,
    register_document,
)

# Observability dashboards (the mutations answer only a Boolean: the id is read back with the query)
register_document(
    "query observabilityDashboards($environmentId: String!) "
    f"{{ observabilityDashboards(environmentId: $environmentId) {{ edges {{ node {{ {DASHBOARD} }} }} }} }}"
)
register_document(
    "mutation observabilityDashboardCreate($input: ObservabilityDashboardCreateInput!) "
    "{ observabilityDashboardCreate(input: $input) }"
)
register_document(
    "mutation observabilityDashboardUpdate($id: String!, $input: [ObservabilityDashboardUpdateInput!]!) "
    "{ observabilityDashboardUpdate(id: $id, input: $input) }"
)
register_document(
    "mutation observabilityDashboardReset($id: String!) { observabilityDashboardReset(id: $id) }"
)


class ObservabilityDashboardOperations(Operations):
    """RailwayClient's methods for observability dashboards."""

    def observability_dashboards(self, environment_id: str) -> list[dict[str, Any]]:
        return nodes_of(self.execute("observabilityDashboards", {"environmentId": environment_id}))

    def observability_dashboard_create(
        self, environment_id: str, items: list[dict[str, Any]] | None = None
    ) -> bool:
        """Without items Railway makes its default dashboard. Answers only whether it worked."""
        variables = {"input": {"environmentId": environment_id, "items": items}}
        return bool(self.execute("observabilityDashboardCreate", variables))

    def observability_dashboard_update(self, dashboard_id: str, items: list[dict[str, Any]]) -> bool:
        """Replaces the dashboard's whole item list with `items` (`ObservabilityDashboardUpdateInput`s)."""
        return bool(self.execute("observabilityDashboardUpdate", {"id": dashboard_id, "input": items}))

    def observability_dashboard_reset(self, dashboard_id: str) -> bool:
        return bool(self.execute("observabilityDashboardReset", {"id": dashboard_id}))
