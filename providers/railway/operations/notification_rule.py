"""Railway notification rules: the documents RailwayClient sends for them, and its methods."""

from __future__ import annotations

from typing import Any

from providers.railway.operations.base import (
    NOTIFICATION_RULE,
    Operations,
    register_document,
)

# Notification rules
register_document(
    "query notificationRules($workspaceId: String!, $projectId: String) "
    f"{{ notificationRules(workspaceId: $workspaceId, projectId: $projectId) {{ {NOTIFICATION_RULE} }} }}"
)
register_document(
    "mutation notificationRuleCreate($input: CreateNotificationRuleInput!) "
    f"{{ notificationRuleCreate(input: $input) {{ {NOTIFICATION_RULE} }} }}"
)
register_document(
    "mutation notificationRuleUpdate($id: String!, $input: UpdateNotificationRuleInput!) "
    f"{{ notificationRuleUpdate(id: $id, input: $input) {{ {NOTIFICATION_RULE} }} }}"
)
register_document("mutation notificationRuleDelete($id: String!) { notificationRuleDelete(id: $id) }")


class NotificationRuleOperations(Operations):
    """RailwayClient's methods for notification rules."""

    def notification_rules(self, *, workspace_id: str, project_id: str | None = None) -> list[dict[str, Any]]:
        return list(
            self.execute("notificationRules", {"workspaceId": workspace_id, "projectId": project_id}) or []
        )

    def notification_rule_create(
        self,
        *,
        workspace_id: str,
        event_types: list[str],
        channel_configs: list[dict[str, Any]],
        project_id: str | None = None,
        severities: list[str] | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "notificationRuleCreate",
            {
                "input": {
                    "workspaceId": workspace_id,
                    "projectId": project_id,
                    "eventTypes": event_types,
                    "severities": severities,
                    "channelConfigs": channel_configs,
                }
            },
        )
        return result

    def notification_rule_update(
        self,
        rule_id: str,
        *,
        event_types: list[str] | None = None,
        channel_configs: list[dict[str, Any]] | None = None,
        severities: Any = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.execute(
            "notificationRuleUpdate",
            {
                "id": rule_id,
                "input": {
                    "eventTypes": event_types,
                    "severities": severities,
                    "channelConfigs": channel_configs,
                },
            },
        )
        return result

    def notification_rule_delete(self, rule_id: str) -> bool:
        return bool(self.execute("notificationRuleDelete", {"id": rule_id}))
